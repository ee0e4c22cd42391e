from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.domain.changes import EntityKind
from supervisor_app.domain.errors import DomainError
from supervisor_app.domain.people import Actor, Role
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.errors import Conflict
from supervisor_app.services.presence import (
    claim_incident,
    hand_over_desk,
    heartbeat,
    leave_desk,
    load_presence,
    register_desk,
    release_incident,
)
from supervisor_app.store.change_log import changes_after, latest_seq
from supervisor_app.store.models import AuditEvent
from tests.services.conftest import Organisation, make_incident

ONE = Actor.of("sup.one", [Role.SUPERVISOR], "desk-1")
TWO = Actor.of("sup.two", [Role.SUPERVISOR], "desk-2")


def _presence(org: Organisation):  # type: ignore[no-untyped-def]
    with Session(org.engine) as session:
        return load_presence(session, ONE)


def test_desks_register_heartbeat_and_leave(organisation: Organisation) -> None:
    with organisation.session() as session:
        register_desk(session, ONE, host="cr-pc-01")
    with organisation.session() as session:
        register_desk(session, TWO)
    presence = _presence(organisation)
    assert [(d.name, d.username, d.host) for d in presence.present_desks()] == [
        ("desk-1", "sup.one", "cr-pc-01"),
        ("desk-2", "sup.two", ""),
    ]
    first_beat = presence.desks[0].heartbeat_at
    with organisation.session() as session:
        assert heartbeat(session, ONE) is True
    assert _presence(organisation).desks[0].heartbeat_at > first_beat
    with organisation.session() as session:
        leave_desk(session, TWO)
    assert [d.name for d in _presence(organisation).desks] == ["desk-1"]
    with organisation.session() as session:
        assert heartbeat(session, TWO) is False  # gone: it must register again


def test_a_claim_is_refused_to_a_second_desk_naming_who_has_it(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    incident_id = make_incident(organisation, pack, supervisor)
    for actor in (ONE, TWO):
        with organisation.session() as session:
            register_desk(session, actor)
    with organisation.session() as session:
        claim_incident(session, ONE, incident_id, timezone=pack.timezone)
    with organisation.session() as session, pytest.raises(Conflict) as refused:
        claim_incident(session, TWO, incident_id, timezone=pack.timezone)
    assert "is being worked on by sup.one at desk desk-1 since" in str(refused.value)
    (claim,) = _presence(organisation).live_claims()
    assert (claim.incident_id, claim.desk, claim.username) == (incident_id, "desk-1", "sup.one")
    with organisation.session() as session:
        claim_incident(session, ONE, incident_id, timezone=pack.timezone)  # claiming again is harmless
    assert _presence(organisation).claims[0].claimed_at == claim.claimed_at  # and keeps "since when"
    with organisation.session() as session:
        assert release_incident(session, ONE, incident_id) is True
    with organisation.session() as session:
        claim_incident(session, TWO, incident_id, timezone=pack.timezone)
    assert [c.desk for c in _presence(organisation).live_claims()] == ["desk-2"]
    with Session(organisation.engine) as session, session.begin():
        kinds = [n.changes.ids.keys() for n in changes_after(session.connection(), 0)]
    assert sum(EntityKind.CLAIM in k for k in kinds) == 4  # claimed, again, released, claimed: each announced


def test_a_claim_lapses_when_its_desk_goes_silent(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    incident_id = make_incident(organisation, pack, supervisor)
    for actor in (ONE, TWO):
        with organisation.session() as session:
            register_desk(session, actor)
    with organisation.session() as session:
        claim_incident(session, ONE, incident_id, timezone=pack.timezone)
    silent = timedelta(milliseconds=300)
    time.sleep(0.5)  # desk-1 says nothing; desk-2 is still here
    with organisation.session() as session:
        heartbeat(session, TWO)
    assert _presence(organisation).live_claims(silent_after=silent) == []
    assert [d.name for d in _presence(organisation).present_desks(silent_after=silent)] == ["desk-2"]
    with organisation.session() as session:
        claim_incident(session, TWO, incident_id, timezone=pack.timezone, silent_after=silent)
    assert [c.desk for c in _presence(organisation).claims] == ["desk-2"]


def test_a_closed_desk_drops_its_claims_and_an_unregistered_desk_cannot_claim(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    incident_id = make_incident(organisation, pack, supervisor)
    with organisation.session() as session, pytest.raises(DomainError, match="not on line"):
        claim_incident(session, ONE, incident_id, timezone=pack.timezone)
    with organisation.session() as session:
        register_desk(session, ONE)
    with organisation.session() as session:
        claim_incident(session, ONE, incident_id, timezone=pack.timezone)
    with organisation.session() as session:
        leave_desk(session, ONE)
    assert _presence(organisation).claims == ()


def test_a_hand_over_passes_the_desk_and_its_claims_and_ends_the_outgoing_session(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    incident_id = make_incident(organisation, pack, supervisor)
    incoming = Actor.of("sup.three", [Role.OPERATOR], "desk-1")
    with organisation.session() as session:
        register_desk(session, ONE)
    with organisation.session() as session:
        claim_incident(session, ONE, incident_id, timezone=pack.timezone)
    with Session(organisation.engine) as session:
        seq = latest_seq(session)
    with organisation.session() as session:
        assert hand_over_desk(session, ONE, incoming) == [incident_id]

    presence = _presence(organisation)
    assert [(d.name, d.username) for d in presence.desks] == [("desk-1", "sup.three")]
    assert [(c.incident_id, c.username) for c in presence.claims] == [(incident_id, "sup.three")]
    with organisation.session() as session:
        assert heartbeat(session, incoming) is True  # the newcomer's heartbeat keeps the desk
    with Session(organisation.engine) as session:
        notices = changes_after(session, seq)
        events = session.execute(
            select(AuditEvent.actor, AuditEvent.action, AuditEvent.detail).order_by(AuditEvent.id.desc()).limit(2)
        ).all()
    assert any(n.changes.touches(EntityKind.CLAIM) and n.changes.touches(EntityKind.DESK) for n in notices)
    assert {(e.actor, e.action) for e in events} == {("sup.one", "auth.signed_out"), ("sup.three", "incident.view")}


def test_a_hand_over_to_another_desk_is_refused(organisation: Organisation) -> None:
    with organisation.session() as session, pytest.raises(DomainError, match="desk-2"):
        hand_over_desk(session, ONE, TWO)
