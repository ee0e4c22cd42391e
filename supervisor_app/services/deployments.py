"""Deploying resources to an incident, each over its own channel, with the message that says what is
needed, stored before it is sent.

``deploy_resources`` takes every chosen resource with one conditional update each, in one
transaction: if any of them was taken meanwhile by another desk, none is deployed and the
supervisor is told who took which (so that a set meant to work together is never half sent). Each
deployment gets its message in the organisation's wording for the channel's medium: a voice message
is recorded as passed by the supervisor at that moment; a data message is queued in the outbox for
the dispatcher (``supervisor_app.comms``) to send after the commit.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.domain import log_codes
from supervisor_app.domain.changes import Changes
from supervisor_app.domain.errors import DomainError, InvalidValue
from supervisor_app.domain.incidents import OPEN_INCIDENT_STATUSES, IncidentStatus
from supervisor_app.domain.messages import MessageStatus, WordingKind, compose, wording_kind
from supervisor_app.domain.people import Action, Actor
from supervisor_app.domain.wording import render_wording
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.errors import Conflict, NotFound
from supervisor_app.services.outbox import queue_message, recipient_for
from supervisor_app.services.resources import move_incident, take_resource, why_not_taken
from supervisor_app.services.unit_of_work import announce, append_log, audit, database_now, transaction
from supervisor_app.store.models import Deployment, Incident, LogEntry, Message

HAZARD_LOG_CODE = "HAZARD"


@dataclass(frozen=True)
class DeploymentOrder:
    """One resource to send, and the channel to tell it by (a channel code of the pack)."""

    resource_id: int
    channel: str


@dataclass(frozen=True)
class DeployedResource:
    deployment_id: int
    resource_id: int
    call_sign: str
    channel: str
    message_id: int
    message_status: MessageStatus
    message_text: str


@dataclass(frozen=True)
class Deployed:
    incident_id: int
    reference: str
    resources: tuple[DeployedResource, ...]
    changes: Changes

    @property
    def queued_message_ids(self) -> tuple[int, ...]:
        """The data messages the dispatcher should send now."""
        return tuple(r.message_id for r in self.resources if r.message_status is MessageStatus.QUEUED)


def _check_orders(orders: Sequence[DeploymentOrder], pack: OrganisationPack) -> None:
    if not orders:
        raise InvalidValue("resources", "none", "at least one resource to deploy")
    seen: set[int] = set()
    for order in orders:
        if order.resource_id in seen:
            raise InvalidValue("resources", order.resource_id, "each resource once")
        seen.add(order.resource_id)
        try:
            channel = pack.channel(order.channel)
        except KeyError:
            known = ", ".join(c.code for c in pack.channels)
            raise InvalidValue("channel", order.channel, f"one of {known}") from None
        if not channel.enabled:
            raise InvalidValue("channel", order.channel, "a channel that is in service (channels.yaml: enabled)")
        wording_kind(channel.code, channel.medium)


def _required_text(incident: Incident, resource_type: str) -> str:
    """What the incident needs of a resource of this type, from its required response."""
    for need in incident.required_response or []:
        if need.get("resource_type") == resource_type:
            capabilities = ", ".join(str(c).replace("_", " ") for c in need.get("capabilities", []))
            return f"{resource_type}{' with ' + capabilities if capabilities else ''}: {incident.summary}"
    return incident.summary


def _hazards(session: Session, incident_id: int) -> str:
    texts = session.scalars(
        select(LogEntry.text).where(LogEntry.incident_id == incident_id, LogEntry.code == HAZARD_LOG_CODE)
    ).all()
    return "; ".join(texts) if texts else "none reported"


def _fields(
    session: Session, incident: Incident, pack: OrganisationPack, call_sign: str, channel_name: str, now: datetime
) -> dict[str, object]:
    zone = ZoneInfo(pack.timezone)
    incident_type = pack.incident_type(incident.incident_type)
    targets = pack.targets_for(incident.incident_type, incident.priority)
    resource = pack.resource(call_sign)
    sector = pack.sector(resource.sector).name
    contact = " ".join(part for part in (incident.contact_name, incident.contact_phone) if part) or "none given"
    return {
        "reference": incident.reference,
        "priority": incident.priority,
        "incident_type": incident_type.name,
        "address": incident.address,
        "sector": sector,
        "call_sign": call_sign,
        "station": pack.station(resource.station).name,
        "channel": channel_name,
        "required_response": _required_text(incident, resource.resource_type),
        "hazards": _hazards(session, incident.id),
        "contact": contact,
        "organisation": pack.name,
        "ack_timeout_min": max(1, round(pack.policies.deployment.acknowledgement_timeout_seconds / 60)),
        "target_time": (incident.created_at + timedelta(seconds=targets.on_scene)).astimezone(zone).strftime("%H:%M"),
    }


def deploy_resources(
    session: Session,
    actor: Actor,
    incident_id: int,
    orders: Sequence[DeploymentOrder],
    pack: OrganisationPack,
) -> Deployed:
    """Deploy every resource in ``orders`` to the incident, or none (see the module doc)."""
    _check_orders(orders, pack)
    with transaction(session, actor, Action.ASSIGN_RESOURCE):
        incident = session.get(Incident, incident_id, with_for_update=True)
        if incident is None:
            raise NotFound("Incident", incident_id)
        if IncidentStatus(incident.status) not in OPEN_INCIDENT_STATUSES:
            raise DomainError(f"{incident.reference} is {incident.status}; resources go to open incidents only.")
        now = database_now(session)
        refusals = []
        taken: list[tuple[DeploymentOrder, str]] = []
        for order in orders:
            call_sign = take_resource(session, actor, order.resource_id, now)
            if call_sign is None:
                refusals.append(why_not_taken(session, order.resource_id, pack))
            else:
                taken.append((order, call_sign))
        if refusals:
            # Nothing is kept: the transaction rolls back every resource taken above.
            raise Conflict(" ".join(refusals) + " Nothing was deployed; choose again and deploy the set.")
        deployed: list[DeployedResource] = []
        entries: list[int] = []
        for order, call_sign in taken:
            channel = pack.channel(order.channel)
            kind = wording_kind(channel.code, channel.medium)
            fields = _fields(session, incident, pack, call_sign, channel.name, now)
            composed = compose(kind, pack.messages.deployment.model_dump(), fields)
            deployment = Deployment(
                incident_id=incident_id,
                resource_id=order.resource_id,
                required_response=str(fields["required_response"]),
                channel=order.channel,
                requested_at=now,
                requested_by=actor.username,
                desk=actor.desk,
            )
            session.add(deployment)
            session.flush()
            voice = kind is WordingKind.VOICE
            message = queue_message(
                session,
                actor,
                incident_id=incident_id,
                deployment_id=deployment.id,
                purpose="deployment",
                channel=order.channel,
                kind=kind,
                recipient=recipient_for(pack, call_sign, kind),
                subject=composed.subject,
                body=composed.body,
            )
            wording = pack.code(log_codes.DEPLOYED).wording
            text = render_wording(wording, fields)
            if voice:
                text += f" Passed by {actor.label} by {channel.name.lower()}."
            entries.append(append_log(session, actor, incident_id, log_codes.DEPLOYED, text).id)
            audit(
                session,
                actor,
                Action.ASSIGN_RESOURCE,
                "deployment",
                deployment.id,
                incident=incident.reference,
                call_sign=call_sign,
                channel=order.channel,
                message=message.id,
            )
            deployed.append(
                DeployedResource(
                    deployment.id,
                    order.resource_id,
                    call_sign,
                    order.channel,
                    message.id,
                    MessageStatus(message.status),
                    composed.body,
                )
            )
        move_incident(incident, IncidentStatus.RESOURCE_ASSIGNED, actor)
        changes = Changes.of(
            incident=incident_id,
            resource=[d.resource_id for d in deployed],
            deployment=[d.deployment_id for d in deployed],
            log_entry=entries,
            message=[d.message_id for d in deployed],
        )
        announce(session, actor, changes)
        result = Deployed(incident_id, incident.reference, tuple(deployed), changes)
    return result


def tell_stood_down(
    session: Session, actor: Actor, deployment: Deployment, incident: Incident, reason: str, pack: OrganisationPack
) -> Message:
    """Tell a unit it is stood down, by the channel it was deployed by, in the pack's cancellation
    wording: a data message queued in the outbox, or a voice message recorded as passed now."""
    call_sign = deployment.resource.call_sign
    channel = pack.channel(deployment.channel)
    kind = wording_kind(channel.code, channel.medium)
    fields = {
        "reference": incident.reference,
        "incident_type": pack.incident_type(incident.incident_type).name,
        "address": incident.address,
        "call_sign": call_sign,
        "reason": reason,
        "organisation": pack.name,
        "priority": incident.priority,
    }
    composed = compose(kind, pack.messages.cancellation.model_dump(), fields)
    return queue_message(
        session,
        actor,
        incident_id=incident.id,
        deployment_id=deployment.id,
        purpose="cancellation",
        channel=deployment.channel,
        kind=kind,
        recipient=recipient_for(pack, call_sign, kind),
        subject=composed.subject,
        body=composed.body,
    )
