"""Escalation proposals from the demo organisation's rules: which apply, since when, and why."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from supervisor_app.domain.clocks import DeploymentTimes, IncidentTimes, TargetTimes, incident_clocks
from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.escalation import EscalationProposal, EscalationRuleSpec, proposed_escalations
from supervisor_app.pack.organisation_pack import OrganisationPack

T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
P1 = TargetTimes.from_seconds(acknowledge=120, on_scene=3600, update_interval=1800, resolution=28800)
REFERENCE = "INC-20261203-0012"


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


@pytest.fixture(scope="module")
def rules(pack: OrganisationPack) -> tuple[EscalationRuleSpec, ...]:
    """The demo pack's rules, converted as the services convert them."""
    from supervisor_app.services.incident_detail import escalation_rule_specs

    return escalation_rule_specs(pack)


def gas_escape(*deployments: DeploymentTimes, status: str = "awaiting_resource", priority: str = "P1",
               last_update: float = 1, **changes: object) -> IncidentTimes:
    fields: dict[str, object] = {
        "incident_id": 12, "reference": REFERENCE, "incident_type": "GAS_ESCAPE_INTERNAL", "priority": priority,
        "status": status, "created_at": T0, "last_update_at": T0 + minutes(last_update), "deployments": deployments,
        **changes,
    }
    return IncidentTimes(**fields)  # type: ignore[arg-type]


def proposals(times: IncidentTimes, rules: tuple[EscalationRuleSpec, ...], at: float,
              already: tuple[str, ...] = ()) -> list[EscalationProposal]:
    return proposed_escalations(times, incident_clocks(times, P1), rules, T0 + minutes(at), already)


def test_an_emergency_without_a_resource_is_raised_to_the_duty_manager_and_the_network(
    rules: tuple[EscalationRuleSpec, ...],
) -> None:
    times = gas_escape()
    assert proposals(times, rules, 9.99) == []
    assert [p.rule_code for p in proposals(times, rules, 10)] == ["P1_NO_RESOURCE"]
    assert proposals(times, rules, 16.5) == [
        EscalationProposal(
            12, REFERENCE, "P1_NO_RESOURCE", "duty_manager",
            "An emergency has had no resource assigned for 10 minutes.", T0 + minutes(10),
            "P1 with no resource for 16 min (rule P1_NO_RESOURCE: An emergency has had no resource assigned for "
            "10 minutes.)",
        ),
        EscalationProposal(
            12, REFERENCE, "GAS_NO_ENGINEER", "GAS_NETWORK",
            "A gas escape has had no engineer assigned for 15 minutes; ask the network to act.", T0 + minutes(15),
            "GAS_ESCAPE_INTERNAL with no resource for 16 min (rule GAS_NO_ENGINEER: A gas escape has had no "
            "engineer assigned for 15 minutes; ask the network to act.)",
        ),
    ]
    assert [p.rule_code for p in proposals(times, rules, 16.5, already=("P1_NO_RESOURCE",))] == ["GAS_NO_ENGINEER"]


def test_a_cancelled_deployment_restarts_the_wait_and_a_cleared_one_ends_it(
    rules: tuple[EscalationRuleSpec, ...],
) -> None:
    stood_down = DeploymentTimes(3, "G11", "cancelled", T0 + minutes(2), acknowledged_at=T0 + minutes(3),
                                 cancelled_at=T0 + minutes(12))
    times = gas_escape(stood_down, last_update=12)
    assert proposals(times, rules, 11) == []  # G11 was deployed then
    assert proposals(times, rules, 21.9) == []
    [only] = proposals(times, rules, 25)
    assert (only.rule_code, only.applies_since) == ("P1_NO_RESOURCE", T0 + minutes(22))
    assert only.reason.startswith("P1 with no resource for 13 min (rule P1_NO_RESOURCE")
    cleared = DeploymentTimes(4, "G12", "cleared", T0 + minutes(2), acknowledged_at=T0 + minutes(3),
                              on_scene_at=T0 + minutes(20), cleared_at=T0 + minutes(24))
    assert proposals(gas_escape(cleared, status="in_progress", last_update=24), rules, 40) == []


def test_a_missed_target_is_raised_from_the_due_time_and_an_hour_late_for_any_priority(
    rules: tuple[EscalationRuleSpec, ...],
) -> None:
    waiting = DeploymentTimes(3, "G11", "requested", T0 + minutes(50))  # a resource, so not "without one"
    times = gas_escape(waiting, status="resource_assigned", last_update=50)
    assert proposals(times, rules, 52 - 1 / 60) == []
    [missed] = proposals(times, rules, 52)
    assert (missed.rule_code, missed.applies_since) == ("P1_TARGET_MISSED", T0 + minutes(52))
    assert missed.reason == ("P1 with acknowledgement by G11 0 min late (rule P1_TARGET_MISSED: An emergency has "
                             "missed any of its target times.)")
    later = [(p.rule_code, p.applies_since, p.reason.split(" (rule")[0]) for p in proposals(times, rules, 113)]
    assert later == [
        ("P1_TARGET_MISSED", T0 + minutes(52), "P1 with acknowledgement by G11 61 min late"),
        ("ANY_HOUR_LATE", T0 + minutes(112), "P1 with acknowledgement by G11 61 min late"),
    ]
    p3 = gas_escape(waiting, status="resource_assigned", priority="P3", last_update=50)
    assert [p.rule_code for p in proposals(p3, rules, 113)] == ["ANY_HOUR_LATE"]


def test_a_target_met_late_calls_for_no_escalation(rules: tuple[EscalationRuleSpec, ...]) -> None:
    arrived_late = DeploymentTimes(3, "G11", "on_scene", T0 + minutes(5), acknowledged_at=T0 + minutes(6),
                                   on_scene_at=T0 + minutes(70))
    times = gas_escape(arrived_late, status="in_progress", last_update=70)
    assert proposals(times, rules, 75) == []


def test_only_open_incidents_and_rules_of_their_type_are_proposed(rules: tuple[EscalationRuleSpec, ...]) -> None:
    assert proposals(gas_escape(status="resolved", last_update=30), rules, 30) == []
    assert proposals(gas_escape(status="cancelled", closed_at=T0 + minutes(1)), rules, 30) == []
    signals = gas_escape(incident_type="TRAFFIC_SIGNALS_FAULT", priority="P3", status="new", attendance_required=False)
    assert [(p.rule_code, p.target, p.applies_since, p.reason.split(" (rule")[0])
            for p in proposals(signals, rules, 0)] == [("SIGNALS_DOWN", "HELSINKI_POLICE", T0, "TRAFFIC_SIGNALS_FAULT")]
    advice_only = gas_escape(status="new", attendance_required=False, last_update=20)
    assert proposals(advice_only, rules, 20) == []


def test_a_rule_needs_a_condition() -> None:
    with pytest.raises(InvalidValue, match="at least one condition"):
        EscalationRuleSpec("EMPTY", "Nothing", "duty_manager")
