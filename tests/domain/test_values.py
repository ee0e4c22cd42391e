"""Coordinates, references, contacts and free text given garbage: a clear refusal, never a crash."""

from __future__ import annotations

import contextlib
import math
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supervisor_app.domain.complaints import CaseKind, case_deadlines
from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.geo import BoundingBox, Coordinate
from supervisor_app.domain.incidents import (
    Contact,
    IncidentLocation,
    NewIncident,
    ReferralSource,
    ResponseRequirement,
    clean_log_text,
    format_incident_reference,
    parse_incident_reference,
)
from supervisor_app.domain.resources import normalise_call_sign
from supervisor_app.domain.shifts import ShiftName, shift_for

HELSINKI = Coordinate(60.1699, 24.9384)


@pytest.mark.parametrize(
    ("lat", "lon"),
    [
        (91, 0),
        (-90.0001, 0),
        (0, 180.5),
        (0, -181),
        (math.nan, 0),
        (0, math.inf),
        ("abc", 0),
        (None, 0),
        (True, 0),
        ([60], 24),
        ("", ""),
    ],
)
def test_bad_coordinates_are_refused_with_the_field_named(lat: object, lon: object) -> None:
    with pytest.raises(InvalidValue) as refused:
        Coordinate(lat, lon)  # type: ignore[arg-type]
    assert refused.value.field in ("latitude", "longitude")
    assert "degrees between" in str(refused.value)


@pytest.mark.parametrize("text", ["60.1699, 24.9384", "60,1699 24,9384", " 60.1699;24.9384 "])
def test_coordinates_parse_from_what_people_type(text: str) -> None:
    point = Coordinate.parse(text)
    assert point.lat == pytest.approx(60.1699)
    assert point.lon == pytest.approx(24.9384)


@pytest.mark.parametrize("text", ["", "60.1699", "north 60 east 24", "1 2 3", "95, 24"])
def test_unreadable_coordinate_text_is_refused(text: str) -> None:
    with pytest.raises(InvalidValue):
        Coordinate.parse(text)


@given(
    st.one_of(st.text(), st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.none()),
    st.one_of(st.text(), st.floats(allow_nan=True, allow_infinity=True), st.integers(), st.none()),
)
def test_any_garbage_gives_invalid_value_or_a_valid_point(lat: object, lon: object) -> None:
    try:
        point = Coordinate(lat, lon)  # type: ignore[arg-type]
    except InvalidValue:
        return
    assert -90 <= point.lat <= 90
    assert -180 <= point.lon <= 180


@given(st.text())
def test_any_text_as_coordinates_never_crashes(text: str) -> None:
    with contextlib.suppress(InvalidValue):
        Coordinate.parse(text)


def test_distance_is_plausible() -> None:
    pasila = Coordinate(60.1986, 24.9336)
    assert 3100 < HELSINKI.distance_m(pasila) < 3300
    assert HELSINKI.distance_m(HELSINKI) == 0


def test_location_outside_the_served_area_names_the_area() -> None:
    area = BoundingBox(60.10, 24.80, 60.30, 25.20)
    IncidentLocation(HELSINKI, "Mannerheimintie 1").check_within(area)
    with pytest.raises(InvalidValue, match="inside the area the organisation serves"):
        IncidentLocation(Coordinate(51.5, -0.12), "Trafalgar Square").check_within(area)
    with pytest.raises(InvalidValue):
        BoundingBox(60.3, 24.8, 60.1, 25.2)


@pytest.mark.parametrize("address", ["", "   ", "x" * 301, "Main St\x00 1", 42])
def test_bad_addresses_are_refused(address: object) -> None:
    with pytest.raises(InvalidValue, match="address"):
        IncidentLocation(HELSINKI, address)  # type: ignore[arg-type]


def test_references_round_trip_and_reject_garbage() -> None:
    ref = format_incident_reference(date(2026, 11, 23), 42)
    assert ref == "INC-20261123-0042"
    assert parse_incident_reference(ref) == (date(2026, 11, 23), 42)
    assert format_incident_reference(date(2026, 11, 23), 12345) == "INC-20261123-12345"
    for bad in ["", "INC-2026-0042", "INC-20261332-0001", "inc-20261123-42", None]:
        with pytest.raises(InvalidValue):
            parse_incident_reference(bad)  # type: ignore[arg-type]
    with pytest.raises(InvalidValue):
        format_incident_reference(date(2026, 11, 23), 0)


@pytest.mark.parametrize("phone", ["call me", "12", "+358 40 123 4567 8888 99999 0", "040;123"])
def test_bad_phone_numbers_are_refused(phone: str) -> None:
    with pytest.raises(InvalidValue, match="contact phone"):
        Contact(name="Aino", phone=phone)


def test_contact_and_text_are_cleaned() -> None:
    contact = Contact(name="  Aino   Virtanen ", phone=" +358 40 123 4567 ")
    assert contact.name == "Aino Virtanen"
    assert contact.phone == "+358 40 123 4567"
    assert clean_log_text("  line one\nline two  ") == "line one\nline two"
    with pytest.raises(InvalidValue):
        clean_log_text("bell\x07")
    with pytest.raises(InvalidValue):
        clean_log_text("x" * 4001)


def test_new_incident_validates_every_field() -> None:
    location = IncidentLocation(HELSINKI, "Mannerheimintie 1")
    ok = NewIncident("GAS_ESCAPE", "P1", location, "phone", "Smell of gas in stairwell")  # type: ignore[arg-type]
    assert ok.source is ReferralSource.PHONE
    with pytest.raises(InvalidValue, match="referral source"):
        NewIncident("GAS_ESCAPE", "P1", location, "pigeon", "x")  # type: ignore[arg-type]
    with pytest.raises(InvalidValue, match="summary"):
        NewIncident("GAS_ESCAPE", "P1", location, ReferralSource.PHONE, "  ")
    with pytest.raises(InvalidValue, match="incident type"):
        NewIncident("", "P1", location, ReferralSource.PHONE, "x")
    with pytest.raises(InvalidValue, match="count"):
        ResponseRequirement("gas_engineer", 0)


@pytest.mark.parametrize("value", ["g11", "G11", " lift3 "])
def test_call_signs_normalise(value: str) -> None:
    assert normalise_call_sign(value) == value.strip().upper()


@pytest.mark.parametrize("value", ["", "1G", "G", "G-11", "TOOLONGCALL", None])
def test_bad_call_signs_are_refused(value: object) -> None:
    with pytest.raises(InvalidValue, match="call sign"):
        normalise_call_sign(value)


def test_case_deadlines_follow_policy() -> None:
    received = datetime(2026, 11, 2, 9, 0, tzinfo=UTC)
    complaint = case_deadlines(
        CaseKind.COMPLAINT, received, acknowledge_days=3, respond_days=20, statutory_days=28, query_days=10
    )
    assert complaint.acknowledge_by == received + timedelta(days=3)
    assert complaint.respond_by == received + timedelta(days=20)
    assert complaint.statutory_by == received + timedelta(days=28)
    query = case_deadlines(
        CaseKind.QUERY, received, acknowledge_days=3, respond_days=20, statutory_days=28, query_days=10
    )
    assert query.respond_by == received + timedelta(days=10)
    assert query.statutory_by is None
    with pytest.raises(InvalidValue):
        case_deadlines(
            CaseKind.QUERY,
            received.replace(tzinfo=None),
            acknowledge_days=3,
            respond_days=20,
            statutory_days=None,
            query_days=10,
        )


def test_shift_boundaries() -> None:
    from zoneinfo import ZoneInfo

    tz = ZoneInfo("Europe/Helsinki")
    assert shift_for(datetime(2026, 11, 23, 7, 0, tzinfo=tz))[0] is ShiftName.DAY
    assert shift_for(datetime(2026, 11, 23, 18, 59, tzinfo=tz))[0] is ShiftName.DAY
    name, start = shift_for(datetime(2026, 11, 23, 3, 0, tzinfo=tz))
    assert name is ShiftName.NIGHT
    assert start == datetime(2026, 11, 22, 19, 0, tzinfo=tz)
    assert shift_for(datetime(2026, 11, 23, 19, 0, tzinfo=tz)) == (
        ShiftName.NIGHT,
        datetime(2026, 11, 23, 19, 0, tzinfo=tz),
    )
