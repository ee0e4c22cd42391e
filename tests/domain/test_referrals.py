"""Referral records from partners: what is taken, and what is refused with the field and the reason."""

from __future__ import annotations

import json

import pytest

from supervisor_app.domain.incidents import ReferralSource
from supervisor_app.domain.referrals import InvalidReferral, read_referral

GOOD = {
    "partner": "HSY_WATER",
    "reference": "HSY-2026/000123",
    "source": "partner_agency",
    "referred_at": "2026-11-23T10:02:00+02:00",
    "incident_type": "WATER_MAIN_BURST",
    "summary": "Water coming up through the road surface",
    "address": "Mannerheimintie 5, Helsinki",
    "location": {"lat": 60.1702, "lon": 24.9387},
    "contact": {"name": "Duty engineer", "phone": "+358 9 1234 5678", "organisation": "HSY"},
}


def test_a_full_record_is_read_with_every_field() -> None:
    record = read_referral(json.dumps(GOOD))
    assert (record.partner, record.reference, record.source) == ("HSY_WATER", "HSY-2026/000123",
                                                                  ReferralSource.PARTNER_AGENCY)
    assert record.point is not None and (record.point.lat, record.point.lon) == (60.1702, 24.9387)
    assert record.referred_at is not None and record.referred_at.utcoffset() is not None
    assert record.contact.organisation == "HSY"
    assert record.payload == GOOD


def test_the_least_a_record_needs() -> None:
    record = read_referral(b'{"partner": "web", "reference": "F1", "summary": "Tree down", "address": "Esplanadi"}')
    assert record.source is ReferralSource.PARTNER_AGENCY and record.point is None and record.incident_type is None


@pytest.mark.parametrize(
    ("change", "field", "problem"),
    [
        ({"summary": None}, "summary", "some text; it cannot be blank"),
        ({"summary": 12}, "summary", "expected text; found int"),
        ({"colour": "red"}, "colour", "unknown field"),
        ({"partner": "HSY WATER"}, "partner", "the partner's code"),
        ({"reference": ""}, "reference", "cannot be blank"),
        ({"address": None, "location": None}, "address", "an address, a location, or both"),
        ({"location": {"lat": 200, "lon": 24.9}}, "location", "latitude"),
        ({"location": {"lat": "60.1", "lon": 24.9}}, "location.lat", "a number of degrees"),
        ({"location": [60.1, 24.9]}, "location", '{"lat"'),
        ({"source": "pigeon"}, "source", "one of phone, email"),
        ({"referred_at": "2026-11-23 10:02"}, "referred_at", "with its offset"),
        ({"contact": {"phone": "call me"}}, "contact.phone", "digits, spaces"),
    ],
)
def test_a_faulty_field_is_named_with_what_it_expects(change: dict[str, object], field: str, problem: str) -> None:
    record = {**GOOD, **change}
    with pytest.raises(InvalidReferral) as refused:
        read_referral(json.dumps({k: v for k, v in record.items() if v is not None or k in ("summary",)}))
    assert refused.value.field == field
    assert problem in refused.value.problem


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        ("{not json", "not valid JSON"),
        ("[1, 2]", "expected a JSON object"),
        (b"\xff\xfe{}", "not UTF-8"),
        ("x" * 70_000, "longer than 64 KiB"),
    ],
)
def test_a_line_that_is_no_record_is_refused_with_the_reason(line: str | bytes, problem: str) -> None:
    with pytest.raises(InvalidReferral, match=problem):
        read_referral(line)
