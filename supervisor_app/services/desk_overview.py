"""The desk overview's figures: open incidents by priority, resources by station and status, the
latest log entries.

They are derived from the rows a desk keeps live (:mod:`supervisor_app.services.live_rows`), so
the first load and every live update go through the same arithmetic; :func:`load_overview` reads
those rows in one snapshot for a desk that wants the figures once. The result holds frozen
dataclasses, not ORM objects, so nothing loads lazily after the session has closed.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy.orm import Session

from supervisor_app.domain.incidents import IncidentStatus
from supervisor_app.domain.people import Actor
from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.services.live_rows import (
    LATEST_LOG_LIMIT,
    IncidentRow,
    LogLine,
    ResourceRow,
    StationRef,
    load_snapshot,
)

__all__ = [
    "LATEST_LOG_LIMIT",
    "LogLine",
    "OverviewSnapshot",
    "PriorityCount",
    "StationStatusCounts",
    "load_overview",
    "overview_from",
    "priority_counts",
    "station_counts",
]


@dataclass(frozen=True)
class PriorityCount:
    """Open incidents of one priority, and how many of them still wait for a resource."""

    priority: str
    open: int
    awaiting_resource: int


@dataclass(frozen=True)
class StationStatusCounts:
    """How many of a station's resources are in each status."""

    station_code: str
    station_name: str
    by_status: Mapping[str, int] = field(default_factory=dict)

    def count(self, status: ResourceStatus) -> int:
        return self.by_status.get(status.value, 0)

    @property
    def total(self) -> int:
        return sum(self.by_status.values())


@dataclass(frozen=True)
class OverviewSnapshot:
    priorities: tuple[PriorityCount, ...]
    stations: tuple[StationStatusCounts, ...]
    latest_log: tuple[LogLine, ...]
    as_of: datetime  # the database clock when it was read

    def open_count(self, priority: str) -> int:
        return next((p.open for p in self.priorities if p.priority == priority), 0)

    @property
    def open_total(self) -> int:
        return sum(p.open for p in self.priorities)


def priority_counts(open_incidents: Iterable[IncidentRow]) -> tuple[PriorityCount, ...]:
    """Open incidents by priority (priorities with none are left out), in priority-code order."""
    open_counts: Counter[str] = Counter()
    awaiting: Counter[str] = Counter()
    for row in open_incidents:
        open_counts[row.priority] += 1
        if row.status == IncidentStatus.AWAITING_RESOURCE.value:
            awaiting[row.priority] += 1
    return tuple(PriorityCount(p, open_counts[p], awaiting[p]) for p in sorted(open_counts))


def station_counts(stations: Sequence[StationRef], resources: Iterable[ResourceRow]) -> tuple[StationStatusCounts, ...]:
    """Resources by station and status, stations in the order given (those without resources too)."""
    counts: dict[str, Counter[str]] = {station.code: Counter() for station in stations}
    for row in resources:
        counts.setdefault(row.station_code, Counter())[row.status] += 1
    return tuple(StationStatusCounts(s.code, s.name, dict(counts[s.code])) for s in stations)


def overview_from(
    stations: Sequence[StationRef],
    open_incidents: Iterable[IncidentRow],
    resources: Iterable[ResourceRow],
    log_lines: Sequence[LogLine],
    as_of: datetime,
) -> OverviewSnapshot:
    return OverviewSnapshot(
        priority_counts(open_incidents), station_counts(stations, resources), tuple(log_lines), as_of
    )


def load_overview(session: Session, actor: Actor, *, log_limit: int = LATEST_LOG_LIMIT) -> OverviewSnapshot:
    """Everything the overview shows, from one consistent view of the database."""
    snapshot = load_snapshot(session, actor, log_limit=log_limit)
    return overview_from(snapshot.stations, snapshot.incidents, snapshot.resources, snapshot.log_lines, snapshot.as_of)
