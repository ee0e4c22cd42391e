"""Stations and sectors must lie inside the area the organisation serves."""

from __future__ import annotations

from supervisor_app.domain.geo import BoundingBox, Coordinate
from supervisor_app.pack.problems import PackProblem
from supervisor_app.pack.schema.organisation import OrganisationFile
from supervisor_app.pack.schema.places import SectorsFile, StationsFile
from supervisor_app.pack.sections import ValidSections


def describe_area(area: BoundingBox) -> str:
    return (f"the served area in organisation.yaml (latitude {area.south:.5f} to {area.north:.5f}, "
            f"longitude {area.west:.5f} to {area.east:.5f})")


def _faulty_axis(area: BoundingBox, point: Coordinate) -> str:
    return "lat" if not area.south <= point.lat <= area.north else "lon"


def check_places_inside_area(sections: ValidSections) -> list[PackProblem]:
    organisation = sections.get(OrganisationFile)
    if organisation is None:
        return []
    area = organisation.area.bounding_box()
    problems: list[PackProblem] = []
    if (stations := sections.get(StationsFile)) is not None:
        for index, station in enumerate(stations.stations):
            point = station.location
            if not area.contains(point):
                problems.append(sections.problem(
                    StationsFile, ("stations", index, _faulty_axis(area, point)),
                    f"station {station.code} at {point} is outside {describe_area(area)}; "
                    "expected a place inside it",
                ))
    if (sectors := sections.get(SectorsFile)) is not None:
        for index, sector in enumerate(sectors.sectors):
            for corner_index, (lat, lon) in enumerate(sector.polygon):
                corner = Coordinate(lat, lon)
                if not area.contains(corner):
                    problems.append(sections.problem(
                        SectorsFile, ("sectors", index, "polygon", corner_index),
                        f"corner {corner} of sector {sector.code} is outside "
                        f"{describe_area(area)}; expected every corner inside it",
                    ))
    return problems
