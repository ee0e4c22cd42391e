"""The pack's gazetteer: addresses with their map positions, for finding a caller's location."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.geo import BoundingBox, Coordinate
from supervisor_app.pack.problems import PackError, PackProblem

GAZETTEER_FILE_NAME = "gazetteer.csv"
GAZETTEER_COLUMNS = ("street", "housenumber", "postcode", "lat", "lon")


@dataclass(frozen=True, slots=True)
class Place:
    """One address point, such as Mannerheimintie 12, 00100."""

    street: str
    housenumber: str
    postcode: str
    lat: float
    lon: float
    district: str = ""

    @property
    def label(self) -> str:
        text = f"{self.street} {self.housenumber}"
        return f"{text}, {self.postcode}" if self.postcode else text

    @property
    def location(self) -> Coordinate:
        return Coordinate(self.lat, self.lon)


def _read_place(
    row: dict[str, str], line: int, area: BoundingBox | None
) -> tuple[Place | None, PackProblem | None]:
    street = (row.get("street") or "").strip()
    housenumber = (row.get("housenumber") or "").strip()
    if not street or not housenumber:
        return None, PackProblem(GAZETTEER_FILE_NAME, line, "street" if not street else "housenumber",
                                 "expected a street and a house number")
    try:
        location = Coordinate(row.get("lat") or "", row.get("lon") or "")  # type: ignore[arg-type]
    except InvalidValue as error:
        key = "lat" if error.field == "latitude" else "lon"
        return None, PackProblem(GAZETTEER_FILE_NAME, line, key,
                                 f"{error.value!r} is not valid; expected {error.expected}")
    if area is not None and not area.contains(location):
        return None, PackProblem(GAZETTEER_FILE_NAME, line, "lat",
                                 f"{location} is outside the served area; expected a place inside it")
    place = Place(street, housenumber, (row.get("postcode") or "").strip(), location.lat,
                  location.lon, (row.get("district") or "").strip())
    return place, None


def load_gazetteer(path: Path, area: BoundingBox | None = None) -> list[Place]:
    """Read a gazetteer CSV; a missing file is an empty gazetteer, a faulty one a PackError."""
    if not path.exists():
        return []
    places: list[Place] = []
    problems: list[PackProblem] = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in GAZETTEER_COLUMNS if c not in (reader.fieldnames or [])]
        if missing:
            raise PackError(path.parent, [PackProblem(
                GAZETTEER_FILE_NAME, 1, "",
                f"the header lacks the columns {', '.join(missing)}; expected "
                f"{', '.join(GAZETTEER_COLUMNS)}")])
        for row in reader:
            place, problem = _read_place(row, reader.line_num, area)
            if place is not None:
                places.append(place)
            if problem is not None:
                problems.append(problem)
    if problems:
        raise PackError(path.parent, problems)
    return places
