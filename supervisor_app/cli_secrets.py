"""``supervisor-app secrets ...``: where the desk's secrets live, and putting them there.

- ``status``: which store is in use and why, which secret variables are set, and whether the
  database in use has a stored password;
- ``set NAME``: keep a secret, e.g. ``channel:smtp`` (a channel's credential);
- ``delete NAME``: forget one;
- ``set-db-password``: keep the password of the database the desk is set to use (its name is
  worked out from the address: ``database:<user>@<host>:<port>/<dbname>``).

A value is asked for without echo (twice), or read from the first line of standard input with
``--stdin``; never taken from the command line, where anyone on the machine can see it in the
process list. On a machine without a keyring the encrypted file's passphrase comes from
``SUPERVISOR_SECRETS_PASSPHRASE``, or is asked for at the terminal.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine

from supervisor_app.secrets import (
    FILE_NAME,
    MINIMUM_PASSPHRASE_LENGTH,
    PASSPHRASE_VARIABLE,
    EncryptedFileStore,
    OpenedSecrets,
    PassphraseNeeded,
    SecretsError,
    check_secret_name,
    database_secret_name,
    has_inline_password,
    open_secret_store,
)
from supervisor_app.settings import Settings

EXIT_FAILED = 1


def _terminal_available() -> bool:
    """Whether a hidden prompt can reach a person (getpass reads the terminal, not stdin)."""
    if os.name != "posix":
        return sys.stdin.isatty() or sys.stderr.isatty()
    try:
        descriptor = os.open("/dev/tty", os.O_RDWR | os.O_NOCTTY)
    except OSError:
        return False
    os.close(descriptor)
    return True


def _ask_twice(prompt: str, what: str) -> str:
    first = getpass.getpass(prompt)
    if getpass.getpass("The same again: ") != first:
        raise SecretsError(f"The two {what}s differ; nothing was changed.")
    return first


def terminal_passphrase(config_dir: Path) -> Callable[[bool], str]:
    """Asks for the secrets file's passphrase at the terminal (twice for a new file); without a
    terminal, says to set SUPERVISOR_SECRETS_PASSPHRASE. For any command that opens the store."""
    path = config_dir / FILE_NAME

    def ask(new_file: bool) -> str:
        if not _terminal_available():
            raise PassphraseNeeded(path)
        if not new_file:
            return getpass.getpass(f"Passphrase for the secrets file {path}: ")
        print(
            f"There is no keyring on this machine, so secrets go into the encrypted file {path}. "
            f"Choose a passphrase of at least {MINIMUM_PASSPHRASE_LENGTH} characters; "
            "the desk asks for it when it needs a secret.",
            file=sys.stderr,
        )
        return _ask_twice("New passphrase: ", "passphrase")

    return ask


def open_command_engine(settings: Settings) -> Engine:
    """The engine a command uses: the database password from the secret store, the secrets file's
    passphrase (if the machine has no keyring) asked at the terminal."""
    from supervisor_app.bootstrap import database_url
    from supervisor_app.store.engine import make_engine

    url, _secrets = database_url(settings, passphrase=terminal_passphrase(settings.config_dir))
    return make_engine(url)


def _read_value(args: argparse.Namespace, prompt: str) -> str:
    if args.stdin:
        value = sys.stdin.readline().rstrip("\r\n")
    elif _terminal_available():
        value = _ask_twice(prompt, "value")
    else:
        raise SecretsError("There is no terminal to ask for the value; give it on standard input with --stdin.")
    if not value:
        raise SecretsError("No value was given; nothing was stored.")
    return value


def _precedence_note(opened: OpenedSecrets, name: str) -> str:
    variable = opened.environment.provides(name)
    if variable is None:
        return ""
    return f"\nNote: {variable} is set in this environment and is used instead of the stored value."


def _store(opened: OpenedSecrets, name: str, value: str) -> str:
    opened.store.set(name, value)
    return f"Stored {name} in {opened.store.where}.{_precedence_note(opened, name)}"


def _set(opened: OpenedSecrets, settings: Settings, args: argparse.Namespace) -> str:
    name = check_secret_name(args.name)
    return _store(opened, name, _read_value(args, f"Value for {name}: "))


def _set_db_password(opened: OpenedSecrets, settings: Settings, args: argparse.Namespace) -> str:
    name = database_secret_name(settings.db_url)
    message = _store(opened, name, _read_value(args, f"Password for {name}: "))
    if has_inline_password(settings.db_url):
        message += (
            "\nThe database address in use still contains a password: take it out of the settings file, "
            "SUPERVISOR_DB_URL or --db."
        )
    return message


def _delete(opened: OpenedSecrets, settings: Settings, args: argparse.Namespace) -> str:
    name = check_secret_name(args.name)
    if not opened.store.delete(name):
        message = f"No {name} was stored in {opened.store.where}; nothing was deleted."
    else:
        message = f"Deleted {name} from {opened.store.where}."
    return message + _precedence_note(opened, name)


def _database_line(opened: OpenedSecrets, settings: Settings) -> str:
    try:
        name = database_secret_name(settings.db_url)
    except SecretsError as exc:
        return f"Database password: none kept. {exc}"
    variable = opened.environment.provides(name)
    if variable is not None:
        return f"Database password for {name}: from the environment variable {variable}."
    try:
        stored = opened.primary.get(name)
    except PassphraseNeeded:
        return f"Database password for {name}: cannot be checked without the passphrase ({PASSPHRASE_VARIABLE})."
    except SecretsError as exc:
        return f"Database password for {name}: cannot be checked. {exc}"
    if stored is None:
        return f"Database password for {name}: not stored; keep it with `supervisor-app secrets set-db-password`."
    return f"Database password for {name}: stored."


def _status(opened: OpenedSecrets, settings: Settings, args: argparse.Namespace) -> str:
    lines = [opened.summary()]
    primary = opened.primary
    if isinstance(primary, EncryptedFileStore):
        if not primary.exists:
            lines.append("The file does not exist yet; `supervisor-app secrets set` or `set-db-password` creates it.")
        elif os.environ.get(PASSPHRASE_VARIABLE):
            try:
                names = primary.names()
                lines.append(f"Stored there: {', '.join(names) if names else 'nothing'}.")
            except SecretsError as exc:
                lines.append(str(exc))
    variables = opened.environment.present()
    if variables:
        lines.append(f"Set in this environment, and used before the store: {', '.join(variables)}.")
    lines.append(_database_line(opened, settings))
    if has_inline_password(settings.db_url):
        lines.append(
            "Warning: the database address in use contains a password; take it out and keep it with "
            "`supervisor-app secrets set-db-password`."
        )
    return "\n".join(lines)


Command = Callable[[OpenedSecrets, Settings, argparse.Namespace], str]

COMMANDS: dict[str, tuple[Command, str]] = {
    "status": (_status, "which store keeps the secrets, why, and what it holds for this desk"),
    "set": (_set, "keep a secret, e.g. channel:smtp (the value is asked for, or read with --stdin)"),
    "delete": (_delete, "forget a secret"),
    "set-db-password": (_set_db_password, "keep the password of the database the desk is set to use"),
}


def run_secrets_command(settings: Settings, args: argparse.Namespace) -> int:
    command, _help = COMMANDS[args.secrets_command]
    asking = None if args.secrets_command == "status" else terminal_passphrase(settings.config_dir)
    try:
        opened = open_secret_store(settings.config_dir, passphrase=asking)
        print(command(opened, settings, args))
    except SecretsError as exc:
        print(f"supervisor-app: {exc}", file=sys.stderr, flush=True)
        return EXIT_FAILED
    return 0


def add_secrets_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "secrets",
        help="database password and channel credentials: the OS keyring, else an encrypted file",
        description="Secrets live in the OS keyring; without one, in an encrypted file protected by a passphrase "
        f"(from {PASSPHRASE_VARIABLE} or asked for). Service accounts may give them as environment "
        "variables instead: SUPERVISOR_DB_PASSWORD, SUPERVISOR_SECRET_<NAME>.",
    )
    actions = parser.add_subparsers(dest="secrets_command", required=True, metavar="ACTION")
    for name, (_command, help_text) in COMMANDS.items():
        action = actions.add_parser(name, help=help_text)
        if name in ("set", "delete"):
            action.add_argument("name", metavar="NAME", help="channel:<name> or database:<user>@<host>:<port>/<dbname>")
        if name in ("set", "set-db-password"):
            action.add_argument(
                "--stdin", action="store_true", help="read the value from the first line of standard input"
            )
    return parser
