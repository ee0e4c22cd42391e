"""Locations: validated WGS84 coordinates and distances between them."""

from __future__ import annotations

import math
from dataclasses import dataclass

from supervisor_app.domain.errors import InvalidValue

EARTH_RADIUS_M = 6_371_008.8


def _as_degrees(field: str, value: object, limit: float) -> float:
    if isinstance(value, bool):
        raise InvalidValue(field, value, f"a number of degrees between -{limit:g} and {limit:g}")
    if isinstance(value, str):
        text = value.strip().replace(",", ".")
        try:
            number = float(text)
        except ValueError:
            raise InvalidValue(field, value, f"a number of degrees between -{limit:g} and {limit:g}") from None
    elif isinstance(value, (int, float)):
        number = float(value)
    else:
        raise InvalidValue(field, value, f"a number of degrees between -{limit:g} and {limit:g}")
    if not math.isfinite(number) or not -limit <= number <= limit:
        raise InvalidValue(field, value, f"a number of degrees between -{limit:g} and {limit:g}")
    return number


@dataclass(frozen=True, slots=True)
class Coordinate:
    """A point on the WGS84 ellipsoid in decimal degrees (latitude first, as people say it)."""

    lat: float
    lon: float

    def __post_init__(self) -> None:
        object.__setattr__(self, "lat", _as_degrees("latitude", self.lat, 90.0))
        object.__setattr__(self, "lon", _as_degrees("longitude", self.lon, 180.0))

    @classmethod
    def parse(cls, text: str) -> Coordinate:
        """Read ``"60.1699, 24.9384"`` (latitude, longitude in decimal degrees)."""
        if not isinstance(text, str):
            raise InvalidValue("coordinates", text, 'text such as "60.1699, 24.9384"')
        # "60.1699, 24.9384", "60.1699 24.9384", "60.1699;24.9384" or with decimal commas
        # as Finnish keyboards type them: "60,1699 24,9384".
        parts = [p.strip(",") for p in text.replace(";", " ").split() if p.strip(",")]
        if len(parts) == 1 and parts[0].count(",") == 1:
            parts = parts[0].split(",")
        if len(parts) != 2:
            raise InvalidValue(
                "coordinates",
                text,
                'latitude and longitude in decimal degrees, such as "60.1699, 24.9384"',
            )
        return cls(parts[0], parts[1])  # type: ignore[arg-type]

    def distance_m(self, other: Coordinate) -> float:
        """Great-circle distance in metres (haversine)."""
        p1, p2 = math.radians(self.lat), math.radians(other.lat)
        dp = p2 - p1
        dl = math.radians(other.lon - self.lon)
        a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
        return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))

    def __str__(self) -> str:
        return f"{self.lat:.6f}, {self.lon:.6f}"


@dataclass(frozen=True, slots=True)
class BoundingBox:
    """The area an organisation serves; used to catch coordinates that are valid but absurd."""

    south: float
    west: float
    north: float
    east: float

    def __post_init__(self) -> None:
        Coordinate(self.south, self.west)
        Coordinate(self.north, self.east)
        if self.south >= self.north or self.west >= self.east:
            raise InvalidValue(
                "area",
                (self.south, self.west, self.north, self.east),
                "south < north and west < east",
            )

    def contains(self, point: Coordinate) -> bool:
        return self.south <= point.lat <= self.north and self.west <= point.lon <= self.east
