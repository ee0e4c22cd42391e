"""Broken packs: each problem names its file, the line of the faulty key, the key and the fix."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import pytest

from supervisor_app.pack import PackError, load_pack
from supervisor_app.pack.gazetteer import load_gazetteer

if TYPE_CHECKING:
    from tests.pack.conftest import PackCopy

# ---- files that cannot be read ------------------------------------------------------------------


def test_yaml_syntax_error_reports_its_line(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("stations.yaml", "    name: Kamppi depot\n", "    name: Kamppi: depot\n")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("stations.yaml", line, "")
    assert "not valid YAML" in problem.message
    assert "mapping values are not allowed" in problem.message


def test_duplicate_key_is_reported_at_the_second_occurrence(pack_copy: PackCopy) -> None:
    line = pack_copy.replace(
        "stations.yaml", "    sector: KRUUNUNHAKA\n", "    sector: KRUUNUNHAKA\n    sector: KAMPPI\n"
    ) + 1
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("stations.yaml", line, "stations[3].sector")
    assert "appears more than once" in problem.message
    assert f"first on line {line - 1}" in problem.message


def test_missing_file(pack_copy: PackCopy) -> None:
    pack_copy.remove("channels.yaml")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("channels.yaml", None, "")
    assert "missing" in problem.message
    assert "demo pack" in problem.message


def test_empty_file(pack_copy: PackCopy) -> None:
    pack_copy.write("policies.yaml", "# nothing here yet\n")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("policies.yaml", None, "")
    assert "empty" in problem.message
    assert "ORGANISATION_PACK.md" in problem.message


def test_top_level_list_instead_of_mapping(pack_copy: PackCopy) -> None:
    pack_copy.write("capabilities.yaml", "- code: gas_detection\n  description: Gas detection\n")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("capabilities.yaml", 1, "")
    assert "mapping at the top level" in problem.message
    assert "capabilities" in problem.message
    assert "found a list" in problem.message


# ---- schema: keys and types ---------------------------------------------------------------------


def test_unknown_key_suggests_the_right_one(pack_copy: PackCopy) -> None:
    line = pack_copy.replace(
        "resource_types.yaml",
        "    default_capabilities: [lift_release, lift_repair]\n",
        "    default_capabilites: [lift_release, lift_repair]\n",
    )
    problems = pack_copy.problems()
    unknown = [p for p in problems if p.key == "resource_types[4].default_capabilites"]
    assert len(unknown) == 1, problems
    assert (unknown[0].file, unknown[0].line) == ("resource_types.yaml", line)
    assert "unknown key 'default_capabilites'" in unknown[0].message
    assert "did you mean 'default_capabilities'" in unknown[0].message
    assert "code, name, default_capabilities, travel_speed_kmh" in unknown[0].message


def test_wrong_type_says_a_whole_number_was_expected(pack_copy: PackCopy) -> None:
    line = pack_copy.replace(
        "policies.yaml", "acknowledgement_timeout_seconds: 180", "acknowledgement_timeout_seconds: soon"
    )
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line) == ("policies.yaml", line)
    assert problem.key == "deployment.acknowledgement_timeout_seconds"
    assert "expected a whole number" in problem.message
    assert "'soon'" in problem.message


def test_version_written_as_a_number_must_be_quoted(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("organisation.yaml", 'pack_version: "2025.3"', "pack_version: 2025.3")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("organisation.yaml", line, "pack_version")
    assert "expected text" in problem.message
    assert "quotes" in problem.message


def test_missing_required_key_points_at_the_item(pack_copy: PackCopy) -> None:
    pack_copy.replace("stations.yaml", "    address: Kasarmikatu 21, 00130 Helsinki\n", "")
    item_line = pack_copy.line_of("stations.yaml", "  - code: KASARMI")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("stations.yaml", item_line, "stations[2].address")
    assert "required key 'address' is missing" in problem.message


def test_bad_colour(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("priorities.yaml", 'colour: "#F57C00"', "colour: orange")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("priorities.yaml", line, "priorities[1].colour")
    assert "'orange' is not a colour" in problem.message
    assert "#RRGGBB" in problem.message


def test_latitude_out_of_range(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("stations.yaml", "lat: 60.172686", "lat: 95")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("stations.yaml", line, "stations[3].lat")
    assert "latitude" in problem.message
    assert "between -90 and 90" in problem.message


def test_longitude_not_a_number(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("stations.yaml", "lon: 24.941546", 'lon: "abc"')
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("stations.yaml", line, "stations[4].lon")
    assert "'abc' is not a valid longitude" in problem.message
    assert "between -180 and 180" in problem.message


def test_unknown_category_lists_the_allowed_ones(pack_copy: PackCopy) -> None:
    line = pack_copy.replace(
        "incident_types.yaml", "    name: Burst water main\n    category: water\n",
        "    name: Burst water main\n    category: plumbing\n",
    ) + 1
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("incident_types.yaml", line, "incident_types[4].category")
    assert "expected one of" in problem.message
    assert "'water'" in problem.message


def test_unsupported_schema_version(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("organisation.yaml", "schema_version: 1", "schema_version: 2")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("organisation.yaml", line, "schema_version")
    assert "not supported" in problem.message
    assert "expected 1" in problem.message


def test_unknown_timezone(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("organisation.yaml", "timezone: Europe/Helsinki", "timezone: Europe/Helsingfors")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("organisation.yaml", line, "timezone")
    assert "Europe/Helsinki" in problem.message


# ---- geography ----------------------------------------------------------------------------------


def test_station_outside_the_served_area(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("stations.yaml", "lon: 24.949580", "lon: 24.9700")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("stations.yaml", line, "stations[5].lon")
    assert "HAKANIEMI" in problem.message
    assert "outside the served area" in problem.message
    assert "expected a place inside it" in problem.message


def test_polygon_with_two_points(pack_copy: PackCopy) -> None:
    text = pack_copy.text("sectors.yaml")
    start = text.index("  - code: KAISANIEMI")
    polygon_at = text.index("    polygon:\n", start)
    end = text.index("\n\n", polygon_at)
    corners = text[polygon_at:end].splitlines()[1:3]
    pack_copy.write("sectors.yaml", text[:polygon_at] + "    polygon:\n" + "\n".join(corners) + text[end:])
    line = pack_copy.text("sectors.yaml").count("\n", 0, polygon_at) + 1
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("sectors.yaml", line, "sectors[4].polygon")
    assert "at least 3 different points" in problem.message
    assert "found 2" in problem.message


def test_polygon_corner_that_is_not_a_pair(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("sectors.yaml", "      - [60.17912, 24.95342]\n", "      - [60.17912]\n")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("sectors.yaml", line, "sectors[5].polygon[3]")
    assert "[latitude, longitude]" in problem.message


def test_served_area_with_corners_swapped(pack_copy: PackCopy) -> None:
    pack_copy.replace("organisation.yaml", "  south: 60.16415\n", "  south: 60.18\n")
    area_line = pack_copy.line_of("organisation.yaml", "area:\n")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("organisation.yaml", area_line, "area")
    assert "south (60.18) must be less than north" in problem.message


# ---- targets and policies -----------------------------------------------------------------------


def test_targets_out_of_order(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("priorities.yaml", "on_scene: 14400 ", "on_scene: 200 ")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("priorities.yaml", line, "priorities[1].targets.on_scene")
    assert "acknowledge < on_scene <= resolution" in problem.message
    assert "(200 s)" in problem.message


def test_resolution_before_on_scene(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("priorities.yaml", "resolution: 259200", "resolution: 3600")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("priorities.yaml", line, "priorities[2].targets.resolution")
    assert "must not be earlier than on_scene" in problem.message


def test_zero_target_is_refused(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("priorities.yaml", "update_interval: 86400", "update_interval: 0")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == (
        "priorities.yaml", line, "priorities[3].targets.update_interval")
    assert "greater than 0" in problem.message


def test_incident_type_override_breaking_target_order(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("incident_types.yaml", "on_scene: 2700", "on_scene: 60")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line) == ("incident_types.yaml", line)
    assert problem.key == "incident_types[11].target_overrides.on_scene"
    assert "priority P1" in problem.message


def test_organisational_complaint_deadline_beyond_statutory(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("policies.yaml", "  response_days: 10 ", "  response_days: 45 ")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("policies.yaml", line, "complaints.response_days")
    assert "statutory" in problem.message


# ---- uniqueness ---------------------------------------------------------------------------------


def test_duplicate_call_sign(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("stations.yaml", "{call_sign: W51,", "{call_sign: W11,")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == (
        "stations.yaml", line, "stations[4].resources[1].call_sign")
    assert "'W11' is already used by stations[0].resources[4]" in problem.message
    assert "KAMPPI" in problem.message


def test_duplicate_incident_type_code(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("incident_types.yaml", "  - code: ROAD_DEFECT", "  - code: ROAD_OBSTRUCTION")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("incident_types.yaml", line, "incident_types[14].code")
    assert "already used by incident_types[13]" in problem.message


# ---- references between files -------------------------------------------------------------------


def test_unknown_capability(pack_copy: PackCopy) -> None:
    line = pack_copy.replace(
        "stations.yaml",
        "capabilities: [sewer_jetting, confined_space]",
        "capabilities: [sewer_jetting, confined_spaces]",
    )
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == (
        "stations.yaml", line, "stations[3].resources[1].capabilities[1]")
    assert "unknown capability 'confined_spaces'" in problem.message
    assert "did you mean 'confined_space'" in problem.message
    assert "capabilities.yaml" in problem.message


def test_unknown_resource_type(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("stations.yaml", "{call_sign: A61, type: ALARM,", "{call_sign: A61, type: ALARMS,")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("stations.yaml", line, "stations[5].resources[12].type")
    assert "unknown resource type 'ALARMS'" in problem.message
    assert "resource_types.yaml" in problem.message


def test_unknown_sector(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("stations.yaml", "sector: SILTASAARI", "sector: HAKANIEMI")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("stations.yaml", line, "stations[5].sector")
    assert "unknown sector 'HAKANIEMI'" in problem.message
    assert "sectors.yaml" in problem.message


def test_unknown_priority_in_incident_type(pack_copy: PackCopy) -> None:
    pack_copy.replace(
        "incident_types.yaml", "    category: water\n    default_priority: P3\n",
        "    category: water\n    default_priority: P5\n",
    )
    line = pack_copy.line_of("incident_types.yaml", "default_priority: P5")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == (
        "incident_types.yaml", line, "incident_types[7].default_priority")
    assert "unknown priority 'P5'" in problem.message
    assert "P1, P2, P3, P4" in problem.message


def test_unknown_external_organisation_in_escalation(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("escalation.yaml", "target: HSY_WATER", "target: HSY")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("escalation.yaml", line, "escalation_rules[6].target")
    assert "unknown escalation target 'HSY'" in problem.message
    assert "HSY_WATER" in problem.message
    assert "duty_manager" in problem.message


def test_unknown_channel_of_external_organisation(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("external_organisations.yaml", "channels: [voice_phone, email, sms]",
                             "channels: [voice_phone, email, fax]")
    pack_copy.replace("external_organisations.yaml", 'sms: "+358401110000"', 'fax: "+358 9 1234 5678"')
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == (
        "external_organisations.yaml", line, "external_organisations[9].channels[2]")
    assert "unknown channel 'fax'" in problem.message


def test_external_organisation_channel_without_a_contact(pack_copy: PackCopy) -> None:
    pack_copy.replace("external_organisations.yaml", '      sms: "+358401110000"\n', "")
    problem = pack_copy.only_problem()
    assert problem.file == "external_organisations.yaml" and problem.key == "external_organisations[9]"
    assert "no contact for the channel sms; add it under contacts" in problem.message


def test_duty_manager_contact_for_a_channel_not_listed(pack_copy: PackCopy) -> None:
    pack_copy.replace("policies.yaml", "  channels: [voice_phone, sms, email]", "  channels: [voice_phone, sms]")
    problem = pack_copy.only_problem()
    assert problem.file == "policies.yaml" and problem.key == "duty_manager"
    assert "contacts for email, which is not in channels" in problem.message


def test_unknown_channel_of_the_duty_manager(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("policies.yaml", "  channels: [voice_phone, sms, email]",
                             "  channels: [voice_phone, sms, email, pager]")
    pack_copy.replace("policies.yaml", "    email: duty.manager@hel.example.fi",
                      "    email: duty.manager@hel.example.fi\n    pager: '4411'")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("policies.yaml", line, "duty_manager.channels[3]")
    assert "unknown channel 'pager'" in problem.message


def test_disposition_codes_are_unique(pack_copy: PackCopy) -> None:
    pack_copy.replace("dispositions.yaml", "  - code: WITHDRAWN", "  - code: HOAX")
    problem = pack_copy.only_problem()
    assert problem.file == "dispositions.yaml" and "HOAX" in problem.message


def test_escalation_rule_without_conditions(pack_copy: PackCopy) -> None:
    pack_copy.replace(
        "escalation.yaml", "    conditions:\n      incident_types: [TRAFFIC_SIGNALS_FAULT]\n",
        "    conditions: {}\n",
    )
    line = pack_copy.line_of("escalation.yaml", "conditions: {}")
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("escalation.yaml", line, "escalation_rules[10].conditions")
    assert "expected at least one of" in problem.message


def test_required_response_no_resource_can_give(pack_copy: PackCopy) -> None:
    pack_copy.replace(
        "incident_types.yaml",
        "      - resource_type: WELFARE\n        count: 2\n",
        "      - resource_type: WELFARE\n        count: 9\n",
    )
    line = pack_copy.line_of("incident_types.yaml", "count: 9") - 1
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == (
        "incident_types.yaml", line, "incident_types[25].required_response[1]")
    assert "needs 9 x WELFARE" in problem.message
    assert "has 6" in problem.message


# ---- wording templates --------------------------------------------------------------------------


def test_unknown_placeholder_in_log_code(pack_copy: PackCopy) -> None:
    line = pack_copy.replace(
        "codes.yaml", '"{call_sign} on scene at {address}."', '"{callsign} on scene at {address}."'
    )
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("codes.yaml", line, "log_codes[7].wording")
    assert "unknown placeholder {callsign}" in problem.message
    assert "{call_sign}" in problem.message


def test_unknown_placeholder_in_message_wording(pack_copy: PackCopy) -> None:
    line = pack_copy.replace(
        "wording.yaml", "On scene by {target_time}. Reply ACK.", "On scene by {deadline}. Reply ACK."
    )
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("wording.yaml", line, "messages.deployment.sms")
    assert "unknown placeholder {deadline}" in problem.message


def test_unmatched_brace_in_template(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("codes.yaml", '"Advice given: {text}"', '"Advice given: {text"')
    problem = pack_copy.only_problem()
    assert (problem.file, problem.line, problem.key) == ("codes.yaml", line, "log_codes[3].wording")
    assert "braces do not match" in problem.message


# ---- many problems at once ----------------------------------------------------------------------


def test_problems_in_several_files_are_all_reported(pack_copy: PackCopy) -> None:
    syntax_line = pack_copy.replace("channels.yaml", "    medium: data\n    name: E-mail\n",
                                    "    medium: data\n   name: E-mail\n") + 1
    colour_line = pack_copy.replace("priorities.yaml", 'colour: "#388E3C"', 'colour: "#38E3C"')
    sector_line = pack_copy.replace("stations.yaml", "sector: KAISANIEMI", "sector: KAISA")
    pack_copy.remove("policies.yaml")
    placeholder_line = pack_copy.replace("codes.yaml", "Reason: {reason}\"\n  - code: HANDOVER",
                                         "Reason: {why}\"\n  - code: HANDOVER")

    problems = pack_copy.problems()
    found = {(p.file, p.line, p.key) for p in problems}
    assert ("channels.yaml", syntax_line, "") in found
    assert ("priorities.yaml", colour_line, "priorities[3].colour") in found
    assert ("stations.yaml", sector_line, "stations[4].sector") in found
    assert ("policies.yaml", None, "") in found
    assert ("codes.yaml", placeholder_line, "log_codes[15].wording") in found
    assert len(problems) == 5, "\n".join(map(str, problems))


def test_error_text_lists_every_problem_after_a_heading(pack_copy: PackCopy) -> None:
    line = pack_copy.replace("stations.yaml", "sector: SILTASAARI", "sector: NOWHERE")
    pack_copy.remove("codes.yaml")
    with pytest.raises(PackError) as caught:
        load_pack(pack_copy.directory)
    lines = str(caught.value).splitlines()
    assert str(pack_copy.directory) in lines[0]
    assert "cannot be used" in lines[0]
    assert "restart" in lines[0]
    assert lines[1].startswith("codes.yaml: the file is missing")
    assert lines[2].startswith(f"stations.yaml:{line}: stations[5].sector: unknown sector 'NOWHERE'")
    assert len(lines) == 3


def test_pack_directory_that_does_not_exist(tmp_path: Path) -> None:
    with pytest.raises(PackError) as caught:
        load_pack(tmp_path / "no-such-pack")
    (problem,) = caught.value.problems
    assert problem.line is None
    assert "not a directory" in problem.message


def test_gazetteer_row_with_bad_coordinates(pack_copy: PackCopy) -> None:
    path = pack_copy.directory / "gazetteer.csv"
    rows = path.read_text(encoding="utf-8").splitlines()
    street, number, postcode, _lat, lon, district = rows[3].split(",")
    rows[3] = ",".join([street, number, postcode, "north", lon, district])
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    pack = load_pack(pack_copy.directory)
    with pytest.raises(PackError) as caught:
        pack.gazetteer()
    (problem,) = caught.value.problems
    assert (problem.file, problem.line, problem.key) == ("gazetteer.csv", 4, "lat")
    assert "'north'" in problem.message


def test_missing_gazetteer_is_an_empty_one(tmp_path: Path) -> None:
    assert load_gazetteer(tmp_path / "gazetteer.csv") == []
