from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.domain.errors import DomainError, InvalidTransition
from supervisor_app.domain.people import Actor, Role
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.errors import Conflict, StaleEdit
from supervisor_app.services.resources import assign_resource, change_resource_status
from supervisor_app.store.engine import make_engine, writer
from supervisor_app.store.models import Deployment, Incident, LogEntry, Resource
from tests.services.conftest import Organisation, make_incident, row_counts

CHANNEL = "voice_radio"


def _first(org: Organisation) -> tuple[str, int]:
    return next(iter(org.resource_ids.items()))


def _state(org: Organisation, resource_id: int, incident_id: int) -> tuple[str, str, str | None]:
    with Session(org.engine) as session:
        resource = session.get(Resource, resource_id)
        incident = session.get(Incident, incident_id)
        deployment = session.scalars(
            select(Deployment).where(Deployment.resource_id == resource_id).order_by(Deployment.id.desc())
        ).first()
        assert resource is not None
        assert incident is not None
        return resource.status, incident.status, deployment.status if deployment else None


def test_a_deployment_follows_the_resource_from_assignment_to_clear(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    call_sign, resource_id = _first(organisation)
    incident_id = make_incident(organisation, pack, supervisor)
    with organisation.session() as session:
        assignment = assign_resource(
            session,
            supervisor,
            incident_id,
            resource_id,
            pack,
            channel=CHANNEL,
            required_response="Make safe, isolate supply",
        )
    assert assignment.call_sign == call_sign
    assert _state(organisation, resource_id, incident_id) == ("assigned", "resource_assigned", "requested")
    steps = [
        ("en_route", ("en_route", "resource_assigned", "en_route")),
        ("on_scene", ("on_scene", "in_progress", "on_scene")),
        ("returning", ("returning", "in_progress", "cleared")),
        ("available", ("available", "in_progress", "cleared")),
    ]
    for status, expected in steps:
        with organisation.session() as session:
            change_resource_status(session, supervisor, resource_id, status)
        assert _state(organisation, resource_id, incident_id) == expected
    with Session(organisation.engine) as session:
        deployment = session.get(Deployment, assignment.deployment_id)
        assert deployment is not None
        times = [deployment.requested_at, deployment.en_route_at, deployment.on_scene_at, deployment.cleared_at]
        assert all(times)
        assert times == sorted(times)
        codes = session.scalars(
            select(LogEntry.code).where(LogEntry.incident_id == incident_id).order_by(LogEntry.id)
        ).all()
    assert codes == ["REF", "DEPLOY", "ENRT", "ONSC", "CLR"]


def test_standing_down_returns_the_incident_to_the_queue(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    _, resource_id = _first(organisation)
    incident_id = make_incident(organisation, pack, supervisor)
    with organisation.session() as session:
        assign_resource(session, supervisor, incident_id, resource_id, pack, channel=CHANNEL)
    with organisation.session() as session:
        change_resource_status(session, supervisor, resource_id, "available", reason="Needed for a P1")
    assert _state(organisation, resource_id, incident_id) == ("available", "awaiting_resource", "cancelled")


def test_a_forbidden_status_change_explains_itself_and_writes_nothing(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    _, resource_id = _first(organisation)
    before = row_counts(organisation.engine)
    with organisation.session() as session, pytest.raises(InvalidTransition, match="can move to: assigned"):
        change_resource_status(session, supervisor, resource_id, "on_scene")
    with organisation.session() as session, pytest.raises(DomainError, match="resource status"):
        change_resource_status(session, supervisor, resource_id, "teleported")
    assert row_counts(organisation.engine) == before


def test_a_stale_edit_is_refused_with_the_fresh_state(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    call_sign, resource_id = _first(organisation)
    other_desk = Actor.of("sup.two", [Role.SUPERVISOR], "desk-3")
    with organisation.session() as session:  # both desks show version 1; desk-3 acts first
        change_resource_status(session, other_desk, resource_id, "unavailable", expected_version=1)
    with organisation.session() as session, pytest.raises(StaleEdit) as refused:
        change_resource_status(session, supervisor, resource_id, "off_duty", expected_version=1)
    message = str(refused.value)
    assert f"Resource {call_sign} was changed by sup.two at desk desk-3 while you were editing" in message
    assert "it is now 2" in message
    assert "It now reads: unavailable" in message


def test_a_taken_resource_is_refused_naming_who_took_it(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    call_sign, resource_id = _first(organisation)
    first = make_incident(organisation, pack, supervisor)
    second = make_incident(organisation, pack, supervisor)
    with organisation.session() as session:
        taken = assign_resource(session, supervisor, first, resource_id, pack, channel=CHANNEL)
    other_desk = Actor.of("sup.two", [Role.SUPERVISOR], "desk-3")
    before = row_counts(organisation.engine)
    with organisation.session() as session, pytest.raises(Conflict) as refused:
        assign_resource(session, other_desk, second, resource_id, pack, channel=CHANNEL)
    message = str(refused.value)
    assert f"{call_sign} was assigned to {taken.reference} by sup.one at desk desk-1 at" in message
    assert row_counts(organisation.engine) == before
    with organisation.session() as session:
        change_resource_status(session, supervisor, resource_id, "en_route")
        # an off-duty resource is refused with its state
    _, spare_id = list(organisation.resource_ids.items())[1]
    with organisation.session() as session:
        change_resource_status(session, supervisor, spare_id, "off_duty")
    with organisation.session() as session, pytest.raises(Conflict, match="is off duty \\(since"):
        assign_resource(session, other_desk, second, spare_id, pack, channel=CHANNEL)


def test_unknown_channel_is_refused(organisation: Organisation, pack: OrganisationPack, supervisor: Actor) -> None:
    _, resource_id = _first(organisation)
    incident_id = make_incident(organisation, pack, supervisor)
    with organisation.session() as session, pytest.raises(DomainError, match="channel"):
        assign_resource(session, supervisor, incident_id, resource_id, pack, channel="carrier_pigeon")


RACERS = 16


def test_sixteen_desks_racing_for_one_resource_exactly_one_wins(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, db_url: str
) -> None:
    """Sixteen threads, each its own desk with its own connection, released at once."""
    call_sign, resource_id = _first(organisation)
    incidents = [make_incident(organisation, pack, supervisor) for _ in range(RACERS)]
    engine = make_engine(db_url, pool_size=RACERS, max_overflow=0) if "postgresql" in db_url else make_engine(db_url)
    barrier = threading.Barrier(RACERS)

    def race(i: int) -> tuple[str, str]:
        desk = Actor.of(f"sup.{i}", [Role.SUPERVISOR], f"desk-{i}")
        with Session(writer(engine)) as session:
            session.connection()  # connect before the start line, so all start together
            session.rollback()
            barrier.wait(timeout=30)
            try:
                won = assign_resource(session, desk, incidents[i], resource_id, pack, channel=CHANNEL)
            except Conflict as conflict:
                return "lost", str(conflict)
            return "won", won.reference

    with ThreadPoolExecutor(RACERS) as pool:
        results = list(pool.map(race, range(RACERS)))
    engine.dispose()
    winners = [detail for outcome, detail in results if outcome == "won"]
    losers = [detail for outcome, detail in results if outcome == "lost"]
    assert len(winners) == 1
    assert len(losers) == RACERS - 1
    winner_index = next(i for i, (outcome, _) in enumerate(results) if outcome == "won")
    for message in losers:
        assert f"{call_sign} was assigned to {winners[0]} by sup.{winner_index} at desk desk-{winner_index}" in message
    with Session(organisation.engine) as session:
        active = session.scalars(select(Deployment).where(Deployment.resource_id == resource_id)).all()
    assert len(active) == 1
