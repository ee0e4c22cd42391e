"""Escalating an incident to the duty manager or another organisation, and recording the answer.

``escalate_incident`` raises an open incident to a target (``duty_manager``, reached at the
contacts of the pack's ``policies.duty_manager``, or an external organisation at its contacts) by
one of the target's channels, with a reason, and optionally under one of the pack's escalation
rules (which the domain proposes: ``domain.escalation``). The message is the pack's ``escalation``
wording for the medium: by voice it is recorded as said by the supervisor at that moment; by text or
e-mail it is queued in the outbox for the dispatcher. The escalation, its message, the log line
(``ESC``) and the audit event are one transaction; an incident is escalated under a rule once.

``record_escalation_answer`` records the answer once: the duty manager accepting or declining at
their own desk, or a supervisor recording what they were told (and by whom). ``open_escalations``
lists those still waiting for an answer, oldest first, for the duty manager's list.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.domain import log_codes
from supervisor_app.domain.changes import Changes
from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.external_requests import REQUEST_LIFECYCLE, RequestStatus, clean_reason
from supervisor_app.domain.incidents import clean_log_text
from supervisor_app.domain.messages import MessageStatus, compose, wording_kind
from supervisor_app.domain.people import Action, Actor, Role
from supervisor_app.domain.procedures import EscalationKind
from supervisor_app.domain.wording import render_wording
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.errors import Conflict, NotFound
from supervisor_app.services.external_requests import (
    clock_time,
    delivery_note,
    full_stop,
    message_fields,
    open_incident,
)
from supervisor_app.services.outbox import QueuesOneMessage, queue_message
from supervisor_app.services.unit_of_work import announce, append_log, audit, database_now, transaction
from supervisor_app.store.models import Escalation, Incident

DUTY_MANAGER = EscalationKind.DUTY_MANAGER.value
#: A reason for escalating must say something: at least this many characters.
MIN_ESCALATION_REASON = 10


@dataclass(frozen=True)
class EscalationTarget:
    """Whom an incident can be raised to, by which channels, and where each channel reaches them."""

    code: str
    name: str
    channels: tuple[str, ...]
    contacts: Mapping[str, str]


def escalation_target(pack: OrganisationPack, target: str) -> EscalationTarget:
    """The duty manager or the external organisation ``target`` names; refused when the pack has neither."""
    if target == DUTY_MANAGER:
        manager = pack.policies.duty_manager
        return EscalationTarget(DUTY_MANAGER, manager.name, tuple(manager.channels), dict(manager.contacts))
    try:
        organisation = pack.external_organisation(target)
    except KeyError:
        known = ", ".join([DUTY_MANAGER, *(o.code for o in pack.external_organisations)])
        raise InvalidValue("escalation target", target, f"one of {known}") from None
    return EscalationTarget(organisation.code, organisation.name, tuple(organisation.channels),
                            dict(organisation.contacts))


def target_name(pack: OrganisationPack, target: str) -> str:
    """The target's name from the pack; its code when the pack no longer has it."""
    try:
        return escalation_target(pack, target).name
    except InvalidValue:
        return target


@dataclass(frozen=True)
class EscalationMade(QueuesOneMessage):
    escalation_id: int
    incident_id: int
    reference: str
    target: str
    target_name: str
    recipient: str
    message_id: int
    message_status: MessageStatus
    message_text: str
    changes: Changes


def _check_rule(pack: OrganisationPack, rule_code: str | None, target: str) -> str:
    """The rule's description when ``rule_code`` is a rule of the pack escalating to ``target``."""
    if rule_code is None:
        return ""
    try:
        rule = pack.escalation_rule(rule_code)
    except KeyError:
        known = ", ".join(r.code for r in pack.escalation_rules)
        raise InvalidValue("escalation rule", rule_code, f"one of the pack's: {known}") from None
    if rule.target != target:
        raise InvalidValue(f"target of rule {rule_code}", target, f"{rule.target}, the rule's own target")
    return rule.description


def escalate_incident(
    session: Session,
    actor: Actor,
    incident_id: int,
    *,
    target: str,
    reason: str,
    channel: str,
    rule_code: str | None = None,
    pack: OrganisationPack,
) -> EscalationMade:
    """Raise the incident to ``target`` by ``channel`` (see the module doc)."""
    reached = escalation_target(pack, target)
    if channel not in reached.channels:
        raise InvalidValue(f"channel to {reached.name}", channel, "one of " + ", ".join(reached.channels))
    chosen = pack.channel(channel)
    if not chosen.enabled:
        raise InvalidValue("channel", channel, "a channel that is in service (channels.yaml: enabled)")
    kind = wording_kind(chosen.code, chosen.medium)
    said = clean_log_text(reason)
    if len(said) < MIN_ESCALATION_REASON:
        raise InvalidValue("reason", reason, f"a reason of at least {MIN_ESCALATION_REASON} characters")
    _check_rule(pack, rule_code, target)
    recipient = reached.contacts[channel]
    with transaction(session, actor, Action.ESCALATE_INCIDENT):
        incident = open_incident(session, incident_id, "escalation")
        if rule_code is not None:
            earlier = session.scalars(
                select(Escalation).where(Escalation.incident_id == incident_id, Escalation.rule_code == rule_code)
            ).first()
            if earlier is not None:
                raise Conflict(
                    f"{incident.reference} was already escalated under rule {rule_code} to "
                    f"{target_name(pack, earlier.target)} by {earlier.requested_by} at desk {earlier.desk} at "
                    f"{clock_time(earlier.requested_at, pack)}; nothing was sent."
                )
        fields = message_fields(incident, pack, actor, reason=said, channel=chosen.name.lower())
        composed = compose(kind, pack.messages.escalation.model_dump(), fields)
        message = queue_message(
            session, actor, incident_id=incident_id, deployment_id=None, purpose="escalation", channel=channel,
            kind=kind, recipient=recipient, subject=composed.subject, body=composed.body,
        )
        row = Escalation(
            incident_id=incident_id, rule_code=rule_code, target=target, reason=said, channel=channel,
            message_id=message.id, status=RequestStatus.REQUESTED.value, requested_at=database_now(session),
            requested_by=actor.username, desk=actor.desk,
        )
        session.add(row)
        session.flush()
        why = f"to {reached.name} by {chosen.name.lower()}: {full_stop(said)}"
        if rule_code is not None and rule_code not in said:
            why += f" Rule {rule_code}."
        text = render_wording(pack.code(log_codes.ESCALATED).wording, {**fields, "reason": why})
        text += delivery_note(kind, actor, recipient)
        entry = append_log(session, actor, incident_id, log_codes.ESCALATED, text)
        audit(session, actor, Action.ESCALATE_INCIDENT, "escalation", row.id, incident=incident.reference,
              target=target, rule=rule_code, channel=channel, message=message.id)
        changes = Changes.of(escalation=row.id, incident=incident_id, log_entry=entry.id, message=message.id)
        announce(session, actor, changes)
        made = EscalationMade(row.id, incident_id, incident.reference, target, reached.name, recipient, message.id,
                              MessageStatus(message.status), composed.body, changes)
    return made


def record_escalation_answer(
    session: Session,
    actor: Actor,
    escalation_id: int,
    *,
    accepted: bool,
    answered_name: str = "",
    answer: str = "",
    pack: OrganisationPack,
) -> Changes:
    """Record that the escalation was accepted or declined, once.

    A duty manager answers at their own desk (``answered_name`` defaults to their name); a supervisor
    records what they were told and must say who answered. A decline needs what was said.
    """
    name = " ".join(answered_name.split())
    if not name and Role.DUTY_MANAGER in actor.roles:
        name = actor.label
    if not name:
        raise InvalidValue("who answered", answered_name, "the name of the person who accepted or declined it")
    said = clean_log_text(answer) if accepted else clean_reason(answer)
    with transaction(session, actor, Action.ESCALATE_INCIDENT):
        row = session.get(Escalation, escalation_id, with_for_update=True)
        if row is None:
            raise NotFound("Escalation", escalation_id)
        status = RequestStatus(row.status)
        if status is not RequestStatus.REQUESTED:
            raise Conflict(
                f"The escalation was already {status.value} by {row.answered_name} (recorded by {row.answered_by}) "
                f"at {clock_time(row.answered_at, pack)}; nothing was changed."
            )
        new = REQUEST_LIFECYCLE.check(status, RequestStatus.ACCEPTED if accepted else RequestStatus.DECLINED)
        row.status = new.value
        row.answered_at = database_now(session)
        row.answered_by = actor.username
        row.answered_name = name
        row.answer = said or None
        words = [f"Escalation to {target_name(pack, row.target)} {new.value} by {name}."]
        if name != actor.label:
            words.append(f"Recorded by {actor.label}.")
        if said:
            words.append(said)
        entry = append_log(session, actor, row.incident_id, log_codes.ESCALATED, " ".join(words))
        audit(session, actor, Action.ESCALATE_INCIDENT, "escalation", row.id, answer=new.value, answered_name=name)
        changes = Changes.of(escalation=row.id, incident=row.incident_id, log_entry=entry.id)
        announce(session, actor, changes)
    return changes


@dataclass(frozen=True)
class EscalationRow:
    """An escalation as the desk lists it, with the incident it raises."""

    escalation_id: int
    incident_id: int
    reference: str
    priority: str
    incident_type: str
    address: str
    rule_code: str | None
    target: str
    target_name: str
    reason: str
    channel: str
    status: RequestStatus
    requested_at: datetime
    requested_by: str
    desk: str
    answered_at: datetime | None
    answered_by: str | None
    answered_name: str | None
    answer: str | None


def escalation_row(row: Escalation, incident: Incident, pack: OrganisationPack) -> EscalationRow:
    return EscalationRow(
        row.id, row.incident_id, incident.reference, incident.priority, incident.incident_type, incident.address,
        row.rule_code, row.target, target_name(pack, row.target), row.reason, row.channel, RequestStatus(row.status),
        row.requested_at, row.requested_by, row.desk, row.answered_at, row.answered_by, row.answered_name, row.answer,
    )


def open_escalations(session: Session, actor: Actor, pack: OrganisationPack) -> list[EscalationRow]:
    """Escalations still waiting for an answer, oldest first."""
    with transaction(session, actor, Action.VIEW_INCIDENTS):
        rows = session.execute(
            select(Escalation, Incident)
            .join(Incident, Incident.id == Escalation.incident_id)
            .where(Escalation.status == RequestStatus.REQUESTED.value)
            .order_by(Escalation.requested_at, Escalation.id)
        ).all()
        return [escalation_row(escalation, incident, pack) for escalation, incident in rows]
