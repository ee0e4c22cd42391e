"""The demo's resources as the history sees them: where each is based, when it works, when it is busy.

Every booking holds a resource from the moment it is requested until it is back at its station,
and bookings of one resource never overlap: that is what keeps the database's rule of one live
deployment per resource true for the whole history, and at the present moment in particular.
"""

from __future__ import annotations

import math
from bisect import bisect_right
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from supervisor_app.domain.geo import EARTH_RADIUS_M

ROAD_FACTOR = 1.4  # streets are longer than the straight line
PARKING_SECONDS = 90
DAY_SHIFT_HOURS = range(7, 19)
WEEKEND = (5, 6)


class Bookings:
    """Time intervals ``[start, end)`` a resource is committed, sorted and never overlapping."""

    __slots__ = ("ends", "starts")

    def __init__(self) -> None:
        self.starts: list[int] = []
        self.ends: list[int] = []

    def clash_end(self, start: int, end: int) -> int | None:
        """The end of a booking overlapping ``[start, end)``, or None when the time is free."""
        index = bisect_right(self.starts, start)
        if index > 0 and self.ends[index - 1] > start:
            return self.ends[index - 1]
        if index < len(self.starts) and self.starts[index] < end:
            return self.ends[index]
        return None

    def book(self, start: int, end: int) -> None:
        index = bisect_right(self.starts, start)
        self.starts.insert(index, start)
        self.ends.insert(index, end)

    def release(self, start: int) -> None:
        """Forget the booking that starts at ``start`` (the job was called off before it began)."""
        index = bisect_right(self.starts, start) - 1
        if index >= 0 and self.starts[index] == start:
            del self.starts[index]
            del self.ends[index]

    def shorten(self, start: int, new_end: int) -> None:
        """End the booking that starts at ``start`` earlier (a resource stood down goes home)."""
        index = bisect_right(self.starts, start) - 1
        if index >= 0 and self.starts[index] == start:
            self.ends[index] = min(self.ends[index], new_end)



class LocalClock:
    """Local hour, weekday and UTC offset of a UTC timestamp, worked out once per hour.

    Caching by the hour assumes the zone's offsets are whole hours, as Europe/Helsinki's are.
    """

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self._local = lru_cache(maxsize=200_000)(self._compute)

    def _compute(self, utc_hour: int) -> tuple[int, int, int]:
        local = datetime.fromtimestamp(utc_hour * 3600, UTC).astimezone(self.zone)
        offset = local.utcoffset()
        return local.hour, local.weekday(), int(offset.total_seconds()) if offset is not None else 0

    def hour_and_weekday(self, moment: int) -> tuple[int, int]:
        hour, weekday, _ = self._local(moment // 3600)
        return hour, weekday

    def utc_offset(self, moment: int) -> int:
        return self._local(moment // 3600)[2]


@dataclass(eq=False)
class FleetResource:
    """One resource of the demo organisation, with its database id and its bookings."""

    id: int
    call_sign: str
    resource_type: str
    capabilities: frozenset[str]
    station_id: int
    lat: float
    lon: float
    shift: str
    speed_m_per_s: float
    bookings: Bookings = field(default_factory=Bookings)

    def on_duty(self, clock: LocalClock, moment: int) -> bool:
        """Day crews work weekend daytime, night crews every evening and night; 24h and on-call always."""
        if self.shift in ("24h", "on_call"):
            return True
        hour, weekday = clock.hour_and_weekday(moment)
        daytime = hour in DAY_SHIFT_HOURS
        if self.shift == "night":
            return not daytime
        return daytime and weekday in WEEKEND

    def next_duty_start(self, clock: LocalClock, moment: int) -> int:
        """The first whole hour from ``moment`` at which the resource is on duty."""
        probe = moment - moment % 3600 + 3600
        for _ in range(24 * 8):
            if self.on_duty(clock, probe):
                return probe
            probe += 3600
        return probe

    def travel_seconds(self, lat: float, lon: float) -> int:
        return PARKING_SECONDS + int(distance_m(self.lat, self.lon, lat, lon) * ROAD_FACTOR / self.speed_m_per_s)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance (haversine), without building Coordinate objects in the hot loop."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


class Fleet:
    """All resources, and the pools able to meet each line of a required response."""

    def __init__(self, resources: list[FleetResource]) -> None:
        self.resources = resources
        self._pools: dict[tuple[str, frozenset[str]], list[FleetResource]] = {}

    def able(self, resource_type: str, capabilities: frozenset[str]) -> list[FleetResource]:
        key = (resource_type, capabilities)
        pool = self._pools.get(key)
        if pool is None:
            pool = [r for r in self.resources if r.resource_type == resource_type and capabilities <= r.capabilities]
            if not pool:  # the pack's own checks make this impossible; fall back to the type alone
                pool = [r for r in self.resources if r.resource_type == resource_type]
            self._pools[key] = pool
        return pool
