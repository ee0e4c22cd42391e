"""Requests to other organisations: only what the pack authorises, by their channels, and the answer."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.domain.errors import DomainError, InvalidValue
from supervisor_app.domain.people import Actor, Role
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.errors import Conflict
from supervisor_app.services.external_requests import (
    record_external_answer,
    request_external,
    requests_for_incident,
)
from supervisor_app.services.outbox import claim_due_messages
from supervisor_app.store.models import AuditEvent, ExternalRequest, Incident, LogEntry, Message
from tests.services.conftest import Organisation, make_incident, row_counts


@pytest.fixture
def incident_id(organisation: Organisation, pack: OrganisationPack, supervisor: Actor) -> int:
    return make_incident(organisation, pack, supervisor)


def _ask(org: Organisation, actor: Actor, incident_id: int, pack: OrganisationPack, **given: str):  # type: ignore[no-untyped-def]
    order = {
        "organisation": "HELSINKI_POLICE",
        "request": "traffic_control",
        "channel": "voice_phone",
        "reason": "Water over the carriageway; traffic must be held back",
        **given,
    }
    with org.session() as session:
        return request_external(session, actor, incident_id, pack=pack, **order)


def test_a_request_by_telephone_is_recorded_as_said_with_the_log_and_audit(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    made = _ask(organisation, supervisor, incident_id, pack)
    assert made.recipient == "+358 295 470 011" and made.queued_message_ids == ()
    with Session(organisation.engine) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        row = session.get(ExternalRequest, made.request_id)
        assert row is not None and (row.status, row.organisation, row.request) == (
            "requested", "HELSINKI_POLICE", "traffic_control")
        message = session.get(Message, made.message_id)
        assert message is not None and message.status == "passed" and message.deployment_id is None
        assert message.body.startswith("This is Helsinki Out-of-Hours Emergency Contact Centre control room, ")
        assert f"Our reference {incident.reference}" in message.body and "We ask for traffic control." in message.body
        log = session.scalars(select(LogEntry.text).where(LogEntry.code == "XREQ")).one()
        assert log == (
            "Request made of Helsinki Police Department by telephone: traffic control. Water over the carriageway; "
            "traffic must be held back. Passed by sup.one on +358 295 470 011."
        )
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "external.request")).one()
        assert audit.detail["organisation"] == "HELSINKI_POLICE" and audit.detail["request"] == "traffic_control"


def test_a_request_by_email_goes_through_the_outbox_to_the_pack_address(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    made = _ask(organisation, supervisor, incident_id, pack, organisation="GAS_NETWORK",
                request="network_isolation", channel="email", reason="Strong smell across the whole street")
    assert made.queued_message_ids == (made.message_id,)
    with organisation.session() as session:
        due = claim_due_messages(session, supervisor)
    assert [(item.channel, item.recipient) for item in due] == [("email", "control@gasnetwork.example.fi")]
    assert due[0].subject.startswith("Request from Helsinki Out-of-Hours Emergency Contact Centre: network isolation")
    assert "Why: Strong smell across the whole street" in due[0].body


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"request": "network_isolation"}, "one the organisation pack authorises"),
        ({"channel": "email"}, "one of voice_phone, voice_radio"),
        ({"organisation": "NOBODY"}, "one of the pack's"),
        ({"reason": "  "}, "a reason of at least 5 characters"),
    ],
)
def test_a_request_the_pack_does_not_authorise_is_refused_and_nothing_is_written(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int,
    given: dict[str, str], expected: str,
) -> None:
    before = row_counts(organisation.engine)
    with pytest.raises(InvalidValue, match=expected):
        _ask(organisation, supervisor, incident_id, pack, **given)
    assert row_counts(organisation.engine) == before


def test_no_request_about_a_closed_incident(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    with organisation.session() as session, session.begin():
        incident = session.get(Incident, incident_id)
        assert incident is not None
        incident.status = "cancelled"
    before = row_counts(organisation.engine)
    with pytest.raises(DomainError, match="is cancelled; a request to another organisation is for open incidents"):
        _ask(organisation, supervisor, incident_id, pack)
    assert row_counts(organisation.engine) == before


def test_the_answer_is_recorded_once_with_their_reference(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    made = _ask(organisation, supervisor, incident_id, pack)
    with organisation.session() as session:
        record_external_answer(session, supervisor, made.request_id, accepted=True, their_reference=" POL-2026-881 ",
                               answer="Patrol on its way", pack=pack)
    other = Actor.of("sup.two", [Role.SUPERVISOR], "desk-2")
    with organisation.session() as session, pytest.raises(Conflict, match=r"already recorded as accepted by sup\.one"):
        record_external_answer(session, other, made.request_id, accepted=False, answer="No patrol free", pack=pack)
    with organisation.session() as session:
        listed = requests_for_incident(session, supervisor, incident_id, pack)
    assert [r.describe() for r in listed] == [
        "Helsinki Police Department: traffic control by voice phone, accepted, their reference POL-2026-881"]
    with Session(organisation.engine) as session:
        reply = session.scalars(select(LogEntry.text).where(LogEntry.code == "XRESP")).one()
    assert reply == "Helsinki Police Department replied: Accepted traffic control. Their reference POL-2026-881. " \
        "Patrol on its way"


def test_a_refusal_needs_what_they_said(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    made = _ask(organisation, supervisor, incident_id, pack)
    with organisation.session() as session, pytest.raises(InvalidValue, match="reason"):
        record_external_answer(session, supervisor, made.request_id, accepted=False, answer="", pack=pack)
    with organisation.session() as session:
        record_external_answer(session, supervisor, made.request_id, accepted=False,
                               answer="No patrol free for an hour", pack=pack)
    with organisation.session() as session:
        (row,) = requests_for_incident(session, supervisor, incident_id, pack)
    assert row.status.value == "declined" and row.answer == "No patrol free for an hour"
