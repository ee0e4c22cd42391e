"""Incidents: their life cycle, where they are, who referred them and what they need."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.geo import BoundingBox, Coordinate
from supervisor_app.domain.state_machine import StateMachine


class IncidentStatus(StrEnum):
    """Where an incident is in its life; the desk's queue and monitor are views of this."""

    NEW = "new"  # referred, being assessed
    AWAITING_RESOURCE = "awaiting_resource"  # assessed, needs someone sent
    RESOURCE_ASSIGNED = "resource_assigned"  # at least one resource deployed, none there yet
    IN_PROGRESS = "in_progress"  # a resource is on scene or the work is under way
    ON_HOLD = "on_hold"  # waiting on a third party or access (with a reason in the log)
    RESOLVED = "resolved"  # work done, awaiting closure checks
    CLOSED = "closed"  # closed with a disposition code
    CANCELLED = "cancelled"  # duplicate, hoax, test or withdrawn before any work


_I = IncidentStatus
INCIDENT_LIFECYCLE: StateMachine[IncidentStatus] = StateMachine(
    "Incident",
    IncidentStatus,
    {
        _I.NEW: frozenset({_I.AWAITING_RESOURCE, _I.RESOURCE_ASSIGNED, _I.RESOLVED, _I.CANCELLED}),
        _I.AWAITING_RESOURCE: frozenset({_I.RESOURCE_ASSIGNED, _I.ON_HOLD, _I.RESOLVED, _I.CANCELLED}),
        _I.RESOURCE_ASSIGNED: frozenset({_I.IN_PROGRESS, _I.AWAITING_RESOURCE, _I.ON_HOLD, _I.RESOLVED}),
        _I.IN_PROGRESS: frozenset({_I.AWAITING_RESOURCE, _I.ON_HOLD, _I.RESOLVED}),
        _I.ON_HOLD: frozenset({_I.AWAITING_RESOURCE, _I.RESOURCE_ASSIGNED, _I.IN_PROGRESS, _I.RESOLVED}),
        _I.RESOLVED: frozenset({_I.CLOSED, _I.IN_PROGRESS}),
        _I.CLOSED: frozenset(),
        _I.CANCELLED: frozenset(),
    },
)

OPEN_INCIDENT_STATUSES = frozenset(s for s in IncidentStatus if s not in (_I.CLOSED, _I.CANCELLED))


class ReferralSource(StrEnum):
    """How the incident reached the desk."""

    PHONE = "phone"
    EMAIL = "email"
    WEB_FORM = "web_form"
    PARTNER_AGENCY = "partner_agency"
    ALARM = "alarm"
    FIELD_UNIT = "field_unit"


REFERENCE_PATTERN = re.compile(r"^INC-(\d{8})-(\d{4,})$")


def format_incident_reference(day: date, number: int) -> str:
    """``INC-20261123-0042``: the day it was created (by the database clock) and its number that day."""
    if number < 1:
        raise InvalidValue("incident number", number, "a whole number of at least 1")
    return f"INC-{day:%Y%m%d}-{number:04d}"


def parse_incident_reference(text: str) -> tuple[date, int]:
    match = REFERENCE_PATTERN.match(text.strip().upper()) if isinstance(text, str) else None
    if not match:
        raise InvalidValue("incident reference", text, "a reference such as INC-20261123-0042")
    day_text, number = match.groups()
    try:
        day = date(int(day_text[:4]), int(day_text[4:6]), int(day_text[6:]))
    except ValueError:
        raise InvalidValue("incident reference", text, "a reference with a real date") from None
    return day, int(number)


def clean_text(field_name: str, value: object, *, max_len: int, required: bool) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise InvalidValue(field_name, value, "text")
    value = value.replace("\r\n", "\n").replace("\r", "\n")  # text pasted from Windows or old Mac mail
    text = " ".join(value.split()) if "\n" not in value else value.strip()
    if any(ord(ch) < 32 and ch not in "\n\t" for ch in text):
        raise InvalidValue(field_name, value, "printable text without control characters")
    if required and not text:
        raise InvalidValue(field_name, value, "some text; it cannot be blank")
    if len(text) > max_len:
        raise InvalidValue(field_name, value, f"at most {max_len} characters")
    return text


@dataclass(frozen=True)
class ResponseRequirement:
    """One line of a required response: how many of which resource type, with which capabilities."""

    resource_type: str
    count: int = 1
    capabilities: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.resource_type:
            raise InvalidValue("required response", self.resource_type, "a resource type code")
        if not isinstance(self.count, int) or isinstance(self.count, bool) or not 1 <= self.count <= 20:
            raise InvalidValue("required response count", self.count, "a whole number from 1 to 20")

    def as_dict(self) -> dict[str, object]:
        return {
            "resource_type": self.resource_type,
            "count": self.count,
            "capabilities": list(self.capabilities),
        }


@dataclass(frozen=True)
class IncidentLocation:
    """Where help is needed: a validated point and the address as a person would say it."""

    point: Coordinate
    address: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "address", clean_text("address", self.address, max_len=300, required=True))

    def check_within(self, area: BoundingBox) -> None:
        if not area.contains(self.point):
            raise InvalidValue(
                "location",
                str(self.point),
                "a point inside the area the organisation serves "
                f"({area.south}..{area.north} N, {area.west}..{area.east} E)",
            )


@dataclass(frozen=True)
class Contact:
    """Who referred the incident and how to reach them again."""

    name: str = ""
    phone: str = ""
    organisation: str = ""

    _PHONE = re.compile(r"^\+?[0-9 ()\-]{5,25}$")

    def __post_init__(self) -> None:
        object.__setattr__(self, "name", clean_text("contact name", self.name, max_len=120, required=False))
        object.__setattr__(
            self, "organisation", clean_text("contact organisation", self.organisation, max_len=120, required=False)
        )
        phone = clean_text("contact phone", self.phone, max_len=25, required=False)
        if phone and not self._PHONE.match(phone):
            raise InvalidValue(
                "contact phone", self.phone, "digits, spaces, brackets or dashes, optionally starting with +"
            )
        object.__setattr__(self, "phone", phone)


@dataclass(frozen=True)
class NewIncident:
    """A referred incident as the desk records it; validated before anything is written."""

    incident_type: str
    priority: str
    location: IncidentLocation
    source: ReferralSource
    summary: str
    contact: Contact = field(default_factory=Contact)
    required_response: tuple[ResponseRequirement, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "summary", clean_text("summary", self.summary, max_len=2000, required=True))
        source: object = self.source  # callers may pass the plain text of a source
        if not isinstance(source, ReferralSource):
            try:
                object.__setattr__(self, "source", ReferralSource(str(source)))
            except ValueError:
                raise InvalidValue(
                    "referral source", self.source, "one of " + ", ".join(s.value for s in ReferralSource)
                ) from None
        for name in ("incident_type", "priority"):
            value = getattr(self, name)
            if not isinstance(value, str) or not value.strip():
                raise InvalidValue(name.replace("_", " "), value, "a code from the organisation pack")


def clean_log_text(text: object) -> str:
    """Log text as recorded: trimmed, printable, at most 4000 characters (may be empty beside a code)."""
    return clean_text("log text", text, max_len=4000, required=False)
