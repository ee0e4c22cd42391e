"""What a desk keeps live: open incidents, every resource, the latest log lines; read as plain rows.

A desk starts from :func:`load_snapshot`, which also returns the change sequence the snapshot is
consistent with, then follows the change feed from there and reloads only the rows a change names
(:func:`reload_rows`). Rows carry their version so a desk never applies an older row over a newer.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import Session

from supervisor_app.domain.changes import Changes, EntityKind
from supervisor_app.domain.incidents import OPEN_INCIDENT_STATUSES
from supervisor_app.domain.people import Action, Actor
from supervisor_app.services.unit_of_work import transaction
from supervisor_app.store.change_log import latest_seq
from supervisor_app.store.models import Incident, LogEntry, Resource, Station
from supervisor_app.store.types import db_now

_OPEN = sorted(s.value for s in OPEN_INCIDENT_STATUSES)
LATEST_LOG_LIMIT = 30


@dataclass(frozen=True)
class LogLine:
    """One incident log entry as the desk lists it."""

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
class StationRef:
    code: str
    name: str


@dataclass(frozen=True)
class IncidentRow:
    id: int
    reference: str
    incident_type: str
    priority: str
    status: str
    address: str
    lat: float
    lon: float
    created_at: datetime
    version: int

    @property
    def is_open(self) -> bool:
        return self.status in _OPEN


@dataclass(frozen=True)
class ResourceRow:
    id: int
    call_sign: str
    resource_type: str
    station_code: str
    status: str
    status_changed_at: datetime
    lat: float | None
    lon: float | None
    version: int


@dataclass(frozen=True)
class Snapshot:
    seq: int  # the last change this snapshot includes
    as_of: datetime  # the database clock when it was read
    stations: tuple[StationRef, ...]
    incidents: tuple[IncidentRow, ...]  # open ones
    resources: tuple[ResourceRow, ...]
    log_lines: tuple[LogLine, ...]  # newest first


@dataclass(frozen=True)
class ReloadedRows:
    """The current state of the rows some changes named (incidents in any status)."""

    incidents: tuple[IncidentRow, ...] = ()
    resources: tuple[ResourceRow, ...] = ()
    log_lines: tuple[LogLine, ...] = ()


def _incident_rows(session: Session, *conditions: ColumnElement[bool]) -> tuple[IncidentRow, ...]:
    rows = session.execute(
        select(
            Incident.id,
            Incident.reference,
            Incident.incident_type,
            Incident.priority,
            Incident.status,
            Incident.address,
            Incident.lat,
            Incident.lon,
            Incident.created_at,
            Incident.version,
        )
        .where(*conditions)
        .order_by(Incident.id)
    ).all()
    return tuple(IncidentRow(*tuple(row)) for row in rows)


def _resource_rows(session: Session, *conditions: ColumnElement[bool]) -> tuple[ResourceRow, ...]:
    rows = session.execute(
        select(
            Resource.id,
            Resource.call_sign,
            Resource.resource_type,
            Station.code,
            Resource.status,
            Resource.status_changed_at,
            Resource.lat,
            Resource.lon,
            Resource.version,
        )
        .join(Station, Station.id == Resource.station_id)
        .where(*conditions)
        .order_by(Resource.id)
    ).all()
    return tuple(ResourceRow(*row) for row in rows)


def _log_lines(session: Session, *conditions: ColumnElement[bool], limit: int | None = None) -> tuple[LogLine, ...]:
    query = (
        select(
            LogEntry.id,
            LogEntry.incident_id,
            Incident.reference,
            LogEntry.occurred_at,
            LogEntry.recorded_at,
            LogEntry.code,
            LogEntry.author,
            LogEntry.desk,
            LogEntry.text,
        )
        .join(Incident, Incident.id == LogEntry.incident_id)
        .where(*conditions)
        .order_by(LogEntry.occurred_at.desc(), LogEntry.id.desc())
    )
    if limit is not None:
        query = query.limit(limit)
    return tuple(LogLine(*row) for row in session.execute(query).all())


def load_snapshot(session: Session, actor: Actor, *, log_limit: int = LATEST_LOG_LIMIT) -> Snapshot:
    """Open incidents, all resources and the latest log lines, with the change sequence they
    include, from one consistent view of the database (REPEATABLE READ on PostgreSQL)."""
    with transaction(session, actor, Action.VIEW_INCIDENTS):
        if session.get_bind().dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        stations = session.execute(select(Station.code, Station.name).order_by(Station.id)).all()
        return Snapshot(
            seq=latest_seq(session.connection()),
            as_of=session.execute(select(db_now())).scalar_one(),
            stations=tuple(StationRef(code, name) for code, name in stations),
            incidents=_incident_rows(session, Incident.status.in_(_OPEN)),
            resources=_resource_rows(session),
            log_lines=_log_lines(session, limit=log_limit),
        )


def reload_rows(session: Session, actor: Actor, changes: Changes) -> ReloadedRows:
    """The rows ``changes`` names, as they are now."""

    def ids(kind: EntityKind) -> Collection[int]:
        return sorted(changes.ids.get(kind, ()))

    with transaction(session, actor, Action.VIEW_INCIDENTS):
        incident_ids, resource_ids, entry_ids = (
            ids(EntityKind.INCIDENT),
            ids(EntityKind.RESOURCE),
            ids(EntityKind.LOG_ENTRY),
        )
        return ReloadedRows(
            incidents=_incident_rows(session, Incident.id.in_(incident_ids)) if incident_ids else (),
            resources=_resource_rows(session, Resource.id.in_(resource_ids)) if resource_ids else (),
            log_lines=_log_lines(session, LogEntry.id.in_(entry_ids)) if entry_ids else (),
        )
