"""The incident in full: its record, timeline, work, checks and what the rules make of them now."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from supervisor_app.domain.clocks import ClockState, TargetKind
from supervisor_app.domain.people import Actor
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.alerts import acknowledge_alert
from supervisor_app.services.deployments import DeploymentOrder, deploy_resources
from supervisor_app.services.errors import NotFound
from supervisor_app.services.escalations import escalate_incident
from supervisor_app.services.external_requests import request_external
from supervisor_app.services.incident_detail import IncidentDetail, escalation_rule_specs, load_incident_detail
from supervisor_app.services.intake import save_assessed_incident
from supervisor_app.services.resources import change_resource_status
from supervisor_app.store.models import IncidentLink
from tests.services.conftest import Organisation, backdate, make_incident
from tests.services.test_intake import intake_for


def _detail(org: Organisation, actor: Actor, incident_id: int, pack: OrganisationPack) -> IncidentDetail:
    with org.session() as session:
        return load_incident_detail(session, actor, incident_id, pack)


def _assessed_lift_incident_with_work(org: Organisation, pack: OrganisationPack, actor: Actor) -> tuple[int, int]:
    """A child trapped in a lift (the procedure asks for the duty manager), a resource en route, the
    police asked, the duty manager told, and another incident linked to it. (incident id, other id)"""
    with org.session() as session:
        incident_id = save_assessed_incident(
            session, actor, intake_for(pack, "LIFT_ENTRAPMENT", "vulnerable_trapped"), pack).incident_id
    with org.session() as session:
        deploy_resources(session, actor, incident_id, [DeploymentOrder(org.resource_ids["G11"], "voice_radio")], pack)
    with org.session() as session:
        change_resource_status(session, actor, org.resource_ids["G11"], "en_route")
    with org.session() as session:
        request_external(session, actor, incident_id, organisation="HELSINKI_POLICE", request="attend_scene",
                         channel="voice_phone", reason="Crowd gathering in the lobby", pack=pack)
    with org.session() as session:
        escalate_incident(session, actor, incident_id, target="duty_manager", reason="Child trapped; procedure asks",
                          channel="voice_phone", pack=pack)
    other = make_incident(org, pack, actor)
    with org.session() as session, session.begin():
        session.add(IncidentLink(incident_id=other, linked_incident_id=incident_id, reason="Same lift, second caller",
                                 created_at=datetime.now(UTC), created_by=actor.username, desk=actor.desk))
    return incident_id, other


def test_the_detail_gathers_the_record_timeline_work_and_checks(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    incident_id, other = _assessed_lift_incident_with_work(organisation, pack, supervisor)
    detail = _detail(organisation, supervisor, incident_id, pack)
    record = detail.incident
    assert (record.type_name, record.priority, record.priority_name, record.status, record.sector) == (
        "Person trapped in a lift", "P1", "Emergency - danger to life or property", "resource_assigned",
        "Kluuvi city centre")
    assert (record.address, record.contact_name, record.validity, record.disposition_name, record.version) == (
        "Urho Kekkosen katu 1, Helsinki", "Aino Virtanen", "valid", "", 2)
    assert [(need.resource_type, need.count) for need in record.required_response] == [("LIFT_ENG", 1)]
    assert [entry.code for entry in detail.timeline] == [
        "REF", "CALLER", "ANS", "ANS", "HAZARD", "VULN", "ASSESS", "ADVICE", "CHECK", "DEPLOY", "ENRT", "XREQ", "ESC"]
    assert (detail.timeline[0].label, detail.timeline[-1].label) == ("Referral received", "Escalated")
    assert [(d.call_sign, d.resource_type, d.channel, d.status) for d in detail.deployments] == [
        ("G11", "GAS_ENG", "voice_radio", "en_route")]
    assert detail.deployments[0].en_route_at is not None and detail.deployments[0].on_scene_at is None
    assert [(m.about, m.channel, m.recipient, m.status) for m in detail.messages] == [
        ("G11", "voice_radio", "G11", "passed"),
        ("external request", "voice_phone", "+358 295 470 011", "passed"),
        ("escalation", "voice_phone", "+358 9 310 10100", "passed"),
    ]
    assert [r.describe() for r in detail.external_requests] == [
        "Helsinki Police Department: attend scene by voice phone, waiting for an answer"]
    assert [(e.target, e.target_name, e.rule_code, e.status.value) for e in detail.escalations] == [
        ("duty_manager", "Duty manager (on call)", None, "requested")]
    assert [(link.incident_id, link.reason, link.linked_from_here) for link in detail.links] == [
        (other, "Same lift, second caller", False)]
    assert detail.assessment is not None
    assert detail.assessment.questions[1].question == "Is someone inside the lift car right now?"
    assert [q.answer for q in detail.assessment.questions[1:]] == ["Yes", "Yes", "No", "Yes"]
    assert (detail.assessment.outcome, detail.assessment.overridden) == (
        "Child or vulnerable person trapped in a lift", False)
    # G11 answered by going en route; the other clocks still run.
    assert [(c.kind, c.call_sign, c.state(detail.read_at)) for c in detail.clocks] == [
        (TargetKind.ACKNOWLEDGE, "G11", ClockState.MET),
        (TargetKind.ON_SCENE, None, ClockState.RUNNING),
        (TargetKind.UPDATE, None, ClockState.RUNNING),
        (TargetKind.RESOLUTION, None, ClockState.RUNNING),
    ]
    assert detail.alerts == () and detail.escalation_proposals == ()
    steps = {step.code: (step.required, step.done, step.detail) for step in detail.decision_path.steps}
    assert steps["escalation"] == (True, True, "made to the duty manager")
    assert steps["questions"][1] and "replayed against procedure version" in steps["questions"][2]
    assert detail.decision_path.followed


def test_the_link_reads_the_other_way_from_the_linking_incident(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    incident_id, other = _assessed_lift_incident_with_work(organisation, pack, supervisor)
    detail = _detail(organisation, supervisor, other, pack)
    assert [(link.incident_id, link.linked_from_here) for link in detail.links] == [(incident_id, True)]
    # Recorded without an assessment: the one step of the check says so.
    assert [(s.code, s.required, s.done) for s in detail.decision_path.steps] == [("assessment", True, False)]


def test_a_late_incident_shows_its_alerts_with_acknowledgements_and_the_rules_that_apply(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    incident_id = make_incident(organisation, pack, supervisor)  # a gas escape, P1: on scene within 60 min
    backdate(organisation, incident_id, timedelta(minutes=75))
    detail = _detail(organisation, supervisor, incident_id, pack)
    assert [(view.alert.key, view.acknowledged) for view in detail.alerts] == [
        (f"{incident_id}/-/on_scene/breach", None)]
    assert [p.rule_code for p in detail.escalation_proposals] == ["P1_NO_RESOURCE", "P1_TARGET_MISSED",
                                                                   "GAS_NO_ENGINEER"]
    with organisation.session() as session:
        acknowledge_alert(session, supervisor, incident_id, f"{incident_id}/-/on_scene/breach", "", pack)
    with organisation.session() as session:
        escalate_incident(session, supervisor, incident_id, target="duty_manager", channel="voice_phone",
                          reason=detail.escalation_proposals[0].reason, rule_code="P1_NO_RESOURCE", pack=pack)
    again = _detail(organisation, supervisor, incident_id, pack)
    acknowledged = again.alerts[0].acknowledged
    assert acknowledged is not None and (acknowledged.acknowledged_by, acknowledged.desk) == ("sup.one", "desk-1")
    assert [p.rule_code for p in again.escalation_proposals] == ["P1_TARGET_MISSED", "GAS_NO_ENGINEER"]
    assert [entry.code for entry in again.timeline] == ["REF", "LATE", "ESC"]


def test_the_pack_rules_are_read_as_the_domain_expects(pack: OrganisationPack) -> None:
    specs = escalation_rule_specs(pack)
    assert [spec.code for spec in specs] == [rule.code for rule in pack.escalation_rules]
    first = specs[0]
    assert (first.target, first.priorities, first.incident_types, first.minutes_without_resource,
            first.minutes_past_target) == ("duty_manager", frozenset({"P1"}), frozenset(), 10, None)


def test_an_unknown_incident_is_not_found(organisation: Organisation, pack: OrganisationPack,
                                          supervisor: Actor) -> None:
    with pytest.raises(NotFound):
        _detail(organisation, supervisor, 999_999, pack)
