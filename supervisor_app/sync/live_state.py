"""A desk's live copy of what it shows, changed only by rows newer than the ones it holds."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import datetime

from supervisor_app.services.live_rows import IncidentRow, LogLine, ReloadedRows, ResourceRow, Snapshot, StationRef
from supervisor_app.services.presence import Presence


@dataclass(frozen=True)
class Applied:
    """What one batch of changes did to the live state; only real differences are listed."""

    seq: int
    committed_at: datetime | None
    incidents: tuple[IncidentRow, ...] = ()  # new or changed open incidents
    incidents_closed: tuple[int, ...] = ()  # ids no longer open
    resources: tuple[ResourceRow, ...] = ()
    log_lines: tuple[LogLine, ...] = ()  # new lines, newest first
    presence: Presence | None = None  # desks on line and claims, when they changed

    @property
    def is_empty(self) -> bool:
        return not (self.incidents or self.incidents_closed or self.resources or self.log_lines or self.presence)


class LiveState:
    """Open incidents, resources and the latest log lines, by id, safe to read from any thread.

    A row replaces the one held only if its version is newer, so a change applied twice, or an
    old row arriving late, changes nothing.
    """

    def __init__(self, snapshot: Snapshot, log_limit: int) -> None:
        self._lock = threading.Lock()
        self._log_limit = log_limit
        self.seq = snapshot.seq
        self.as_of = snapshot.as_of  # the database time of the newest change applied
        self.stations: tuple[StationRef, ...] = snapshot.stations
        self._incidents = {row.id: row for row in snapshot.incidents}
        self._closed: dict[int, int] = {}  # id -> version at which it left the open set
        self._resources = {row.id: row for row in snapshot.resources}
        self._log = list(snapshot.log_lines)
        self.presence: Presence | None = None

    def incidents(self) -> list[IncidentRow]:
        with self._lock:
            return sorted(self._incidents.values(), key=lambda row: row.id)

    def resources(self) -> list[ResourceRow]:
        with self._lock:
            return sorted(self._resources.values(), key=lambda row: row.id)

    def log_lines(self) -> list[LogLine]:
        with self._lock:
            return list(self._log)

    def set_presence(self, presence: Presence) -> bool:
        """Take a fresh reading of desks and claims; True if anything but the reading time differs."""
        with self._lock:
            changed = not presence.same_as(self.presence)
            self.presence = presence
            return changed

    def apply(self, rows: ReloadedRows, seq: int, committed_at: datetime | None = None) -> Applied:
        with self._lock:
            incidents, closed = self._apply_incidents(rows.incidents)
            resources = []
            for row in rows.resources:
                held = self._resources.get(row.id)
                if held is None or row.version > held.version:
                    self._resources[row.id] = row
                    resources.append(row)
            known = {line.entry_id for line in self._log}
            fresh = [line for line in rows.log_lines if line.entry_id not in known]
            if fresh:
                merged = sorted(self._log + fresh, key=lambda line: (line.occurred_at, line.entry_id), reverse=True)
                self._log = merged[: self._log_limit]
                kept = {line.entry_id for line in self._log}
                fresh = [line for line in fresh if line.entry_id in kept]
            self.seq = max(self.seq, seq)
            if committed_at is not None and committed_at > self.as_of:
                self.as_of = committed_at
            return Applied(
                seq,
                committed_at,
                tuple(incidents),
                tuple(closed),
                tuple(resources),
                tuple(sorted(fresh, key=lambda line: (line.occurred_at, line.entry_id), reverse=True)),
            )

    def _apply_incidents(self, rows: tuple[IncidentRow, ...]) -> tuple[list[IncidentRow], list[int]]:
        changed: list[IncidentRow] = []
        closed: list[int] = []
        for row in rows:
            held = self._incidents.get(row.id)
            newest_seen = held.version if held else self._closed.get(row.id, 0)
            if row.version <= newest_seen:
                continue
            if row.is_open:
                self._incidents[row.id] = row
                self._closed.pop(row.id, None)
                changed.append(row)
            else:
                self._closed[row.id] = row.version
                if self._incidents.pop(row.id, None) is not None:
                    closed.append(row.id)
        return changed, closed
