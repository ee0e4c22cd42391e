"""Target times and deadlines must come in a sensible order."""

from __future__ import annotations

from supervisor_app.pack.problems import PackProblem
from supervisor_app.pack.schema.organisation import PoliciesFile
from supervisor_app.pack.schema.response import IncidentTypesFile, PrioritiesFile, Targets
from supervisor_app.pack.sections import ValidSections

ORDER_RULE = "expected acknowledge < on_scene <= resolution"


def target_order_fault(targets: Targets) -> tuple[str, str] | None:
    """(key at fault, message) when the targets are out of order, else None."""
    if targets.acknowledge >= targets.on_scene:
        return "on_scene", (
            f"on_scene ({targets.on_scene} s) must be later than acknowledge "
            f"({targets.acknowledge} s); {ORDER_RULE}"
        )
    if targets.on_scene > targets.resolution:
        return "resolution", (
            f"resolution ({targets.resolution} s) must not be earlier than on_scene "
            f"({targets.on_scene} s); {ORDER_RULE}"
        )
    return None


def check_target_order(sections: ValidSections) -> list[PackProblem]:
    problems: list[PackProblem] = []
    priorities = sections.get(PrioritiesFile)
    if priorities is None:
        return problems
    for index, priority in enumerate(priorities.priorities):
        fault = target_order_fault(priority.targets)
        if fault is not None:
            key, message = fault
            problems.append(sections.problem(
                PrioritiesFile, ("priorities", index, "targets", key), message))
    incident_types = sections.get(IncidentTypesFile)
    if incident_types is None:
        return problems
    by_code = {priority.code: priority for priority in priorities.priorities}
    for index, incident_type in enumerate(incident_types.incident_types):
        default_priority = by_code.get(incident_type.default_priority)
        overrides = incident_type.target_overrides
        if default_priority is None or overrides is None:
            continue
        fault = target_order_fault(incident_type.targets(default_priority))
        if fault is None:
            continue
        key, message = fault
        path: tuple[str | int, ...] = ("incident_types", index, "target_overrides")
        if getattr(overrides, key) is not None:
            path = (*path, key)
        problems.append(sections.problem(
            IncidentTypesFile, path,
            f"with priority {default_priority.code}'s targets, {message}"))
    return problems


def check_policy_deadlines(sections: ValidSections) -> list[PackProblem]:
    policies = sections.get(PoliciesFile)
    if policies is None:
        return []
    complaints = policies.complaints
    problems: list[PackProblem] = []
    if complaints.acknowledgement_days > complaints.response_days:
        problems.append(sections.problem(
            PoliciesFile, ("complaints", "acknowledgement_days"),
            f"acknowledgement_days ({complaints.acknowledgement_days}) is later than "
            f"response_days ({complaints.response_days}); expected a complaint to be "
            "acknowledged before it is answered",
        ))
    if complaints.response_days > complaints.statutory_response_days:
        problems.append(sections.problem(
            PoliciesFile, ("complaints", "response_days"),
            f"response_days ({complaints.response_days}) is later than the statutory limit "
            f"({complaints.statutory_response_days}); expected the organisation's own target "
            "to be within the statutory one",
        ))
    return problems
