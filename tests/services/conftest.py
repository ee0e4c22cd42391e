"""A small organisation in a fresh database for service tests, and actors for every role."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.incidents import IncidentLocation, NewIncident, ReferralSource, ResponseRequirement
from supervisor_app.domain.people import Actor, Role
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.incidents import create_incident
from supervisor_app.services.resources import assign_resource, change_resource_status
from supervisor_app.store.engine import writer
from supervisor_app.store.models import (
    AlertAcknowledgement,
    AuditEvent,
    Deployment,
    Escalation,
    ExternalRequest,
    Incident,
    IncidentLink,
    LogEntry,
    Message,
    Referral,
    Resource,
    Station,
)

TABLES_WRITTEN_BY_SERVICES = (
    Incident, LogEntry, Resource, Deployment, AuditEvent, IncidentLink, Referral, Message, ExternalRequest, Escalation,
    AlertAcknowledgement,
)


@dataclass(frozen=True)
class Organisation:
    engine: Engine
    station_id: int
    resource_ids: dict[str, int]

    def session(self) -> Session:
        return Session(writer(self.engine), expire_on_commit=False)


@pytest.fixture
def organisation(engine: Engine, pack: OrganisationPack) -> Organisation:
    """One station from the demo pack with its resources, all available."""
    return build_organisation(engine, pack)


def build_organisation(engine: Engine, pack: OrganisationPack) -> Organisation:
    """The first station of the demo pack and its resources, all available, in ``engine``'s database."""
    station_model, *_ = pack.stations
    with Session(engine) as session, session.begin():
        station = Station(
            code=station_model.code,
            name=station_model.name,
            address=station_model.address,
            sector_code=station_model.sector,
            lat=station_model.lat,
            lon=station_model.lon,
        )
        session.add(station)
        session.flush()
        ids = {}
        for resource_model in station_model.resources:
            resource = Resource(
                call_sign=resource_model.call_sign,
                resource_type=resource_model.type,
                capabilities=list(resource_model.capabilities),
                station_id=station.id,
                lat=station_model.lat,
                lon=station_model.lon,
            )
            session.add(resource)
            session.flush()
            ids[resource.call_sign] = resource.id
        station_id = station.id
    return Organisation(engine, station_id, ids)


def new_incident(pack: OrganisationPack, summary: str = "Strong smell of gas in the stairwell") -> NewIncident:
    incident_type = pack.incident_types[0]
    station = pack.stations[0]
    return NewIncident(
        incident_type=incident_type.code,
        priority=incident_type.default_priority,
        location=IncidentLocation(Coordinate(station.lat + 0.001, station.lon + 0.001), "Testikatu 1, Helsinki"),
        source=ReferralSource.PHONE,
        summary=summary,
        required_response=(ResponseRequirement(station.resources[0].type, 1),),
    )


@pytest.fixture
def incident_id(organisation: Organisation, pack: OrganisationPack, supervisor: Actor) -> int:
    """An open incident recorded by the supervisor (a gas escape, P1, awaiting a resource)."""
    return make_incident(organisation, pack, supervisor)


def make_incident(org: Organisation, pack: OrganisationPack, actor: Actor) -> int:
    with org.session() as session:
        return create_incident(session, actor, new_incident(pack), pack).incident_id


def stored_incident(org: Organisation, incident_id: int) -> Incident:
    """The incident's row as the database holds it now."""
    with Session(org.engine) as session:
        incident = session.get(Incident, incident_id)
        assert incident is not None
        return incident


def row_counts(engine: Engine) -> dict[str, int]:
    with Session(engine) as session:
        return {
            t.__tablename__: session.scalar(select(func.count()).select_from(t)) or 0
            for t in TABLES_WRITTEN_BY_SERVICES
        }


def actor_with(*roles: Role, name: str = "someone", desk: str = "desk-9") -> Actor:
    return Actor.of(name, roles, desk)


def deploy(org: Organisation, pack: OrganisationPack, actor: Actor, incident_id: int, call_sign: str,
           *moves: str) -> int:
    """Assign the resource to the incident by radio, then move it through ``moves`` (``"en_route"``,
    ``"on_scene"``, ...); the deployment's id."""
    resource_id = org.resource_ids[call_sign]
    with org.session() as session:
        assigned = assign_resource(session, actor, incident_id, resource_id, pack, channel="voice_radio")
    for status in moves:
        with org.session() as session:
            change_resource_status(session, actor, resource_id, status)
    return assigned.deployment_id


def backdate(org: Organisation, incident_id: int, by: timedelta) -> None:
    """Move the incident's creation and its deployments' requests ``by`` into the past, as if it had
    been received that long ago (the clocks then read as they would have)."""
    with org.session() as session, session.begin():
        incident = session.get(Incident, incident_id)
        assert incident is not None
        incident.created_at -= by
        for deployment in session.scalars(select(Deployment).where(Deployment.incident_id == incident_id)):
            deployment.requested_at -= by
