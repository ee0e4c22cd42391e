"""Moving an incident through its life: a change of status with its reason, and closing it.

``change_incident_status`` moves an open incident one step of ``domain.incidents.INCIDENT_LIFECYCLE``
(never to closed or cancelled: that needs a disposition, and is ``close_incident``). Putting an
incident on hold needs a reason of at least ``MIN_REASON`` characters; every change is logged with
its reason. An edit made against an older version of the incident is refused (``StaleEdit``) naming
who changed it.

``close_incident`` records how the incident ended with one of the pack's dispositions. Resources
still deployed (requested, acknowledged, en route, on scene) refuse the close, naming each one and
its state, unless the supervisor gives a reason to close anyway: those not yet on scene are then
stood down (the resource is available again) and those on scene are cleared (returning), each with
the reason in the log, by the same path a change of the resource's status takes
(``resources.move_resource``). A disposition that ``cancels`` records the incident cancelled (only
from a state the life cycle lets be cancelled); any other passes it through resolved to closed. The
close line (``CLOSE``) names the disposition and the note. All of it is one transaction: a refusal
writes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.domain import log_codes
from supervisor_app.domain.changes import Changes
from supervisor_app.domain.deployments import ACTIVE_DEPLOYMENT_STATUSES, DeploymentStatus
from supervisor_app.domain.errors import DomainError, InvalidTransition, InvalidValue
from supervisor_app.domain.incidents import INCIDENT_LIFECYCLE, OPEN_INCIDENT_STATUSES, IncidentStatus, clean_log_text
from supervisor_app.domain.people import Action, Actor
from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.domain.wording import render_wording
from supervisor_app.pack import OrganisationPack
from supervisor_app.pack.schema.response import Disposition
from supervisor_app.services.deployments import tell_stood_down
from supervisor_app.services.errors import NotFound, StaleEdit
from supervisor_app.services.external_requests import full_stop
from supervisor_app.services.resources import move_resource
from supervisor_app.services.unit_of_work import announce, append_log, audit, database_now, transaction
from supervisor_app.store.models import Deployment, Incident, Resource

#: Reasons for putting an incident on hold, and for closing with resources still out, say something.
MIN_REASON = 10
REOPEN_CODE = "REOPEN"
_ENDS = (IncidentStatus.CLOSED, IncidentStatus.CANCELLED)
_LIVE_WORDS = {
    DeploymentStatus.REQUESTED: "has not acknowledged",
    DeploymentStatus.ACKNOWLEDGED: "has acknowledged",
    DeploymentStatus.EN_ROUTE: "is en route",
    DeploymentStatus.ON_SCENE: "is on scene",
}


def _words(status: str) -> str:
    return status.replace("_", " ")


def _reason(reason: str, what: str) -> str:
    cleaned = clean_log_text(reason)
    if len(cleaned) < MIN_REASON:
        raise InvalidValue(what, reason, f"a reason of at least {MIN_REASON} characters")
    return cleaned


def _incident(session: Session, incident_id: int, expected_version: int | None = None) -> Incident:
    """The incident, locked; refused when unknown, no longer open, or changed since ``expected_version``."""
    incident = session.get(Incident, incident_id, with_for_update=True)
    if incident is None:
        raise NotFound("Incident", incident_id)
    if expected_version is not None and expected_version != incident.version:
        raise StaleEdit(
            f"Incident {incident.reference}", expected_version, incident.version, _words(incident.status),
            incident.changed_by, incident.changed_desk,
        )
    if IncidentStatus(incident.status) not in OPEN_INCIDENT_STATUSES:
        raise DomainError(f"{incident.reference} is {incident.status} already; nothing was changed.")
    return incident


def _stamp(incident: Incident, status: IncidentStatus, actor: Actor, now: datetime) -> None:
    incident.status = status.value
    incident.updated_at = now
    incident.changed_by, incident.changed_desk = actor.username, actor.desk


def change_incident_status(
    session: Session,
    actor: Actor,
    incident_id: int,
    status: IncidentStatus | str,
    reason: str,
    pack: OrganisationPack,
    *,
    expected_version: int | None = None,
) -> Changes:
    """Move an open incident to ``status`` (see the module doc); the log says why."""
    try:
        target = IncidentStatus(status)
    except ValueError:
        raise InvalidValue("incident status", status, "one of " + ", ".join(IncidentStatus)) from None
    if target in _ENDS:
        raise InvalidValue("incident status", target.value, "a status short of the end; close or cancel the "
                           "incident with a disposition (Close incident)")
    said = _reason(reason, "reason for putting it on hold") if target is IncidentStatus.ON_HOLD else clean_log_text(
        reason)
    with transaction(session, actor, Action.MANAGE_INCIDENT):
        incident = _incident(session, incident_id, expected_version)
        current = IncidentStatus(incident.status)
        if not INCIDENT_LIFECYCLE.can(current, target):
            allowed = tuple(s.value for s in INCIDENT_LIFECYCLE.allowed_from(current) if s not in _ENDS)
            raise InvalidTransition(f"Incident {incident.reference}", current.value, target.value, allowed)
        _stamp(incident, target, actor, database_now(session))
        text = f"Status changed from {_words(current.value)} to {_words(target.value)}."
        code = log_codes.NOTE
        if (current, target) == (IncidentStatus.RESOLVED, IncidentStatus.IN_PROGRESS) and REOPEN_CODE in {
            c.code for c in pack.log_codes
        }:
            code, text = REOPEN_CODE, render_wording(pack.code(REOPEN_CODE).wording, {"reason": said})
        elif said:
            text += f" Reason: {said}"
        entry = append_log(session, actor, incident_id, code, text)
        audit(session, actor, Action.MANAGE_INCIDENT, "incident", incident_id, reference=incident.reference,
              old=current.value, new=target.value, reason=said)
        changes = Changes.of(incident=incident_id, log_entry=entry.id)
        announce(session, actor, changes)
    return changes


class DeploymentsStillLive(DomainError):
    """An incident cannot be closed while resources are still deployed on it, unless a reason is given."""

    def __init__(self, reference: str, live: tuple[tuple[str, DeploymentStatus], ...]) -> None:
        self.live = live
        named = ", ".join(f"{call_sign} {_LIVE_WORDS[status]}" for call_sign, status in live)
        super().__init__(
            f"{reference} still has resources deployed: {named}. Clear them first, or give a reason "
            f"(at least {MIN_REASON} characters) to stand them down and close it anyway. Nothing was changed."
        )


@dataclass(frozen=True)
class Closed:
    incident_id: int
    reference: str
    status: IncidentStatus
    """``closed``, or ``cancelled`` for a disposition that cancels."""
    disposition: str
    closed_at: datetime
    stood_down: tuple[str, ...]
    """Call signs stood down before arriving (available again)."""
    cleared: tuple[str, ...]
    """Call signs that were on scene and were cleared (returning)."""
    changes: Changes


def _disposition(pack: OrganisationPack, code: str) -> Disposition:
    try:
        return pack.disposition(code)
    except KeyError:
        known = ", ".join(d.code for d in pack.dispositions)
        raise InvalidValue("disposition", code, f"one of the pack's: {known}") from None


def _release(
    session: Session, actor: Actor, incident: Incident, reason: str, pack: OrganisationPack
) -> tuple[list[str], list[str], Changes]:
    """Stand down or clear every live deployment of the incident, or refuse naming them without a reason.
    A unit stood down is told so by the channel it was deployed by (the pack's cancellation wording)."""
    live = session.execute(
        select(Deployment, Resource)
        .join(Resource, Resource.id == Deployment.resource_id)
        .where(
            Deployment.incident_id == incident.id,
            Deployment.status.in_([s.value for s in ACTIVE_DEPLOYMENT_STATUSES]),
        )
        .order_by(Deployment.requested_at, Deployment.id)
        .with_for_update()
    ).all()
    if live and not reason:
        raise DeploymentsStillLive(
            incident.reference, tuple((r.call_sign, DeploymentStatus(d.status)) for d, r in live)
        )
    stood_down: list[str] = []
    cleared: list[str] = []
    changes = Changes()
    for deployment, resource in live:
        on_scene = deployment.status == DeploymentStatus.ON_SCENE.value
        target = ResourceStatus.RETURNING if on_scene else ResourceStatus.AVAILABLE
        changes |= move_resource(session, actor, resource, target, reason)
        if not on_scene:  # on its way or not yet answered: it must hear that it is not needed
            changes |= Changes.of(message=tell_stood_down(session, actor, deployment, incident, reason, pack).id)
        (cleared if on_scene else stood_down).append(resource.call_sign)
    return stood_down, cleared, changes


def close_incident(
    session: Session,
    actor: Actor,
    incident_id: int,
    disposition: str,
    note: str,
    pack: OrganisationPack,
    *,
    uncleared_reason: str = "",
    expected_version: int | None = None,
) -> Closed:
    """Close (or, for a disposition that cancels, cancel) the incident (see the module doc)."""
    ending = _disposition(pack, disposition)
    said = clean_log_text(note)
    reason = _reason(uncleared_reason, "reason for closing with resources deployed") if uncleared_reason.strip() else ""
    with transaction(session, actor, Action.MANAGE_INCIDENT):
        incident = _incident(session, incident_id, expected_version)
        now = database_now(session)
        before = incident.status
        stood_down, cleared, changes = _release(session, actor, incident, reason, pack)
        current = IncidentStatus(incident.status)
        if ending.cancels:
            if not INCIDENT_LIFECYCLE.can(current, IncidentStatus.CANCELLED):
                allowed = ", ".join(
                    _words(s.value) for s in IncidentStatus if INCIDENT_LIFECYCLE.can(s, IncidentStatus.CANCELLED)
                )
                raise DomainError(
                    f"{incident.reference} is {_words(current.value)}; {ending.name} records it cancelled, which is "
                    f"possible only while it is {allowed}. Choose a disposition that closes it. Nothing was changed."
                )
            final = IncidentStatus.CANCELLED
        else:
            if current is not IncidentStatus.RESOLVED:
                INCIDENT_LIFECYCLE.check(current, IncidentStatus.RESOLVED)
            final = INCIDENT_LIFECYCLE.check(IncidentStatus.RESOLVED, IncidentStatus.CLOSED)
        _stamp(incident, final, actor, now)
        incident.closed_at = now
        incident.disposition_code = ending.code
        recorded = " (recorded cancelled)" if ending.cancels else ""
        text = f"Disposition: {ending.name}{recorded}." + (f" {full_stop(said)}" if said else "")
        wording = pack.code(log_codes.CLOSED).wording
        entry = append_log(session, actor, incident_id, log_codes.CLOSED,
                           render_wording(wording, {"reference": incident.reference, "text": text}))
        audit(session, actor, Action.MANAGE_INCIDENT, "incident", incident_id, reference=incident.reference,
              old=before, new=final.value, disposition=ending.code, stood_down=stood_down, cleared=cleared,
              reason=reason)
        changes |= Changes.of(incident=incident_id, log_entry=entry.id)
        announce(session, actor, changes)
        closed = Closed(incident_id, incident.reference, final, ending.code, now, tuple(stood_down), tuple(cleared),
                        changes)
    return closed
