"""Desks in separate processes see each other come and go, and see who has which incident."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from supervisor_app.demo import DEFAULT_SEED, seed_demo
from supervisor_app.domain.incidents import OPEN_INCIDENT_STATUSES
from supervisor_app.domain.people import Actor, Role
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.presence import claim_incident, load_presence
from supervisor_app.store.engine import writer
from supervisor_app.store.models import Incident
from supervisor_app.sync.desk_process import DeskProcess

OPEN_STATUSES = [s.value for s in OPEN_INCIDENT_STATUSES]

FAST = ("--heartbeat", "0.2", "--silent-after", "1.0")




def _presence_shows(desk: DeskProcess, want):  # type: ignore[no-untyped-def]
    return desk.wait_for(lambda e: e["event"] == "presence" and want(e), timeout=20)


def test_claims_show_on_other_desks_and_lapse_when_a_desk_goes_silent(
    engine: Engine, db_url: str, pack: OrganisationPack, tmp_path: Path, desks: list[DeskProcess]
) -> None:
    seed_demo(engine, pack, seed=DEFAULT_SEED, days=1)
    a = DeskProcess(db_url, "desk-a", tmp_path / "a", extra_args=FAST)
    b = DeskProcess(db_url, "desk-b", tmp_path / "b", user="demo.operator", extra_args=FAST)
    desks += [a, b]
    a.ready()
    b.ready()
    _presence_shows(
        b, lambda e: {(d["name"], d["present"]) for d in e["desks"]} == {("desk-a", True), ("desk-b", True)}
    )

    with Session(engine) as session:
        incident_id = session.scalars(select(Incident.id).where(Incident.status.in_(OPEN_STATUSES))).first()
    at_desk_a = Actor.of("demo.supervisor", [Role.SUPERVISOR], "desk-a")  # the supervisor sitting at desk-a
    with Session(writer(engine)) as session:
        claim_incident(session, at_desk_a, incident_id, timezone=pack.timezone)  # type: ignore[arg-type]
    _presence_shows(
        b, lambda e: e["claims"] == [{"incident_id": incident_id, "desk": "desk-a", "username": "demo.supervisor"}]
    )

    a.kill()  # desk-a crashes: no goodbye
    gone = _presence_shows(b, lambda e: any(d["name"] == "desk-a" and not d["present"] for d in e["desks"]))
    assert gone["claims"] == []  # its claim lapsed with it

    assert b.stop() == 0  # a clean close says goodbye
    with Session(engine) as session:
        remaining = [d.name for d in load_presence(session, at_desk_a).desks]
    assert remaining == ["desk-a"]  # only the crashed desk is left, shown as silent
