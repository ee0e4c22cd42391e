"""Recommend resources for an incident: what is still missing, and who can go now, soonest first.

The candidates are every resource as the database holds it now (status, last known position or
its station, jobs since the shift began, when its shift ends); the ranking itself is the pure
``domain.recommendation.recommend`` over the pack's street network, or straight-line estimates
where the pack has none.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from supervisor_app.domain.deployments import outstanding_response
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.incidents import ResponseRequirement
from supervisor_app.domain.people import Action, Actor
from supervisor_app.domain.recommendation import Candidate, Recommendation, recommend
from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.domain.shifts import resource_shift_end, shift_for
from supervisor_app.domain.street_network import StraightLine
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.deployment_queue import deployed_on, requirements_of
from supervisor_app.services.errors import NotFound
from supervisor_app.services.unit_of_work import database_now, transaction
from supervisor_app.store.models import Deployment, Incident, Resource, Station


@dataclass(frozen=True)
class IncidentRecommendation:
    incident_id: int
    reference: str
    point: Coordinate
    missing: tuple[ResponseRequirement, ...]
    recommendation: Recommendation
    computed_at: datetime


def _candidates(session: Session, pack: OrganisationPack, now: datetime) -> list[Candidate]:
    zone = ZoneInfo(pack.timezone)
    local = now.astimezone(zone)
    _, shift_started = shift_for(local)
    jobs = dict(
        session.execute(
            select(Deployment.resource_id, func.count())
            .where(Deployment.requested_at >= shift_started)
            .group_by(Deployment.resource_id)
        ).all()
    )
    in_pack = {resource.call_sign: resource for resource in pack.all_resources()}
    rows = session.execute(
        select(Resource, Station.lat, Station.lon).join(Station, Station.id == Resource.station_id)
    ).all()
    candidates = []
    for resource, station_lat, station_lon in rows:
        known = in_pack.get(resource.call_sign)
        lat, lon = (
            (resource.lat, resource.lon)
            if resource.lat is not None and resource.lon is not None
            else (station_lat, station_lon)
        )
        candidates.append(
            Candidate(
                resource_id=resource.id,
                call_sign=resource.call_sign,
                resource_type=resource.resource_type,
                capabilities=known.capabilities if known is not None else frozenset(resource.capabilities or []),
                status=ResourceStatus(resource.status),
                position=Coordinate(lat, lon),
                shift_ends_at=resource_shift_end(resource.shift_pattern, local),
                jobs_this_shift=int(jobs.get(resource.id, 0)),
            )
        )
    return candidates


def recommend_for_incident(
    session: Session, actor: Actor, incident_id: int, pack: OrganisationPack, *, per_line: int = 5
) -> IncidentRecommendation:
    """The resources to send to ``incident_id`` for what its response still lacks."""
    estimator = pack.street_network() or StraightLine()
    with transaction(session, actor, Action.VIEW_INCIDENTS):
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound("Incident", incident_id)
        now = database_now(session)
        units = deployed_on(session, pack, [incident_id])[incident_id]
        missing = outstanding_response(
            requirements_of(incident.required_response), [(unit.resource_type, unit.capabilities) for unit in units]
        )
        point = Coordinate(incident.lat, incident.lon)
        candidates = _candidates(session, pack, now)
        reference = incident.reference
    result = recommend(missing, candidates, point, now=now, estimator=estimator, per_line=per_line)
    return IncidentRecommendation(incident_id, reference, point, missing, result, now)
