"""The desk overview's figures: open incidents by priority, resources by station and status, the
latest log entries; read in one snapshot and returned as plain values.

Reading is an action like any other: it names an actor and is refused without the permission.
The result holds frozen dataclasses, not ORM objects, so nothing loads lazily after the session.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from supervisor_app.domain.incidents import OPEN_INCIDENT_STATUSES, IncidentStatus
from supervisor_app.domain.people import Action, Actor
from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.services.unit_of_work import transaction
from supervisor_app.store.models import Incident, LogEntry, Resource, Station
from supervisor_app.store.types import db_now

LATEST_LOG_LIMIT = 30
_OPEN = sorted(s.value for s in OPEN_INCIDENT_STATUSES)


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
class LogLine:
    """One incident log entry as the overview lists it."""

    entry_id: int
    incident_id: int
    reference: str
    occurred_at: datetime
    recorded_at: datetime
    code: str
    author: str
    desk: str
    text: str


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


def count_open_incidents_by_priority(session: Session) -> tuple[PriorityCount, ...]:
    rows = session.execute(
        select(Incident.priority, Incident.status, func.count())
        .where(Incident.status.in_(_OPEN))
        .group_by(Incident.priority, Incident.status)
    ).all()
    open_counts: dict[str, int] = {}
    awaiting: dict[str, int] = {}
    for priority, status, count in rows:
        open_counts[priority] = open_counts.get(priority, 0) + count
        if status == IncidentStatus.AWAITING_RESOURCE.value:
            awaiting[priority] = awaiting.get(priority, 0) + count
    return tuple(PriorityCount(p, open_counts[p], awaiting.get(p, 0)) for p in sorted(open_counts))


def count_resources_by_station_and_status(session: Session) -> tuple[StationStatusCounts, ...]:
    stations = session.execute(select(Station.id, Station.code, Station.name).order_by(Station.id)).all()
    counts: dict[int, dict[str, int]] = {station_id: {} for station_id, _code, _name in stations}
    for station_id, status, count in session.execute(
        select(Resource.station_id, Resource.status, func.count()).group_by(Resource.station_id, Resource.status)
    ):
        counts.setdefault(station_id, {})[status] = count
    return tuple(StationStatusCounts(code, name, counts[station_id]) for station_id, code, name in stations)


def latest_log_lines(session: Session, limit: int = LATEST_LOG_LIMIT) -> tuple[LogLine, ...]:
    """The ``limit`` most recent log entries of all incidents, newest first (by when they happened)."""
    rows = session.execute(
        select(LogEntry, Incident.reference)
        .join(Incident, Incident.id == LogEntry.incident_id)
        .order_by(LogEntry.occurred_at.desc(), LogEntry.id.desc())
        .limit(limit)
    ).all()
    return tuple(
        LogLine(
            entry_id=entry.id,
            incident_id=entry.incident_id,
            reference=reference,
            occurred_at=entry.occurred_at,
            recorded_at=entry.recorded_at,
            code=entry.code,
            author=entry.author,
            desk=entry.desk,
            text=entry.text,
        )
        for entry, reference in rows
    )


def load_overview(session: Session, actor: Actor, *, log_limit: int = LATEST_LOG_LIMIT) -> OverviewSnapshot:
    """Everything the overview shows, from one snapshot of the database so the figures agree.

    SQLite reads within one transaction see one snapshot; PostgreSQL needs REPEATABLE READ for that.
    """
    with transaction(session, actor, Action.VIEW_INCIDENTS):
        if session.get_bind().dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        return OverviewSnapshot(
            priorities=count_open_incidents_by_priority(session),
            stations=count_resources_by_station_and_status(session),
            latest_log=latest_log_lines(session, log_limit),
            as_of=session.execute(select(db_now())).scalar_one(),
        )
