"""``supervisor-app users ...``: account management from the command line (administrators).

The acting user (``--user``) signs in first with their password, asked without echo, or read
from the first line of standard input with ``--password-stdin`` (the next line is then the new
password, for ``add`` and ``set-password``). Every step is audited as at the desk.
"""

from __future__ import annotations

import argparse
import getpass
import sys
from collections.abc import Callable, Iterator

from sqlalchemy.orm import Session

from supervisor_app.cli_secrets import open_command_engine
from supervisor_app.domain.people import Actor, Role
from supervisor_app.services import users
from supervisor_app.services.sign_in import sign_in
from supervisor_app.settings import Settings
from supervisor_app.store.engine import writer


class Passwords:
    """Passwords from standard input (one per line), or asked for without echo."""

    def __init__(self, from_stdin: bool) -> None:
        self._lines: Iterator[str] | None = iter(sys.stdin.read().splitlines()) if from_stdin else None

    def ask(self, prompt: str, *, confirm: bool = False) -> str:
        if self._lines is not None:
            return next(self._lines, "")
        first = getpass.getpass(prompt)
        if confirm and getpass.getpass("The same again: ") != first:
            raise SystemExit("supervisor-app: the two passwords differ; nothing was changed.")
        return first


Command = Callable[[Session, Actor, argparse.Namespace, Passwords], str]


def _list(session: Session, actor: Actor, args: argparse.Namespace, passwords: Passwords) -> str:
    lines = []
    for user in users.list_users(session, actor):
        state = "active" if user.active else "disabled"
        if user.locked_until is not None:
            state += f", locked until {user.locked_until:%Y-%m-%d %H:%M} UTC"
        if not user.has_password:
            state += ", no password (cannot sign in)"
        lines.append(f"{user.username:<24} {user.display_name:<28} {','.join(user.roles):<34} {state}")
    return "\n".join(lines)


def _add(session: Session, actor: Actor, args: argparse.Namespace, passwords: Passwords) -> str:
    password = passwords.ask(f"Password for the new account {args.username}: ", confirm=True)
    users.add_user(session, actor, args.username, args.name, args.role, password)
    return f"Added {args.username} ({', '.join(sorted(set(args.role)))})."


def _set_password(session: Session, actor: Actor, args: argparse.Namespace, passwords: Passwords) -> str:
    users.set_password(
        session, actor, args.username, passwords.ask(f"New password for {args.username}: ", confirm=True)
    )
    return f"New password set for {args.username}; any lockout is lifted."


def _disable(session: Session, actor: Actor, args: argparse.Namespace, passwords: Passwords) -> str:
    users.set_active(session, actor, args.username, False)
    return f"{args.username} can no longer sign in."


def _enable(session: Session, actor: Actor, args: argparse.Namespace, passwords: Passwords) -> str:
    users.set_active(session, actor, args.username, True)
    return f"{args.username} can sign in again."


def _unlock(session: Session, actor: Actor, args: argparse.Namespace, passwords: Passwords) -> str:
    users.unlock(session, actor, args.username)
    return f"{args.username} is unlocked."


COMMANDS: dict[str, tuple[Command, str]] = {
    "list": (_list, "every account, its roles and state"),
    "add": (_add, "a new account (its password is asked for)"),
    "set-password": (_set_password, "give an account a new password (asked for)"),
    "disable": (_disable, "stop an account from signing in"),
    "enable": (_enable, "let a disabled account sign in again"),
    "unlock": (_unlock, "lift a lockout after failed sign-ins"),
}


def run_users_command(settings: Settings, args: argparse.Namespace, timezone: str) -> int:
    passwords = Passwords(args.password_stdin)
    engine = open_command_engine(settings)
    try:
        with Session(writer(engine)) as session:
            actor = sign_in(
                session,
                settings.user,
                passwords.ask(f"Your password ({settings.user}): "),
                settings.desk_name,
                timezone=timezone,
            )
        command, _help = COMMANDS[args.users_command]
        with Session(writer(engine)) as session:
            print(command(session, actor, args, passwords))
    finally:
        engine.dispose()
    return 0


def add_users_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = commands.add_parser("users", help="manage accounts (administrators; you sign in first)")
    parser.add_argument(
        "--password-stdin",
        action="store_true",
        help="read passwords from standard input, one per line, instead of asking",
    )
    actions = parser.add_subparsers(dest="users_command", required=True, metavar="ACTION")
    for name, (_command, help_text) in COMMANDS.items():
        action = actions.add_parser(name, help=help_text)
        if name != "list":
            action.add_argument("username")
        if name == "add":
            action.add_argument("--name", required=True, help="the name colleagues know the person by")
            action.add_argument(
                "--role",
                action="append",
                required=True,
                choices=[r.value for r in Role],
                help="a role; give --role once for each",
            )
    return parser
