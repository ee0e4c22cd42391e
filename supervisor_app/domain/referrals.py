"""Referrals from partner systems: one JSON object per record, checked before it enters the queue.

A partner (a telecare provider, the water utility's control room, a web form) sends each referral
as a JSON object, one per line of a JSON Lines file dropped in the desk's inbox folder::

    {"partner": "HSY_WATER", "reference": "HSY-000123", "source": "partner_agency",
     "referred_at": "2026-11-23T10:02:00+02:00", "incident_type": "WATER_MAIN_BURST",
     "summary": "Water coming up through the road surface",
     "address": "Mannerheimintie 5, Helsinki", "location": {"lat": 60.1702, "lon": 24.9387},
     "contact": {"name": "Duty engineer", "phone": "+358 9 1234 5678", "organisation": "HSY"}}

``partner``, ``reference`` and ``summary`` are required, with an ``address`` or a ``location``
(or both). ``source`` defaults to ``partner_agency``; ``incident_type`` is the partner's suggestion
and may be left out; the desk's assessment decides. ``read_referral`` turns one line into a
``ReferralRecord`` or refuses it with ``InvalidReferral`` naming the field and what it expects;
codes against the organisation pack are checked by the service that records it.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from supervisor_app.domain.errors import DomainError, InvalidValue
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.incidents import Contact, ReferralSource, clean_text

REFERRAL_FIELDS = frozenset(
    {"partner", "reference", "source", "referred_at", "incident_type", "summary", "address", "location", "contact"}
)
_PARTNER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,59}$")
_REFERENCE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/\-]{0,79}$")
MAX_LINE_BYTES = 64 * 1024


class ReferralStatus(StrEnum):
    WAITING = "waiting"  # in the assessment queue
    ASSESSED = "assessed"  # an incident was recorded from it


class InvalidReferral(DomainError):
    """A referral record that cannot enter the queue; ``field`` names the part at fault."""

    def __init__(self, field_name: str, problem: str) -> None:
        self.field = field_name
        self.problem = problem
        super().__init__(f"{field_name}: {problem}" if field_name else problem)


@dataclass(frozen=True)
class ReferralRecord:
    """A referral as checked: ready to record in the assessment queue."""

    partner: str
    reference: str
    summary: str
    source: ReferralSource = ReferralSource.PARTNER_AGENCY
    address: str = ""
    point: Coordinate | None = None
    referred_at: datetime | None = None
    incident_type: str | None = None
    contact: Contact = field(default_factory=Contact)
    payload: Mapping[str, object] = field(default_factory=dict)
    """The record exactly as it arrived."""


def _text(data: Mapping[str, object], name: str, *, max_len: int, required: bool) -> str:
    value = data.get(name)
    if value is not None and not isinstance(value, str):
        raise InvalidReferral(name, f"expected text; found {type(value).__name__}")
    try:
        return clean_text(name, value, max_len=max_len, required=required)
    except InvalidValue as refused:
        raise InvalidReferral(name, f"expected {refused.expected}") from None


def _point(value: object) -> Coordinate:
    if not isinstance(value, Mapping) or set(value) != {"lat", "lon"}:
        raise InvalidReferral("location", 'expected {"lat": <degrees north>, "lon": <degrees east>}')
    lat, lon = value["lat"], value["lon"]
    for name, number in (("lat", lat), ("lon", lon)):
        if isinstance(number, bool) or not isinstance(number, (int, float)) or not math.isfinite(number):
            raise InvalidReferral(f"location.{name}", f"expected a number of degrees; found {number!r}")
    try:
        return Coordinate(float(lat), float(lon))
    except InvalidValue as refused:
        raise InvalidReferral("location", str(refused)) from None


def _time(value: object) -> datetime:
    if not isinstance(value, str):
        raise InvalidReferral(
            "referred_at", "expected an ISO 8601 time with its offset, such as 2026-11-23T10:02:00+02:00"
        )
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        moment = None
    if moment is None or moment.tzinfo is None:
        raise InvalidReferral(
            "referred_at",
            f"expected an ISO 8601 time with its offset, such as 2026-11-23T10:02:00+02:00; found {value!r}",
        )
    return moment


def _contact(value: object) -> Contact:
    if value is None:
        return Contact()
    if not isinstance(value, Mapping) or not set(value) <= {"name", "phone", "organisation"}:
        raise InvalidReferral("contact", "expected an object with name, phone and organisation (each optional)")
    try:
        return Contact(
            name=value.get("name") or "",
            phone=value.get("phone") or "",
            organisation=value.get("organisation") or "",
        )
    except InvalidValue as refused:
        raise InvalidReferral(refused.field.replace(" ", "."), f"expected {refused.expected}") from None


def referral_from_mapping(data: object) -> ReferralRecord:
    """Check one referral object; raises ``InvalidReferral`` for the first fault found."""
    if not isinstance(data, Mapping):
        raise InvalidReferral("", f"expected a JSON object for each referral; found {type(data).__name__}")
    unknown = sorted(str(key) for key in data if key not in REFERRAL_FIELDS)
    if unknown:
        raise InvalidReferral(unknown[0], "unknown field; expected only " + ", ".join(sorted(REFERRAL_FIELDS)))
    partner = _text(data, "partner", max_len=60, required=True)
    if not _PARTNER.match(partner):
        raise InvalidReferral("partner", "expected the partner's code: letters, digits, _ . - (at most 60)")
    reference = _text(data, "reference", max_len=80, required=True)
    if not _REFERENCE.match(reference):
        raise InvalidReferral(
            "reference", "expected the partner's own reference: letters, digits, _ . : / - (at most 80)"
        )
    summary = _text(data, "summary", max_len=2000, required=True)
    address = _text(data, "address", max_len=300, required=False)
    point = None if data.get("location") is None else _point(data["location"])
    if not address and point is None:
        raise InvalidReferral("address", "expected an address, a location, or both")
    source_text = data.get("source", ReferralSource.PARTNER_AGENCY.value)
    try:
        source = ReferralSource(source_text)
    except ValueError:
        raise InvalidReferral("source", "expected one of " + ", ".join(s.value for s in ReferralSource)) from None
    incident_type = _text(data, "incident_type", max_len=40, required=False) or None
    referred_at = None if data.get("referred_at") is None else _time(data["referred_at"])
    return ReferralRecord(
        partner=partner,
        reference=reference,
        summary=summary,
        source=source,
        address=address,
        point=point,
        referred_at=referred_at,
        incident_type=incident_type,
        contact=_contact(data.get("contact")),
        payload=dict(data),
    )


def read_referral(line: str | bytes) -> ReferralRecord:
    """One line of a JSON Lines file as a referral; raises ``InvalidReferral`` saying what is wrong."""
    if len(line) > MAX_LINE_BYTES:
        raise InvalidReferral("", f"the record is longer than {MAX_LINE_BYTES // 1024} KiB; split or shorten it")
    if isinstance(line, bytes):
        try:
            line = line.decode("utf-8")
        except UnicodeDecodeError as error:
            raise InvalidReferral(
                "", f"the line is not UTF-8 text (byte {error.start}); save the file as UTF-8"
            ) from None
    try:
        data = json.loads(line)
    except json.JSONDecodeError as error:
        raise InvalidReferral("", f"the line is not valid JSON: {error.msg} at column {error.colno}") from None
    return referral_from_mapping(data)
