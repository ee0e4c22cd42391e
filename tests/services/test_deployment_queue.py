"""The deployment queue: what still needs resources, most urgent first, with what is missing."""

from __future__ import annotations

from dataclasses import replace

from supervisor_app.domain.incidents import ResponseRequirement
from supervisor_app.domain.people import Actor
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.deployment_queue import load_deployment_queue
from supervisor_app.services.deployments import DeploymentOrder, deploy_resources
from supervisor_app.services.incidents import create_incident
from tests.services.conftest import Organisation, new_incident


def test_the_queue_orders_by_priority_then_target_and_drops_what_is_met(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    two_engineers = (ResponseRequirement("GAS_ENG", 2), ResponseRequirement("WATER_CREW", 1))
    with organisation.session() as session:
        low = create_incident(session, supervisor, replace(new_incident(pack, "Low"), priority="P3"), pack)
    with organisation.session() as session:
        high = create_incident(session, supervisor, replace(
            new_incident(pack, "High"), priority="P1", required_response=two_engineers), pack)
    with organisation.session() as session:
        queue = load_deployment_queue(session, supervisor, pack)
    assert [row.reference for row in queue.rows] == [high.reference, low.reference]
    assert queue.rows[0].missing_text() == "2 \u00d7 GAS_ENG; 1 \u00d7 WATER_CREW"
    assert queue.rows[0].on_scene_due > queue.read_at - queue.rows[0].on_scene_target
    with organisation.session() as session:
        deploy_resources(session, supervisor, high.incident_id,
                         [DeploymentOrder(organisation.resource_ids["G11"], "mdt"),
                          DeploymentOrder(organisation.resource_ids["W11"], "voice_radio")], pack)
    with organisation.session() as session:
        queue = load_deployment_queue(session, supervisor, pack)
    first = queue.rows[0]
    assert first.reference == high.reference and first.missing_text() == "1 \u00d7 GAS_ENG"
    assert {unit.call_sign for unit in first.deployed} == {"G11", "W11"}
    with organisation.session() as session:
        deploy_resources(session, supervisor, high.incident_id,
                         [DeploymentOrder(organisation.resource_ids["G12"], "mdt")], pack)
    with organisation.session() as session:
        queue = load_deployment_queue(session, supervisor, pack)
    assert [row.reference for row in queue.rows] == [low.reference]
