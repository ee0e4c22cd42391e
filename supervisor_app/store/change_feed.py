"""The read side of the change feed: follow the ``changes`` table from a position, in order.

A desk wakes as soon as another desk commits: on PostgreSQL through ``LISTEN`` on a dedicated
connection, on SQLite by watching ``PRAGMA data_version`` (which moves when any other connection
commits to the file). Either way it then reads every change after the last one it applied, so a
missed notice, a restart or an outage can delay a change but never lose or repeat it. It also
reads on a slow timer, so a notice lost in transit costs at most that interval.

The feed runs on its own thread and reports through two callbacks: ``on_notices`` with each batch
of new changes in order, and ``on_state`` when the connection is lost or comes back. No Qt here;
the desk's UI adapts the callbacks to signals.
"""

from __future__ import annotations

import logging
import sqlite3
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

import psycopg
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from supervisor_app.store.change_log import CHANNEL, ChangeNotice, changes_after

log = logging.getLogger(__name__)

BACKOFF_SECONDS = (0.1, 0.25, 0.5, 1.0, 2.0)
SQLITE_WATCH_INTERVAL_S = 0.01
FALLBACK_READ_INTERVAL_S = 2.0
STOP_CHECK_INTERVAL_S = 0.2  # how long stop() may wait for the feed thread to notice
BATCH = 1000


class FeedState(StrEnum):
    CONNECTING = "connecting"
    LIVE = "live"
    LOST = "lost"


@dataclass(frozen=True)
class FeedStatus:
    state: FeedState
    since: datetime  # when this state began (the desk's clock: the server may be unreachable)
    reason: str = ""
    caught_up_to: int = 0


class _Waiter(Protocol):
    def wait(self, timeout: float) -> bool:
        """Return True as soon as another desk commits, False after ``timeout`` seconds."""

    def close(self) -> None: ...


class _PostgresWaiter:
    """A dedicated autocommit connection that LISTENs on the change channel."""

    def __init__(self, engine: Engine) -> None:
        # The dialect's own translation of the URL, so several hosts and target_session_attrs
        # (failover to whichever server is the primary) apply here exactly as to the engine.
        args, options = engine.dialect.create_connect_args(engine.url)
        options.update(
            autocommit=True,
            connect_timeout=5,
            keepalives=1,
            keepalives_idle=5,
            keepalives_interval=2,
            keepalives_count=2,
            application_name="desk change feed",
        )
        self._conn = psycopg.connect(*args, **options)
        self._conn.execute(f"LISTEN {CHANNEL}")

    def wait(self, timeout: float) -> bool:
        # One notice is enough: the reader then takes everything after its position.
        return any(True for _notice in self._conn.notifies(timeout=timeout, stop_after=1))

    def close(self) -> None:
        self._conn.close()


class _SqliteWaiter:
    """Polls ``PRAGMA data_version`` on its own connection: cheap, and moves on others' commits."""

    def __init__(self, engine: Engine) -> None:
        self._conn = sqlite3.connect(engine.url.database or "", timeout=10, check_same_thread=False)
        self._version = self._read()

    def _read(self) -> int:
        return int(self._conn.execute("PRAGMA data_version").fetchone()[0])

    def wait(self, timeout: float) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            current = self._read()
            if current != self._version:
                self._version = current
                return True
            time.sleep(SQLITE_WATCH_INTERVAL_S)
        return False

    def close(self) -> None:
        self._conn.close()


class ChangeFeed:
    """Follows committed changes after ``after_seq``; see the module doc."""

    def __init__(
        self,
        engine: Engine,
        *,
        after_seq: int,
        on_notices: Callable[[list[ChangeNotice]], None],
        on_state: Callable[[FeedStatus], None] = lambda _status: None,
        fallback_interval_s: float = FALLBACK_READ_INTERVAL_S,
    ) -> None:
        self._engine = engine
        self._position = after_seq
        self._on_notices = on_notices
        self._on_state = on_state
        self._fallback = fallback_interval_s
        self._stopping = threading.Event()
        self._thread = threading.Thread(target=self._run, name="change-feed", daemon=True)
        self._status = FeedStatus(FeedState.CONNECTING, datetime.now(UTC))

    @property
    def position(self) -> int:
        """The sequence number of the last change handed to ``on_notices``."""
        return self._position

    @property
    def status(self) -> FeedStatus:
        return self._status

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stopping.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

    def _set_state(self, state: FeedState, reason: str = "") -> None:
        if state is self._status.state and state is not FeedState.LIVE:
            return  # a lost connection keeps the time it was first lost
        self._status = FeedStatus(state, datetime.now(UTC), reason, self._position)
        try:
            self._on_state(self._status)
        except Exception:
            log.exception("change feed state callback failed")

    def _open_waiter(self) -> _Waiter:
        if self._engine.dialect.name == "postgresql":
            return _PostgresWaiter(self._engine)
        return _SqliteWaiter(self._engine)

    def _catch_up(self) -> None:
        while not self._stopping.is_set():
            with self._engine.connect() as connection:
                batch = changes_after(connection, self._position, BATCH)
            if not batch:
                return
            try:
                self._on_notices(batch)
            except Exception:
                # A consumer bug must not lose changes: keep the position and offer them again.
                log.exception("applying changes %s..%s failed; they will be offered again", batch[0].seq, batch[-1].seq)
                return
            self._position = batch[-1].seq
            if len(batch) < BATCH:
                return

    def _run(self) -> None:
        attempt = 0
        while not self._stopping.is_set():
            waiter: _Waiter | None = None
            try:
                waiter = self._open_waiter()
                self._catch_up()  # everything committed while we were away, before saying "live"
                self._set_state(FeedState.LIVE)
                attempt = 0
                last_read = time.monotonic()
                while not self._stopping.is_set():
                    woken = waiter.wait(STOP_CHECK_INTERVAL_S)
                    if woken or time.monotonic() - last_read >= self._fallback:
                        self._catch_up()
                        last_read = time.monotonic()
            except (DBAPIError, psycopg.Error, sqlite3.Error, OSError) as exc:
                reason = (
                    str(getattr(exc, "orig", None) or exc).strip().splitlines()[0] if str(exc) else type(exc).__name__
                )
                log.warning("change feed lost the database: %s", reason)
                self._set_state(FeedState.LOST, reason)
                delay = BACKOFF_SECONDS[min(attempt, len(BACKOFF_SECONDS) - 1)]
                attempt += 1
                self._stopping.wait(delay)
            finally:
                if waiter is not None:
                    try:
                        waiter.close()
                    except Exception:
                        log.debug("closing the change feed connection failed", exc_info=True)
