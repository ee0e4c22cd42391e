"""A throwaway PostgreSQL server of the test's own, on a free port, that a test may restart or stop.

It uses the server binaries of the machine's PostgreSQL installation (``initdb``, ``pg_ctl``);
as root it runs them as the ``postgres`` user, as PostgreSQL requires.
"""

from __future__ import annotations

import contextlib
import glob
import os
import pwd
import shutil
import socket
import subprocess
import time
from pathlib import Path


def _bin_dir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("pg_ctl")
    return Path(on_path).parent if on_path else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class ThrowawayCluster:
    def __init__(self, base: Path) -> None:
        bin_dir = _bin_dir()
        if bin_dir is None:
            raise FileNotFoundError("PostgreSQL server binaries (initdb, pg_ctl) are not installed")
        self.bin_dir = bin_dir
        self.base = base
        self.data = base / "data"
        self.sockets = base / "sockets"
        self.log = base / "server.log"
        self.port = _free_port()
        self._as_postgres = os.geteuid() == 0
        self.settings: dict[str, str] = {}  # server settings (postgresql.conf names), from the next start

    @property
    def url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, *args: str) -> None:
        command = [str(self.bin_dir / args[0]), *args[1:]]
        if self._as_postgres:
            command = ["runuser", "-u", "postgres", "--", *command]
        result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
        if result.returncode != 0:
            log = self.log.read_text(errors="replace")[-2000:] if self.log.exists() else ""
            raise RuntimeError(f"{' '.join(args[:2])} failed: {result.stderr or result.stdout}\n{log}")

    def _options(self) -> str:
        extra = "".join(f" -c {name}={value}" for name, value in self.settings.items())
        return (
            f"-p {self.port} -k {self.sockets} -c listen_addresses=127.0.0.1 -c fsync=off "
            f"-c synchronous_commit=on -c full_page_writes=off{extra}"
        )

    def serve_tls(self, certificate: Path, key: Path) -> None:
        """Accept TLS connections with this certificate and private key (PEM files), from the next
        start on; the server reads its own copies, which only its user may read."""
        self._prepare_folders()
        folder = self.base / "tls"
        folder.mkdir(exist_ok=True)
        copies = {"ssl_cert_file": folder / "server.crt", "ssl_key_file": folder / "server.key"}
        shutil.copyfile(certificate, copies["ssl_cert_file"])
        shutil.copyfile(key, copies["ssl_key_file"])
        for path in (folder, *copies.values()):
            os.chmod(path, 0o700 if path.is_dir() else 0o600)
            if self._as_postgres:
                owner = pwd.getpwnam("postgres")
                os.chown(path, owner.pw_uid, owner.pw_gid)
        self.settings.update({"ssl": "on", **{name: str(path) for name, path in copies.items()}})

    def require_passwords(self, *, trusted: str = "postgres") -> None:
        """From now on every account but ``trusted`` must give its password (SCRAM) over TCP."""
        hba = self.data / "pg_hba.conf"
        hba.write_text(
            f"local all all trust\nhost all {trusted} 127.0.0.1/32 trust\n"
            "host all all 127.0.0.1/32 scram-sha-256\n",
            encoding="utf-8",
        )
        self._run("pg_ctl", "-D", str(self.data), "reload")

    def _prepare_folders(self) -> None:
        self.sockets.mkdir(parents=True, exist_ok=True)
        if self._as_postgres:
            owner = pwd.getpwnam("postgres")
            for path in (self.base, self.sockets):
                os.chown(path, owner.pw_uid, owner.pw_gid)

    def start(self) -> None:
        self._prepare_folders()
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8")
        self.bring_back()

    def start_as_standby_of(self, primary: ThrowawayCluster) -> None:
        """A streaming-replication standby of ``primary`` (read-only until :meth:`promote`)."""
        self._prepare_folders()
        self._run(
            "pg_basebackup",
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            "postgres",
            "-D",
            str(self.data),
            "-R",
            "-X",
            "stream",
            "--no-sync",
        )
        self.bring_back()

    def promote(self) -> None:
        """Make a standby the primary, as a failover does."""
        self._run("pg_ctl", "-D", str(self.data), "-w", "promote")

    def restart(self) -> float:
        """Restart the server (fast shutdown: sessions are cut, as in a failover); seconds it took."""
        started = time.monotonic()
        self._run(
            "pg_ctl", "-D", str(self.data), "-o", self._options(), "-l", str(self.log), "-m", "fast", "-w", "restart"
        )
        return time.monotonic() - started

    def take_down(self) -> None:
        """Stop the server as an outage would (sessions cut); :meth:`bring_back` starts it again."""
        self._run("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def bring_back(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-o", self._options(), "-l", str(self.log), "-w", "start")

    def stop(self) -> None:
        if self.data.exists():
            with contextlib.suppress(RuntimeError):  # already stopped
                self._run("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
