"""Failover: with primary and standby both named, the desk follows whichever is the primary."""

from __future__ import annotations

import itertools
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from supervisor_app.demo import DEFAULT_SEED, seed_demo
from supervisor_app.domain.changes import Changes, EntityKind
from supervisor_app.domain.incidents import OPEN_INCIDENT_STATUSES
from supervisor_app.domain.people import Actor, Role
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.incidents import add_log_entry
from supervisor_app.store import migrate
from supervisor_app.store.engine import describe, make_engine, writer
from supervisor_app.store.models import Incident
from supervisor_app.sync.desk_process import DeskProcess
from tests.support.pg_cluster import ThrowawayCluster

OPEN_STATUSES = [s.value for s in OPEN_INCIDENT_STATUSES]


@pytest.fixture
def standby(cluster: ThrowawayCluster) -> Iterator[ThrowawayCluster]:
    base = Path(tempfile.mkdtemp(prefix="desk-standby-"))
    os.chmod(base, 0o755)
    server = ThrowawayCluster(base)
    server.start_as_standby_of(cluster)
    yield server
    server.stop()
    shutil.rmtree(base, ignore_errors=True)


def _note(url: str, pack: OrganisationPack, text: str, deadline_s: float = 20.0) -> Changes:
    """Add a note through whichever server is the primary now, retrying while failover completes."""
    other = Actor.of("aino.virtanen", [Role.SUPERVISOR], "desk-7")
    deadline = time.monotonic() + deadline_s
    while True:
        engine = make_engine(url)
        try:
            with Session(engine) as session:
                incident_id = session.scalars(select(Incident.id).where(Incident.status.in_(OPEN_STATUSES))).first()
            assert incident_id is not None
            with Session(writer(engine)) as session:
                return add_log_entry(session, other, incident_id, "NOTE", text, pack)
        except DBAPIError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)
        finally:
            engine.dispose()


@pytest.mark.postgres
@pytest.mark.slow
def test_the_desk_follows_the_primary_through_a_failover(
    cluster: ThrowawayCluster, standby: ThrowawayCluster, pack: OrganisationPack, tmp_path: Path
) -> None:
    engine = make_engine(cluster.url)
    migrate.upgrade(engine)
    seed_demo(engine, pack, seed=DEFAULT_SEED, days=1)
    engine.dispose()
    both = (
        f"postgresql://postgres@127.0.0.1:{cluster.port},127.0.0.1:{standby.port}/postgres"
        "?target_session_attrs=read-write"
    )
    assert (
        describe(make_engine(both)) == f"PostgreSQL postgres@127.0.0.1:{cluster.port},127.0.0.1:{standby.port}/postgres"
    )
    desk = DeskProcess(both, "desk-1", tmp_path / "desk-1")
    try:
        desk.ready()
        before = _note(both, pack, "before the failover")
        desk.wait_for(
            lambda e: e["event"] == "applied" and bool(before.ids[EntityKind.LOG_ENTRY] & set(e["log_entries"]))
        )

        cluster.take_down()  # the primary is gone...
        standby.promote()  # ...and the standby takes over, with everything replicated so far
        after = _note(both, pack, "after the failover")
        desk.wait_for(
            lambda e: e["event"] == "applied" and bool(after.ids[EntityKind.LOG_ENTRY] & set(e["log_entries"]))
        )

        lost = desk.wait_for(lambda e: e["event"] == "connection" and e["state"] == "lost")
        back = desk.wait_for(
            lambda e: e["event"] == "connection" and e["state"] == "live" and e["since"] > lost["since"]
        )
        applied = [(e["first_seq"], e["seq"]) for e in desk.events if e["event"] == "applied"]
        for (_, previous_end), (start, _) in itertools.pairwise(applied):
            assert start == previous_end + 1  # the promoted server continues the same sequence
        print(f"desk followed the failover in {back['since'] - lost['since']:.2f} s")
    finally:
        desk.kill()
