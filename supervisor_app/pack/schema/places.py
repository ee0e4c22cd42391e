"""sectors.yaml and stations.yaml: where the organisation works and where its resources are based."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, Field

from supervisor_app.domain.geo import Coordinate
from supervisor_app.pack.geometry import polygon_contains
from supervisor_app.pack.schema.base import PackModel
from supervisor_app.pack.schema.fields import CallSign, Code, Email, Latitude, Longitude, Phone, PolygonPoint, Text

Shift = Literal["day", "night", "24h", "on_call"]


def _check_polygon(points: list[tuple[float, float]]) -> list[tuple[float, float]]:
    if len(set(points)) < 3:
        raise ValueError(
            f"a sector polygon needs at least 3 different points [lat, lon]; found {len(set(points))}"
        )
    return points


class Sector(PackModel):
    code: Code
    name: Text
    polygon: Annotated[list[PolygonPoint], AfterValidator(_check_polygon)]
    """Corners in order, as [latitude, longitude]; the last corner joins the first."""

    def contains(self, point: Coordinate) -> bool:
        return polygon_contains(self.polygon, point)


class SectorsFile(PackModel):
    sectors: list[Sector] = Field(min_length=1)


class Resource(PackModel):
    """A vehicle, crew or person that can be deployed, based at a station."""

    call_sign: CallSign
    type: Code
    capabilities: list[Code] = Field(default_factory=list)
    """Capabilities in addition to the resource type's default ones."""
    shift: Shift
    phone: Phone | None = None
    """The number of the resource's phone, for text messages (international form)."""
    email: Email | None = None
    """Where the resource reads e-mail on its device."""


class Station(PackModel):
    code: Code
    name: Text
    address: Text
    lat: Latitude
    lon: Longitude
    sector: Code
    resources: list[Resource] = Field(default_factory=list)

    @property
    def location(self) -> Coordinate:
        return Coordinate(self.lat, self.lon)


class StationsFile(PackModel):
    stations: list[Station] = Field(min_length=1)
