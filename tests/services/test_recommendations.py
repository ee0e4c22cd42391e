"""Recommending resources for an incident from the database as it stands."""

from __future__ import annotations

from supervisor_app.domain.people import Actor
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.deployments import DeploymentOrder, deploy_resources
from supervisor_app.services.recommendations import recommend_for_incident
from supervisor_app.services.resources import change_resource_status
from tests.services.conftest import Organisation, make_incident


def test_the_free_resources_of_the_type_are_ranked_by_road_and_explained(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    incident_id = make_incident(organisation, pack, supervisor)  # needs 1 x GAS_ENG
    with organisation.session() as session:
        change_resource_status(session, supervisor, organisation.resource_ids["G13"], "unavailable")
    with organisation.session() as session:
        found = recommend_for_incident(session, supervisor, incident_id, pack)
    assert [(need.resource_type, need.count) for need in found.missing] == [("GAS_ENG", 1)]
    line = found.recommendation.lines[0]
    ranked = [r.candidate.call_sign for r in line.ranked]
    assert "G13" not in ranked and ranked and set(ranked) <= {"G11", "G12"}
    assert all("by road" in r.explanation and "this shift" in r.explanation for r in line.ranked)
    assert line.excluded_count("unavailable") == 1
    assert [p.ranked.candidate.call_sign for p in found.recommendation.proposed] == [ranked[0]]
    assert found.recommendation.complete


def test_nothing_is_recommended_once_the_response_is_met(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    incident_id = make_incident(organisation, pack, supervisor)
    with organisation.session() as session:
        deploy_resources(session, supervisor, incident_id,
                         [DeploymentOrder(organisation.resource_ids["G11"], "mdt")], pack)
    with organisation.session() as session:
        found = recommend_for_incident(session, supervisor, incident_id, pack)
    assert found.missing == () and found.recommendation.lines == ()
