"""The bundled Helsinki demo pack: it loads, it is consistent, and its places are on the map."""

from __future__ import annotations

from collections import Counter

import pytest

from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.log_codes import SYSTEM_CODES
from supervisor_app.pack import (
    DUTY_MANAGER,
    OrganisationPack,
    Place,
    UnknownCodeError,
    default_pack_dir,
    load_pack,
)
from supervisor_app.pack.schema.templates import template_placeholders


@pytest.fixture(scope="module")
def demo() -> OrganisationPack:
    return load_pack(default_pack_dir())


def test_demo_pack_describes_the_helsinki_centre(demo: OrganisationPack) -> None:
    assert default_pack_dir().name == "demo_helsinki"
    assert "Helsinki" in demo.name
    assert demo.timezone == "Europe/Helsinki"
    assert demo.schema_version == 1
    assert demo.version == demo.organisation.pack_version != ""
    area = demo.area
    assert area.contains(Coordinate(60.1699, 24.9384))  # Helsinki central railway station area


def test_demo_pack_has_sixty_resources_in_six_stations(demo: OrganisationPack) -> None:
    resources = demo.all_resources()
    assert len(demo.stations) == 6
    assert 55 <= len(resources) <= 65
    assert len({r.call_sign for r in resources}) == len(resources)
    per_station = Counter(r.station for r in resources)
    assert set(per_station) == {s.code for s in demo.stations}
    assert all(count >= 5 for count in per_station.values())
    assert {r.resource_type for r in resources} == {t.code for t in demo.resource_types}


def test_demo_pack_has_enough_incident_types_in_every_category(demo: OrganisationPack) -> None:
    assert len(demo.incident_types) >= 18
    categories = {t.category for t in demo.incident_types}
    assert {"gas", "water", "power", "lifts", "highways", "housing", "welfare", "alarms"} <= categories


def test_every_cross_reference_resolves(demo: OrganisationPack) -> None:
    capabilities = {c.code for c in demo.capabilities}
    for resource_type in demo.resource_types:
        assert set(resource_type.default_capabilities) <= capabilities
    for incident_type in demo.incident_types:
        demo.priority(incident_type.default_priority)
        for need in incident_type.required_response:
            demo.resource_type(need.resource_type)
            assert set(need.capabilities) <= capabilities
    for station in demo.stations:
        demo.sector(station.sector)
        for resource in station.resources:
            demo.resource_type(resource.type)
            assert set(resource.capabilities) <= capabilities
    for organisation in demo.external_organisations:
        for channel in organisation.channels:
            demo.channel(channel)
    for rule in demo.escalation_rules:
        for priority in rule.conditions.priorities:
            demo.priority(priority)
        for incident_type_code in rule.conditions.incident_types:
            demo.incident_type(incident_type_code)
        if rule.target != DUTY_MANAGER:
            demo.external_organisation(rule.target)


def test_every_required_response_can_be_met_by_the_fleet(demo: OrganisationPack) -> None:
    fleet = demo.all_resources()
    for incident_type in demo.incident_types:
        for need in incident_type.required_response:
            able = [r for r in fleet if r.resource_type == need.resource_type
                    and set(need.capabilities) <= r.capabilities]
            assert len(able) >= need.count, f"{incident_type.code} needs {need}"


def test_codes_the_services_write_are_defined(demo: OrganisationPack) -> None:
    for code in SYSTEM_CODES:
        assert demo.code(code).code == code


def test_every_station_lies_in_its_own_sector(demo: OrganisationPack) -> None:
    for station in demo.stations:
        assert demo.area.contains(station.location), station.code
        assert demo.sector(station.sector).contains(station.location), station.code
        assert demo.sector_at(station.location) == demo.sector(station.sector)


def test_sectors_cover_the_served_area_without_overlap(demo: OrganisationPack) -> None:
    area = demo.area
    steps = 20
    for i in range(1, steps):
        for j in range(1, steps):
            point = Coordinate(area.south + (area.north - area.south) * (i + 0.37) / steps,
                               area.west + (area.east - area.west) * (j + 0.41) / steps)
            holders = [s.code for s in demo.sectors if s.contains(point)]
            assert len(holders) == 1, f"{point} lies in {holders}"


def test_target_times_follow_the_organisations_rules(demo: OrganisationPack) -> None:
    assert demo.targets_for("GAS_ESCAPE_INTERNAL").on_scene == 3600
    assert demo.targets_for("LIFT_ENTRAPMENT").on_scene == 45 * 60
    assert demo.targets_for("LIFT_ENTRAPMENT").resolution == demo.priority("P1").targets.resolution
    for priority in demo.priorities:
        targets = priority.targets
        assert targets.acknowledge < targets.on_scene <= targets.resolution


def test_lookups_by_unknown_code_raise_a_clear_key_error(demo: OrganisationPack) -> None:
    with pytest.raises(KeyError) as caught:
        demo.priority("P9")
    assert isinstance(caught.value, UnknownCodeError)
    assert str(caught.value) == "the organisation pack has no priority 'P9'; it has: P1, P2, P3, P4"
    for lookup in (demo.incident_type, demo.resource_type, demo.station, demo.channel, demo.code,
                   demo.external_organisation, demo.sector, demo.resource):
        with pytest.raises(KeyError, match="has no"):
            lookup("NOPE")


def test_lookups_by_known_code(demo: OrganisationPack) -> None:
    assert demo.channel("mdt").medium == "data"
    assert demo.channel("voice_radio").medium == "voice"
    assert demo.code("ONSC").label == "On scene"
    g11 = demo.resource("G11")
    assert g11.resource_type == "GAS_ENG"
    assert g11.station == "KAMPPI"
    assert {"gas_detection", "gas_isolation"} <= g11.capabilities
    assert "hv_switching" in demo.resource("E11").capabilities
    assert demo.external_organisation("HSY_WATER").kind == "utility"
    assert demo.policies.complaints.response_days <= demo.policies.complaints.statutory_response_days


def test_message_wording_uses_known_placeholders(demo: OrganisationPack) -> None:
    deployment = demo.messages.deployment
    assert "{reference}" in deployment.sms
    assert "required_response" in template_placeholders(deployment.mdt)
    assert deployment.email.subject.startswith("Deployment {reference}")


def test_gazetteer_rows_are_inside_the_area(demo: OrganisationPack) -> None:
    places = demo.gazetteer()
    assert 300 <= len(places) <= 8000
    assert all(isinstance(place, Place) for place in places)
    assert all(demo.area.contains(place.location) for place in places)
    assert len({(p.street, p.housenumber) for p in places}) == len(places)
    in_sectors = sum(1 for p in places if demo.sector_at(p.location) is not None)
    assert in_sectors == len(places)


def test_gazetteer_labels_and_cache(demo: OrganisationPack) -> None:
    places = demo.gazetteer()
    assert places[0] is demo.gazetteer()[0]
    with_postcode = next(p for p in places if p.street == "Mannerheimintie" and p.postcode)
    assert with_postcode.label == f"Mannerheimintie {with_postcode.housenumber}, {with_postcode.postcode}"
    assert Place("Kasarmikatu", "21", "", 60.1658, 24.948).label == "Kasarmikatu 21"
    places.clear()
    assert demo.gazetteer(), "callers cannot empty the cached gazetteer"
