"""Desks in separate processes, on one database, see each other's changes; a restarted desk catches up."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from supervisor_app.demo import DEFAULT_SEED, seed_demo
from supervisor_app.domain.incidents import OPEN_INCIDENT_STATUSES
from supervisor_app.domain.people import Actor
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.incidents import add_log_entry, create_incident
from supervisor_app.services.resources import change_resource_status
from supervisor_app.store.change_log import latest_seq
from supervisor_app.store.engine import writer
from supervisor_app.store.models import Incident, Resource
from supervisor_app.sync.desk_process import DeskProcess
from tests.services.conftest import new_incident


@pytest.fixture
def seeded(engine: Engine, pack: OrganisationPack) -> Engine:
    seed_demo(engine, pack, seed=DEFAULT_SEED, days=1)
    return engine




def _start(desks: list[DeskProcess], db_url: str, tmp_path: Path, name: str) -> DeskProcess:
    desk = DeskProcess(db_url, name, tmp_path / name)
    desks.append(desk)
    return desk


def _seq(engine: Engine) -> int:
    with engine.connect() as connection:
        return latest_seq(connection)


def test_two_desk_processes_see_a_third_desks_changes(
    seeded: Engine,
    db_url: str,
    tmp_path: Path,
    pack: OrganisationPack,
    supervisor: Actor,
    desks: list[DeskProcess],
) -> None:
    first, second = _start(desks, db_url, tmp_path, "desk-a"), _start(desks, db_url, tmp_path, "desk-b")
    for desk in (first, second):
        assert desk.ready()["seq"] <= _seq(seeded)  # the other desk coming on line is a change too
    with Session(writer(seeded)) as session:
        created = create_incident(session, supervisor, new_incident(pack), pack)
    with Session(writer(seeded)) as session:
        resource_id = session.scalars(select(Resource.id).where(Resource.status == "available")).first()
    assert resource_id is not None
    with Session(writer(seeded)) as session:
        change_resource_status(session, supervisor, resource_id, "unavailable", reason="vehicle defect")
    for desk in (first, second):
        desk.applied_up_to(_seq(seeded))
        assert created.incident_id in desk.applied_ids("incidents")
        assert resource_id in desk.applied_ids("resources")
        assert desk.stop() == 0


def test_a_killed_desk_catches_up_when_restarted(
    seeded: Engine,
    db_url: str,
    tmp_path: Path,
    pack: OrganisationPack,
    supervisor: Actor,
    desks: list[DeskProcess],
) -> None:
    desk = _start(desks, db_url, tmp_path, "desk-a")
    desk.ready()
    desk.kill()  # no goodbye: as a crash or a pulled plug
    with Session(writer(seeded)) as session:
        created = create_incident(session, supervisor, new_incident(pack), pack)
    with Session(writer(seeded)) as session:
        add_log_entry(session, supervisor, created.incident_id, "NOTE", "made while desk-a was down", pack)
    restarted = _start(desks, db_url, tmp_path, "desk-a")
    ready = restarted.ready()
    with Session(seeded) as session:
        open_now = session.scalar(
            select(func.count()).where(Incident.status.in_([s.value for s in OPEN_INCIDENT_STATUSES]))
        )
    assert ready["seq"] == _seq(seeded)
    assert ready["open_incidents"] == open_now
    with Session(writer(seeded)) as session:
        add_log_entry(session, supervisor, created.incident_id, "NOTE", "and after it came back", pack)
    applied = restarted.applied_up_to(_seq(seeded))
    assert applied["first_seq"] == ready["seq"] + 1  # nothing missed, nothing repeated
