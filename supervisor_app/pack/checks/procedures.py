"""Every incident type has exactly one procedure, and every procedure is valid.

Each procedure is validated by the domain's ``validate_procedure`` against the codes the pack
defines; its problems are reported at their line in the procedure's file, with the route from the
start to the fault. On top of that, each outcome's priority must keep its incident type's target
overrides in order, and its required response must be one the fleet can give.
"""

from __future__ import annotations

from supervisor_app.domain.procedures import KnownCodes, validate_procedure
from supervisor_app.pack.checks.coverage import Fleet
from supervisor_app.pack.checks.known_codes import unknown_code_message
from supervisor_app.pack.checks.targets import target_order_fault
from supervisor_app.pack.problems import PackProblem
from supervisor_app.pack.procedures import to_procedure
from supervisor_app.pack.schema.communication import CodesFile, ExternalOrganisationsFile
from supervisor_app.pack.schema.procedures import PolicyChecksFile
from supervisor_app.pack.schema.response import (
    CapabilitiesFile,
    IncidentType,
    IncidentTypesFile,
    PrioritiesFile,
    Priority,
    ResourceTypesFile,
)
from supervisor_app.pack.sections import PROCEDURES_DIRECTORY, ProcedureSource, ValidSections


def known_codes(sections: ValidSections) -> KnownCodes:
    """The codes the pack defines, each None when its file did not pass its schema."""
    priorities = sections.get(PrioritiesFile)
    resource_types = sections.get(ResourceTypesFile)
    capabilities = sections.get(CapabilitiesFile)
    codes = sections.get(CodesFile)
    checks = sections.get(PolicyChecksFile)
    external = sections.get(ExternalOrganisationsFile)
    return KnownCodes(
        priorities=None if priorities is None else frozenset(p.code for p in priorities.priorities),
        resource_types=None if resource_types is None else frozenset(r.code for r in resource_types.resource_types),
        capabilities=None if capabilities is None else frozenset(c.code for c in capabilities.capabilities),
        log_codes=None if codes is None else frozenset(c.code for c in codes.log_codes),
        checks=None if checks is None else frozenset(c.code for c in checks.policy_checks),
        external_organisations=None
        if external is None
        else {o.code: frozenset(o.may_request) for o in external.external_organisations},
    )


def _incident_types(sections: ValidSections) -> dict[str, IncidentType] | None:
    """The incident types by code; None when their file is invalid or repeats a code (reported)."""
    incident_types = sections.get(IncidentTypesFile)
    if incident_types is None:
        return None
    by_code = {t.code: t for t in incident_types.incident_types}
    return by_code if len(by_code) == len(incident_types.incident_types) else None


def _check_outcomes(
    source: ProcedureSource,
    incident_type: IncidentType | None,
    priorities: dict[str, Priority] | None,
    fleet: Fleet | None,
) -> list[PackProblem]:
    problems: list[PackProblem] = []
    default = None if priorities is None or incident_type is None else priorities.get(incident_type.default_priority)
    # Overrides already out of order at the type's default priority are reported in incident_types.yaml.
    overrides_sound = (
        incident_type is not None and default is not None and target_order_fault(incident_type.targets(default)) is None
    )
    for outcome_id, outcome in source.model.outcomes.items():
        base = ("outcomes", outcome_id)
        priority = None if priorities is None else priorities.get(outcome.priority)
        if (
            priority is not None
            and incident_type is not None
            and incident_type.target_overrides is not None
            and overrides_sound
        ):
            fault = target_order_fault(incident_type.targets(priority))
            if fault is not None:
                problems.append(
                    source.problem(
                        (*base, "priority"),
                        f"with priority {priority.code}'s targets and the target_overrides of {incident_type.code} "
                        f"in incident_types.yaml, {fault[1]}",
                    )
                )
        if fleet is None:
            continue
        for index, need in enumerate(outcome.response):
            shortfall = fleet.shortfall(need.resource_type, need.count, need.capabilities)
            if shortfall is not None:
                problems.append(source.problem((*base, "response", index), shortfall))
    return problems


def check_procedures(sections: ValidSections) -> list[PackProblem]:
    known = known_codes(sections)
    checks_file = sections.get(PolicyChecksFile)
    checks = {} if checks_file is None else {check.code: check for check in checks_file.policy_checks}
    incident_types = _incident_types(sections)
    priorities_file = sections.get(PrioritiesFile)
    priorities = None if priorities_file is None else {p.code: p for p in priorities_file.priorities}
    fleet = Fleet.of(sections)
    problems: list[PackProblem] = []
    first_file: dict[str, str] = {}
    for source in sections.procedures:
        code = source.model.incident_type
        if incident_types is not None and code not in incident_types:
            problems.append(
                source.problem(
                    ("incident_type",),
                    unknown_code_message("incident type", code, incident_types, "incident_types.yaml"),
                )
            )
        elif code in first_file:
            problems.append(
                source.problem(
                    ("incident_type",),
                    (
                        f"{code} already has a procedure in {first_file[code]}; expected exactly one procedure "
                        "per incident type"
                    ),
                )
            )
        else:
            first_file[code] = source.file_name
        procedure = to_procedure(source.model, checks)
        for problem in validate_procedure(procedure, known):
            problems.append(source.problem(problem.key, str(problem)))
        incident_type = None if incident_types is None else incident_types.get(code)
        problems.extend(_check_outcomes(source, incident_type, priorities, fleet))
    incident_types_file = sections.get(IncidentTypesFile)
    if sections.procedures_complete and incident_types is not None and incident_types_file is not None:
        for index, incident_type in enumerate(incident_types_file.incident_types):
            if incident_type.code not in first_file:
                problems.append(
                    sections.problem(
                        IncidentTypesFile,
                        ("incident_types", index, "code"),
                        (
                            f"{incident_type.code} has no procedure; expected a file in {PROCEDURES_DIRECTORY}/ "
                            f"(such as {PROCEDURES_DIRECTORY}/{incident_type.code.lower()}.yaml) with incident_type: "
                            f"{incident_type.code}"
                        ),
                    )
                )
    return problems
