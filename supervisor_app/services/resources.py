"""Use cases on resources: change a resource's status, assign one to an incident.

A resource's status drives its live deployment: en route, on scene, clear (returning) and stood
down each move the deployment, stamp its time and write the incident's log, in one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from supervisor_app.domain import log_codes
from supervisor_app.domain.changes import Changes
from supervisor_app.domain.deployments import (
    ACTIVE_DEPLOYMENT_STATUSES,
    DEPLOYMENT_LIFECYCLE,
    TIMESTAMP_FOR_DEPLOYMENT,
    DeploymentStatus,
)
from supervisor_app.domain.errors import DomainError, InvalidValue
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.incidents import INCIDENT_LIFECYCLE, OPEN_INCIDENT_STATUSES, IncidentStatus
from supervisor_app.domain.people import Action, Actor
from supervisor_app.domain.resources import DEPLOYABLE_STATUSES, RESOURCE_LIFECYCLE, ResourceStatus
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.errors import Conflict, NotFound, StaleEdit
from supervisor_app.services.unit_of_work import announce, append_log, audit, database_now, transaction
from supervisor_app.store.models import Deployment, Incident, Resource

_ACTIVE = [s.value for s in ACTIVE_DEPLOYMENT_STATUSES]

#: The deployment state a resource status change implies for a resource on a job.
_DEPLOYMENT_FOR_RESOURCE: dict[ResourceStatus, DeploymentStatus] = {
    ResourceStatus.EN_ROUTE: DeploymentStatus.EN_ROUTE,
    ResourceStatus.ON_SCENE: DeploymentStatus.ON_SCENE,
    ResourceStatus.RETURNING: DeploymentStatus.CLEARED,
    ResourceStatus.AVAILABLE: DeploymentStatus.CANCELLED,
    ResourceStatus.UNAVAILABLE: DeploymentStatus.CANCELLED,
}


@dataclass(frozen=True)
class Assignment:
    deployment_id: int
    resource_id: int
    call_sign: str
    incident_id: int
    reference: str
    changes: Changes


def lock_incident_of_resource(session: Session, resource_id: int) -> Incident | None:
    """Lock the incident the resource is working on, if any, before the resource itself.

    Every writer locks in one order: the incident, then its deployments and resources. Closing an
    incident locks it and then its live units; a unit reporting a status change takes the same path,
    so the two wait for each other instead of deadlocking. The lookup is unlocked; should the unit be
    assigned elsewhere between the lookup and the lock, the caller's own checks still run on the
    locked rows, and the database's deadlock detection is the last word on that rare race.
    """
    incident_id = session.scalar(
        select(Deployment.incident_id).where(Deployment.resource_id == resource_id, Deployment.status.in_(_ACTIVE))
    )
    if incident_id is None:
        return None
    return session.get(Incident, incident_id, with_for_update=True)


def _active_deployment(session: Session, resource_id: int) -> Deployment | None:
    return session.scalars(
        select(Deployment).where(Deployment.resource_id == resource_id, Deployment.status.in_(_ACTIVE))
    ).first()


def move_incident(incident: Incident, target: IncidentStatus, actor: Actor) -> None:
    current = IncidentStatus(incident.status)
    if current != target and INCIDENT_LIFECYCLE.can(current, target):
        incident.status = target.value
        incident.changed_by, incident.changed_desk = actor.username, actor.desk


def change_resource_status(
    session: Session,
    actor: Actor,
    resource_id: int,
    new_status: ResourceStatus | str,
    *,
    expected_version: int | None = None,
    reason: str = "",
) -> Changes:
    """Move a resource to ``new_status``; a resource on a job moves its deployment with it."""
    try:
        target = ResourceStatus(new_status)
    except ValueError:
        raise InvalidValue("resource status", new_status, "one of " + ", ".join(ResourceStatus)) from None
    with transaction(session, actor, Action.CHANGE_RESOURCE_STATUS):
        lock_incident_of_resource(session, resource_id)
        resource = session.get(Resource, resource_id, with_for_update=True)
        if resource is None:
            raise NotFound("Resource", resource_id)
        if expected_version is not None and expected_version != resource.version:
            raise StaleEdit(
                f"Resource {resource.call_sign}",
                expected_version,
                resource.version,
                resource.status.replace("_", " "),
                resource.changed_by,
                resource.changed_desk,
            )
        current = ResourceStatus(resource.status)
        changes = move_resource(session, actor, resource, target, reason)
        audit(
            session,
            actor,
            Action.CHANGE_RESOURCE_STATUS,
            "resource",
            resource_id,
            call_sign=resource.call_sign,
            old=current.value,
            new=target.value,
            reason=reason,
        )
        announce(session, actor, changes)
    return changes


def move_resource(
    session: Session, actor: Actor, resource: Resource, target: ResourceStatus, reason: str
) -> Changes:
    """Move a resource (locked by the caller) to ``target`` in the current transaction; a resource on
    a job moves its deployment with it and the incident's log says so, with ``reason``."""
    RESOURCE_LIFECYCLE.check(ResourceStatus(resource.status), target)
    now = database_now(session)  # read before any change, so the row is written once
    changes = Changes.of(resource=resource.id)
    deployment = _active_deployment(session, resource.id)
    if deployment is not None and target in _DEPLOYMENT_FOR_RESOURCE:
        changes |= _advance_deployment(session, actor, deployment, _DEPLOYMENT_FOR_RESOURCE[target], reason)
    resource.status = target.value
    resource.status_changed_at = now
    resource.changed_by, resource.changed_desk = actor.username, actor.desk
    return changes


def _advance_deployment(
    session: Session, actor: Actor, deployment: Deployment, target: DeploymentStatus, reason: str
) -> Changes:
    DEPLOYMENT_LIFECYCLE.check(DeploymentStatus(deployment.status), target)
    deployment.status = target.value
    setattr(deployment, TIMESTAMP_FOR_DEPLOYMENT[target], database_now(session))
    incident = session.get(Incident, deployment.incident_id, with_for_update=True)
    assert incident is not None  # a foreign key guarantees it
    if target is DeploymentStatus.ON_SCENE:
        move_incident(incident, IncidentStatus.IN_PROGRESS, actor)
    elif target is DeploymentStatus.CANCELLED:
        others = session.scalar(
            select(Deployment.id).where(
                Deployment.incident_id == incident.id,
                Deployment.id != deployment.id,
                Deployment.status.in_(_ACTIVE),
            )
        )
        if others is None:
            move_incident(incident, IncidentStatus.AWAITING_RESOURCE, actor)
    text = f"{deployment.resource.call_sign} {target.value.replace('_', ' ')}"
    reported = f"{text}: {reason}" if reason else text
    entry = append_log(session, actor, incident.id, log_codes.FOR_DEPLOYMENT_STATUS[target], reported)
    return Changes.of(deployment=deployment.id, incident=incident.id, log_entry=entry.id)


def take_resource(session: Session, actor: Actor, resource_id: int, now: datetime) -> str | None:
    """The conditional update that decides a race: the resource becomes assigned only if it is
    still deployable. Its call sign, or None when another desk (or a status change) got there first."""
    taken = session.execute(
        update(Resource)
        .where(Resource.id == resource_id, Resource.status.in_([s.value for s in DEPLOYABLE_STATUSES]))
        .values(
            status=ResourceStatus.ASSIGNED.value,
            status_changed_at=now,
            version=Resource.version + 1,
            changed_by=actor.username,
            changed_desk=actor.desk,
        )
        .returning(Resource.call_sign)
        .execution_options(synchronize_session=False)
    ).first()
    return None if taken is None else str(taken[0])


def why_not_taken(session: Session, resource_id: int, pack: OrganisationPack) -> str:
    """Why ``take_resource`` found the resource unavailable (who holds it, since when)."""
    resource = session.get(Resource, resource_id, populate_existing=True)
    if resource is None:
        raise NotFound("Resource", resource_id)
    return explain_unavailable(session, resource, pack)


def explain_unavailable(session: Session, resource: Resource, pack: OrganisationPack) -> str:
    """Say who holds a resource that could not be assigned, and since when."""
    zone = ZoneInfo(pack.timezone)
    winner = session.execute(
        select(Deployment, Incident.reference)
        .join(Incident, Incident.id == Deployment.incident_id)
        .where(Deployment.resource_id == resource.id, Deployment.status.in_(_ACTIVE))
    ).first()
    if winner is not None:
        deployment, reference = winner
        at = deployment.requested_at.astimezone(zone)
        return (
            f"{resource.call_sign} was assigned to {reference} by {deployment.requested_by} "
            f"at desk {deployment.desk} at {at:%H:%M:%S}. Choose another resource."
        )
    since = resource.status_changed_at.astimezone(zone)
    return (
        f"{resource.call_sign} is {resource.status.replace('_', ' ')} (since {since:%H:%M:%S}) "
        "and cannot be assigned. Choose another resource."
    )


def assign_resource(
    session: Session,
    actor: Actor,
    incident_id: int,
    resource_id: int,
    pack: OrganisationPack,
    *,
    channel: str,
    required_response: str = "",
) -> Assignment:
    """Assign a resource to an incident only if it is still free: one conditional UPDATE decides.

    Two desks racing for one resource cannot both win: the database applies the first update;
    the second finds the resource no longer deployable and is told who took it.
    """
    try:
        pack.channel(channel)
    except KeyError:
        raise InvalidValue("channel", channel, "a channel of the organisation pack") from None
    with transaction(session, actor, Action.ASSIGN_RESOURCE):
        incident = session.get(Incident, incident_id, with_for_update=True)
        if incident is None:
            raise NotFound("Incident", incident_id)
        if IncidentStatus(incident.status) not in OPEN_INCIDENT_STATUSES:
            raise DomainError(f"{incident.reference} is {incident.status}; resources go to open incidents only.")
        call_sign = take_resource(session, actor, resource_id, database_now(session))
        if call_sign is None:
            raise Conflict(why_not_taken(session, resource_id, pack))
        deployment = Deployment(
            incident_id=incident_id,
            resource_id=resource_id,
            required_response=required_response,
            channel=channel,
            requested_at=database_now(session),
            requested_by=actor.username,
            desk=actor.desk,
        )
        session.add(deployment)
        move_incident(incident, IncidentStatus.RESOURCE_ASSIGNED, actor)
        session.flush()
        detail = f": {required_response}" if required_response else ""
        entry = append_log(
            session, actor, incident_id, log_codes.DEPLOYED, f"{call_sign} assigned by {channel}{detail}"
        )
        audit(
            session,
            actor,
            Action.ASSIGN_RESOURCE,
            "deployment",
            deployment.id,
            incident=incident.reference,
            call_sign=call_sign,
            channel=channel,
        )
        result = Assignment(
            deployment.id,
            resource_id,
            call_sign,
            incident_id,
            incident.reference,
            Changes.of(incident=incident_id, resource=resource_id, deployment=deployment.id, log_entry=entry.id),
        )
        announce(session, actor, result.changes)
    return result


def resource_id_of(session: Session, call_sign: str) -> int:
    """The database id of the resource with ``call_sign``; ``NotFound`` if there is none."""
    found = session.scalar(select(Resource.id).where(Resource.call_sign == call_sign))
    if found is None:
        raise NotFound("Resource", call_sign)
    return int(found)


def report_position(session: Session, actor: Actor, call_sign: str, lat: float, lon: float) -> Changes:
    """Where a unit is now, from its terminal (every few seconds while it moves).

    Telemetry, not a decision: the position is written without moving the resource's version (a
    supervisor's edit of its status is never made stale by its own movement) and without an audit
    event, but through the permission check and the change feed like every other write.
    """
    point = Coordinate(lat, lon)  # refuses impossible values with the reason
    with transaction(session, actor, Action.CHANGE_RESOURCE_STATUS):
        resource_id = resource_id_of(session, call_sign)
        session.execute(
            update(Resource)
            .where(Resource.id == resource_id)
            .values(lat=point.lat, lon=point.lon)
            .execution_options(synchronize_session=False)
        )
        changes = Changes.of(resource=resource_id)
        announce(session, actor, changes)
    return changes


def active_deployment_id(session: Session, resource_id: int) -> int | None:
    """The deployment the resource is on now, if any (read in the caller's session)."""
    deployment = _active_deployment(session, resource_id)
    return deployment.id if deployment is not None else None
