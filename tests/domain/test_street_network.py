"""The street network: nearest junctions, one search for all travel times, the file format, straight lines.

Small networks are laid out on a local grid of metres around a point in Helsinki, so the expected
times can be worked out by hand. Hypothesis compares the grid lookup with a scan of every junction
and the single reversed search with a plain relaxation of every link until nothing changes.
"""

from __future__ import annotations

import gzip
import itertools
import json
import math
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.geo import EARTH_RADIUS_M, Coordinate
from supervisor_app.domain.street_network import (
    OSM_ATTRIBUTION,
    SNAP_LIMIT_M,
    SNAP_SPEED_KMH,
    StraightLine,
    StreetNetwork,
    StreetNetworkFileError,
    TravelEstimator,
    load_street_network,
    street_network_document,
    write_street_network,
)

ORIGIN = Coordinate(60.17, 24.94)
METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180


def at(east_m: float, north_m: float) -> Coordinate:
    """A point so many metres east and north of ORIGIN."""
    return Coordinate(ORIGIN.lat + north_m / METRES_PER_DEGREE,
                      ORIGIN.lon + east_m / (METRES_PER_DEGREE * math.cos(math.radians(ORIGIN.lat))))


def network_of(points: list[tuple[float, float]], edges: list[tuple[int, int, float]]) -> StreetNetwork:
    return StreetNetwork([(p.lat, p.lon) for p in (at(x, y) for x, y in points)], edges, source="test")


def snap_seconds(metres: float) -> float:
    return metres / (SNAP_SPEED_KMH / 3.6)


@pytest.fixture
def street() -> StreetNetwork:
    """0 -- 1 -- 2 along 200 m of street; 1 -> 3 a one-way spur north with a slow way back through 4."""
    return network_of(
        [(0, 0), (100, 0), (200, 0), (100, 100), (0, 100)],
        [(0, 1, 10), (1, 0, 10), (1, 2, 10), (2, 1, 10), (1, 3, 5), (3, 4, 20), (4, 0, 30)],
    )


def test_times_from_every_junction_come_from_one_search(street: StreetNetwork) -> None:
    times = street.travel_times_to(at(200, 0))
    assert times.method == "road"
    assert times.seconds_from(at(200, 0)) == pytest.approx(0)
    assert times.seconds_from(at(0, 0)) == pytest.approx(20)
    # From 3 the only way on is the long way round: 3 -> 4 -> 0 -> 1 -> 2.
    assert times.seconds_from(at(100, 100)) == pytest.approx(20 + 30 + 10 + 10)


def test_a_one_way_link_is_driven_one_way_only(street: StreetNetwork) -> None:
    assert street.travel_times_to(at(100, 100)).seconds_from(at(100, 0)) == pytest.approx(5)
    assert street.travel_times_to(at(100, 0)).seconds_from(at(100, 100)) == pytest.approx(20 + 30 + 10)


def test_the_stretch_to_the_nearest_junction_is_added_at_the_slow_speed(street: StreetNetwork) -> None:
    times = street.travel_times_to(at(200, 10))  # 10 m off junction 2
    assert times.seconds_from(at(0, -30)) == pytest.approx(snap_seconds(30) + 20 + snap_seconds(10), rel=1e-3)


def test_points_beyond_the_snap_limit_are_off_the_network(street: StreetNetwork) -> None:
    times = street.travel_times_to(at(0, 0))
    assert times.seconds_from(at(0, -SNAP_LIMIT_M + 5)) is not None
    assert times.seconds_from(at(0, -SNAP_LIMIT_M - 5)) is None
    assert times.seconds_from(Coordinate(61.0, 25.5)) is None


def test_an_incident_off_the_network_gives_no_road_times(street: StreetNetwork) -> None:
    times = street.travel_times_to(at(0, -2000))
    assert not times.on_network
    assert times.seconds_from(at(0, 0)) is None


def test_a_junction_that_cannot_reach_the_incident_has_no_time() -> None:
    network = network_of([(0, 0), (100, 0), (0, 400)], [(0, 1, 10), (1, 0, 10)])
    assert network.travel_times_to(at(0, 0)).seconds_from(at(0, 400)) is None


def test_a_time_limit_stops_the_search_and_hides_what_lies_beyond(street: StreetNetwork) -> None:
    times = street.travel_times_to(at(200, 0), limit_s=25)
    assert times.seconds_from(at(0, 0)) == pytest.approx(20)
    assert times.seconds_from(at(100, 100)) is None
    with pytest.raises(InvalidValue, match="time limit"):
        street.travel_times_to(at(0, 0), limit_s=-1)


def test_nearest_junction_and_its_distance(street: StreetNetwork) -> None:
    found = street.nearest_node(at(190, 20))
    assert found is not None
    assert found[0] == 2
    assert found[1] == pytest.approx(math.hypot(10, 20), rel=1e-3)
    assert street.nearest_node(at(190, 20), limit_m=5) is None
    # Beyond the snap limit only when asked: a ring-by-ring search rather than the cached cells.
    assert street.nearest_node(at(100, 1500)) is None
    far = street.nearest_node(at(100, 1500), limit_m=2000)
    assert far is not None
    assert far[0] == 3
    assert far[1] == pytest.approx(1400, rel=1e-3)


def test_bad_nodes_and_links_are_refused_naming_which() -> None:
    with pytest.raises(InvalidValue, match=r"nodes\[1\]"):
        StreetNetwork([(60.0, 24.0), (95.0, 24.0)], [])
    with pytest.raises(InvalidValue, match=r"edges\[0\]"):
        StreetNetwork([(60.0, 24.0)], [(0, 1, 5.0)])
    with pytest.raises(InvalidValue, match=r"edges\[0\]"):
        StreetNetwork([(60.0, 24.0), (60.001, 24.0)], [(0, 1, -1.0)])
    with pytest.raises(InvalidValue, match=r"edges\[0\]"):
        StreetNetwork([(60.0, 24.0), (60.001, 24.0)], [(0, 1, math.nan)])


# Properties against plain reference algorithms

grid_points = st.lists(
    st.tuples(st.integers(-1500, 1500), st.integers(-1500, 1500)), min_size=1, max_size=60, unique=True)


@settings(max_examples=150, deadline=None)
@given(points=grid_points, probes=st.lists(st.tuples(st.integers(-2200, 2200), st.integers(-2200, 2200)),
                                           min_size=1, max_size=20))
def test_the_grid_finds_the_same_nearest_junction_as_a_scan(
        points: list[tuple[int, int]], probes: list[tuple[int, int]]) -> None:
    network = network_of([(float(x), float(y)) for x, y in points], [])
    for x, y in probes:
        probe = at(x, y)
        distances = [probe.distance_m(p) for p in network.positions]
        nearest = min(distances)
        found = network.nearest_node(probe)
        if nearest > SNAP_LIMIT_M + 1:
            assert found is None
        elif nearest < SNAP_LIMIT_M - 1:
            assert found is not None
            assert distances[found[0]] == pytest.approx(nearest, abs=0.05)
            assert found[1] == pytest.approx(nearest, abs=0.5)


@st.composite
def random_graphs(draw: st.DrawFn) -> tuple[int, list[tuple[int, int, float]]]:
    count = draw(st.integers(1, 12))
    edges = draw(st.lists(st.tuples(st.integers(0, count - 1), st.integers(0, count - 1),
                                    st.integers(0, 100).map(float)), max_size=40))
    return count, edges


@settings(max_examples=200, deadline=None)
@given(graph=random_graphs(), target=st.integers(0, 11))
def test_one_reversed_search_gives_the_shortest_time_from_every_junction(
        graph: tuple[int, list[tuple[int, int, float]]], target: int) -> None:
    count, edges = graph
    target %= count
    network = network_of([(i * 50.0, 0.0) for i in range(count)], edges)
    best = [math.inf] * count
    best[target] = 0.0
    for _ in range(count):  # Bellman-Ford: relax every link until nothing improves
        for start, end, seconds in edges:
            best[start] = min(best[start], seconds + best[end])
    times = network.travel_times_to(at(target * 50.0, 0))
    for node in range(count):
        got = times.seconds_from(at(node * 50.0, 0))
        assert (got is None) == math.isinf(best[node])
        if got is not None:
            assert got == pytest.approx(best[node])


# Routes


def route_seconds(network: StreetNetwork, points: list[Coordinate]) -> float:
    """Driving time along ``points``: the links between junctions, the slow snap stretch at each end."""
    links: dict[tuple[Coordinate, Coordinate], float] = {}
    for start, end, seconds in network.edges:
        pair = (network.positions[start], network.positions[end])
        links[pair] = min(seconds, links.get(pair, math.inf))
    total = snap_seconds(points[0].distance_m(points[1])) + snap_seconds(points[-2].distance_m(points[-1]))
    return total + sum(links[pair] for pair in itertools.pairwise(points[1:-1]))


def test_a_route_passes_the_junctions_of_the_fastest_way(street: StreetNetwork) -> None:
    route = street.route(at(0, -30), at(200, 10))
    assert route[0] == at(0, -30) and route[-1] == at(200, 10)
    assert route[1:-1] == [street.positions[0], street.positions[1], street.positions[2]]
    assert route_seconds(street, route) == pytest.approx(street.travel_times_to(at(200, 10)).seconds_from(at(0, -30)))


def test_a_route_keeps_to_one_way_links(street: StreetNetwork) -> None:
    # Out along the spur is one link; back is the long way round, 3 -> 4 -> 0 -> 1.
    assert street.route(at(100, 0), at(100, 100)) == [at(100, 0), at(100, 100)]
    back = street.route(at(100, 100), at(100, 0))
    assert back == [street.positions[i] for i in (3, 4, 0, 1)]


def test_no_route_off_the_network_or_between_junctions_that_do_not_connect(street: StreetNetwork) -> None:
    assert street.route(at(0, -2000), at(0, 0)) == []
    assert street.route(at(0, 0), Coordinate(61.0, 25.5)) == []
    apart = network_of([(0, 0), (100, 0), (0, 400)], [(0, 1, 10), (1, 0, 10)])
    assert apart.route(at(0, 400), at(0, 0)) == []
    assert apart.route(at(0, 0), at(100, 0)) == [at(0, 0), at(100, 0)]


def test_a_route_within_one_junction_goes_through_it(street: StreetNetwork) -> None:
    assert street.route(at(5, 5), at(-5, 5)) == [at(5, 5), street.positions[0], at(-5, 5)]


@settings(max_examples=200, deadline=None)
@given(graph=random_graphs(), origin=st.integers(0, 11), target=st.integers(0, 11))
def test_a_route_takes_the_time_the_reversed_search_gives(
        graph: tuple[int, list[tuple[int, int, float]]], origin: int, target: int) -> None:
    count, edges = graph
    origin %= count
    target %= count
    network = network_of([(i * 50.0, 0.0) for i in range(count)], edges)
    start, end = at(origin * 50.0, 10), at(target * 50.0, -10)  # 10 m off their junctions
    expected = network.travel_times_to(end).seconds_from(start)
    route = network.route(start, end)
    assert (route == []) == (expected is None)
    if route:
        assert route[0] == start and route[-1] == end
        assert route[1] == network.positions[origin] and route[-2] == network.positions[target]
        assert route_seconds(network, route) == pytest.approx(expected)


# The file format


def test_a_written_network_reads_back_the_same(tmp_path: Path, street: StreetNetwork) -> None:
    path = tmp_path / "street_network.json.gz"
    write_street_network(street, path)
    again = load_street_network(path)
    assert again.edges == street.edges
    assert [(round(p.lat, 6), round(p.lon, 6)) for p in street.positions] == [
        (p.lat, p.lon) for p in again.positions]
    assert again.attribution == OSM_ATTRIBUTION
    assert again.source == "test"
    first = path.read_bytes()
    write_street_network(again, path)
    assert path.read_bytes() == first, "the same network must give the same bytes"


def write_document(path: Path, document: object) -> Path:
    path.write_bytes(gzip.compress(json.dumps(document).encode("utf-8"), mtime=0))
    return path


def good_document(street: StreetNetwork) -> dict[str, object]:
    return street_network_document(street)


@pytest.mark.parametrize(
    ("change", "key", "words"),
    [
        ({"format": 2}, "format", "not a format this desk reads"),
        ({"attribution": ""}, "attribution", "credit line"),
        ({"speeds_kmh": {"primary": 0}}, "speeds_kmh.primary", "above 0"),
        ({"nodes": []}, "nodes", "non-empty list"),
        ({"node": [91.0, 24.94]}, "nodes[1]", "latitude, longitude"),
        ({"node": "60.18, 24.94"}, "nodes[1]", "latitude, longitude"),
        ({"edges": [[0, 1, 5.0], [0, 7, 5.0]]}, "edges[1]", "junction indices 0..4"),
        ({"edges": [[0, 1, -3]]}, "edges[0]", "seconds of 0 or more"),
        ({"edges": [[0, 1]]}, "edges[0]", "[from, to, seconds]"),
        ({"edges": {"0": [1, 5]}}, "edges", "a list"),
    ],
)
def test_a_faulty_document_names_the_key_at_fault(
        tmp_path: Path, street: StreetNetwork, change: dict[str, object], key: str, words: str) -> None:
    document = good_document(street)
    if "node" in change:  # the second junction replaced by a faulty one
        nodes: list[object] = [[p.lat, p.lon] for p in street.positions]
        nodes[1] = change["node"]
        change = {"nodes": nodes}
    document.update(change)
    path = write_document(tmp_path / "net.json.gz", document)
    with pytest.raises(StreetNetworkFileError) as caught:
        load_street_network(path)
    assert caught.value.key == key
    assert words in caught.value.problem
    assert str(path) in str(caught.value)


def test_a_file_that_is_not_gzip_json_is_refused(tmp_path: Path) -> None:
    plain = tmp_path / "plain.json.gz"
    plain.write_text('{"format": 1}', encoding="utf-8")
    with pytest.raises(StreetNetworkFileError, match="not gzip-compressed"):
        load_street_network(plain)
    broken = tmp_path / "broken.json.gz"
    broken.write_bytes(gzip.compress(b'{"format": 1, "nodes": [', mtime=0))
    with pytest.raises(StreetNetworkFileError, match="not valid JSON"):
        load_street_network(broken)
    truncated = tmp_path / "truncated.json.gz"
    truncated.write_bytes(gzip.compress(b'{"format": 1}' * 50, mtime=0)[:-12])
    with pytest.raises(StreetNetworkFileError, match="not gzip-compressed or is damaged"):
        load_street_network(truncated)
    listed = write_document(tmp_path / "list.json.gz", [1, 2, 3])
    with pytest.raises(StreetNetworkFileError, match="expected a JSON object"):
        load_street_network(listed)


def test_a_missing_file_is_left_to_the_caller(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        load_street_network(tmp_path / "absent.json.gz")


# The straight line


def test_straight_line_times_are_the_distance_stretched_at_the_speed() -> None:
    estimator = StraightLine()
    assert estimator.description == "straight line at 30 km/h x 1.3"
    times = estimator.travel_times_to(at(0, 0))
    assert times.method == "straight line"
    assert times.phrase == "(straight line at 30 km/h)"
    seconds = times.seconds_from(at(0, 1000))
    assert seconds == pytest.approx(1000 * 1.3 / (30 / 3.6), rel=1e-3)
    assert estimator.travel_times_to(at(0, 0), limit_s=60).seconds_from(at(0, 1000)) is None


def test_straight_line_settings_are_checked() -> None:
    with pytest.raises(InvalidValue, match="speed"):
        StraightLine(speed_kmh=0)
    with pytest.raises(InvalidValue, match="detour"):
        StraightLine(detour_factor=0.5)


def test_both_estimators_serve_the_same_protocol(street: StreetNetwork) -> None:
    estimators: list[TravelEstimator] = [street, StraightLine(speed_kmh=20, detour_factor=1.0)]
    for estimator in estimators:
        seconds = estimator.travel_times_to(at(0, 0)).seconds_from(at(100, 0))
        assert seconds is not None
        assert 5 < seconds < 60
        assert estimator.description
