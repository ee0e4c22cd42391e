"""No secret in plain text: a full run through the command line, then every file the desk wrote
under its data and settings folders is searched for every secret the run was given.

The run: migrate; seed; an administrator adds an account with a password; that account signs
in, and once types a secret into the wrong prompt; a channel credential and the database
password are stored (no keyring, so in the encrypted file, its passphrase from the environment);
the status is read; the audit trail is verified; a headless desk starts and stops.
"""

from __future__ import annotations

import base64
import json
import os
import queue
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from supervisor_app.demo.organisation import DEMO_PASSWORD
from supervisor_app.secrets import FILE_NAME, EncryptedFileStore
from tests.support import cli
from tests.support.secret_scan import SecretScan

PG = "postgresql://supervisor_desk@db1.example:5432,db2.example:5432/supervisor?target_session_attrs=read-write"
DB_NAME = "database:supervisor_desk@db1.example:5432,db2.example:5432/supervisor"


def test_the_scanner_finds_each_encoding_and_names_file_and_kind(tmp_path: Path) -> None:
    scan = SecretScan([tmp_path])
    secret = scan.add("database password", "db-Pässwörd-1234@x/%~~~")
    utf8 = secret.encode("utf-8")
    leaks = {
        "plain.log": b"connecting with " + utf8 + b" now",
        "wide.dat": b"\x00\x01" + secret.encode("utf-16-le") + b"\xff",
        "settings.toml": b'db_url = "postgresql://desk:db-P%C3%A4ssw%C3%B6rd-1234%40x%2F%25~~~@db1/x"\n',
    }
    for shift in range(3):
        leaks[f"blob{shift}.b64"] = b"data=" + base64.b64encode(b"x" * shift + utf8 + b"tail") + b";"
    leaks["token.txt"] = base64.urlsafe_b64encode(b"??" + utf8)
    assert base64.urlsafe_b64encode(b"??" + utf8) != base64.b64encode(b"??" + utf8)  # the alphabets differ here
    (tmp_path / "sub").mkdir()
    for name, data in leaks.items():
        (tmp_path / "sub" / name).write_bytes(data)
    (tmp_path / "sub" / "clean.txt").write_bytes(b"nothing to see " * 100)

    found = {(Path(f.where).name, f.kind, f.encoding) for f in scan.findings()}
    assert found == {
        ("plain.log", "database password", "UTF-8"),
        ("wide.dat", "database password", "UTF-16-LE"),
        ("settings.toml", "database password", "percent-encoded"),
        ("blob0.b64", "database password", "base64"),
        ("blob1.b64", "database password", "base64"),
        ("blob2.b64", "database password", "base64"),
        ("token.txt", "database password", "base64"),
    }
    with pytest.raises(AssertionError, match=r"wide\.dat: the database password \(UTF-16-LE\)"):
        scan.assert_clean()
    scan.collect("the status command's output", f"Stored {secret}")
    assert any(f.where == "the status command's output" for f in scan.findings())
    with pytest.raises(AssertionError, match=r"did not make \['desk\.db'\]"):
        SecretScan([tmp_path / "sub" / "clean.txt"]).assert_clean(expect_files=("desk.db",))


def token_urlsafe(size: int) -> str:
    return base64.urlsafe_b64encode(os.urandom(size)).decode("ascii")


class FullRun:
    def __init__(self, tmp_path: Path) -> None:
        self.data = tmp_path / "data"
        self.config = tmp_path / "config"
        self.scan = SecretScan([self.data, self.config])
        self.user_password = self.scan.add("user password", f"user-{token_urlsafe(12)}-Kettu")
        self.db_password = self.scan.add("database password", f"db-{token_urlsafe(12)}-@:/%ä")
        self.channel = self.scan.add("channel credential", f"smtp-{token_urlsafe(12)}")
        self.passphrase = self.scan.add("secrets passphrase", f"passphrase {token_urlsafe(12)}")
        self.env = {"SUPERVISOR_SECRETS_PASSPHRASE": self.passphrase}

    def run(self, *args: str, stdin: str | None = None, expect: int = 0) -> subprocess.CompletedProcess[str]:
        result = cli.run_cli(*args, data_dir=self.data, config_dir=self.config, env=self.env, stdin=stdin)
        label = "supervisor-app " + " ".join(args)
        self.scan.collect(f"the output of {label}", result.stdout + result.stderr)
        assert result.returncode == expect, f"{label}: {result.stdout}{result.stderr}"
        return result

    def headless_desk(self) -> None:
        """Start ``desk --headless``, wait until it is live, stop it as a service manager would."""
        process = subprocess.Popen(
            [sys.executable, "-m", "supervisor_app", "--user", "demo.supervisor", "desk", "--headless"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            encoding="utf-8",
            env=cli.cli_environment(self.data, self.config, self.env),
            start_new_session=True,
        )
        output = process.stdout
        assert output is not None
        lines: queue.Queue[str] = queue.Queue()

        def read() -> None:
            for line in output:
                lines.put(line)

        threading.Thread(target=read, daemon=True).start()
        events: list[dict[str, object]] = []
        deadline = time.monotonic() + 120
        try:
            while not any(event["event"] == "ready" for event in events):
                assert process.poll() is None, (
                    f"the headless desk exited: {process.stderr.read() if process.stderr else ''}"
                )
                try:
                    events.append(json.loads(lines.get(timeout=max(0.1, deadline - time.monotonic()))))
                except queue.Empty:
                    pytest.fail(f"the headless desk was not ready within 120 s; it said {events}")
        finally:
            process.terminate()  # SIGTERM on POSIX
            _stdout, stderr = process.communicate(timeout=60)
        self.scan.collect("the headless desk's output", json.dumps(events) + stderr)
        assert process.returncode == 0, stderr


def test_a_full_run_leaves_no_secret_in_plain_text(tmp_path: Path) -> None:
    run = FullRun(tmp_path)
    run.config.mkdir(parents=True)
    (run.config / "settings.toml").write_text('desk_name = "scan-desk"\n', encoding="utf-8")

    run.run("migrate")
    run.run("seed", "--days", "1")
    admin = ("--user", "demo.admin")
    run.run(
        *admin,
        "users",
        "--password-stdin",
        "add",
        "pekka.scan",
        "--name",
        "Pekka Scan",
        "--role",
        "supervisor",
        stdin=f"{DEMO_PASSWORD}\n{run.user_password}\n",
    )
    signed_in = run.run(
        "--user", "pekka.scan", "audit", "verify", "--password-stdin", stdin=f"{run.user_password}\n", expect=1
    )
    assert "may not audit.verify" in signed_in.stderr  # the password worked; the role does not allow this
    mistyped = run.run(
        "--user", "pekka.scan", "audit", "verify", "--password-stdin", stdin=f"{run.db_password}\n", expect=1
    )
    assert "Username or password not recognised" in mistyped.stderr  # a secret typed into the wrong prompt

    run.run("secrets", "set", "channel:smtp", "--stdin", stdin=f"{run.channel}\n")
    run.run("--db", PG, "secrets", "set-db-password", "--stdin", stdin=f"{run.db_password}\n")
    status = run.run("--db", PG, "secrets", "status")
    assert f"Database password for {DB_NAME}: stored." in status.stdout
    verified = run.run(*admin, "audit", "verify", "--password-stdin", stdin=f"{DEMO_PASSWORD}\n")
    assert verified.stdout.startswith("Audit chain intact")
    run.headless_desk()

    stored = EncryptedFileStore(run.config / FILE_NAME, lambda _new: run.passphrase)
    assert stored.get("channel:smtp") == run.channel and stored.get(DB_NAME) == run.db_password

    scanned = run.scan.assert_clean(expect_files=("desk.db", FILE_NAME, "settings.toml"))
    assert len(scanned) >= 3
