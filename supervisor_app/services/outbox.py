"""The outbox: messages are stored before they are sent, and every answer of a channel is recorded.

A dispatcher (``supervisor_app.comms``) asks for the messages that are due (``claim_due_messages``),
sends each outside any transaction, and records what happened (``record_sent`` or
``record_failed``). Claiming leases a message for a minute, so that two dispatchers (two desks)
never send it twice at once, and a dispatcher that dies mid-send leaves it to be sent again when
the lease runs out. A retryable failure is tried again on the schedule of
``domain.messages.retry_delay``; a message that cannot be delivered is marked failed, logged on the
incident and shown to the desk until a person re-sends it or chooses another channel
(``resend``). Acknowledgements from field units move the deployment and the message on
(``record_acknowledgement``); one for a deployment that is unknown or already over is recorded in
the audit trail and otherwise ignored.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from supervisor_app.domain import log_codes
from supervisor_app.domain.changes import Changes
from supervisor_app.domain.deployments import DEPLOYMENT_LIFECYCLE, DeploymentStatus
from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.messages import MessageStatus, WordingKind, retry_delay, wording_kind
from supervisor_app.domain.people import Action, Actor
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.errors import NotFound
from supervisor_app.services.unit_of_work import announce, append_log, audit, database_now, record_event, transaction
from supervisor_app.store.models import Deployment, Incident, Message, Resource

#: How long a claimed message is reserved for the dispatcher that claimed it.
CLAIM_LEASE = timedelta(seconds=60)
ACK_UNMATCHED = "message.ack_unmatched"


@dataclass(frozen=True)
class OutboxItem:
    """A message to send now, as plain data for the channel adapter."""

    message_id: int
    incident_id: int
    incident_reference: str
    deployment_id: int | None
    channel: str
    recipient: str
    subject: str
    body: str
    attempt: int
    location: tuple[float, float]
    address: str
    purpose: str = "deployment"


@dataclass(frozen=True)
class AcknowledgementRecorded:
    matched: bool
    deployment_id: int | None
    reason: str = ""
    changes: Changes = field(default_factory=Changes)


class QueuesOneMessage:
    """What a use case that sends one message returns: the message, and whether the dispatcher must
    send it now (a data message) or it was passed by voice already."""

    message_id: int
    message_status: MessageStatus

    @property
    def queued_message_ids(self) -> tuple[int, ...]:
        """The data message the dispatcher should send now (none for voice)."""
        return (self.message_id,) if self.message_status is MessageStatus.QUEUED else ()


def claim_due_messages(session: Session, actor: Actor, *, limit: int = 50) -> list[OutboxItem]:
    """Reserve up to ``limit`` queued messages whose time has come, oldest first, and count the try."""
    with transaction(session, actor, Action.SEND_MESSAGES):
        now = database_now(session)
        query = (
            select(Message, Incident.reference, Incident.lat, Incident.lon, Incident.address)
            .join(Incident, Incident.id == Message.incident_id)
            .where(Message.status == MessageStatus.QUEUED.value)
            .where(or_(Message.next_attempt_at.is_(None), Message.next_attempt_at <= now))
            .order_by(Message.next_attempt_at, Message.id)
            .limit(limit)
        )
        if session.get_bind().dialect.name == "postgresql":
            query = query.with_for_update(skip_locked=True, of=Message)
        rows = session.execute(query).all()
        items = []
        for message, reference, lat, lon, address in rows:
            message.attempts += 1
            message.next_attempt_at = now + CLAIM_LEASE
            items.append(
                OutboxItem(
                    message.id,
                    message.incident_id,
                    reference,
                    message.deployment_id,
                    message.channel,
                    message.recipient,
                    message.subject,
                    message.body,
                    message.attempts,
                    (lat, lon),
                    address,
                    message.purpose,
                )
            )
        if items:
            announce(session, actor, Changes.of(message=[item.message_id for item in items]))
    return items


def _message(session: Session, message_id: int) -> Message:
    message = session.get(Message, message_id, with_for_update=True)
    if message is None:
        raise NotFound("Message", message_id)
    return message


def record_sent(session: Session, actor: Actor, message_id: int, provider_reference: str) -> Changes:
    """The channel accepted the message (the broker, the mail server, the gateway)."""
    with transaction(session, actor, Action.SEND_MESSAGES):
        message = _message(session, message_id)
        if message.status == MessageStatus.ACKNOWLEDGED.value and message.sent_at is None:
            message.sent_at = database_now(session)  # the unit's acknowledgement overtook the channel's answer
            message.provider_reference = provider_reference[:120]
            changes = Changes.of(message=message.id)
            announce(session, actor, changes)
            return changes
        if message.status != MessageStatus.QUEUED.value:
            return Changes()  # recorded already (a second dispatcher after a lapsed lease)
        message.status = MessageStatus.SENT.value
        message.sent_at = database_now(session)
        message.next_attempt_at = None
        message.provider_reference = provider_reference[:120]
        audit(session, actor, Action.SEND_MESSAGES, "message", message.id, channel=message.channel, sent=True)
        changes = Changes.of(message=message.id)
        announce(session, actor, changes)
    return changes


def record_failed(session: Session, actor: Actor, message_id: int, reason: str, *, retryable: bool) -> Changes:
    """The channel refused the message or could not be reached: try again later, or give up and say so."""
    with transaction(session, actor, Action.SEND_MESSAGES):
        message = _message(session, message_id)
        if message.status != MessageStatus.QUEUED.value:
            return Changes()
        now = database_now(session)
        message.last_error = reason
        delay = retry_delay(max(1, message.attempts)) if retryable else None
        changes = Changes.of(message=message.id)
        if delay is not None:
            message.next_attempt_at = now + delay
        else:
            message.status = MessageStatus.FAILED.value
            message.next_attempt_at = None
            tries = f"after {message.attempts} tries" if message.attempts > 1 else "at the first try"
            entry = append_log(
                session,
                actor,
                message.incident_id,
                log_codes.NOTE,
                f"Message to {message.recipient} by {message.channel} failed {tries}: {reason} "
                "Re-send it or choose another channel.",
            )
            changes |= Changes.of(log_entry=entry.id, incident=message.incident_id)
        audit(
            session,
            actor,
            Action.SEND_MESSAGES,
            "message",
            message.id,
            channel=message.channel,
            sent=False,
            retrying=delay is not None,
            error=reason,
        )
        announce(session, actor, changes)
    return changes


def resend(session: Session, actor: Actor, message_id: int, pack: OrganisationPack, channel: str | None = None) -> int:
    """Send a message again, by the same channel or another: a new message, the old one kept as it was."""
    with transaction(session, actor, Action.ASSIGN_RESOURCE):
        old = _message(session, message_id)
        code = channel or old.channel
        try:
            chosen = pack.channel(code)
        except KeyError:
            raise InvalidValue("channel", code, "a channel of the organisation pack") from None
        kind = wording_kind(chosen.code, chosen.medium)
        deployment = session.get(Deployment, old.deployment_id) if old.deployment_id else None
        call_sign = deployment.resource.call_sign if deployment is not None else old.recipient
        recipient = old.recipient if code == old.channel else recipient_for(pack, call_sign, kind)
        voice = kind is WordingKind.VOICE
        new = queue_message(
            session,
            actor,
            incident_id=old.incident_id,
            deployment_id=old.deployment_id,
            purpose=old.purpose,
            channel=code,
            kind=kind,
            recipient=recipient,
            subject=old.subject,
            body=old.body,
        )
        how = "passed by voice" if voice else f"queued by {chosen.name}"
        entry = append_log(
            session,
            actor,
            old.incident_id,
            log_codes.NOTE,
            f"Message to {call_sign} {how} again (it was {old.status} by {old.channel}).",
        )
        audit(session, actor, Action.ASSIGN_RESOURCE, "message", new.id, resent=old.id, channel=code)
        announce(session, actor, Changes.of(message=[old.id, new.id], log_entry=entry.id, incident=old.incident_id))
        new_id = new.id
    return new_id


def recipient_for(pack: OrganisationPack, call_sign: str, kind: WordingKind) -> str:
    """Where a message of ``kind`` to the resource goes: its phone for SMS, its e-mail address for
    e-mail (from the pack), its call sign for MDT and voice; refused when the pack has no address."""
    resource = pack.resource(call_sign)
    if kind is WordingKind.SMS:
        if not resource.phone:
            raise InvalidValue(
                f"{call_sign}'s phone", "none", "a phone number in stations.yaml, or another channel (MDT or voice)"
            )
        return resource.phone
    if kind is WordingKind.EMAIL:
        if not resource.email:
            raise InvalidValue(
                f"{call_sign}'s e-mail", "none", "an e-mail address in stations.yaml, or another channel"
            )
        return resource.email
    return call_sign


def queue_message(
    session: Session,
    actor: Actor,
    *,
    incident_id: int,
    deployment_id: int | None,
    purpose: str,
    channel: str,
    kind: WordingKind,
    recipient: str,
    subject: str,
    body: str,
) -> Message:
    """Store a message in the current transaction: queued for the dispatcher now, or, for voice,
    recorded as passed by the supervisor at this moment."""
    now = database_now(session)
    voice = kind is WordingKind.VOICE
    message = Message(
        incident_id=incident_id,
        deployment_id=deployment_id,
        purpose=purpose,
        channel=channel,
        recipient=recipient,
        subject=subject,
        body=body,
        status=(MessageStatus.PASSED if voice else MessageStatus.QUEUED).value,
        attempts=0,
        created_at=now,
        created_by=actor.username,
        desk=actor.desk,
        next_attempt_at=None if voice else now,
        sent_at=now if voice else None,
    )
    session.add(message)
    session.flush()
    return message


def _stand_down_message(
    session: Session, message_id: int | None, deployment: Deployment | None, call_sign: str
) -> Message | None:
    """The stand-down ``message_id`` names, if it is one sent to this unit about this deployment."""
    if message_id is None or deployment is None or deployment.resource.call_sign != call_sign:
        return None
    purpose = session.scalar(select(Message.purpose).where(Message.id == message_id))
    if purpose != "cancellation":
        return None  # a deployment's own message: locked only later, in the order every writer takes
    message = session.get(Message, message_id, with_for_update=True)
    if message is None or message.deployment_id != deployment.id:
        return None
    return message


def _stand_down_acknowledged(
    session: Session, actor: Actor, message: Message, call_sign: str
) -> AcknowledgementRecorded:
    """The unit has read that it is stood down: the message is acknowledged and the log says so."""
    if message.status == MessageStatus.ACKNOWLEDGED.value:
        return AcknowledgementRecorded(True, message.deployment_id, "already acknowledged")
    message.status = MessageStatus.ACKNOWLEDGED.value
    message.acknowledged_at = database_now(session)
    entry = append_log(session, actor, message.incident_id, log_codes.NOTE, f"{call_sign} acknowledged the stand-down.")
    audit(session, actor, Action.CHANGE_RESOURCE_STATUS, "message", message.id, acknowledged=True,
          call_sign=call_sign, purpose=message.purpose)
    changes = Changes.of(message=message.id, log_entry=entry.id, incident=message.incident_id)
    announce(session, actor, changes)
    return AcknowledgementRecorded(True, message.deployment_id, "", changes)


def record_acknowledgement(
    session: Session,
    actor: Actor,
    *,
    call_sign: str,
    deployment_id: int | None,
    message_id: int | None = None,
    at: datetime | None = None,
) -> AcknowledgementRecorded:
    """A unit acknowledged a deployment: the deployment and its messages move on, the log says so.

    One that matches no deployment of that unit still in progress (unknown, another unit's,
    cleared or cancelled) is recorded in the audit trail with the reason and changes nothing else.
    """
    with transaction(session, actor, Action.CHANGE_RESOURCE_STATUS):
        if deployment_id:  # the incident first, then the deployment: the order every writer takes
            incident_id = session.scalar(select(Deployment.incident_id).where(Deployment.id == deployment_id))
            if incident_id is not None:
                session.get(Incident, incident_id, with_for_update=True)
        deployment = session.get(Deployment, deployment_id, with_for_update=True) if deployment_id else None
        stand_down = _stand_down_message(session, message_id, deployment, call_sign)
        if stand_down is not None:
            return _stand_down_acknowledged(session, actor, stand_down, call_sign)
        reason = ""
        if deployment is None:
            reason = f"no deployment {deployment_id}"
        elif deployment.resource.call_sign != call_sign:
            reason = f"deployment {deployment_id} is {deployment.resource.call_sign}'s, not {call_sign}'s"
        elif deployment.status != DeploymentStatus.REQUESTED.value:
            reason = f"deployment {deployment_id} is already {deployment.status.replace('_', ' ')}"
        if reason or deployment is None:
            record_event(
                session,
                actor,
                ACK_UNMATCHED,
                "deployment",
                deployment_id,
                call_sign=call_sign,
                message=message_id,
                reason=reason,
            )
            return AcknowledgementRecorded(False, deployment_id, reason)
        now = database_now(session)
        DEPLOYMENT_LIFECYCLE.check(DeploymentStatus.REQUESTED, DeploymentStatus.ACKNOWLEDGED)
        deployment.status = DeploymentStatus.ACKNOWLEDGED.value
        deployment.acknowledged_at = now
        messages = session.scalars(
            select(Message).where(
                Message.deployment_id == deployment.id,
                Message.status.in_([MessageStatus.QUEUED.value, MessageStatus.SENT.value, MessageStatus.PASSED.value]),
            )
        ).all()
        for message in messages:
            message.status = MessageStatus.ACKNOWLEDGED.value
            message.acknowledged_at = now
        late = f" (reported at {at:%H:%M:%S} UTC)" if at is not None and (now - at) > timedelta(seconds=30) else ""
        entry = append_log(
            session,
            actor,
            deployment.incident_id,
            log_codes.FOR_DEPLOYMENT_STATUS[DeploymentStatus.ACKNOWLEDGED],
            f"{call_sign} acknowledged the deployment{late}.",
        )
        audit(
            session,
            actor,
            Action.CHANGE_RESOURCE_STATUS,
            "deployment",
            deployment.id,
            call_sign=call_sign,
            acknowledged=True,
            message=message_id,
        )
        changes = Changes.of(
            deployment=deployment.id,
            incident=deployment.incident_id,
            log_entry=entry.id,
            message=[m.id for m in messages],
        )
        announce(session, actor, changes)
        result = AcknowledgementRecorded(True, deployment.id, changes=changes)
    return result


@dataclass(frozen=True)
class AwaitingAcknowledgement:
    """A deployment its unit has not acknowledged in time, or whose message could not be sent."""

    deployment_id: int
    incident_id: int
    reference: str
    call_sign: str
    requested_at: datetime
    message_id: int
    channel: str
    message_status: MessageStatus
    last_error: str | None
    overdue: bool
    """True when the acknowledgement time of the pack has passed; False for a failed message that
    is not yet overdue (shown at once: nobody will acknowledge what was never sent)."""

    def describe(self, now: datetime) -> str:
        minutes = max(0, int((now - self.requested_at).total_seconds() // 60))
        if self.message_status is MessageStatus.FAILED:
            return f"{self.call_sign} \u00b7 {self.reference}: {self.channel} failed: {self.last_error}"
        how = (
            "passed by voice"
            if self.message_status is MessageStatus.PASSED
            else f"{self.channel} {self.message_status}"
        )
        return f"{self.call_sign} \u00b7 {self.reference}: {how} {minutes} min ago, not acknowledged"


def awaiting_acknowledgement(session: Session, actor: Actor, pack: OrganisationPack) -> list[AwaitingAcknowledgement]:
    """Deployments still waiting for their unit's acknowledgement past the pack's time, and those whose
    latest message failed, oldest first: the desk chases them (re-send, or another channel)."""
    timeout = timedelta(seconds=pack.policies.deployment.acknowledgement_timeout_seconds)
    with transaction(session, actor, Action.VIEW_INCIDENTS):
        now = database_now(session)
        latest = (
            select(Message.deployment_id, func.max(Message.id).label("message_id"))
            .where(Message.deployment_id.is_not(None))
            .group_by(Message.deployment_id)
            .subquery()
        )
        rows = session.execute(
            select(Deployment, Incident.reference, Resource.call_sign, Message)
            .join(Incident, Incident.id == Deployment.incident_id)
            .join(Resource, Resource.id == Deployment.resource_id)
            .join(latest, latest.c.deployment_id == Deployment.id)
            .join(Message, Message.id == latest.c.message_id)
            .where(Deployment.status == DeploymentStatus.REQUESTED.value)
            .order_by(Deployment.requested_at, Deployment.id)
        ).all()
        found = []
        for deployment, reference, call_sign, message in rows:
            overdue = deployment.requested_at + timeout <= now
            failed = message.status == MessageStatus.FAILED.value
            if overdue or failed:
                found.append(
                    AwaitingAcknowledgement(
                        deployment.id,
                        deployment.incident_id,
                        reference,
                        call_sign,
                        deployment.requested_at,
                        message.id,
                        message.channel,
                        MessageStatus(message.status),
                        message.last_error,
                        overdue,
                    )
                )
    return found
