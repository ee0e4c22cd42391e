"""The desk overview read on both databases: its figures agree with the seeded tables."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from supervisor_app.demo import DEFAULT_SEED, seed_demo
from supervisor_app.domain.incidents import OPEN_INCIDENT_STATUSES
from supervisor_app.domain.people import Actor
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.desk_overview import LATEST_LOG_LIMIT, load_overview
from supervisor_app.store.models import Incident, LogEntry, Resource


def test_load_overview_agrees_with_the_tables(engine: Engine, pack: OrganisationPack, operator: Actor) -> None:
    seed_demo(engine, pack, seed=DEFAULT_SEED, days=1)
    with Session(engine) as session:
        snapshot = load_overview(session, operator)
        open_total = session.scalar(
            select(func.count()).where(Incident.status.in_([s.value for s in OPEN_INCIDENT_STATUSES]))
        )
        resources = session.scalar(select(func.count()).select_from(Resource))
        newest = session.scalar(select(LogEntry.id).order_by(LogEntry.occurred_at.desc(), LogEntry.id.desc()))
    assert snapshot.open_total == open_total
    assert sum(station.total for station in snapshot.stations) == resources
    assert [s.station_code for s in snapshot.stations] == [s.code for s in pack.stations]
    assert len(snapshot.latest_log) == LATEST_LOG_LIMIT
    assert snapshot.latest_log[0].entry_id == newest
    times = [line.occurred_at for line in snapshot.latest_log]
    assert times == sorted(times, reverse=True)
    assert snapshot.as_of.tzinfo is not None


def test_load_overview_on_an_empty_organisation(engine: Engine, operator: Actor) -> None:
    with Session(engine) as session:
        snapshot = load_overview(session, operator)
    assert snapshot.priorities == () and snapshot.stations == () and snapshot.latest_log == ()
    assert snapshot.open_total == 0
