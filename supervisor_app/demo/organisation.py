"""The demo organisation's rows: stations and resources from the pack, people, and the shift rota."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import cache
from itertools import pairwise
from typing import Any
from zoneinfo import ZoneInfo

from supervisor_app.demo.finnish_names import ALL_USERS, DEMO_ACCOUNTS, watch_for_shift
from supervisor_app.demo.fleet import Fleet, FleetResource
from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.domain.shifts import SHIFT_START_HOURS, ShiftName
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.passwords import hash_with_fixed_salt

Row = dict[str, Any]


@dataclass(frozen=True)
class IdStart:
    """The first free id of each table the seeder fills (1 on an empty database)."""

    station: int = 1
    resource: int = 1
    user: int = 1
    shift: int = 1
    incident: int = 1
    deployment: int = 1
    log_entry: int = 1
    case: int = 1


def as_datetime(moment: int) -> datetime:
    return datetime.fromtimestamp(moment, UTC)


def station_rows(pack: OrganisationPack, first_id: int) -> list[Row]:
    return [
        {
            "id": first_id + index,
            "code": station.code,
            "name": station.name,
            "address": station.address,
            "sector_code": station.sector,
            "lat": station.lat,
            "lon": station.lon,
        }
        for index, station in enumerate(pack.stations)
    ]


def build_fleet(pack: OrganisationPack, stations: list[Row], first_id: int) -> Fleet:
    """The pack's resources with database ids, based at their stations."""
    station_ids = {row["code"]: row["id"] for row in stations}
    resources = []
    for index, resource in enumerate(pack.all_resources()):
        speed_kmh = pack.resource_type(resource.resource_type).travel_speed_kmh
        resources.append(
            FleetResource(
                id=first_id + index,
                call_sign=resource.call_sign,
                resource_type=resource.resource_type,
                capabilities=resource.capabilities,
                station_id=station_ids[resource.station],
                lat=resource.lat,
                lon=resource.lon,
                shift=resource.shift,
                speed_m_per_s=speed_kmh / 3.6,
            )
        )
    return Fleet(resources)


@dataclass(frozen=True)
class ResourceState:
    """Where a resource stands at the end of the history."""

    status: ResourceStatus
    changed_at: int
    lat: float
    lon: float


def resource_rows(fleet: Fleet, states: dict[int, ResourceState], *, position_at: int) -> list[Row]:
    rows = []
    for resource in fleet.resources:
        state = states[resource.id]
        rows.append(
            {
                "id": resource.id,
                "call_sign": resource.call_sign,
                "resource_type": resource.resource_type,
                "capabilities": sorted(resource.capabilities),
                "station_id": resource.station_id,
                "shift_pattern": resource.shift,
                "status": state.status.value,
                "status_changed_at": as_datetime(state.changed_at),
                "lat": round(state.lat, 6),
                "lon": round(state.lon, 6),
                "position_at": as_datetime(position_at),
                "version": 1,
            }
        )
    return rows


#: The demo accounts' password, published in README: for trying the demo desk, never for real use.
DEMO_PASSWORD = "try-the-demo-desk"


@cache
def demo_password_hash() -> str:
    """One argon2id hash per process, with a fixed salt so the demo history stays reproducible."""
    return hash_with_fixed_salt(DEMO_PASSWORD, b"incident-demo-01")


def user_rows(first_id: int, created_at: int) -> tuple[list[Row], list[Row]]:
    """The demo accounts and colleagues, and their roles."""
    users: list[Row] = []
    roles: list[Row] = []
    demo_accounts = {person.username for person in DEMO_ACCOUNTS}
    for index, person in enumerate(ALL_USERS):
        user_id = first_id + index
        users.append(
            {
                "id": user_id,
                "username": person.username,
                "display_name": person.display_name,
                "active": True,
                "created_at": as_datetime(created_at),
                # Only the demo accounts can sign in, with the published demo password.
                "password_hash": demo_password_hash() if person.username in demo_accounts else None,
                "password_changed_at": as_datetime(created_at) if person.username in demo_accounts else None,
                "failed_sign_ins": 0,
            }
        )
        roles.extend({"user_id": user_id, "role": role.value} for role in person.roles)
    return users, roles


def _local_shift_start(day: date, name: ShiftName, zone: ZoneInfo) -> datetime:
    return datetime(day.year, day.month, day.day, SHIFT_START_HOURS[name], tzinfo=zone)


def shift_rows(first_id: int, *, start: int, now: int, zone: ZoneInfo) -> list[Row]:
    """Twelve-hour day (07-19) and night (19-07) shifts, local time, covering ``[start, now]``.

    Each shift ends when the next one starts, so the nights the clocks change last 11 or 13 hours.
    """
    first_day = as_datetime(start).astimezone(zone).date() - timedelta(days=1)
    last_day = as_datetime(now).astimezone(zone).date() + timedelta(days=1)
    starts: list[tuple[datetime, ShiftName, date]] = []
    day = first_day
    while day <= last_day:
        for name in (ShiftName.DAY, ShiftName.NIGHT):
            starts.append((_local_shift_start(day, name, zone), name, day))
        day += timedelta(days=1)
    rows: list[Row] = []
    for (begins, name, day), (next_begins, _, _) in pairwise(starts):
        begins_utc, ends_utc = begins.astimezone(UTC), next_begins.astimezone(UTC)
        if ends_utc.timestamp() <= start or begins_utc.timestamp() > now:
            continue
        watch = watch_for_shift(day.toordinal(), name is ShiftName.NIGHT)
        rows.append(
            {
                "id": first_id + len(rows),
                "name": name.value,
                "starts_at": begins_utc,
                "ends_at": ends_utc,
                "lead": watch.lead,
            }
        )
    return rows
