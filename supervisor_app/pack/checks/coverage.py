"""Every incident type's required response must be one the organisation's resources can give."""

from __future__ import annotations

from supervisor_app.pack.problems import PackProblem
from supervisor_app.pack.schema.places import StationsFile
from supervisor_app.pack.schema.response import (
    CapabilitiesFile,
    IncidentTypesFile,
    RequiredResource,
    ResourceTypesFile,
)
from supervisor_app.pack.sections import ValidSections


def check_required_responses_can_be_met(sections: ValidSections) -> list[PackProblem]:
    stations = sections.get(StationsFile)
    resource_types = sections.get(ResourceTypesFile)
    incident_types = sections.get(IncidentTypesFile)
    capabilities = sections.get(CapabilitiesFile)
    if stations is None or resource_types is None or incident_types is None or capabilities is None:
        return []
    defaults = {kind.code: frozenset(kind.default_capabilities) for kind in resource_types.resource_types}
    known_capabilities = {capability.code for capability in capabilities.capabilities}
    fleet: list[tuple[str, frozenset[str]]] = [
        (resource.type, defaults.get(resource.type, frozenset()) | frozenset(resource.capabilities))
        for station in stations.stations
        for resource in station.resources
    ]

    def able(need: RequiredResource) -> int:
        wanted = frozenset(need.capabilities)
        return sum(1 for kind, held in fleet if kind == need.resource_type and wanted <= held)

    problems: list[PackProblem] = []
    for i, incident in enumerate(incident_types.incident_types):
        for j, need in enumerate(incident.required_response):
            if need.resource_type not in defaults or not set(need.capabilities) <= known_capabilities:
                continue  # reported as an unknown reference
            found = able(need)
            if found < need.count:
                wanted = ", ".join(need.capabilities) or "no particular capability"
                problems.append(sections.problem(
                    IncidentTypesFile, ("incident_types", i, "required_response", j),
                    f"needs {need.count} x {need.resource_type} with {wanted}, but stations.yaml "
                    f"has {found}; expected enough such resources (add them, or lower the count)",
                ))
    return problems
