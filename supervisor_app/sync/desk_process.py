"""Start headless desks as separate processes and read what they report (for tests and benchmarks)."""

from __future__ import annotations

import json
import os
import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

Event = dict[str, Any]


class DeskProcess:
    def __init__(
        self, db_url: str, desk: str, data_dir: Path, user: str = "demo.supervisor", extra_args: tuple[str, ...] = ()
    ) -> None:
        environment = {k: v for k, v in os.environ.items() if not k.startswith("SUPERVISOR_")}
        environment.update({"SUPERVISOR_DATA_DIR": str(data_dir), "SUPERVISOR_CONFIG_DIR": str(data_dir / "config")})
        self.events: list[Event] = []
        self._queue: queue.Queue[Event | None] = queue.Queue()
        data_dir.mkdir(parents=True, exist_ok=True)
        self._stderr_path = data_dir / "desk.stderr"  # a file, so a chatty desk can never block on a full pipe
        self._stderr = self._stderr_path.open("w", encoding="utf-8")
        self._process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "supervisor_app",
                "--db",
                db_url,
                "--desk",
                desk,
                "--user",
                user,
                "desk",
                "--headless",
                *extra_args,
            ],
            stdout=subprocess.PIPE,
            stderr=self._stderr,
            text=True,
            env=environment,
        )
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self._process.stdout is not None
        for line in self._process.stdout:
            self._queue.put(json.loads(line))
        self._queue.put(None)

    def wait_for(self, predicate: Callable[[Event], bool], timeout: float = 20.0) -> Event:
        """The first event (already seen or still to come) that satisfies ``predicate``."""
        for event in self.events:
            if predicate(event):
                return event
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                next_event = self._queue.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                break
            if next_event is None:
                stderr = self._stderr_path.read_text(encoding="utf-8")
                raise AssertionError(f"desk exited with {self._process.wait()}: {stderr}")
            self.events.append(next_event)
            if predicate(next_event):
                return next_event
        raise AssertionError(f"no matching event within {timeout} s; saw {self.events[-5:]}")

    def ready(self) -> Event:
        return self.wait_for(lambda e: e["event"] == "ready")

    def applied_up_to(self, seq: int, timeout: float = 20.0) -> Event:
        return self.wait_for(lambda e: e["event"] == "applied" and e["seq"] >= seq, timeout)

    def applied_ids(self, key: str) -> set[int]:
        return {i for e in self.events if e["event"] == "applied" for i in e[key]}

    def stop(self) -> int:
        """Ask the desk to stop, wait until it has reported everything, and return its exit status."""
        if self._process.poll() is None:
            self._process.send_signal(signal.SIGTERM)
            self.wait_for(lambda e: e["event"] == "stopped")
        status = self._process.wait(timeout=20)
        self._stderr.close()
        return status

    def kill(self) -> None:
        self._process.kill()
        self._process.wait(timeout=20)
        self._stderr.close()
