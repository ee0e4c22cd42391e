"""The database server restarts under load: desks reconnect quickly, nothing acknowledged is lost,
nothing is applied twice."""

from __future__ import annotations

import itertools
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from supervisor_app.demo import DEFAULT_SEED, seed_demo
from supervisor_app.domain.changes import EntityKind
from supervisor_app.domain.incidents import OPEN_INCIDENT_STATUSES
from supervisor_app.domain.people import Actor, Role
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.incidents import add_log_entry
from supervisor_app.store import migrate
from supervisor_app.store.change_log import latest_seq
from supervisor_app.store.engine import make_engine, writer
from supervisor_app.store.models import ChangeRecord, Incident, LogEntry
from supervisor_app.sync.desk_process import DeskProcess
from tests.support.pg_cluster import ThrowawayCluster

OPEN_STATUSES = [s.value for s in OPEN_INCIDENT_STATUSES]

RECONNECT_TARGET_S = 5.0


@pytest.mark.postgres
@pytest.mark.slow
def test_desks_survive_a_server_restart_under_load(
    cluster: ThrowawayCluster, pack: OrganisationPack, tmp_path: Path
) -> None:
    engine = make_engine(cluster.url)
    migrate.upgrade(engine)
    seed_demo(engine, pack, seed=DEFAULT_SEED, days=1)
    with Session(engine) as session:
        incident_ids = list(session.scalars(select(Incident.id).where(Incident.status.in_(OPEN_STATUSES))))
    desks = [DeskProcess(cluster.url, f"desk-{i}", tmp_path / f"desk-{i}") for i in range(2)]
    acknowledged: list[int] = []
    refused = 0
    stop = threading.Event()
    other = Actor.of("aino.virtanen", [Role.SUPERVISOR], "desk-9")

    def write() -> None:
        nonlocal refused
        index = 0
        while not stop.is_set():
            index += 1
            try:
                with Session(writer(engine)) as session:
                    changes = add_log_entry(
                        session, other, incident_ids[index % len(incident_ids)], "NOTE", f"note {index}", pack
                    )
                acknowledged.extend(changes.ids[EntityKind.LOG_ENTRY])
            except DBAPIError:
                refused += 1  # not acknowledged: the writer was told it failed
                time.sleep(0.05)
            time.sleep(0.02)

    try:
        for desk in desks:
            desk.ready()
        writer_thread = threading.Thread(target=write)
        writer_thread.start()
        time.sleep(1.5)
        cluster.restart()
        time.sleep(3.0)
        stop.set()
        writer_thread.join(30)
        with engine.connect() as connection:
            final = latest_seq(connection)
        reconnections = []
        for desk in desks:
            desk.applied_up_to(final, timeout=20)
            lost = desk.wait_for(lambda e: e["event"] == "connection" and e["state"] == "lost")
            lost_at = lost["since"]
            back = desk.wait_for(
                lambda e, lost_at=lost_at: e["event"] == "connection" and e["state"] == "live" and e["since"] > lost_at
            )
            reconnections.append(back["since"] - lost["since"])
            applied = [e for e in desk.events if e["event"] == "applied"]
            ranges = [(e["first_seq"], e["seq"]) for e in applied]
            assert ranges[0][0] == desk.ready()["seq"] + 1 and ranges[-1][1] == final
            for (_, previous_end), (start, _) in itertools.pairwise(ranges):
                assert start == previous_end + 1  # every change once: no gap, no repeat
        print(f"reconnection after restart: {', '.join(f'{s:.2f} s' for s in reconnections)}")
        assert max(reconnections) < RECONNECT_TARGET_S
    finally:
        for desk in desks:
            desk.kill()
    with Session(engine) as session:
        stored = set(session.scalars(select(LogEntry.id).where(LogEntry.id.in_(acknowledged))))
        announced = {
            i
            for payload in session.scalars(select(ChangeRecord.payload))
            for i in payload.get(EntityKind.LOG_ENTRY.value, [])
        }
    engine.dispose()
    assert len(acknowledged) > 100 and refused > 0  # the restart really interrupted the writer
    assert stored == set(acknowledged) <= announced  # stored, and announced to every desk
