"""How long a resource takes to reach an incident: over the street network, or by straight line.

A supervisor picks the resource that can be there soonest, and in a city centre of one-way
streets, a river and a harbour the nearest resource as the crow flies is often not the one that
arrives first. ``StreetNetwork`` holds the organisation's streets as a directed graph (junctions
and the driving time of each link) and answers the question the deployment queue asks: from where
every resource is now, how long to this incident? It runs one Dijkstra search on the reversed
graph from the junction nearest the incident, so one search gives the time from every junction to
the incident, and each resource then costs one grid lookup.

Where there is no network (a pack without one, or a resource too far from any street),
``StraightLine`` estimates the time from the straight-line distance at a stated speed, stretched
by a detour factor. Both implement ``TravelEstimator``, so the ranking does not care which it has.

The file format (``street_network.json.gz``) is gzip-compressed JSON::

    {"format": 1, "source": "...", "attribution": "© OpenStreetMap contributors (ODbL)",
     "speeds_kmh": {"primary": 35, ...}, "nodes": [[lat, lon], ...], "edges": [[from, to, seconds], ...]}

Positions have 6 decimals (about 0.1 m); ``from`` and ``to`` are indices into ``nodes``.
"""

from __future__ import annotations

import gzip
import heapq
import io
import json
import math
import os
import zlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Protocol

from supervisor_app.domain.errors import DomainError, InvalidValue
from supervisor_app.domain.geo import EARTH_RADIUS_M, Coordinate

FORMAT_VERSION = 1
OSM_ATTRIBUTION = "© OpenStreetMap contributors (ODbL)"
#: An origin or incident farther than this from every junction is off the network.
SNAP_LIMIT_M = 500.0
#: The stretch between a point and its nearest junction is taken as a straight line at this speed:
#: slow, because it is a yard, a private road or the last bit on foot, which the network lacks.
SNAP_SPEED_KMH = 10.0

_SNAP_SPEED_MS = SNAP_SPEED_KMH / 3.6
_METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180.0
_INFINITY = math.inf


class TravelEstimate(Protocol):
    """Times to one destination, from any origin; what an estimator gives for one incident."""

    @property
    def method(self) -> str:
        """``"road"`` or ``"straight line"``: how the times were found, shown to the supervisor."""
        ...

    @property
    def phrase(self) -> str:
        """The words that follow the minutes in an explanation: ``"by road"``."""
        ...

    def seconds_from(self, origin: Coordinate) -> float | None:
        """Seconds from ``origin`` to the destination, or None when this estimate cannot say."""
        ...


class TravelEstimator(Protocol):
    """Something that estimates travel times to a destination (a street network, a straight line)."""

    @property
    def description(self) -> str:
        """What the estimate is based on, in words a supervisor understands."""
        ...

    def travel_times_to(self, destination: Coordinate, limit_s: float | None = None) -> TravelEstimate:
        """Prepare the times from everywhere to ``destination`` (at most ``limit_s`` seconds, if given)."""
        ...


class StreetNetworkFileError(DomainError):
    """A street network file that cannot be used, with the key at fault and what was expected."""

    def __init__(self, file: str, key: str, problem: str) -> None:
        self.file = file
        self.key = key
        self.problem = problem
        where = f"{file}: {key}" if key else file
        super().__init__(f"The street network file {where}: {problem}")


def _check_limit(limit_s: float | None) -> None:
    if limit_s is not None and (isinstance(limit_s, bool) or not limit_s >= 0 or math.isnan(limit_s)):
        raise InvalidValue("time limit", limit_s, "a number of seconds, 0 or more, or None for no limit")


@dataclass(frozen=True, slots=True)
class StraightLine:
    """The fallback estimate: straight-line distance x ``detour_factor`` at ``speed_kmh``.

    Streets are seldom straight, so the distance is stretched by the detour factor (1.3 is a usual
    ratio of road to straight-line distance in a city grid).
    """

    speed_kmh: float = 30.0
    detour_factor: float = 1.3

    def __post_init__(self) -> None:
        if not _is_number(self.speed_kmh) or not 0 < self.speed_kmh <= 200:
            raise InvalidValue("straight-line speed", self.speed_kmh, "a speed in km/h above 0 and at most 200")
        if not _is_number(self.detour_factor) or not 1 <= self.detour_factor <= 5:
            raise InvalidValue("detour factor", self.detour_factor, "a number from 1 to 5")

    @property
    def description(self) -> str:
        return f"straight line at {self.speed_kmh:g} km/h x {self.detour_factor:g}"

    def travel_times_to(self, destination: Coordinate, limit_s: float | None = None) -> StraightLineTimes:
        _check_limit(limit_s)
        return StraightLineTimes(self, destination, limit_s)


@dataclass(frozen=True, slots=True)
class StraightLineTimes:
    """Straight-line times to one destination; every origin has one (within the limit, if any)."""

    estimator: StraightLine
    destination: Coordinate
    limit_s: float | None = None

    @property
    def method(self) -> str:
        return "straight line"

    @property
    def phrase(self) -> str:
        return f"(straight line at {self.estimator.speed_kmh:g} km/h)"

    def seconds_from(self, origin: Coordinate) -> float | None:
        metres = origin.distance_m(self.destination) * self.estimator.detour_factor
        seconds = metres / (self.estimator.speed_kmh / 3.6)
        if self.limit_s is not None and seconds > self.limit_s:
            return None
        return seconds


class StreetNetwork:
    """A directed graph of junctions (WGS84 positions) and links with their driving time in seconds.

    Build it from ``nodes`` (``(lat, lon)`` pairs) and ``edges`` (``(from, to, seconds)`` with
    indices into ``nodes``); a two-way street is two edges. Nearest-junction lookups go through a
    uniform grid over a local flat projection (accurate to well under a metre across a city), so
    placing thousands of resources on the network costs no scan of every junction.
    """

    def __init__(
        self,
        nodes: Sequence[tuple[float, float]],
        edges: Sequence[tuple[int, int, float]],
        *,
        source: str = "",
        attribution: str = OSM_ATTRIBUTION,
        speeds_kmh: Mapping[str, float] | None = None,
    ) -> None:
        positions: list[Coordinate] = []
        for index, node in enumerate(nodes):
            try:
                lat, lon = node
                positions.append(Coordinate(lat, lon))
            except (InvalidValue, TypeError, ValueError):
                raise InvalidValue(f"street network nodes[{index}]", node,
                                   "a latitude and longitude in decimal degrees") from None
        count = len(positions)
        reverse: list[list[tuple[int, float]]] = [[] for _ in range(count)]
        checked_edges: list[tuple[int, int, float]] = []
        for index, edge in enumerate(edges):
            start, end, seconds = _checked_edge(index, edge, count)
            reverse[end].append((start, seconds))
            checked_edges.append((start, end, seconds))
        self.positions: tuple[Coordinate, ...] = tuple(positions)
        self.edges: tuple[tuple[int, int, float], ...] = tuple(checked_edges)
        self.source = source
        self.attribution = attribution
        self.speeds_kmh: dict[str, float] = dict(speeds_kmh or {})
        self._reverse = reverse
        self._grid = _JunctionGrid(self.positions)

    def __repr__(self) -> str:
        return f"StreetNetwork({len(self.positions)} junctions, {len(self.edges)} links)"

    @property
    def description(self) -> str:
        return f"by road over the street network ({len(self.positions)} junctions, {len(self.edges)} links)"

    def nearest_node(self, point: Coordinate, limit_m: float = SNAP_LIMIT_M) -> tuple[int, float] | None:
        """The junction nearest ``point`` and its distance in metres, or None beyond ``limit_m``."""
        return self._grid.nearest(point.lat, point.lon, limit_m)

    def travel_times_to(self, destination: Coordinate, limit_s: float | None = None) -> TravelTimes:
        """Driving times from every junction to ``destination``: one Dijkstra on the reversed graph.

        With ``limit_s`` the search stops once every junction within that time is settled, which
        keeps a large network quick when only nearby resources matter.
        """
        _check_limit(limit_s)
        snapped = self.nearest_node(destination)
        if snapped is None:
            return TravelTimes(self, destination, None, 0.0, [], limit_s)
        target, snap_m = snapped
        seconds = [_INFINITY] * len(self.positions)
        seconds[target] = 0.0
        heap: list[tuple[float, int]] = [(0.0, target)]
        reverse = self._reverse
        pop, push = heapq.heappop, heapq.heappush
        while heap:
            reached, node = pop(heap)
            if reached > seconds[node]:
                continue
            if limit_s is not None and reached > limit_s:
                break  # everything still queued is farther than the limit
            for origin, link_s in reverse[node]:
                candidate = reached + link_s
                if candidate < seconds[origin]:
                    seconds[origin] = candidate
                    push(heap, (candidate, origin))
        return TravelTimes(self, destination, target, snap_m / _SNAP_SPEED_MS, seconds, limit_s)

    def route(self, origin: Coordinate, destination: Coordinate) -> list[Coordinate]:
        """The fastest way by road: ``origin``, the junctions passed in order, then ``destination``.

        A unit that drives (the field-unit simulator, a terminal's navigation) needs the way itself,
        not only its time. The search is the one ``travel_times_to`` makes, on the reversed graph
        from the destination's junction, with each junction remembering the next one on its fastest
        way there; it stops as soon as the origin's junction is settled. So the route takes exactly
        the time ``travel_times_to(destination).seconds_from(origin)`` gives, and a unit seen
        driving arrives when the desk's recommendation said it would.

        Empty when either end is farther than ``SNAP_LIMIT_M`` from every junction or the origin's
        junction cannot reach the destination's: there is no road route, and the caller decides
        (a straight line, say). Points that repeat the one before (an origin on a junction) are left out.
        """
        start = self.nearest_node(origin)
        end = self.nearest_node(destination)
        if start is None or end is None:
            return []
        first, last = start[0], end[0]
        seconds: dict[int, float] = {last: 0.0}
        toward: dict[int, int] = {}
        heap: list[tuple[float, int]] = [(0.0, last)]
        reverse = self._reverse
        pop, push = heapq.heappop, heapq.heappush
        settled = False
        while heap:
            reached, node = pop(heap)
            if reached > seconds[node]:
                continue
            if node == first:
                settled = True
                break
            for previous, link_s in reverse[node]:
                candidate = reached + link_s
                if candidate < seconds.get(previous, _INFINITY):
                    seconds[previous] = candidate
                    toward[previous] = node
                    push(heap, (candidate, previous))
        if not settled:
            return []
        junctions = [first]
        while junctions[-1] != last:
            junctions.append(toward[junctions[-1]])
        points = [origin]
        for point in (*(self.positions[index] for index in junctions), destination):
            if point != points[-1]:
                points.append(point)
        return points


class TravelTimes:
    """Driving times to one incident from anywhere on the network (the result of one search)."""

    __slots__ = ("_limit_s", "_network", "_seconds", "destination", "destination_node", "destination_snap_s")

    def __init__(
        self,
        network: StreetNetwork,
        destination: Coordinate,
        destination_node: int | None,
        destination_snap_s: float,
        seconds: list[float],
        limit_s: float | None,
    ) -> None:
        self._network = network
        self.destination = destination
        self.destination_node = destination_node
        self.destination_snap_s = destination_snap_s
        self._seconds = seconds
        self._limit_s = limit_s

    @property
    def method(self) -> str:
        return "road"

    @property
    def phrase(self) -> str:
        return "by road"

    @property
    def on_network(self) -> bool:
        """False when the incident itself is farther than the snap limit from every junction."""
        return self.destination_node is not None

    def seconds_from(self, origin: Coordinate) -> float | None:
        """Seconds from ``origin`` to the incident, or None when ``origin`` is off the network.

        The time is: ``origin`` to its nearest junction (straight, at ``SNAP_SPEED_KMH``), that
        junction to the incident's nearest junction by road, and from there to the incident (the
        same slow straight stretch). None when either end is more than ``SNAP_LIMIT_M`` from a
        junction, the junction cannot reach the incident, or the time exceeds the search's limit.
        """
        if self.destination_node is None:
            return None
        via = self._network._grid.time_via_nearest(origin.lat, origin.lon, self._seconds)
        if via == _INFINITY:
            return None
        total = via + self.destination_snap_s
        if self._limit_s is not None and total > self._limit_s:
            return None
        return total


def _checked_edge(index: int, edge: object, node_count: int) -> tuple[int, int, float]:
    expected = f"[from, to, seconds] with junction indices 0..{node_count - 1} and seconds of 0 or more"
    if not isinstance(edge, (list, tuple)) or len(edge) != 3:
        raise InvalidValue(f"street network edges[{index}]", edge, expected)
    start, end, seconds = edge
    for junction in (start, end):
        if isinstance(junction, bool) or not isinstance(junction, int) or not 0 <= junction < node_count:
            raise InvalidValue(f"street network edges[{index}]", edge, expected)
    if isinstance(seconds, bool) or not isinstance(seconds, (int, float)) or not 0 <= seconds < _INFINITY:
        raise InvalidValue(f"street network edges[{index}]", edge, expected)
    return start, end, float(seconds)


class _JunctionGrid:
    """Junctions bucketed into square cells of a local equirectangular projection.

    Each cell's *cover* (the junctions that can be the nearest to some point of the cell) is worked
    out the first time a point falls in it, and kept: with ``d`` the distance from the cell's centre
    to its nearest junction and ``h`` half the cell's diagonal, only junctions within ``d + 2h`` of
    the centre can win. A lookup is then one dictionary read and a loop over a handful of junctions,
    however far the point lies from a street (a park, the harbour). The covers fill lazily, so a
    network costs nothing until it is used, and only cells within the snap limit are ever kept.
    Lookups with a limit above ``SNAP_LIMIT_M`` search ring by ring instead.
    """

    def __init__(self, positions: Sequence[Coordinate]) -> None:
        self._cells: dict[tuple[int, int], list[tuple[float, float, int]]] = {}
        self._cover: dict[tuple[int, int], tuple[tuple[float, float, int], ...]] = {}
        if not positions:
            self._kx = self._cell = self._half_diagonal = 1.0
            self._box = (0.0, 0.0, -1.0, -1.0)
            return
        lats = [p.lat for p in positions]
        middle = (min(lats) + max(lats)) / 2
        self._kx = _METRES_PER_DEGREE * math.cos(math.radians(middle))
        points = [(p.lon * self._kx, p.lat * _METRES_PER_DEGREE) for p in positions]
        xs = [x for x, _ in points]
        ys = [y for _, y in points]
        self._box = (min(xs), min(ys), max(xs), max(ys))
        area = max(1.0, (self._box[2] - self._box[0]) * (self._box[3] - self._box[1]))
        # Cells a quarter of the area per junction keep each cover to a few junctions.
        self._cell = min(SNAP_LIMIT_M, max(25.0, math.sqrt(area / (4.0 * len(points)))))
        self._half_diagonal = self._cell * math.sqrt(0.5)
        for index, (x, y) in enumerate(points):
            key = (math.floor(x / self._cell), math.floor(y / self._cell))
            self._cells.setdefault(key, []).append((x, y, index))

    def nearest(self, lat: float, lon: float, limit_m: float) -> tuple[int, float] | None:
        x = lon * self._kx
        y = lat * _METRES_PER_DEGREE
        west, south, east, north = self._box
        if x < west - limit_m or x > east + limit_m or y < south - limit_m or y > north + limit_m:
            return None
        if limit_m <= SNAP_LIMIT_M:
            key = (math.floor(x / self._cell), math.floor(y / self._cell))
            cover = self._cover.get(key)
            if cover is None:
                cover = self._cover_of(key)
            best_d2 = _INFINITY
            best = -1
            for nx, ny, index in cover:
                d2 = (nx - x) * (nx - x) + (ny - y) * (ny - y)
                if d2 < best_d2 or (d2 == best_d2 and index < best):
                    best_d2, best = d2, index
        else:
            best_d2, best = self._scan(x, y, limit_m)
        if best < 0 or best_d2 > limit_m * limit_m:
            return None
        return best, math.sqrt(best_d2)

    def time_via_nearest(self, lat: float, lon: float, seconds: list[float]) -> float:
        """``seconds`` of the nearest junction within the snap limit plus the slow stretch to it;
        infinity when the point is off the network."""
        found = self.nearest(lat, lon, SNAP_LIMIT_M)
        if found is None:
            return _INFINITY
        index, distance = found
        return distance / _SNAP_SPEED_MS + seconds[index]

    def _scan(self, x: float, y: float, limit_m: float) -> tuple[float, int]:
        """Search ring by ring out from the point's cell until nothing unseen can be nearer."""
        cell = self._cell
        cx = math.floor(x / cell)
        cy = math.floor(y / cell)
        best_d2 = _INFINITY
        best = -1
        ring = 0
        # Every junction not yet seen lies at least (ring - 1) cells away from the point.
        while ring == 0 or (best_d2 > ((ring - 1) * cell) ** 2 and (ring - 1) * cell <= limit_m):
            for key in _ring(cx, cy, ring):
                for nx, ny, index in self._cells.get(key, ()):
                    d2 = (nx - x) * (nx - x) + (ny - y) * (ny - y)
                    if d2 < best_d2 or (d2 == best_d2 and index < best):
                        best_d2, best = d2, index
            ring += 1
        return best_d2, best

    def _cover_of(self, key: tuple[int, int]) -> tuple[tuple[float, float, int], ...]:
        cell = self._cell
        centre_x = (key[0] + 0.5) * cell
        centre_y = (key[1] + 0.5) * cell
        # Beyond SNAP_LIMIT_M + h from the centre, no junction is within the limit of the cell.
        d2, best = self._scan(centre_x, centre_y, SNAP_LIMIT_M + self._half_diagonal)
        cover: list[tuple[float, float, int]] = []
        if best >= 0:
            reach = math.sqrt(d2) + 2 * self._half_diagonal + 1e-6
            for ring in range(math.ceil(reach / cell) + 2):
                for near in _ring(key[0], key[1], ring):
                    cover.extend(
                        (nx, ny, index) for nx, ny, index in self._cells.get(near, ())
                        if (nx - centre_x) ** 2 + (ny - centre_y) ** 2 <= reach * reach)
        found = tuple(cover)
        self._cover[key] = found
        return found


def _ring(cx: int, cy: int, ring: int) -> list[tuple[int, int]]:
    if ring == 0:
        return [(cx, cy)]
    cells = [(cx + dx, cy + dy) for dx in range(-ring, ring + 1) for dy in (-ring, ring)]
    cells.extend((cx + dx, cy + dy) for dx in (-ring, ring) for dy in range(-ring + 1, ring))
    return cells


# The file format


def street_network_document(network: StreetNetwork) -> dict[str, object]:
    """The network as the JSON document of format 1 (positions to 6 decimals, seconds to 0.1 s)."""
    return {
        "format": FORMAT_VERSION,
        "source": network.source,
        "attribution": network.attribution,
        "speeds_kmh": dict(network.speeds_kmh),
        "nodes": [[round(p.lat, 6), round(p.lon, 6)] for p in network.positions],
        "edges": [[start, end, round(seconds, 1)] for start, end, seconds in network.edges],
    }


def write_street_network(network: StreetNetwork, path: str | os.PathLike[str]) -> None:
    """Write the network as gzip JSON; the same network always gives the same bytes (no timestamp)."""
    text = json.dumps(street_network_document(network), ensure_ascii=False, separators=(",", ":"))
    buffer = io.BytesIO()
    with gzip.GzipFile(filename="", mode="wb", compresslevel=9, fileobj=buffer, mtime=0) as packed:
        packed.write(text.encode("utf-8"))
    with open(path, "wb") as handle:
        handle.write(buffer.getvalue())


def load_street_network(path: str | os.PathLike[str]) -> StreetNetwork:
    """Read and check a street network file; a faulty one raises ``StreetNetworkFileError``.

    A missing file raises ``FileNotFoundError`` as usual: whether a network is optional is for the
    caller (the organisation pack) to decide, not for the format.
    """
    file = os.fspath(path)
    with open(file, "rb") as handle:
        raw = handle.read()
    try:
        text = gzip.decompress(raw).decode("utf-8")
    except (OSError, EOFError, zlib.error) as error:
        raise StreetNetworkFileError(file, "", f"is not gzip-compressed or is damaged ({error})") from None
    except UnicodeDecodeError:
        raise StreetNetworkFileError(file, "", "is not UTF-8 text once decompressed") from None
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise StreetNetworkFileError(
            file, "", f"is not valid JSON (line {error.lineno}, column {error.colno}: {error.msg})") from None
    return street_network_from_document(document, file=file)


def street_network_from_document(document: object, *, file: str = "street network") -> StreetNetwork:
    """Check a decoded document of format 1 and build the network; ``file`` names it in errors."""
    if not isinstance(document, dict):
        raise StreetNetworkFileError(file, "", f"holds {type(document).__name__}; expected a JSON object")
    version = document.get("format")
    if version != FORMAT_VERSION:
        raise StreetNetworkFileError(file, "format", f"{version!r} is not a format this desk reads; expected 1")
    source = document.get("source", "")
    if not isinstance(source, str):
        raise StreetNetworkFileError(file, "source", f"{source!r} is not valid; expected text")
    attribution = document.get("attribution")
    if not isinstance(attribution, str) or not attribution.strip():
        raise StreetNetworkFileError(
            file, "attribution", f"{attribution!r} is not valid; expected the data's credit line")
    speeds = _read_speeds(file, document.get("speeds_kmh", {}))
    nodes = _read_nodes(file, document.get("nodes"))
    edges = _read_edges(file, document.get("edges"), len(nodes))
    return StreetNetwork(nodes, edges, source=source, attribution=attribution, speeds_kmh=speeds)


def _is_number(value: object) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _read_speeds(file: str, speeds: object) -> dict[str, float]:
    if not isinstance(speeds, dict):
        raise StreetNetworkFileError(file, "speeds_kmh", f"{speeds!r} is not valid; expected an object")
    for name, value in speeds.items():
        if not _is_number(value) or not value > 0:
            raise StreetNetworkFileError(
                file, f"speeds_kmh.{name}", f"{value!r} is not valid; expected a speed in km/h above 0")
    return {str(name): float(value) for name, value in speeds.items()}


def _read_nodes(file: str, nodes: object) -> list[tuple[float, float]]:
    if not isinstance(nodes, list) or not nodes:
        raise StreetNetworkFileError(file, "nodes", "expected a non-empty list of [latitude, longitude]")
    read: list[tuple[float, float]] = []
    for index, node in enumerate(nodes):
        if (
            not isinstance(node, list) or len(node) != 2 or not all(_is_number(v) for v in node)
            or not -90 <= node[0] <= 90 or not -180 <= node[1] <= 180
        ):
            raise StreetNetworkFileError(
                file, f"nodes[{index}]",
                f"{node!r} is not valid; expected [latitude, longitude] in decimal degrees")
        read.append((float(node[0]), float(node[1])))
    return read


def _read_edges(file: str, edges: object, node_count: int) -> list[tuple[int, int, float]]:
    if not isinstance(edges, list):
        raise StreetNetworkFileError(file, "edges", "expected a list of [from, to, seconds]")
    read: list[tuple[int, int, float]] = []
    for index, edge in enumerate(edges):
        try:
            if not isinstance(edge, list):
                raise TypeError
            read.append(_checked_edge(index, edge, node_count))
        except (InvalidValue, TypeError):
            raise StreetNetworkFileError(
                file, f"edges[{index}]",
                f"{edge!r} is not valid; expected [from, to, seconds] with junction indices "
                f"0..{node_count - 1} and seconds of 0 or more") from None
    return read
