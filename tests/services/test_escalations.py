"""Escalating an incident to the duty manager or another organisation, by their channels, and the answer."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.domain.errors import DomainError, InvalidValue
from supervisor_app.domain.people import Actor, Role
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.errors import Conflict
from supervisor_app.services.escalations import (
    EscalationMade,
    escalate_incident,
    open_escalations,
    record_escalation_answer,
)
from supervisor_app.services.incident_lifecycle import close_incident
from supervisor_app.services.outbox import claim_due_messages
from supervisor_app.store.models import AuditEvent, Escalation, Incident, LogEntry, Message
from tests.services.conftest import Organisation, make_incident, row_counts

DUTY_MANAGER = Actor.of("dm.one", [Role.DUTY_MANAGER], "desk-dm", display_name="Anna Virtanen")
REASON = "Caller reports a second person feeling unwell"


def _escalate(org: Organisation, actor: Actor, incident_id: int, pack: OrganisationPack,
              **given: str | None) -> EscalationMade:
    order: dict[str, str | None] = {"target": "duty_manager", "reason": REASON, "channel": "voice_phone", **given}
    with org.session() as session:
        return escalate_incident(session, actor, incident_id, pack=pack, **order)  # type: ignore[arg-type]


def _reference(org: Organisation, incident_id: int) -> str:
    with Session(org.engine) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        return incident.reference


def _esc_lines(org: Organisation) -> list[str]:
    with Session(org.engine) as session:
        return list(session.scalars(select(LogEntry.text).where(LogEntry.code == "ESC").order_by(LogEntry.id)))


def test_escalating_by_telephone_records_the_message_as_passed_with_log_and_audit(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    made = _escalate(organisation, supervisor, incident_id, pack)
    assert (made.target_name, made.recipient, made.queued_message_ids) == (
        "Duty manager (on call)", "+358 9 310 10100", ())
    reference = _reference(organisation, incident_id)
    assert made.message_text == (
        f"This is the control room, sup.one speaking. I am escalating {reference}, priority P1: Gas escape inside "
        f"a building at Testikatu 1, Helsinki. Reason: {REASON}. Do you accept?"
    )
    assert _esc_lines(organisation) == [
        f"Escalated: to Duty manager (on call) by telephone: {REASON}. Passed by sup.one on +358 9 310 10100."
    ]
    with Session(organisation.engine) as session:
        row = session.get(Escalation, made.escalation_id)
        assert row is not None
        assert (row.status, row.target, row.channel, row.rule_code, row.message_id) == (
            "requested", "duty_manager", "voice_phone", None, made.message_id)
        message = session.get(Message, made.message_id)
        assert message is not None and (message.status, message.purpose) == ("passed", "escalation")
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "incident.escalate")).one()
        assert (audit.detail["target"], audit.detail["channel"]) == ("duty_manager", "voice_phone")
    assert made.changes.ids["escalation"] == frozenset({made.escalation_id})


def test_escalating_by_text_goes_through_the_outbox_to_the_pack_contact(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    made = _escalate(organisation, supervisor, incident_id, pack, channel="sms")
    assert made.queued_message_ids == (made.message_id,)
    with organisation.session() as session:
        due = claim_due_messages(session, supervisor)
    assert [(item.channel, item.recipient) for item in due] == [("sms", "+358401234000")]
    assert due[0].body.startswith(f"Escalation {_reference(organisation, incident_id)} P1: Gas escape inside")


def test_an_external_organisation_is_reached_at_its_contact_under_its_rule(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    made = _escalate(organisation, supervisor, incident_id, pack, target="GAS_NETWORK", channel="email",
                     rule_code="GAS_NO_ENGINEER")
    assert (made.target_name, made.recipient) == ("Gas distribution network control room",
                                                  "control@gasnetwork.example.fi")
    assert _esc_lines(organisation) == [
        f"Escalated: to Gas distribution network control room by e-mail: {REASON}. Rule GAS_NO_ENGINEER. "
        "Sent to control@gasnetwork.example.fi."
    ]


def test_an_incident_is_escalated_under_a_rule_once(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    made = _escalate(organisation, supervisor, incident_id, pack, rule_code="P1_NO_RESOURCE")
    with Session(organisation.engine) as session:
        row = session.get(Escalation, made.escalation_id)
        assert row is not None
        at = row.requested_at.astimezone(ZoneInfo(pack.timezone))
    before = row_counts(organisation.engine)
    other = Actor.of("sup.two", [Role.SUPERVISOR], "desk-2")
    with pytest.raises(Conflict) as refused:
        _escalate(organisation, other, incident_id, pack, rule_code="P1_NO_RESOURCE", channel="sms")
    assert str(refused.value) == (
        f"{_reference(organisation, incident_id)} was already escalated under rule P1_NO_RESOURCE to Duty manager "
        f"(on call) by sup.one at desk desk-1 at {at:%H:%M:%S}; nothing was sent."
    )
    assert row_counts(organisation.engine) == before
    _escalate(organisation, other, incident_id, pack)  # on the supervisor's own judgement, again: allowed


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ({"channel": "voice_radio"}, "expected one of voice_phone, sms, email"),
        ({"target": "NOBODY"}, "expected one of duty_manager, HELSINKI_POLICE"),
        ({"reason": "Urgent!"}, "a reason of at least 10 characters"),
        ({"rule_code": "GAS_NO_ENGINEER"}, "expected GAS_NETWORK, the rule's own target"),
        ({"rule_code": "NO_SUCH_RULE"}, "one of the pack's: P1_NO_RESOURCE"),
    ],
)
def test_an_escalation_the_pack_does_not_allow_is_refused_and_nothing_is_written(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int,
    given: dict[str, str], expected: str,
) -> None:
    before = row_counts(organisation.engine)
    with pytest.raises(InvalidValue, match=expected):
        _escalate(organisation, supervisor, incident_id, pack, **given)
    assert row_counts(organisation.engine) == before


def test_a_closed_incident_is_not_escalated(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    with organisation.session() as session:
        close_incident(session, supervisor, incident_id, "WITHDRAWN", "", pack)
    with pytest.raises(DomainError, match="is cancelled; escalation is for open incidents only"):
        _escalate(organisation, supervisor, incident_id, pack)


def test_the_duty_manager_accepts_at_their_desk_and_a_second_answer_is_refused(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    made = _escalate(organisation, supervisor, incident_id, pack)
    with organisation.session() as session:
        record_escalation_answer(session, DUTY_MANAGER, made.escalation_id, accepted=True,
                                 answer="I am on my way in", pack=pack)
    with Session(organisation.engine) as session:
        row = session.get(Escalation, made.escalation_id)
        assert row is not None
        assert (row.status, row.answered_by, row.answered_name, row.answer) == (
            "accepted", "dm.one", "Anna Virtanen", "I am on my way in")
        at = row.answered_at
        assert at is not None
    assert _esc_lines(organisation)[1:] == [
        "Escalation to Duty manager (on call) accepted by Anna Virtanen. I am on my way in"]
    before = row_counts(organisation.engine)
    with organisation.session() as session, pytest.raises(Conflict) as refused:
        record_escalation_answer(session, supervisor, made.escalation_id, accepted=False, answered_name="Deputy",
                                 answer="Not available tonight", pack=pack)
    assert str(refused.value) == (
        "The escalation was already accepted by Anna Virtanen (recorded by dm.one) at "
        f"{at.astimezone(ZoneInfo(pack.timezone)):%H:%M:%S}; nothing was changed."
    )
    assert row_counts(organisation.engine) == before


def test_a_supervisor_records_a_decline_with_who_said_it_and_what(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    made = _escalate(organisation, supervisor, incident_id, pack)
    with organisation.session() as session, pytest.raises(InvalidValue, match="who answered"):
        record_escalation_answer(session, supervisor, made.escalation_id, accepted=False,
                                 answer="Handle it on the desk", pack=pack)
    with organisation.session() as session, pytest.raises(InvalidValue, match="reason"):
        record_escalation_answer(session, supervisor, made.escalation_id, accepted=False, answered_name="Matti K",
                                 answer="", pack=pack)
    with organisation.session() as session:
        record_escalation_answer(session, supervisor, made.escalation_id, accepted=False, answered_name="Matti K",
                                 answer="Handle it on the desk", pack=pack)
    assert _esc_lines(organisation)[1:] == [
        "Escalation to Duty manager (on call) declined by Matti K. Recorded by sup.one. Handle it on the desk"]


def test_open_escalations_lists_those_waiting_oldest_first(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    first = _escalate(organisation, supervisor, incident_id, pack)
    second = _escalate(organisation, supervisor, incident_id, pack, target="GAS_NETWORK")
    third = _escalate(organisation, supervisor, make_incident(organisation, pack, supervisor), pack)
    with organisation.session() as session:
        record_escalation_answer(session, DUTY_MANAGER, first.escalation_id, accepted=True, pack=pack)
    with organisation.session() as session:
        waiting = open_escalations(session, DUTY_MANAGER, pack)
    assert [(row.escalation_id, row.target_name, row.reference, row.status.value) for row in waiting] == [
        (second.escalation_id, "Gas distribution network control room", second.reference, "requested"),
        (third.escalation_id, "Duty manager (on call)", third.reference, "requested"),
    ]
    assert (waiting[0].reason, waiting[0].requested_by, waiting[0].priority) == (REASON, "sup.one", "P1")
