"""Requests to other organisations: only those the pack authorises, by their channels, with the answer.

``request_external`` asks an organisation for one of the things the organisation pack lists under
its ``may_request``, by one of its channels, at the contact the pack gives for that channel. The
message is the pack's wording for the medium (``messages.external_request``): by voice it is
recorded as said by the supervisor at that moment; by e-mail or text it goes through the outbox,
stored before it is sent. The request, its message, the log line (``XREQ``) and the audit event
are one transaction. ``record_external_answer`` records what they said (accepted with their
reference, or declined) with ``XRESP``; a request already answered at another desk is refused with
who answered it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.domain import log_codes
from supervisor_app.domain.changes import Changes
from supervisor_app.domain.errors import DomainError, InvalidValue
from supervisor_app.domain.external_requests import (
    REQUEST_LIFECYCLE,
    Authority,
    RequestStatus,
    check_request,
    clean_reason,
    clean_reference,
    request_label,
)
from supervisor_app.domain.incidents import OPEN_INCIDENT_STATUSES, IncidentStatus
from supervisor_app.domain.messages import MessageStatus, WordingKind, compose, wording_kind
from supervisor_app.domain.people import Action, Actor
from supervisor_app.domain.wording import render_wording
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.errors import Conflict, NotFound
from supervisor_app.services.outbox import QueuesOneMessage, queue_message
from supervisor_app.services.unit_of_work import announce, append_log, audit, database_now, transaction
from supervisor_app.store.models import ExternalRequest, Incident


def authority_for(pack: OrganisationPack, organisation: str) -> Authority:
    """What the desk may ask of ``organisation`` and by which channels (refused when unknown)."""
    try:
        known = pack.external_organisation(organisation)
    except KeyError:
        names = ", ".join(o.code for o in pack.external_organisations)
        raise InvalidValue("organisation", organisation, f"one of the pack's: {names}") from None
    return Authority(known.code, known.name, frozenset(known.may_request), tuple(known.channels))


def message_fields(
    incident: Incident, pack: OrganisationPack, actor: Actor, **extra: object
) -> dict[str, object]:
    """The wording fields every message about ``incident`` to someone outside the desk may use."""
    contact = " ".join(part for part in (incident.contact_name, incident.contact_phone) if part) or "none given"
    return {
        "reference": incident.reference,
        "priority": incident.priority,
        "incident_type": pack.incident_type(incident.incident_type).name,
        "address": incident.address,
        "contact": contact,
        "organisation": pack.name,
        "supervisor": actor.label,
        **extra,
    }


def open_incident(session: Session, incident_id: int, doing: str) -> Incident:
    """The incident, locked for this transaction; refused when it is unknown or no longer open."""
    incident = session.get(Incident, incident_id, with_for_update=True)
    if incident is None:
        raise NotFound("Incident", incident_id)
    if IncidentStatus(incident.status) not in OPEN_INCIDENT_STATUSES:
        raise DomainError(f"{incident.reference} is {incident.status}; {doing} is for open incidents only.")
    return incident


@dataclass(frozen=True)
class RequestMade(QueuesOneMessage):
    request_id: int
    incident_id: int
    reference: str
    organisation: str
    recipient: str
    message_id: int
    message_status: MessageStatus
    message_text: str
    changes: Changes


def request_external(
    session: Session,
    actor: Actor,
    incident_id: int,
    *,
    organisation: str,
    request: str,
    channel: str,
    reason: str,
    pack: OrganisationPack,
) -> RequestMade:
    """Ask ``organisation`` for ``request`` about the incident by ``channel`` (see the module doc)."""
    authority = authority_for(pack, organisation)
    reason = check_request(authority, request, channel, reason)
    try:
        chosen = pack.channel(channel)
    except KeyError:
        raise InvalidValue("channel", channel, "a channel of the organisation pack") from None
    if not chosen.enabled:
        raise InvalidValue("channel", channel, "a channel that is in service (channels.yaml: enabled)")
    kind = wording_kind(chosen.code, chosen.medium)
    recipient = pack.external_organisation(organisation).contacts[channel]
    with transaction(session, actor, Action.REQUEST_EXTERNAL):
        incident = open_incident(session, incident_id, "a request to another organisation")
        now = database_now(session)
        fields = message_fields(
            incident,
            pack,
            actor,
            external_organisation=authority.name,
            request=request_label(request),
            channel=chosen.name.lower(),
            reason=reason,
        )
        composed = compose(kind, pack.messages.external_request.model_dump(), fields)
        message = queue_message(
            session,
            actor,
            incident_id=incident_id,
            deployment_id=None,
            purpose="external_request",
            channel=channel,
            kind=kind,
            recipient=recipient,
            subject=composed.subject,
            body=composed.body,
        )
        row = ExternalRequest(
            incident_id=incident_id,
            organisation=organisation,
            request=request,
            channel=channel,
            recipient=recipient,
            reason=reason,
            message_id=message.id,
            status=RequestStatus.REQUESTED.value,
            requested_at=now,
            requested_by=actor.username,
            desk=actor.desk,
        )
        session.add(row)
        session.flush()
        text = full_stop(render_wording(pack.code(log_codes.EXTERNAL_REQUEST).wording, {**fields, "text": reason}))
        text += delivery_note(kind, actor, recipient)
        entry = append_log(session, actor, incident_id, log_codes.EXTERNAL_REQUEST, text)
        audit(
            session,
            actor,
            Action.REQUEST_EXTERNAL,
            "external_request",
            row.id,
            incident=incident.reference,
            organisation=organisation,
            request=request,
            channel=channel,
            message=message.id,
        )
        changes = Changes.of(
            incident=incident_id, log_entry=entry.id, message=message.id, external_request=row.id
        )
        announce(session, actor, changes)
        made = RequestMade(
            row.id,
            incident_id,
            incident.reference,
            organisation,
            recipient,
            message.id,
            MessageStatus(message.status),
            composed.body,
            changes,
        )
    return made


def record_external_answer(
    session: Session,
    actor: Actor,
    request_id: int,
    *,
    accepted: bool,
    their_reference: str = "",
    answer: str = "",
    pack: OrganisationPack,
) -> Changes:
    """Record the organisation's answer: accepted (their reference kept when given) or declined,
    with what they said. Refused, naming who answered, when another desk recorded it first."""
    reference = clean_reference(their_reference)
    said = answer.strip()
    if not accepted:
        said = clean_reason(answer)
    with transaction(session, actor, Action.REQUEST_EXTERNAL):
        row = session.get(ExternalRequest, request_id, with_for_update=True)
        if row is None:
            raise NotFound("Request", request_id)
        status = RequestStatus(row.status)
        if status is not RequestStatus.REQUESTED:
            raise Conflict(
                f"The request was already recorded as {status.value} by {row.answered_by} "
                f"at {clock_time(row.answered_at, pack)}; nothing was changed."
            )
        new = RequestStatus.ACCEPTED if accepted else RequestStatus.DECLINED
        REQUEST_LIFECYCLE.check(status, new)
        organisation = pack.external_organisation(row.organisation).name
        row.status = new.value
        row.their_reference = reference
        row.answered_at = database_now(session)
        row.answered_by = actor.username
        row.answer = said or None
        words = [f"{'Accepted' if accepted else 'Declined'} {request_label(row.request)}."]
        if reference:
            words.append(f"Their reference {reference}.")
        if said:
            words.append(said)
        entry = append_log(
            session,
            actor,
            row.incident_id,
            log_codes.EXTERNAL_REPLY,
            render_wording(
                pack.code(log_codes.EXTERNAL_REPLY).wording,
                {"external_organisation": organisation, "text": " ".join(words)},
            ),
        )
        audit(
            session,
            actor,
            Action.REQUEST_EXTERNAL,
            "external_request",
            row.id,
            answer=new.value,
            their_reference=reference,
        )
        changes = Changes.of(incident=row.incident_id, log_entry=entry.id, external_request=row.id)
        announce(session, actor, changes)
    return changes


def delivery_note(kind: WordingKind, actor: Actor, recipient: str) -> str:
    """How the log says a message left the desk: said by the supervisor by voice, or sent to an address."""
    return f" Passed by {actor.label} on {recipient}." if kind is WordingKind.VOICE else f" Sent to {recipient}."


def full_stop(text: str) -> str:
    """The sentence with a full stop at its end, so that another can follow it."""
    return text if text.endswith((".", "!", "?")) else text + "."


def clock_time(moment: datetime | None, pack: OrganisationPack) -> str:
    """``10:02:11`` in the organisation's time zone."""
    return "an unknown time" if moment is None else moment.astimezone(ZoneInfo(pack.timezone)).strftime("%H:%M:%S")


@dataclass(frozen=True)
class ExternalRequestRow:
    """A request as the desk lists it."""

    request_id: int
    incident_id: int
    organisation: str
    organisation_name: str
    request: str
    channel: str
    recipient: str
    reason: str
    status: RequestStatus
    requested_at: datetime
    requested_by: str
    their_reference: str | None
    answered_at: datetime | None
    answered_by: str | None
    answer: str | None

    def describe(self) -> str:
        what = f"{self.organisation_name}: {request_label(self.request)} by {self.channel.replace('_', ' ')}"
        if self.status is RequestStatus.REQUESTED:
            return f"{what}, waiting for an answer"
        ref = f", their reference {self.their_reference}" if self.their_reference else ""
        return f"{what}, {self.status.value}{ref}"


def requests_for_incident(
    session: Session, actor: Actor, incident_id: int, pack: OrganisationPack
) -> list[ExternalRequestRow]:
    """Every request made about the incident, oldest first."""
    with transaction(session, actor, Action.VIEW_INCIDENTS):
        rows = session.scalars(
            select(ExternalRequest).where(ExternalRequest.incident_id == incident_id).order_by(ExternalRequest.id)
        ).all()
        return [external_request_row(row, pack) for row in rows]


def external_request_row(row: ExternalRequest, pack: OrganisationPack) -> ExternalRequestRow:
    """A request row as the desk lists it, with the organisation's name from the pack."""
    try:
        name = pack.external_organisation(row.organisation).name
    except KeyError:
        name = row.organisation  # an organisation the pack no longer lists: its code, as recorded
    return ExternalRequestRow(
        row.id,
        row.incident_id,
        row.organisation,
        name,
        row.request,
        row.channel,
        row.recipient,
        row.reason,
        RequestStatus(row.status),
        row.requested_at,
        row.requested_by,
        row.their_reference,
        row.answered_at,
        row.answered_by,
        row.answer,
    )
