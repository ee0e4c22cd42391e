"""A loaded, valid organisation pack with lookups by code."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from supervisor_app.domain.geo import BoundingBox, Coordinate
from supervisor_app.domain.procedures import KnownCodes, Procedure
from supervisor_app.domain.street_network import StreetNetwork
from supervisor_app.pack.gazetteer import GAZETTEER_FILE_NAME, Place, load_gazetteer
from supervisor_app.pack.procedures import to_procedure
from supervisor_app.pack.schema.communication import (
    Channel,
    ChannelsFile,
    CodesFile,
    ExternalOrganisation,
    ExternalOrganisationsFile,
    LogCode,
    Messages,
    WordingFile,
)
from supervisor_app.pack.schema.escalation import EscalationFile, EscalationRule
from supervisor_app.pack.schema.organisation import OrganisationFile, PoliciesFile
from supervisor_app.pack.schema.places import Sector, SectorsFile, Station, StationsFile
from supervisor_app.pack.schema.procedures import PolicyCheck, PolicyChecksFile, ProcedureFile
from supervisor_app.pack.schema.response import (
    CapabilitiesFile,
    Capability,
    Disposition,
    DispositionsFile,
    IncidentType,
    IncidentTypesFile,
    PrioritiesFile,
    Priority,
    ResourceType,
    ResourceTypesFile,
    Targets,
)
from supervisor_app.pack.sections import ValidSections
from supervisor_app.pack.street_network import load_pack_street_network

Item = TypeVar("Item")


class UnknownCodeError(KeyError):
    """A lookup by a code the pack does not define."""

    def __init__(self, what: str, code: str, known: Iterable[str]) -> None:
        self.what = what
        self.code = code
        listed = ", ".join(sorted(known)) or "none"
        self.message = f"the organisation pack has no {what} {code!r}; it has: {listed}"
        super().__init__(self.message)

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True, slots=True)
class PackResource:
    """A deployable resource as the pack defines it, with its station and all its capabilities."""

    call_sign: str
    resource_type: str
    station: str
    sector: str
    shift: str
    capabilities: frozenset[str]
    lat: float
    lon: float
    phone: str | None = None
    email: str | None = None

    @property
    def location(self) -> Coordinate:
        return Coordinate(self.lat, self.lon)


class _Lookup(Mapping[str, Item]):
    """A read-only mapping whose missing keys raise UnknownCodeError naming what was looked for."""

    def __init__(self, what: str, items: dict[str, Item]) -> None:
        self._what = what
        self._items = items

    def __getitem__(self, code: str) -> Item:
        try:
            return self._items[code]
        except KeyError:
            raise UnknownCodeError(self._what, code, self._items) from None

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)


class OrganisationPack:
    """The organisation's configuration, valid and cross-checked; build it with ``load_pack``.

    Lists keep the order of the pack files. Lookups by an unknown code raise ``UnknownCodeError`` (a
    KeyError) whose message names what was looked for and what exists.
    """

    def __init__(
        self,
        directory: Path,
        *,
        organisation: OrganisationFile,
        priorities: PrioritiesFile,
        capabilities: CapabilitiesFile,
        resource_types: ResourceTypesFile,
        incident_types: IncidentTypesFile,
        sectors: SectorsFile,
        stations: StationsFile,
        channels: ChannelsFile,
        codes: CodesFile,
        wording: WordingFile,
        external_organisations: ExternalOrganisationsFile,
        escalation: EscalationFile,
        policies: PoliciesFile,
        policy_checks: PolicyChecksFile,
        dispositions: DispositionsFile,
        procedures: Sequence[ProcedureFile],
    ) -> None:
        self.directory = directory
        self.organisation = organisation
        self.policies = policies
        self.messages: Messages = wording.messages
        self.priorities: tuple[Priority, ...] = tuple(priorities.priorities)
        self.capabilities: tuple[Capability, ...] = tuple(capabilities.capabilities)
        self.resource_types: tuple[ResourceType, ...] = tuple(resource_types.resource_types)
        self.incident_types: tuple[IncidentType, ...] = tuple(incident_types.incident_types)
        self.sectors: tuple[Sector, ...] = tuple(sectors.sectors)
        self.stations: tuple[Station, ...] = tuple(stations.stations)
        self.channels: tuple[Channel, ...] = tuple(channels.channels)
        self.log_codes: tuple[LogCode, ...] = tuple(codes.log_codes)
        self.external_organisations: tuple[ExternalOrganisation, ...] = tuple(
            external_organisations.external_organisations)
        self.escalation_rules: tuple[EscalationRule, ...] = tuple(escalation.escalation_rules)
        self._priorities = _Lookup("priority", {p.code: p for p in self.priorities})
        self._capabilities = _Lookup("capability", {c.code: c for c in self.capabilities})
        self._resource_types = _Lookup("resource type", {r.code: r for r in self.resource_types})
        self._incident_types = _Lookup("incident type", {t.code: t for t in self.incident_types})
        self._sectors = _Lookup("sector", {s.code: s for s in self.sectors})
        self._stations = _Lookup("station", {s.code: s for s in self.stations})
        self._channels = _Lookup("channel", {c.code: c for c in self.channels})
        self._log_codes = _Lookup("log code", {c.code: c for c in self.log_codes})
        self._external = _Lookup(
            "external organisation", {o.code: o for o in self.external_organisations})
        self._escalation_rules = _Lookup(
            "escalation rule", {r.code: r for r in self.escalation_rules})
        self._resources = _Lookup("resource with call sign", {
            r.call_sign: r for r in self._build_resources()})
        self.policy_checks: tuple[PolicyCheck, ...] = tuple(policy_checks.policy_checks)
        self._policy_checks = _Lookup("policy check", {c.code: c for c in self.policy_checks})
        self.dispositions: tuple[Disposition, ...] = tuple(dispositions.dispositions)
        self._dispositions = _Lookup("disposition", {d.code: d for d in self.dispositions})
        self.procedures: Mapping[str, Procedure] = _Lookup("procedure for the incident type", {
            model.incident_type: to_procedure(model, self._policy_checks) for model in procedures})
        """The procedure of each incident type, by incident type code."""
        self._gazetteer: tuple[Place, ...] | None = None
        self._street_network: StreetNetwork | None = None
        self._street_network_read = False

    @classmethod
    def from_sections(cls, directory: Path, sections: ValidSections) -> OrganisationPack:
        return cls(
            directory,
            organisation=sections.require(OrganisationFile),
            priorities=sections.require(PrioritiesFile),
            capabilities=sections.require(CapabilitiesFile),
            resource_types=sections.require(ResourceTypesFile),
            incident_types=sections.require(IncidentTypesFile),
            sectors=sections.require(SectorsFile),
            stations=sections.require(StationsFile),
            channels=sections.require(ChannelsFile),
            codes=sections.require(CodesFile),
            wording=sections.require(WordingFile),
            external_organisations=sections.require(ExternalOrganisationsFile),
            escalation=sections.require(EscalationFile),
            policies=sections.require(PoliciesFile),
            policy_checks=sections.require(PolicyChecksFile),
            dispositions=sections.require(DispositionsFile),
            procedures=[source.model for source in sections.procedures],
        )

    def _build_resources(self) -> list[PackResource]:
        defaults = {kind.code: kind.default_capabilities for kind in self.resource_types}
        return [
            PackResource(
                call_sign=resource.call_sign,
                resource_type=resource.type,
                station=station.code,
                sector=station.sector,
                shift=resource.shift,
                capabilities=frozenset(defaults.get(resource.type, [])) | frozenset(
                    resource.capabilities),
                lat=station.lat,
                lon=station.lon,
                phone=resource.phone,
                email=resource.email,
            )
            for station in self.stations
            for resource in station.resources
        ]

    # The organisation

    @property
    def name(self) -> str:
        return self.organisation.name

    @property
    def version(self) -> str:
        """The pack's own version (``pack_version`` in organisation.yaml)."""
        return self.organisation.pack_version

    @property
    def schema_version(self) -> int:
        return self.organisation.schema_version

    @property
    def timezone(self) -> str:
        return self.organisation.timezone

    @property
    def area(self) -> BoundingBox:
        return self.organisation.area.bounding_box()

    # Lookups by code

    def priority(self, code: str) -> Priority:
        return self._priorities[code]

    def capability(self, code: str) -> Capability:
        return self._capabilities[code]

    def resource_type(self, code: str) -> ResourceType:
        return self._resource_types[code]

    def incident_type(self, code: str) -> IncidentType:
        return self._incident_types[code]

    def sector(self, code: str) -> Sector:
        return self._sectors[code]

    def station(self, code: str) -> Station:
        return self._stations[code]

    def channel(self, code: str) -> Channel:
        return self._channels[code]

    def code(self, log_code: str) -> LogCode:
        """The standard log code ``log_code`` (such as ``ONSC``)."""
        return self._log_codes[log_code]

    def external_organisation(self, code: str) -> ExternalOrganisation:
        return self._external[code]

    def escalation_rule(self, code: str) -> EscalationRule:
        return self._escalation_rules[code]

    def resource(self, call_sign: str) -> PackResource:
        return self._resources[call_sign]

    def policy_check(self, code: str) -> PolicyCheck:
        return self._policy_checks[code]

    def disposition(self, code: str) -> Disposition:
        """How an incident ended (dispositions.yaml), such as ``MADE_SAFE``."""
        return self._dispositions[code]

    def procedure(self, incident_type_code: str) -> Procedure:
        """The decision tree for assessing an incident of this type (see domain.procedures)."""
        return self.procedures[incident_type_code]

    def known_codes(self) -> KnownCodes:
        """The codes this pack defines, for ``validate_procedure`` (a procedure edited at run time)."""
        return KnownCodes(
            priorities=frozenset(p.code for p in self.priorities),
            resource_types=frozenset(r.code for r in self.resource_types),
            capabilities=frozenset(c.code for c in self.capabilities),
            log_codes=frozenset(c.code for c in self.log_codes),
            checks=frozenset(c.code for c in self.policy_checks),
            external_organisations={o.code: frozenset(o.may_request) for o in self.external_organisations},
        )

    # Derived views

    def all_resources(self) -> list[PackResource]:
        """Every resource of every station, in pack order, with its full set of capabilities."""
        return list(self._resources.values())

    def targets_for(self, incident_type_code: str, priority_code: str | None = None) -> Targets:
        """The targets of an incident type at ``priority_code`` (by default its default priority),
        with the type's overrides applied; for an assessed incident, pass its outcome's priority."""
        incident_type = self.incident_type(incident_type_code)
        return incident_type.targets(self.priority(priority_code or incident_type.default_priority))

    def sector_at(self, point: Coordinate) -> Sector | None:
        """The first sector whose polygon holds ``point``, or None outside every sector."""
        return next((sector for sector in self.sectors if sector.contains(point)), None)

    def street_network(self) -> StreetNetwork | None:
        """The pack's street network for travel times (``street_network.json.gz``), read once;
        None when the pack has none. A faulty file raises ``PackError`` naming it."""
        if not self._street_network_read:
            self._street_network = load_pack_street_network(self.directory)
            self._street_network_read = True
        return self._street_network

    def gazetteer(self) -> list[Place]:
        """The addresses in the pack's gazetteer.csv (empty when it has none); read once."""
        if self._gazetteer is None:
            self._gazetteer = tuple(
                load_gazetteer(self.directory / GAZETTEER_FILE_NAME, self.area))
        return list(self._gazetteer)
