"""Reads for the incident monitor: every open incident as one table row, and the history of closed ones.

A row carries what the table shows (reference, type, priority, status, place, sector, the resources
on it, who is working on it) and the clock facts (``times``) from which the desk counts each
incident's clocks and alerts with ``domain.clocks`` between reads.

``load_open_rows`` reads every open incident in four queries whatever their number: the incidents
(with the database's clock), their deployments with call signs, the time of each one's latest log
entry (one GROUP BY), and the claims; on PostgreSQL from one consistent view. ``load_rows`` reads
the same for the few incidents a change names, and lists those no longer open as gone.
``history_page`` pages through closed and cancelled incidents newest first by keyset on
(``created_at``, ``id``), never by offset, so every page costs the same however deep it is; the
partial index of migration 0012 serves it.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, DateTime, Row, Select, literal_column, select, tuple_, type_coerce
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.orm import Session
from sqlalchemy.sql.functions import FunctionElement
from sqlalchemy.sql.sqltypes import NullType

from supervisor_app.domain.clocks import DeploymentTimes, IncidentTimes
from supervisor_app.domain.deployments import ACTIVE_DEPLOYMENT_STATUSES
from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.incidents import OPEN_INCIDENT_STATUSES, ResponseRequirement
from supervisor_app.domain.people import Action, Actor
from supervisor_app.domain.presence import is_present
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.deployment_queue import requirements_of
from supervisor_app.services.incident_detail import deployment_times, incident_times, latest_log_times, sector_name
from supervisor_app.services.unit_of_work import transaction
from supervisor_app.store.models import (
    HISTORY_STATUSES,
    Deployment,
    DeskPresence,
    Incident,
    IncidentClaim,
    LogEntry,
)
from supervisor_app.store.types import UTCDateTime, db_now

_OPEN = sorted(s.value for s in OPEN_INCIDENT_STATUSES)
_OPEN_SET = frozenset(_OPEN)
_LIVE = frozenset(s.value for s in ACTIVE_DEPLOYMENT_STATUSES)
MAX_PAGE = 1000


class _MostRows(FunctionElement[Any]):
    """A condition most rows meet. SQLite, which keeps no statistics until ANALYZE, would otherwise
    take a condition on ``status`` for a selective one, read the status index and sort every closed
    incident for each page; told it is likely (``likelihood``), it walks the history index in order.
    Elsewhere it is the condition itself."""

    type = NullType()  # a Boolean would have SQLite compare it with 1, hiding the condition inside
    inherit_cache = True
    name = "most_rows"


@compiles(_MostRows)
def _most_rows(element: _MostRows, compiler: Any, **kw: Any) -> str:
    return str(compiler.process(element.clauses, **kw))


@compiles(_MostRows, "sqlite")
def _most_rows_sqlite(element: _MostRows, compiler: Any, **kw: Any) -> str:
    return f"likelihood({compiler.process(element.clauses, **kw)}, 0.9375)"


def _statuses(statuses: Sequence[str]) -> ColumnElement[bool]:
    """``status IN (...)`` written out (not as parameters), so that SQLite sees the history index's
    own condition is met."""
    return _MostRows(Incident.status.in_([literal_column(repr(status)) for status in statuses]))


_IN_HISTORY = _statuses(HISTORY_STATUSES)
_REFERENCE_DAY = re.compile(r"^INC-(\d{4})(\d{2})(\d{2})")


@dataclass(frozen=True)
class MonitorRow:
    incident_id: int
    reference: str
    incident_type: str
    type_name: str
    priority: str
    status: str
    address: str
    lat: float
    lon: float
    sector: str
    """The name of the pack's sector holding the incident ("" outside every sector)."""
    created_at: datetime
    updated_at: datetime
    closed_at: datetime | None
    last_update_at: datetime
    resources: tuple[tuple[str, str], ...]
    """(call sign, deployment status): those deployed now on an open incident; those that attended
    (were on scene) on a closed or cancelled one; in request order."""
    claimed_by: tuple[str, str] | None
    """(username, desk) of whoever is working on it; None when no live claim (presence decides)."""
    disposition_code: str | None
    version: int
    times: IncidentTimes
    required_response: tuple[ResponseRequirement, ...]


@dataclass(frozen=True)
class MonitorSnapshot:
    rows: tuple[MonitorRow, ...]
    read_at: datetime
    """The database clock at the read: the desk's clocks count on from it."""


@dataclass(frozen=True)
class MonitorRows:
    rows: tuple[MonitorRow, ...]
    gone_ids: frozenset[int]
    """Ids asked for that are no longer open (or do not exist): take them out of the table."""
    read_at: datetime


@dataclass(frozen=True)
class HistoryFilters:
    """Which closed incidents the history lists; empty sets and None filter nothing."""

    priorities: frozenset[str] = frozenset()
    incident_types: frozenset[str] = frozenset()
    statuses: frozenset[str] = frozenset()
    """``closed``, ``cancelled`` or both (empty: both)."""
    text: str = ""
    """The start of a reference (``INC-20261203-00``), or else any part of the address."""
    since: datetime | None = None
    """Created at or after."""
    until: datetime | None = None
    """Created before."""

    def __post_init__(self) -> None:
        for name in ("priorities", "incident_types", "statuses"):
            object.__setattr__(self, name, frozenset(getattr(self, name)))
        unknown = sorted(self.statuses - set(HISTORY_STATUSES))
        if unknown:
            raise InvalidValue("history status", ", ".join(unknown), "closed or cancelled")

    def conditions(self) -> list[ColumnElement[bool]]:
        found: list[ColumnElement[bool]] = [_IN_HISTORY]
        if self.statuses and set(self.statuses) != set(HISTORY_STATUSES):
            found.append(_statuses(sorted(self.statuses)))
        if self.priorities:
            found.append(Incident.priority.in_(sorted(self.priorities)))
        if self.incident_types:
            found.append(Incident.incident_type.in_(sorted(self.incident_types)))
        text = " ".join(self.text.split())
        if text.upper().startswith("INC"):
            found.extend(_reference_conditions(text.upper()))
        elif text:
            found.append(Incident.address.icontains(text, autoescape=True))
        if self.since is not None:
            found.append(Incident.created_at >= self.since)
        if self.until is not None:
            found.append(Incident.created_at < self.until)
        return found


def _reference_conditions(prefix: str) -> list[ColumnElement[bool]]:
    """References starting with ``prefix``; one that names its day (``INC-20261203``) also bounds the
    time it was received, so the search reads that day of the history index rather than all of it."""
    found = [Incident.reference.startswith(prefix, autoescape=True)]
    day = _REFERENCE_DAY.match(prefix)
    if day is not None:
        try:
            year, month, date = (int(part) for part in day.groups())
            midnight = datetime(year, month, date, tzinfo=UTC)
        except ValueError:
            return found  # not a real day: no reference will match, and the prefix says so
        # The reference's day is the organisation's local day, within a day of the UTC one anywhere.
        found += [Incident.created_at >= midnight - timedelta(days=1),
                  Incident.created_at < midnight + timedelta(days=2)]
    return found


@dataclass(frozen=True)
class HistoryKey:
    """Where a history page ended: the next page starts after this incident."""

    created_at: datetime
    incident_id: int


@dataclass(frozen=True)
class HistoryPage:
    rows: tuple[MonitorRow, ...]
    next_key: HistoryKey | None
    """Pass it as ``before`` for the next page; None on the last page."""
    read_at: datetime


def _incidents_query(*conditions: ColumnElement[bool]) -> Select[*tuple[Any, ...]]:
    return select(
        Incident.id, Incident.reference, Incident.incident_type, Incident.priority, Incident.status,
        Incident.address, Incident.lat, Incident.lon, Incident.created_at, Incident.updated_at, Incident.closed_at,
        Incident.disposition_code, Incident.version, Incident.required_response,
        type_coerce(db_now(), DateTime(timezone=True)).label("read_at"),  # as the server gives it: see _read_at
    ).where(*conditions)


def _claims(session: Session, now: datetime, *conditions: ColumnElement[bool]) -> dict[int, tuple[str, str]]:
    rows = session.execute(
        select(IncidentClaim.incident_id, IncidentClaim.username, DeskPresence.name, DeskPresence.heartbeat_at)
        .join(DeskPresence, DeskPresence.id == IncidentClaim.desk_id)
        .where(*conditions)
    ).all()
    return {
        incident_id: (username, desk)
        for incident_id, username, desk, heartbeat_at in rows
        if is_present(heartbeat_at, now)
    }


def _type_name(pack: OrganisationPack, code: str) -> str:
    try:
        return pack.incident_type(code).name
    except KeyError:  # a type the pack no longer has: shown as recorded
        return code


def _rows(
    session: Session,
    pack: OrganisationPack,
    incidents: Sequence[Row[*tuple[Any, ...]]],
    now: datetime,
    ids: ColumnElement[Any] | Collection[int],
) -> tuple[MonitorRow, ...]:
    """Build the rows of ``incidents``, reading their deployments, latest log times and claims in three
    queries (``ids`` selects those incidents' ids: a subquery, or the ids themselves)."""
    if not incidents:
        return ()
    deployments = deployment_times(session, Deployment.incident_id.in_(ids))
    latest = latest_log_times(session, LogEntry.incident_id.in_(ids))
    claims = _claims(session, now, IncidentClaim.incident_id.in_(ids))
    required: dict[str, tuple[ResponseRequirement, ...]] = {}  # most incidents of a type need the same
    rows = []
    for incident in incidents:
        (incident_id, reference, incident_type, priority, status, address, lat, lon, created_at, updated_at,
         closed_at, disposition_code, version, response, _read_at) = incident
        listed = deployments.get(incident_id, ())
        times = incident_times(incident, listed, latest.get(incident_id))
        response_key = repr(response)
        if response_key not in required:
            required[response_key] = requirements_of(response)
        rows.append(
            MonitorRow(
                incident_id, reference, incident_type, _type_name(pack, incident_type), priority, status, address,
                lat, lon, sector_name(pack, lat, lon), created_at, updated_at, closed_at, times.last_update_at,
                _resources(listed, open_incident=status in _OPEN_SET), claims.get(incident_id), disposition_code,
                version, times, required[response_key],
            )
        )
    return tuple(rows)


def _resources(deployments: Sequence[DeploymentTimes], *, open_incident: bool) -> tuple[tuple[str, str], ...]:
    if open_incident:
        return tuple((d.call_sign, d.status) for d in deployments if d.status in _LIVE)
    return tuple((d.call_sign, d.status) for d in deployments if d.on_scene_at is not None)


def _consistent_view(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})


def _read_at(session: Session, incidents: Sequence[Row[*tuple[Any, ...]]]) -> datetime:
    """The database clock, as read with the incidents (or on its own when none were found)."""
    if incidents:  # converted once here, not on every row
        read_at = UTCDateTime().process_result_value(incidents[0].read_at, session.get_bind().dialect)
        assert read_at is not None
        return read_at
    return session.execute(select(db_now())).scalar_one()


def load_open_rows(session: Session, actor: Actor, pack: OrganisationPack) -> MonitorSnapshot:
    """Every open incident as a monitor row, oldest first (see the module doc)."""
    with transaction(session, actor, Action.VIEW_INCIDENTS):
        _consistent_view(session)
        is_open = Incident.status.in_(_OPEN)
        incidents = session.execute(_incidents_query(is_open).order_by(Incident.created_at, Incident.id)).all()
        now = _read_at(session, incidents)
        open_ids = select(Incident.id).where(is_open).scalar_subquery()
        return MonitorSnapshot(_rows(session, pack, incidents, now, open_ids), now)


def load_rows(
    session: Session, actor: Actor, incident_ids: Collection[int], pack: OrganisationPack, *, open_only: bool = True
) -> MonitorRows:
    """The rows of these incidents as they are now (a change named them). With ``open_only`` those
    no longer open are not read but listed in ``gone_ids``; ids that do not exist are always gone."""
    wanted = sorted(set(incident_ids))
    with transaction(session, actor, Action.VIEW_INCIDENTS):
        _consistent_view(session)
        conditions = [Incident.id.in_(wanted)]
        if open_only:
            conditions.append(Incident.status.in_(_OPEN))
        incidents = session.execute(_incidents_query(*conditions).order_by(Incident.created_at, Incident.id)).all()
        now = _read_at(session, incidents)
        rows = _rows(session, pack, incidents, now, [i.id for i in incidents])
        return MonitorRows(rows, frozenset(wanted) - {row.incident_id for row in rows}, now)


def page_query(filters: HistoryFilters, before: HistoryKey | None, limit: int) -> Select[*tuple[Any, ...]]:
    """The incidents of a history page, and one more to tell whether another page follows: newest first,
    strictly after ``before`` in (``created_at``, ``id``) order."""
    conditions = filters.conditions()
    if before is not None:
        conditions.append(tuple_(Incident.created_at, Incident.id) < (before.created_at, before.incident_id))
    return _incidents_query(*conditions).order_by(Incident.created_at.desc(), Incident.id.desc()).limit(limit + 1)


def history_page(
    session: Session,
    actor: Actor,
    pack: OrganisationPack,
    *,
    filters: HistoryFilters,
    before: HistoryKey | None = None,
    limit: int = 200,
) -> HistoryPage:
    """Closed and cancelled incidents that pass ``filters``, newest first, after ``before``."""
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidValue("page size", limit, f"a whole number from 1 to {MAX_PAGE}")
    query = page_query(filters, before, limit)
    with transaction(session, actor, Action.VIEW_INCIDENTS):
        found = session.execute(query).all()
        page = found[:limit]
        now = _read_at(session, page)
        rows = _rows(session, pack, page, now, [i.id for i in page])
    last = page[-1] if len(found) > limit else None
    return HistoryPage(rows, None if last is None else HistoryKey(last.created_at, last.id), now)
