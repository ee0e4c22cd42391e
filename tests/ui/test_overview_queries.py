"""The overview's queries on both databases (no widgets): figures agree with the seeded data."""

from __future__ import annotations

from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from supervisor_app.demo import DEFAULT_SEED, seed_demo
from supervisor_app.domain.incidents import OPEN_INCIDENT_STATUSES
from supervisor_app.pack import OrganisationPack
from supervisor_app.store.models import Incident, LogEntry, Resource
from supervisor_app.ui.overview.queries import LATEST_LOG_LIMIT, load_overview


def test_load_overview_agrees_with_the_tables(engine: Engine, pack: OrganisationPack) -> None:
    seed_demo(engine, pack, seed=DEFAULT_SEED, days=1)
    with Session(engine) as session:
        snapshot = load_overview(session)
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


def test_load_overview_on_an_empty_organisation(engine: Engine) -> None:
    with Session(engine) as session:
        snapshot = load_overview(session)
    assert snapshot.priorities == () and snapshot.stations == () and snapshot.latest_log == ()
    assert snapshot.open_total == 0
