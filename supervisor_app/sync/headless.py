"""A desk without widgets: the same sync stack, reporting what it applies as JSON lines.

``supervisor-app desk --headless`` runs it. Each line on the output is one event:

- ``{"event": "ready", "seq": N, "open_incidents": n, "resources": n, ...}`` once the snapshot is
  loaded and the feed started;
- ``{"event": "applied", "seq": N, "first_seq": M, "committed_at": t, "applied_at": t, "incidents": [...],
  "closed": [...], "resources": [...], "log_entries": [...]}`` after each batch of changes
  (times are Unix seconds; ``committed_at`` is the database's clock for the newest change);
- ``{"event": "presence", "desks": [{"name", "username", "present"}], "claims": [{"incident_id", "desk",
  "username"}]}`` when desks come, go or fall silent, or claims change (only live claims are listed);
- ``{"event": "connection", "state": "lost"|"live", "since": t, "reason": "..."}``;
- ``{"event": "stopped", "seq": N}`` on the way out.

Tests and benchmarks start many of these in separate processes and read their output.
"""

from __future__ import annotations

import json
import signal
import socket
import threading
import time
from datetime import timedelta
from typing import Any, TextIO

from supervisor_app.domain.presence import HEARTBEAT_EVERY, SILENT_AFTER
from supervisor_app.services.context import DeskContext
from supervisor_app.services.presence import Presence
from supervisor_app.store.change_feed import FeedState, FeedStatus
from supervisor_app.store.change_log import ChangeNotice
from supervisor_app.sync.desk_sync import DeskSync
from supervisor_app.sync.live_state import Applied


class HeadlessDesk:
    def __init__(
        self,
        context: DeskContext,
        output: TextIO,
        *,
        heartbeat_every: timedelta = HEARTBEAT_EVERY,
        silent_after: timedelta = SILENT_AFTER,
    ) -> None:
        self._context = context
        self._output = output
        self._silent_after = silent_after
        self._write_lock = threading.Lock()
        self._stop = threading.Event()
        self._sync = DeskSync(
            context,
            on_applied=self._report_applied,
            on_state=self._report_state,
            heartbeat_every=heartbeat_every,
            host=socket.gethostname(),
        )

    def _emit(self, event: str, **fields: Any) -> None:
        line = json.dumps({"event": event, "desk": self._context.settings.desk_name, **fields})
        with self._write_lock:
            self._output.write(line + "\n")
            self._output.flush()

    def _report_presence(self, presence: Presence) -> None:
        present = {desk.name for desk in presence.present_desks(silent_after=self._silent_after)}
        self._emit(
            "presence",
            desks=[{"name": d.name, "username": d.username, "present": d.name in present} for d in presence.desks],
            claims=[
                {"incident_id": c.incident_id, "desk": c.desk, "username": c.username}
                for c in presence.live_claims(silent_after=self._silent_after)
            ],
        )

    def _report_applied(self, applied: Applied, notices: list[ChangeNotice]) -> None:
        if applied.presence is not None:
            self._report_presence(applied.presence)
        if not notices:
            return
        self._emit(
            "applied",
            seq=applied.seq,
            first_seq=notices[0].seq,
            committed_at=notices[-1].committed_at.timestamp(),
            applied_at=time.time(),
            incidents=[row.id for row in applied.incidents],
            closed=list(applied.incidents_closed),
            resources=[row.id for row in applied.resources],
            log_entries=[line.entry_id for line in applied.log_lines],
        )

    def _report_state(self, status: FeedStatus) -> None:
        if status.state is not FeedState.CONNECTING:
            self._emit("connection", state=status.state.value, since=status.since.timestamp(), reason=status.reason)

    def stop(self) -> None:
        self._stop.set()

    def run(self) -> int:
        state = self._sync.start()
        self._emit(
            "ready",
            seq=state.seq,
            open_incidents=len(state.incidents()),
            resources=len(state.resources()),
            user=self._context.actor.username,
        )
        try:
            self._stop.wait()
        finally:
            self._sync.stop()
            self._emit("stopped", seq=state.seq)
        return 0


def run_headless_desk(
    context: DeskContext,
    output: TextIO,
    *,
    heartbeat_every: timedelta = HEARTBEAT_EVERY,
    silent_after: timedelta = SILENT_AFTER,
) -> int:
    """Run until SIGTERM or SIGINT."""
    desk = HeadlessDesk(context, output, heartbeat_every=heartbeat_every, silent_after=silent_after)
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: desk.stop())
    return desk.run()
