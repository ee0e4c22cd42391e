"""The command line as an administrator uses it: real processes, real databases, one-line errors."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from supervisor_app import __version__
from supervisor_app.demo.organisation import DEMO_PASSWORD
from supervisor_app.pack import default_pack_dir

DEMO = DEMO_PASSWORD


def run_cli(
    *args: str, env: dict[str, str] | None = None, tmp: Path, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("SUPERVISOR_")}
    environment.update({"SUPERVISOR_DATA_DIR": str(tmp / "data"), "SUPERVISOR_CONFIG_DIR": str(tmp / "config")})
    environment.update(env or {})
    return subprocess.run(
        [sys.executable, "-m", "supervisor_app", *args],
        capture_output=True,
        text=True,
        timeout=300,
        env=environment,
        check=False,
        input=stdin,
    )


def test_version(tmp_path: Path) -> None:
    result = run_cli("--version", tmp=tmp_path)
    assert result.returncode == 0
    assert result.stdout.strip() == f"supervisor-app {__version__}"


def test_migrate_then_seed_then_refuse_a_second_seed(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/cli.db"
    first = run_cli("--db", url, "migrate", tmp=tmp_path)
    assert first.returncode == 0, first.stderr
    assert "migrated from empty to" in first.stdout
    again = run_cli("--db", url, "migrate", tmp=tmp_path)
    assert "is up to date" in again.stdout
    seeded = run_cli("--db", url, "seed", "--days", "1", "--seed", "7", tmp=tmp_path)
    assert seeded.returncode == 0, seeded.stderr
    assert "Seeded SQLite" in seeded.stdout
    refused = run_cli("--db", url, "seed", "--days", "1", tmp=tmp_path)
    assert refused.returncode == 1
    assert "already holds an organisation" in refused.stderr
    assert "Traceback" not in refused.stderr


def test_default_database_lives_in_the_data_folder(tmp_path: Path) -> None:
    result = run_cli("migrate", tmp=tmp_path)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "data" / "desk.db").exists()


@pytest.mark.parametrize(
    ("args", "env", "expected"),
    [
        (["--db", "mysql://root@localhost/x", "migrate"], {}, "supports SQLite"),
        (["migrate"], {"SUPERVISOR_DB_URL": "nonsense"}, "is not a URL"),
        (["--db", "postgresql://nobody@127.0.0.1:1/none", "migrate"], {}, "Cannot reach the database"),
        (["--theme", "dark", "migrate"], {"SUPERVISOR_THEME": "pink"}, None),
        (["migrate"], {"SUPERVISOR_THEME": "pink"}, "theme 'pink' is not known"),
    ],
)
def test_errors_are_one_clear_line(tmp_path: Path, args: list[str], env: dict[str, str], expected: str | None) -> None:
    result = run_cli(*args, env=env, tmp=tmp_path)
    if expected is None:
        assert result.returncode == 0, result.stderr
        return
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("supervisor-app: ") and expected in lines[0], result.stderr


def test_a_malformed_pack_stops_the_program_naming_file_and_line(tmp_path: Path) -> None:
    pack = tmp_path / "pack"
    shutil.copytree(default_pack_dir(), pack)
    priorities = pack / "priorities.yaml"
    priorities.write_text(priorities.read_text(encoding="utf-8").replace("code: P1", "code: [P1", 1), encoding="utf-8")
    result = run_cli("--pack", str(pack), "--db", f"sqlite:///{tmp_path}/x.db", "seed", "--days", "1", tmp=tmp_path)
    assert result.returncode == 1
    assert "priorities.yaml:" in result.stderr
    assert "Traceback" not in result.stderr


def test_unknown_command_is_a_usage_error(tmp_path: Path) -> None:
    result = run_cli("launch-missiles", tmp=tmp_path)
    assert result.returncode == 2
    assert "invalid choice" in result.stderr


def test_audit_verify_is_for_administrators_who_sign_in(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/audit.db"
    assert run_cli("--db", url, "seed", "--days", "1", tmp=tmp_path).returncode == 0
    refused = run_cli("--db", url, "audit", "verify", "--password-stdin", stdin=DEMO + "\n", tmp=tmp_path)
    assert refused.returncode == 1  # demo.supervisor signs in, but may not verify
    assert refused.stderr.strip().endswith("may not audit.verify. Ask someone with the role administrator to do it.")
    wrong = run_cli("--db", url, "--user", "demo.admin", "audit", "verify", "--password-stdin",
                    stdin="not-the-password\n", tmp=tmp_path)
    assert wrong.returncode == 1 and "Username or password not recognised" in wrong.stderr
    verified = run_cli("--db", url, "--user", "demo.admin", "audit", "verify", "--password-stdin",
                       stdin=DEMO + "\n", tmp=tmp_path)
    assert verified.returncode == 0, verified.stderr
    # the seeding and the three sign-in attempts, each in the chain
    assert verified.stdout.startswith("Audit chain intact: 4 events checked")


def test_administrators_manage_accounts_from_the_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/users.db"
    assert run_cli("--db", url, "seed", "--days", "1", tmp=tmp_path).returncode == 0
    admin = ("--db", url, "--user", "demo.admin", "users", "--password-stdin")
    added = run_cli(*admin, "add", "maija.niemi", "--name", "Maija Niemi", "--role", "supervisor",
                    stdin=f"{DEMO}\nriver-lantern-42-copper\n", tmp=tmp_path)
    assert added.returncode == 0, added.stderr
    assert added.stdout.strip() == "Added maija.niemi (supervisor)."
    listed = run_cli(*admin, "list", stdin=DEMO + "\n", tmp=tmp_path)
    assert "maija.niemi" in listed.stdout and "Maija Niemi" in listed.stdout
    weak = run_cli(*admin, "set-password", "maija.niemi", stdin=f"{DEMO}\nshort\n", tmp=tmp_path)
    assert weak.returncode == 1 and "at least 12 characters" in weak.stderr and "short" not in weak.stderr
