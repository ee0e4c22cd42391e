"""Every incident type's required response must be one the organisation's resources can give."""

from __future__ import annotations

from collections.abc import Collection

from supervisor_app.pack.problems import PackProblem
from supervisor_app.pack.schema.places import StationsFile
from supervisor_app.pack.schema.response import (
    CapabilitiesFile,
    IncidentTypesFile,
    ResourceTypesFile,
)
from supervisor_app.pack.sections import ValidSections


class Fleet:
    """Every resource of every station as (resource type, all its capabilities)."""

    def __init__(self, resource_types: ResourceTypesFile, stations: StationsFile,
                 capabilities: CapabilitiesFile) -> None:
        self.defaults = {kind.code: frozenset(kind.default_capabilities) for kind in resource_types.resource_types}
        self.known_capabilities = frozenset(capability.code for capability in capabilities.capabilities)
        self.resources: list[tuple[str, frozenset[str]]] = [
            (resource.type, self.defaults.get(resource.type, frozenset()) | frozenset(resource.capabilities))
            for station in stations.stations
            for resource in station.resources
        ]

    @classmethod
    def of(cls, sections: ValidSections) -> Fleet | None:
        """The fleet, or None when a file it is built from did not pass its schema."""
        stations = sections.get(StationsFile)
        resource_types = sections.get(ResourceTypesFile)
        capabilities = sections.get(CapabilitiesFile)
        if stations is None or resource_types is None or capabilities is None:
            return None
        return cls(resource_types, stations, capabilities)

    def shortfall(self, resource_type: str, count: int, capabilities: Collection[str]) -> str | None:
        """Why ``count`` resources of ``resource_type`` with ``capabilities`` cannot be found, or None.

        Also None for an unknown resource type or capability: that is reported as an unknown code.
        """
        wanted = frozenset(capabilities)
        if resource_type not in self.defaults or not wanted <= self.known_capabilities:
            return None
        found = sum(1 for kind, held in self.resources if kind == resource_type and wanted <= held)
        if found >= count:
            return None
        listed = ", ".join(capabilities) or "no particular capability"
        return (f"needs {count} x {resource_type} with {listed}, but stations.yaml has {found}; expected "
                "enough such resources (add them, or lower the count)")


def check_required_responses_can_be_met(sections: ValidSections) -> list[PackProblem]:
    fleet = Fleet.of(sections)
    incident_types = sections.get(IncidentTypesFile)
    if fleet is None or incident_types is None:
        return []
    problems: list[PackProblem] = []
    for i, incident in enumerate(incident_types.incident_types):
        for j, need in enumerate(incident.required_response):
            shortfall = fleet.shortfall(need.resource_type, need.count, need.capabilities)
            if shortfall is not None:
                problems.append(sections.problem(
                    IncidentTypesFile, ("incident_types", i, "required_response", j), shortfall))
    return problems
