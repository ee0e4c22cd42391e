"""Who refers an incident and what it needs: referral sources, callers, addresses, resources."""

from __future__ import annotations

import random

from supervisor_app.demo.finnish_names import caller_name, phone_number
from supervisor_app.demo.response import Need
from supervisor_app.domain.incidents import ReferralSource
from supervisor_app.pack import IncidentType, OrganisationPack, Place, Station

SOURCES_BY_CATEGORY: dict[str, tuple[tuple[ReferralSource, ...], tuple[float, ...]]] = {
    "alarms": ((ReferralSource.ALARM, ReferralSource.PHONE), (0.85, 0.15)),
    "welfare": ((ReferralSource.PHONE, ReferralSource.PARTNER_AGENCY, ReferralSource.ALARM), (0.6, 0.3, 0.1)),
}
DEFAULT_SOURCES = (
    (ReferralSource.PHONE, ReferralSource.WEB_FORM, ReferralSource.EMAIL, ReferralSource.PARTNER_AGENCY,
     ReferralSource.FIELD_UNIT),
    (0.78, 0.06, 0.04, 0.06, 0.06),
)
SOURCES_BY_TYPE = {"TELECARE_NO_RESPONSE": ((ReferralSource.ALARM, ReferralSource.PHONE), (0.9, 0.1))}
ALARM_CENTRE = "Alarm receiving centre"


def choose_referrer(
    rng: random.Random, incident_type: str, category: str, *, partners: list[str], own_organisation: str
) -> tuple[ReferralSource, str, str, str]:
    """How the referral came in, and the caller's name, number and organisation."""
    sources, weights = SOURCES_BY_TYPE.get(incident_type) or SOURCES_BY_CATEGORY.get(category, DEFAULT_SOURCES)
    source = rng.choices(sources, weights=weights)[0]
    name, phone = caller_name(rng), phone_number(rng)
    if source is ReferralSource.ALARM:
        return source, name, phone, ALARM_CENTRE
    if source is ReferralSource.PARTNER_AGENCY:
        return source, name, phone, rng.choice(partners)
    if source is ReferralSource.FIELD_UNIT:
        return source, name, phone, own_organisation
    return source, name, phone, ""


def needs_of(incident_type: IncidentType, pack: OrganisationPack) -> list[Need]:
    """One need per resource asked for, labelled as a supervisor would say it:
    "Gas emergency engineer (gas detection, gas isolation)"."""
    needs: list[Need] = []
    for line in incident_type.required_response:
        skills = ", ".join(code.replace("_", " ") for code in line.capabilities)
        label = pack.resource_type(line.resource_type).name + (f" ({skills})" if skills else "")
        needs.extend(Need(line.resource_type, frozenset(line.capabilities), label) for _ in range(line.count))
    return needs


def station_place(station: Station) -> Place:
    """A stand-in address for a pack without a gazetteer: a station's own."""
    street_and_number = station.address.split(",")[0].strip()
    street, _, number = street_and_number.rpartition(" ")
    return Place(street or number, number if street else "", "", station.lat, station.lon)
