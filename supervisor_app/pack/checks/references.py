"""Every code one file uses must be defined in the file that owns it."""

from __future__ import annotations

from collections.abc import Sequence

from supervisor_app.pack.checks.known_codes import unknown_code_message
from supervisor_app.pack.problems import PackProblem
from supervisor_app.pack.schema.base import PackModel
from supervisor_app.pack.schema.communication import ChannelsFile, CodesFile, ExternalOrganisationsFile
from supervisor_app.pack.schema.escalation import DUTY_MANAGER, EscalationFile
from supervisor_app.pack.schema.organisation import PoliciesFile
from supervisor_app.pack.schema.places import SectorsFile, StationsFile
from supervisor_app.pack.schema.procedures import PolicyChecksFile
from supervisor_app.pack.schema.response import (
    CapabilitiesFile,
    IncidentTypesFile,
    PrioritiesFile,
    ResourceTypesFile,
)
from supervisor_app.pack.sections import ValidSections

PathKey = tuple[str | int, ...]


class _Reference:
    """The codes of one kind that a pack defines, or None when their file did not validate."""

    def __init__(self, what: str, defined_in: str, codes: Sequence[str] | None) -> None:
        self.what = what
        self.defined_in = defined_in
        self.codes = None if codes is None else frozenset(codes)


class _ReferenceChecker:
    def __init__(self, sections: ValidSections) -> None:
        self.sections = sections
        self.problems: list[PackProblem] = []

    def expect(self, reference: _Reference, model_type: type[PackModel], path: PathKey,
               value: str, extra: Sequence[str] = ()) -> None:
        if reference.codes is None or value in reference.codes or value in extra:
            return
        known = sorted(reference.codes | set(extra))
        self.problems.append(self.sections.problem(
            model_type, path,
            unknown_code_message(reference.what, value, known, reference.defined_in)))


def check_references(sections: ValidSections) -> list[PackProblem]:
    capabilities_file = sections.get(CapabilitiesFile)
    resource_types_file = sections.get(ResourceTypesFile)
    priorities_file = sections.get(PrioritiesFile)
    sectors_file = sections.get(SectorsFile)
    channels_file = sections.get(ChannelsFile)
    external_file = sections.get(ExternalOrganisationsFile)
    incident_types_file = sections.get(IncidentTypesFile)
    codes_file = sections.get(CodesFile)

    capability = _Reference("capability", "capabilities.yaml", None if capabilities_file is None
                            else [c.code for c in capabilities_file.capabilities])
    resource_type = _Reference("resource type", "resource_types.yaml",
                               None if resource_types_file is None
                               else [r.code for r in resource_types_file.resource_types])
    priority = _Reference("priority", "priorities.yaml", None if priorities_file is None
                          else [p.code for p in priorities_file.priorities])
    sector = _Reference("sector", "sectors.yaml", None if sectors_file is None
                        else [s.code for s in sectors_file.sectors])
    channel = _Reference("channel", "channels.yaml", None if channels_file is None
                         else [c.code for c in channels_file.channels])
    external = _Reference("escalation target", f"external_organisations.yaml (or {DUTY_MANAGER})",
                          None if external_file is None
                          else [o.code for o in external_file.external_organisations])
    incident_type = _Reference("incident type", "incident_types.yaml",
                               None if incident_types_file is None
                               else [t.code for t in incident_types_file.incident_types])
    log_code = _Reference("log code", "codes.yaml", None if codes_file is None
                          else [c.code for c in codes_file.log_codes])

    checker = _ReferenceChecker(sections)
    if resource_types_file is not None:
        for i, kind in enumerate(resource_types_file.resource_types):
            for j, code in enumerate(kind.default_capabilities):
                checker.expect(capability, ResourceTypesFile,
                               ("resource_types", i, "default_capabilities", j), code)
    if incident_types_file is not None:
        for i, incident in enumerate(incident_types_file.incident_types):
            checker.expect(priority, IncidentTypesFile,
                           ("incident_types", i, "default_priority"), incident.default_priority)
            for j, need in enumerate(incident.required_response):
                need_path: PathKey = ("incident_types", i, "required_response", j)
                checker.expect(resource_type, IncidentTypesFile, (*need_path, "resource_type"),
                               need.resource_type)
                for k, code in enumerate(need.capabilities):
                    checker.expect(capability, IncidentTypesFile,
                                   (*need_path, "capabilities", k), code)
    if (stations_file := sections.get(StationsFile)) is not None:
        for i, station in enumerate(stations_file.stations):
            checker.expect(sector, StationsFile, ("stations", i, "sector"), station.sector)
            for j, resource in enumerate(station.resources):
                resource_path: PathKey = ("stations", i, "resources", j)
                checker.expect(resource_type, StationsFile, (*resource_path, "type"),
                               resource.type)
                for k, code in enumerate(resource.capabilities):
                    checker.expect(capability, StationsFile,
                                   (*resource_path, "capabilities", k), code)
    if external_file is not None:
        for i, organisation in enumerate(external_file.external_organisations):
            for j, code in enumerate(organisation.channels):
                checker.expect(channel, ExternalOrganisationsFile,
                               ("external_organisations", i, "channels", j), code)
    if (policies_file := sections.get(PoliciesFile)) is not None:
        for j, code in enumerate(policies_file.duty_manager.channels):
            checker.expect(channel, PoliciesFile, ("duty_manager", "channels", j), code)
    if (escalation_file := sections.get(EscalationFile)) is not None:
        for i, rule in enumerate(escalation_file.escalation_rules):
            rule_path: PathKey = ("escalation_rules", i)
            for j, code in enumerate(rule.conditions.priorities):
                checker.expect(priority, EscalationFile,
                               (*rule_path, "conditions", "priorities", j), code)
            for j, code in enumerate(rule.conditions.incident_types):
                checker.expect(incident_type, EscalationFile,
                               (*rule_path, "conditions", "incident_types", j), code)
            checker.expect(external, EscalationFile, (*rule_path, "target"), rule.target,
                           extra=(DUTY_MANAGER,))
    if (policy_checks_file := sections.get(PolicyChecksFile)) is not None:
        for i, check in enumerate(policy_checks_file.policy_checks):
            checker.expect(log_code, PolicyChecksFile, ("policy_checks", i, "log_code"), check.log_code)
    return checker.problems
