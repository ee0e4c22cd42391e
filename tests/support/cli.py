"""Run ``supervisor-app`` in a child process the way an administrator would, against test folders.

The child gets its own session, so it has no terminal: anything that would prompt must say so
and stop instead. It never touches the keyring of the machine running the tests: keyring's
``fail`` backend is forced unless the caller names another one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def cli_environment(data_dir: Path, config_dir: Path, env: dict[str, str] | None = None) -> dict[str, str]:
    environment = {
        k: v for k, v in os.environ.items() if not k.startswith("SUPERVISOR_") and k != "PYTHON_KEYRING_BACKEND"
    }
    environment.update(
        {
            "SUPERVISOR_DATA_DIR": str(data_dir),
            "SUPERVISOR_CONFIG_DIR": str(config_dir),
            "PYTHON_KEYRING_BACKEND": "keyring.backends.fail.Keyring",
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
            "PYTHONUTF8": "1",
        }
    )
    environment.update(env or {})
    return environment


def run_cli(
    *args: str,
    data_dir: Path,
    config_dir: Path,
    env: dict[str, str] | None = None,
    stdin: str | None = None,
    timeout: float = 300,
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "supervisor_app", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=timeout,
        env=cli_environment(data_dir, config_dir, env),
        check=False,
        input=stdin if stdin is not None else "",
        start_new_session=True,
    )
