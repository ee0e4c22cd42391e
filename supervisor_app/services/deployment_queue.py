"""The deployment queue: open incidents still waiting for some of the resources they need.

Ordered by priority (the pack's order of priorities, most urgent first), then by the time left
before the on-scene target, soonest first. Each row says what is required, what is deployed and
what is still missing, so that the desk sees at a glance what to send.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.domain.deployments import ACTIVE_DEPLOYMENT_STATUSES, outstanding_response
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.incidents import IncidentStatus, ResponseRequirement
from supervisor_app.domain.people import Action, Actor
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.unit_of_work import database_now, transaction
from supervisor_app.store.models import Deployment, Incident, Resource

#: Incidents that can still be waiting for resources.
_WAITING = (
    IncidentStatus.NEW,
    IncidentStatus.AWAITING_RESOURCE,
    IncidentStatus.RESOURCE_ASSIGNED,
    IncidentStatus.IN_PROGRESS,
)


@dataclass(frozen=True)
class DeployedUnit:
    call_sign: str
    resource_type: str
    deployment_status: str
    capabilities: frozenset[str] = frozenset()


@dataclass(frozen=True)
class QueueRow:
    incident_id: int
    reference: str
    incident_type: str
    type_name: str
    priority: str
    priority_rank: int
    status: str
    address: str
    point: Coordinate
    summary: str
    created_at: datetime
    on_scene_due: datetime
    on_scene_target: timedelta
    required: tuple[ResponseRequirement, ...]
    deployed: tuple[DeployedUnit, ...]
    missing: tuple[ResponseRequirement, ...]
    version: int

    def missing_text(self) -> str:
        return "; ".join(
            f"{need.count} \u00d7 {need.resource_type}"
            + (f" ({', '.join(c.replace('_', ' ') for c in need.capabilities)})" if need.capabilities else "")
            for need in self.missing
        )


@dataclass(frozen=True)
class DeploymentQueue:
    rows: tuple[QueueRow, ...]
    read_at: datetime
    """The database clock when the queue was read: countdowns run from it, not from the desk's clock."""


def requirements_of(raw: list[dict[str, object]] | None) -> tuple[ResponseRequirement, ...]:
    result = []
    for line in raw or []:
        capabilities = line.get("capabilities") or []
        assert isinstance(capabilities, list)
        count = line.get("count", 1)
        result.append(
            ResponseRequirement(
                str(line["resource_type"]),
                int(count) if isinstance(count, int) else 1,
                tuple(str(c) for c in capabilities),
            )
        )
    return tuple(result)


def deployed_on(session: Session, pack: OrganisationPack, incident_ids: list[int]) -> dict[int, list[DeployedUnit]]:
    """The resources on each incident now, with every capability they have (the pack's resource
    with its type's defaults; the stored extras for a resource the pack no longer lists)."""
    deployed: dict[int, list[DeployedUnit]] = {incident_id: [] for incident_id in incident_ids}
    if not incident_ids:
        return deployed
    in_pack = {resource.call_sign: resource for resource in pack.all_resources()}
    rows = session.execute(
        select(
            Deployment.incident_id, Deployment.status, Resource.call_sign, Resource.resource_type, Resource.capabilities
        )
        .join(Resource, Resource.id == Deployment.resource_id)
        .where(
            Deployment.incident_id.in_(incident_ids),
            Deployment.status.in_([s.value for s in ACTIVE_DEPLOYMENT_STATUSES]),
        )
    ).all()
    for incident_id, status, call_sign, resource_type, held in rows:
        known = in_pack.get(call_sign)
        able = known.capabilities if known is not None else frozenset(held or [])
        deployed[incident_id].append(DeployedUnit(call_sign, resource_type, status, able))
    return deployed


def load_deployment_queue(session: Session, actor: Actor, pack: OrganisationPack) -> DeploymentQueue:
    """Every open incident with part of its required response still missing, most urgent first."""
    ranks = {priority.code: rank for rank, priority in enumerate(pack.priorities)}
    with transaction(session, actor, Action.VIEW_INCIDENTS):
        now = database_now(session)
        incidents = session.scalars(select(Incident).where(Incident.status.in_([s.value for s in _WAITING]))).all()
        deployed = deployed_on(session, pack, [incident.id for incident in incidents])
        queue = []
        for incident in incidents:
            required = requirements_of(incident.required_response)
            units = deployed[incident.id]
            missing = outstanding_response(required, [(unit.resource_type, unit.capabilities) for unit in units])
            if not missing:
                continue
            target = timedelta(seconds=pack.targets_for(incident.incident_type, incident.priority).on_scene)
            queue.append(
                QueueRow(
                    incident_id=incident.id,
                    reference=incident.reference,
                    incident_type=incident.incident_type,
                    type_name=pack.incident_type(incident.incident_type).name,
                    priority=incident.priority,
                    priority_rank=ranks.get(incident.priority, len(ranks)),
                    status=incident.status,
                    address=incident.address,
                    point=Coordinate(incident.lat, incident.lon),
                    summary=incident.summary,
                    created_at=incident.created_at,
                    on_scene_due=incident.created_at + target,
                    on_scene_target=target,
                    required=required,
                    deployed=tuple(units),
                    missing=missing,
                    version=incident.version,
                )
            )
    queue.sort(key=lambda row: (row.priority_rank, row.on_scene_due, row.incident_id))
    return DeploymentQueue(tuple(queue), now)
