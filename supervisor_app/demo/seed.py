"""Fill an empty database with the demo organisation and a deterministic history.

``seed_demo`` creates the pack's stations and resources, the demo accounts and colleagues, the
shift rota and ``days`` of incidents ending at ``now``, with their deployments, logs, complaints
and queries. The same ``seed`` and ``now`` always give the same rows. Everything is written in one
transaction with bulk inserts, so a failure leaves the database as it was.

It refuses a database that already has an organisation: demo data never mixes with real data.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, Table, bindparam, func, insert, select, text, update
from sqlalchemy.orm import Session

from supervisor_app.demo.cases import case_rows
from supervisor_app.demo.demand import Arrival, category_weights, draw_arrivals, live_arrivals
from supervisor_app.demo.finnish_names import ALL_USERS
from supervisor_app.demo.fleet import Fleet, LocalClock
from supervisor_app.demo.history import HistorySimulator
from supervisor_app.demo.live_state import resource_states
from supervisor_app.demo.organisation import (
    IdStart,
    ResourceState,
    as_datetime,
    build_fleet,
    resource_rows,
    shift_rows,
    station_rows,
    user_rows,
)
from supervisor_app.demo.response import ChannelChoice, Dispatcher
from supervisor_app.domain.incidents import IncidentStatus
from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.pack import OrganisationPack
from supervisor_app.store.audit_log import chain_fields
from supervisor_app.store.base import Base
from supervisor_app.store.engine import address_as, writer
from supervisor_app.store.errors import StoreError
from supervisor_app.store.models import (
    AuditEvent,
    Case,
    Deployment,
    Incident,
    LogEntry,
    ReferenceCounter,
    Resource,
    Shift,
    Station,
    User,
    UserRole,
)
from supervisor_app.store.roles import schema_rights
from supervisor_app.store.types import db_now

DEFAULT_DAYS = 30
DEFAULT_SEED = 20261123
DEFAULT_INCIDENTS_PER_DAY = 200
BATCH_SIZE = 2_000
MIN_INCIDENTS_FOR_LIVE_SET = 50
DAY = 86400

#: Tables whose ids the seeder assigns itself (PostgreSQL's sequences are moved past them).
SEEDED_ID_TABLES = (Station, Resource, User, Shift, Incident, Deployment, LogEntry, Case)


class SeedRefused(StoreError):
    """The database already holds an organisation; demo data is only ever added to an empty one."""


@dataclass(frozen=True)
class SeedReport:
    stations: int
    resources: int
    users: int
    incidents: int
    log_entries: int
    deployments: int
    cases: int
    shifts: int
    seconds: float

    @property
    def rows(self) -> int:
        return (
            self.stations + self.resources + self.users + self.incidents + self.log_entries
            + self.deployments + self.cases + self.shifts
        )

    def summary(self) -> str:
        return (
            f"{self.incidents:,} incidents, {self.deployments:,} deployments, {self.log_entries:,} log entries, "
            f"{self.cases:,} complaints and queries; {self.stations} stations, {self.resources} resources, "
            f"{self.users} people, {self.shifts} shifts; in {self.seconds:.1f} s"
        )


def has_organisation(session: Session) -> bool:
    """True when the database has stations: an organisation has been set up (by seeding or by hand)."""
    return session.scalar(select(Station.id).limit(1)) is not None


def _table(model: type[Base]) -> Table:
    return Base.metadata.tables[model.__tablename__]


def _insert(session: Session, model: type[Base], rows: Sequence[dict[str, Any]]) -> None:
    if rows:
        session.execute(insert(_table(model)), list(rows))


def _first_free_ids(session: Session) -> IdStart:
    def after(model: type[Base]) -> int:
        return int(session.scalar(select(func.coalesce(func.max(_table(model).c.id), 0))) or 0) + 1

    return IdStart(
        station=after(Station), resource=after(Resource), user=after(User), shift=after(Shift),
        incident=after(Incident), deployment=after(Deployment), log_entry=after(LogEntry), case=after(Case),
    )


def _move_sequences_past_seeded_ids(session: Session) -> None:
    """PostgreSQL hands out ids from sequences that explicit ids do not advance: move them on."""
    if session.get_bind().dialect.name != "postgresql":
        return
    for model in SEEDED_ID_TABLES:
        name = model.__tablename__
        session.execute(text(
            f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), "
            f"(SELECT COALESCE(MAX(id), 0) + 1 FROM {name}), false)"
        ))


def _incident_count(days: int, incidents_per_day: float | None, total_incidents: int | None) -> int:
    if total_incidents is not None:
        if total_incidents < 0:
            raise ValueError(f"total_incidents must be zero or more, not {total_incidents}")
        return total_incidents
    per_day = DEFAULT_INCIDENTS_PER_DAY if incidents_per_day is None else incidents_per_day
    if per_day < 0:
        raise ValueError(f"incidents_per_day must be zero or more, not {per_day}")
    return round(days * per_day)


def _create_organisation(
    session: Session, pack: OrganisationPack, ids: IdStart, *, start: int, end: int
) -> tuple[Fleet, int]:
    """Stations, resources (at their stations, available), people and the shift rota.

    Returns the fleet the history deploys and the number of shifts.
    """
    stations = station_rows(pack, ids.station)
    fleet = build_fleet(pack, stations, ids.resource)
    users, roles = user_rows(ids.user, start - 90 * DAY)
    _insert(session, Station, stations)
    _insert(session, User, users)
    _insert(session, UserRole, roles)
    shifts = shift_rows(ids.shift, start=start, now=end, zone=ZoneInfo(pack.timezone))
    _insert(session, Shift, shifts)
    at_station = {r.id: ResourceState(ResourceStatus.AVAILABLE, start, r.lat, r.lon) for r in fleet.resources}
    _insert(session, Resource, resource_rows(fleet, at_station, position_at=start))
    return fleet, len(shifts)


def _arrivals(pack: OrganisationPack, rng: random.Random, count: int, *, start: int, end: int) -> list[Arrival]:
    """``count`` referrals over ``[start, end)``, a few of them meant to be still open at ``end``."""
    urgent = pack.priorities[0].code
    routine_categories = sorted({t.category for t in pack.incident_types if t.default_priority != urgent})
    urgent_categories = sorted({t.category for t in pack.incident_types if t.default_priority == urgent})
    suited: dict[IncidentStatus, list[str]] = {
        IncidentStatus.AWAITING_RESOURCE: list(routine_categories),
        IncidentStatus.RESOURCE_ASSIGNED: list(urgent_categories),
        IncidentStatus.IN_PROGRESS: list(urgent_categories),
    }
    live = live_arrivals(rng, now=end, categories=suited) if count >= MIN_INCIDENTS_FOR_LIVE_SET else []
    types_by_category: dict[str, list[str]] = {}
    for incident_type in pack.incident_types:
        types_by_category.setdefault(incident_type.category, []).append(incident_type.code)
    weights = category_weights(types_by_category)
    zone = ZoneInfo(pack.timezone)
    arrivals = draw_arrivals(rng, start=start, end=end, count=count - len(live), weights=weights, zone=zone)
    return sorted(arrivals + live, key=lambda arrival: arrival.at)


def _place_resources(session: Session, states: dict[int, ResourceState], *, seen_at: int) -> None:
    """Give every resource its status and position at the end of the history."""
    resources = _table(Resource)
    session.execute(
        update(resources).where(resources.c.id == bindparam("resource_id")).values(
            status=bindparam("new_status"), status_changed_at=bindparam("changed_at"),
            lat=bindparam("new_lat"), lon=bindparam("new_lon"), position_at=bindparam("seen_at"),
        ),
        [
            {
                "resource_id": resource_id, "new_status": state.status.value,
                "changed_at": as_datetime(state.changed_at), "new_lat": round(state.lat, 6),
                "new_lon": round(state.lon, 6), "seen_at": as_datetime(seen_at),
            }
            for resource_id, state in sorted(states.items())
        ],
    )


def _record_seeding(session: Session, report: SeedReport, *, seed: int, days: int, end: int, pack_version: str) -> None:
    counts = {name: value for name, value in asdict(report).items() if name != "seconds"}
    detail = {"seed": seed, "days": days, "now": as_datetime(end).isoformat(), "pack_version": pack_version, **counts}
    event = {
        "occurred_at": as_datetime(end), "actor": "system", "desk": "seed", "action": "demo.seed",
        "entity_kind": "database", "entity_id": None, "detail": json.loads(json.dumps(detail)),
    }
    _insert(session, AuditEvent, [{**event, **chain_fields(session, event)}])  # joins the audit hash chain


def _refuse_if_organised(session: Session) -> None:
    if session.get_bind().dialect.name == "postgresql":
        # A second desk seeding at the same moment waits here, then finds the organisation.
        session.execute(text("LOCK TABLE stations IN EXCLUSIVE MODE"))
    if has_organisation(session):
        existing = session.scalar(select(func.count()).select_from(Station))
        raise SeedRefused(
            f"This database already has an organisation ({existing} stations), so no demo data was "
            "added. Demo data goes only into an empty database: use a new database file, or an "
            "empty PostgreSQL database."
        )


def _refuse_without_rights(engine: Engine) -> None:
    """Seeding is the schema owner's job on PostgreSQL: the desks' account may not add stations."""
    if engine.dialect.name != "postgresql":
        return
    with engine.connect() as connection:
        if connection.scalar(text("SELECT has_table_privilege('stations', 'INSERT')")):
            return
        rights = schema_rights(connection)
    raise StoreError(
        f"The database account {rights.account} may not create the demo organisation: desks connect with an "
        "account that may not set up an organisation, by design. Ask an administrator to run: "
        f"supervisor-app seed --db {address_as(engine, rights.owner)}"
    )


def seed_demo(
    engine: Engine,
    pack: OrganisationPack,
    *,
    seed: int,
    days: int,
    now: datetime | None = None,
    progress: Callable[[str], None] | None = None,
    incidents_per_day: float | None = None,
    total_incidents: int | None = None,
) -> SeedReport:
    """Create the demo organisation and ``days`` of history ending at ``now`` (default: the database clock).

    About ``incidents_per_day`` (default 200) incidents a day are referred; ``total_incidents`` asks
    for an exact number instead. Raises ``SeedRefused`` if the database already has stations.
    """
    if days < 1:
        raise ValueError(f"days must be at least 1, not {days}")
    if now is not None and now.tzinfo is None:
        raise ValueError("now must be a time with a time zone")
    count = _incident_count(days, incidents_per_day, total_incidents)
    say = progress or (lambda _message: None)
    _refuse_without_rights(engine)
    started = time.perf_counter()
    with Session(writer(engine)) as session, session.begin():
        _refuse_if_organised(session)
        moment = now if now is not None else session.execute(select(db_now())).scalar_one()
        end = int(moment.timestamp())
        start = end - days * DAY
        ids = _first_free_ids(session)
        rng = random.Random(seed)
        clock = LocalClock(ZoneInfo(pack.timezone))

        say("Creating the organisation: stations, resources, people and shifts...")
        fleet, shifts = _create_organisation(session, pack, ids, start=start, end=end)
        arrivals = _arrivals(pack, rng, count, start=start, end=end)
        channels = ChannelChoice([c.code for c in pack.channels if c.enabled])
        simulator = HistorySimulator(pack, Dispatcher(rng, fleet, clock, channels), rng, clock, now=end, ids=ids)
        incidents = deployments = log_entries = 0
        say(f"Writing {count:,} incidents over {days} days...")
        for batch in simulator.run(arrivals, BATCH_SIZE):
            _insert(session, Incident, batch.incidents)
            _insert(session, Deployment, batch.deployments)
            _insert(session, LogEntry, batch.log_entries)
            incidents += len(batch.incidents)
            deployments += len(batch.deployments)
            log_entries += len(batch.log_entries)
            say(f"Written {incidents:,} of {count:,} incidents")

        cases = case_rows(
            rng, simulator.closed_incidents, pack, simulator.codes, clock,
            now=end, first_case_id=ids.case, first_log_id=simulator.next_log_id,
        )
        _insert(session, Case, cases.cases)
        _insert(session, LogEntry, cases.log_entries)
        counters = {**simulator.counters, **cases.counters}
        _insert(session, ReferenceCounter, [{"scope": s, "last_value": n} for s, n in sorted(counters.items())])
        _place_resources(session, resource_states(fleet, simulator.live_units, clock, rng, now=end), seen_at=end)
        report = SeedReport(
            stations=len(pack.stations), resources=len(fleet.resources), users=len(ALL_USERS),
            incidents=incidents, log_entries=log_entries + len(cases.log_entries), deployments=deployments,
            cases=len(cases.cases), shifts=shifts, seconds=0.0,
        )
        _record_seeding(session, report, seed=seed, days=days, end=end, pack_version=pack.version)
        _move_sequences_past_seeded_ids(session)
        say("Saving...")
    return replace(report, seconds=time.perf_counter() - started)
