"""``supervisor-app secrets`` as an administrator runs it: real processes, no terminal, one-line errors."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from supervisor_app.secrets import FILE_NAME, SERVICE, EncryptedFileStore
from tests.support import cli
from tests.support.keyrings import FILE_VARIABLE

PASSPHRASE = "orchard lantern tuesday"
PG = "postgresql://supervisor_desk@db1.example:5432,db2.example:5432/supervisor?target_session_attrs=read-write"
DB_NAME = "database:supervisor_desk@db1.example:5432,db2.example:5432/supervisor"


class Desk:
    def __init__(self, tmp_path: Path, env: dict[str, str] | None = None) -> None:
        self.data = tmp_path / "data"
        self.config = tmp_path / "config"
        self.env = env or {}

    def run(self, *args: str, stdin: str | None = None, **env: str) -> subprocess.CompletedProcess[str]:
        return cli.run_cli(*args, data_dir=self.data, config_dir=self.config, env={**self.env, **env}, stdin=stdin)

    @property
    def secrets_file(self) -> Path:
        return self.config / FILE_NAME


def _one_line_error(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 1, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("supervisor-app: ") and expected in lines[0], result.stderr


def test_without_a_keyring_secrets_go_to_the_encrypted_file(tmp_path: Path) -> None:
    desk = Desk(tmp_path)
    status = desk.run("--db", PG, "secrets", "status")
    assert status.returncode == 0, status.stderr
    assert status.stdout.splitlines()[:2] == [
        "No keyring service on this machine (the keyring library found no keyring backend, as "
        "PYTHON_KEYRING_BACKEND=keyring.backends.fail.Keyring chooses); secrets are kept in "
        f"the encrypted file {desk.secrets_file}, protected by a passphrase.",
        "The file does not exist yet; `supervisor-app secrets set` or `set-db-password` creates it.",
    ]
    assert f"Database password for {DB_NAME}: not stored" in status.stdout

    # no terminal to ask for the passphrase, and none in the environment
    _one_line_error(
        desk.run("secrets", "set", "channel:smtp", "--stdin", stdin="smtp-credential\n"),
        "needs its passphrase and there is no one to ask",
    )
    assert not desk.secrets_file.exists()

    with_passphrase = {"SUPERVISOR_SECRETS_PASSPHRASE": PASSPHRASE}
    stored = desk.run("secrets", "set", "channel:smtp", "--stdin", stdin="smtp-credential\n", **with_passphrase)
    assert stored.returncode == 0, stored.stderr
    assert (
        stored.stdout.strip()
        == f"Stored channel:smtp in the encrypted file {desk.secrets_file}, protected by a passphrase."
    )
    db = desk.run("--db", PG, "secrets", "set-db-password", "--stdin", stdin="db-password-1234\r\n", **with_passphrase)
    assert db.returncode == 0, db.stderr
    assert db.stdout.startswith(f"Stored {DB_NAME} in the encrypted file")

    status = desk.run("--db", PG, "secrets", "status", **with_passphrase)
    assert f"Stored there: channel:smtp, {DB_NAME}." in status.stdout
    assert f"Database password for {DB_NAME}: stored." in status.stdout
    locked = desk.run("--db", PG, "secrets", "status")
    assert "cannot be checked without the passphrase (SUPERVISOR_SECRETS_PASSPHRASE)" in locked.stdout

    store = EncryptedFileStore(desk.secrets_file, lambda _new: PASSPHRASE)
    assert store.get("channel:smtp") == "smtp-credential" and store.get(DB_NAME) == "db-password-1234"

    before = desk.secrets_file.read_bytes()
    _one_line_error(
        desk.run("secrets", "delete", "channel:smtp", SUPERVISOR_SECRETS_PASSPHRASE="not the passphrase"),
        f"The passphrase does not open the secrets file {desk.secrets_file}",
    )
    assert desk.secrets_file.read_bytes() == before

    deleted = desk.run("secrets", "delete", "channel:smtp", **with_passphrase)
    assert deleted.returncode == 0 and deleted.stdout.startswith("Deleted channel:smtp from the encrypted file")
    again = desk.run("secrets", "delete", "channel:smtp", **with_passphrase)
    assert again.returncode == 0 and "nothing was deleted" in again.stdout
    assert EncryptedFileStore(desk.secrets_file, lambda _new: PASSPHRASE).names() == [DB_NAME]


def test_a_usable_keyring_keeps_the_secrets_and_no_file_is_made(tmp_path: Path) -> None:
    keyring_file = tmp_path / "elsewhere" / "keyring.json"
    keyring_file.parent.mkdir()
    desk = Desk(
        tmp_path, {"PYTHON_KEYRING_BACKEND": "tests.support.keyrings.FileKeyring", FILE_VARIABLE: str(keyring_file)}
    )
    stored = desk.run("--db", PG, "secrets", "set-db-password", "--stdin", stdin="db-password-1234\n")
    assert stored.returncode == 0, stored.stderr
    assert stored.stdout.strip() == (
        f"Stored {DB_NAME} in the operating system's keyring (tests.support.keyrings.FileKeyring), "
        "service 'incident-supervisor'."
    )
    assert json.loads(keyring_file.read_text(encoding="utf-8")) == {f"{SERVICE}/{DB_NAME}": "db-password-1234"}
    status = desk.run("--db", PG, "secrets", "status")
    assert status.stdout.startswith("Secrets are kept in the operating system's keyring")
    assert f"Database password for {DB_NAME}: stored." in status.stdout
    assert not desk.secrets_file.exists()


def test_values_never_come_from_the_command_line(tmp_path: Path) -> None:
    desk = Desk(tmp_path)
    result = desk.run("secrets", "set", "channel:smtp", "smtp-credential")
    assert result.returncode == 2 and "unrecognized arguments: smtp-credential" in result.stderr
    _one_line_error(
        desk.run("secrets", "set", "channel:smtp", SUPERVISOR_SECRETS_PASSPHRASE=PASSPHRASE),
        "There is no terminal to ask for the value; give it on standard input with --stdin.",
    )
    _one_line_error(
        desk.run("secrets", "set", "channel:smtp", "--stdin", stdin="\n", SUPERVISOR_SECRETS_PASSPHRASE=PASSPHRASE),
        "No value was given; nothing was stored.",
    )
    assert not desk.secrets_file.exists()


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["secrets", "set-db-password", "--stdin"], {}, "The desk's database is an SQLite file; it has no password"),
        (["secrets", "set", "password", "--stdin"], {}, "'password' is not a secret name"),
        (["secrets", "set", "channel:SMTP", "--stdin"], {}, "is not a channel name"),
        (
            ["secrets", "set", "channel:smtp", "--stdin"],
            {"SUPERVISOR_SECRETS_PASSPHRASE": "short"},
            "needs at least 12 characters; nothing was written",
        ),
    ],
)
def test_errors_are_one_clear_line(tmp_path: Path, args: list[str], env: dict[str, str], expected: str) -> None:
    _one_line_error(Desk(tmp_path).run(*args, stdin="some-value-1234\n", **env), expected)


def test_status_shows_service_account_variables_and_warns_of_a_password_in_the_address(tmp_path: Path) -> None:
    desk = Desk(tmp_path)
    status = desk.run(
        "--db",
        "postgresql://supervisor_desk:inline-secret@db1.example/supervisor",
        "secrets",
        "status",
        SUPERVISOR_DB_PASSWORD="from-the-environment",
        SUPERVISOR_SECRET_CHANNEL_SMTP="smtp-from-the-environment",
    )
    assert status.returncode == 0, status.stderr
    lines = status.stdout.splitlines()
    assert (
        "Set in this environment, and used before the store: SUPERVISOR_DB_PASSWORD, SUPERVISOR_SECRET_CHANNEL_SMTP."
        in lines
    )
    assert (
        "Database password for database:supervisor_desk@db1.example:5432/supervisor: "
        "from the environment variable SUPERVISOR_DB_PASSWORD." in lines
    )
    assert lines[-1].startswith("Warning: the database address in use contains a password")
    for secret in ("inline-secret", "from-the-environment", "smtp-from-the-environment"):
        assert secret not in status.stdout + status.stderr
