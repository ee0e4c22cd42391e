"""Codes and call signs must each name one thing only."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from supervisor_app.pack.problems import PackProblem
from supervisor_app.pack.schema.base import PackModel
from supervisor_app.pack.schema.communication import (
    ChannelsFile,
    CodesFile,
    ExternalOrganisationsFile,
)
from supervisor_app.pack.schema.escalation import EscalationFile
from supervisor_app.pack.schema.places import SectorsFile, StationsFile
from supervisor_app.pack.schema.procedures import PolicyChecksFile
from supervisor_app.pack.schema.response import (
    CapabilitiesFile,
    DispositionsFile,
    IncidentTypesFile,
    PrioritiesFile,
    ResourceTypesFile,
)
from supervisor_app.pack.sections import ValidSections
from supervisor_app.pack.yaml_source import format_key_path

CodeList = tuple[type[PackModel], str, list[str]]


def _code_lists(sections: ValidSections) -> Iterator[CodeList]:
    if (priorities := sections.get(PrioritiesFile)) is not None:
        yield PrioritiesFile, "priorities", [p.code for p in priorities.priorities]
    if (capabilities := sections.get(CapabilitiesFile)) is not None:
        yield CapabilitiesFile, "capabilities", [c.code for c in capabilities.capabilities]
    if (resource_types := sections.get(ResourceTypesFile)) is not None:
        yield ResourceTypesFile, "resource_types", [r.code for r in resource_types.resource_types]
    if (incident_types := sections.get(IncidentTypesFile)) is not None:
        yield IncidentTypesFile, "incident_types", [t.code for t in incident_types.incident_types]
    if (sectors := sections.get(SectorsFile)) is not None:
        yield SectorsFile, "sectors", [s.code for s in sectors.sectors]
    if (stations := sections.get(StationsFile)) is not None:
        yield StationsFile, "stations", [s.code for s in stations.stations]
    if (channels := sections.get(ChannelsFile)) is not None:
        yield ChannelsFile, "channels", [c.code for c in channels.channels]
    if (codes := sections.get(CodesFile)) is not None:
        yield CodesFile, "log_codes", [c.code for c in codes.log_codes]
    if (external := sections.get(ExternalOrganisationsFile)) is not None:
        yield (ExternalOrganisationsFile, "external_organisations",
               [o.code for o in external.external_organisations])
    if (escalation := sections.get(EscalationFile)) is not None:
        yield EscalationFile, "escalation_rules", [r.code for r in escalation.escalation_rules]
    if (policy_checks := sections.get(PolicyChecksFile)) is not None:
        yield PolicyChecksFile, "policy_checks", [c.code for c in policy_checks.policy_checks]
    if (dispositions := sections.get(DispositionsFile)) is not None:
        yield DispositionsFile, "dispositions", [d.code for d in dispositions.dispositions]


def _repeats(values: Sequence[str]) -> Iterator[tuple[int, int]]:
    """(index of a repeat, index of its first use) for each value used before."""
    first_use: dict[str, int] = {}
    for index, value in enumerate(values):
        if value in first_use:
            yield index, first_use[value]
        else:
            first_use[value] = index


def check_unique_codes(sections: ValidSections) -> list[PackProblem]:
    problems: list[PackProblem] = []
    for model_type, list_key, codes in _code_lists(sections):
        for index, first in _repeats(codes):
            first_path = format_key_path((list_key, first))
            problems.append(sections.problem(
                model_type, (list_key, index, "code"),
                f"the code {codes[index]!r} is already used by {first_path}; "
                "expected each code to be used once",
            ))
    return problems


def check_unique_call_signs(sections: ValidSections) -> list[PackProblem]:
    stations = sections.get(StationsFile)
    if stations is None:
        return []
    places: list[tuple[int, int]] = []
    call_signs: list[str] = []
    for station_index, station in enumerate(stations.stations):
        for resource_index, resource in enumerate(station.resources):
            places.append((station_index, resource_index))
            call_signs.append(resource.call_sign)
    problems: list[PackProblem] = []
    for index, first in _repeats(call_signs):
        station_index, resource_index = places[index]
        first_station, first_resource = places[first]
        first_path = format_key_path(("stations", first_station, "resources", first_resource))
        problems.append(sections.problem(
            StationsFile, ("stations", station_index, "resources", resource_index, "call_sign"),
            f"the call sign {call_signs[index]!r} is already used by {first_path} "
            f"(station {stations.stations[first_station].code}); expected each call sign once",
        ))
    return problems
