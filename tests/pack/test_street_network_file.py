"""The demo pack's street network: it loads, its times are plausible, one-way streets hold, faults are named."""

from __future__ import annotations

import gzip
import random
from pathlib import Path

import pytest

from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.street_network import OSM_ATTRIBUTION, StreetNetwork
from supervisor_app.pack import PackError, default_pack_dir, load_pack
from supervisor_app.pack.street_network import STREET_NETWORK_FILE_NAME, load_pack_street_network

KAMPPI_DEPOT = Coordinate(60.165471, 24.938651)  # Annankatu 16
HAKANIEMI_MARKET = Coordinate(60.1787, 24.9514)


@pytest.fixture(scope="module")
def network() -> StreetNetwork:
    loaded = load_pack_street_network(default_pack_dir())
    assert loaded is not None, f"the demo pack has no {STREET_NETWORK_FILE_NAME}"
    return loaded


def test_the_demo_network_is_small_credited_and_inside_the_served_area(network: StreetNetwork) -> None:
    path = default_pack_dir() / STREET_NETWORK_FILE_NAME
    assert path.stat().st_size < 1_000_000
    assert network.attribution == OSM_ATTRIBUTION
    assert "OpenStreetMap" in network.source
    assert len(network.positions) > 200
    assert network.speeds_kmh["residential"] > 0
    area = load_pack(default_pack_dir()).area
    assert all(area.south - 0.001 <= p.lat <= area.north + 0.001 and area.west - 0.001 <= p.lon <= area.east + 0.001
               for p in network.positions)


def test_every_junction_can_reach_every_other(network: StreetNetwork) -> None:
    for destination in (KAMPPI_DEPOT, HAKANIEMI_MARKET):
        times = network.travel_times_to(destination)
        assert all(times.seconds_from(p) is not None for p in network.positions)


def test_kamppi_to_hakaniemi_takes_a_few_minutes_by_road(network: StreetNetwork) -> None:
    there = network.travel_times_to(HAKANIEMI_MARKET).seconds_from(KAMPPI_DEPOT)
    back = network.travel_times_to(KAMPPI_DEPOT).seconds_from(HAKANIEMI_MARKET)
    assert there is not None
    assert back is not None
    assert 3 * 60 <= there <= 10 * 60
    assert 3 * 60 <= back <= 10 * 60


def test_pohjoisesplanadi_is_driven_westwards_and_etelaesplanadi_eastwards(network: StreetNetwork) -> None:
    north_east, north_west = Coordinate(60.167843, 24.949998), Coordinate(60.167698, 24.944486)
    south_west, south_east = Coordinate(60.167148, 24.946538), Coordinate(60.167212, 24.949314)
    westwards = network.travel_times_to(north_west).seconds_from(north_east)
    against = network.travel_times_to(north_east).seconds_from(north_west)
    assert westwards is not None
    assert against is not None
    assert against > westwards + 30
    eastwards = network.travel_times_to(south_east).seconds_from(south_west)
    against = network.travel_times_to(south_west).seconds_from(south_east)
    assert eastwards is not None
    assert against is not None
    assert against > eastwards + 30


def test_every_address_is_on_the_network_and_no_trip_beats_the_speeds(network: StreetNetwork) -> None:
    places = load_pack(default_pack_dir()).gazetteer()
    assert all(network.nearest_node(p.location) is not None for p in places)
    fastest_ms = max(network.speeds_kmh.values()) / 3.6
    rng = random.Random(7)
    for _ in range(30):
        start, end = rng.sample(places, 2)
        seconds = network.travel_times_to(end.location).seconds_from(start.location)
        assert seconds is not None
        assert seconds >= start.location.distance_m(end.location) / fastest_ms
        assert seconds < 20 * 60


def test_a_pack_without_a_network_has_none(tmp_path: Path) -> None:
    assert load_pack_street_network(tmp_path) is None


def test_a_corrupt_file_is_reported_with_its_name(tmp_path: Path) -> None:
    (tmp_path / STREET_NETWORK_FILE_NAME).write_bytes(b"\x1f\x8b\x08\x00 not really gzip")
    with pytest.raises(PackError) as caught:
        load_pack_street_network(tmp_path)
    (problem,) = caught.value.problems
    assert problem.file == STREET_NETWORK_FILE_NAME
    assert "is not gzip-compressed or is damaged" in problem.message
    assert STREET_NETWORK_FILE_NAME in str(caught.value)


def test_a_damaged_value_is_reported_with_its_key(tmp_path: Path) -> None:
    source = default_pack_dir() / STREET_NETWORK_FILE_NAME
    text = gzip.decompress(source.read_bytes()).decode("utf-8")
    damaged = text.replace('"edges":[[', '"edges":[[999999,', 1)
    (tmp_path / STREET_NETWORK_FILE_NAME).write_bytes(gzip.compress(damaged.encode("utf-8")))
    with pytest.raises(PackError) as caught:
        load_pack_street_network(tmp_path)
    (problem,) = caught.value.problems
    assert (problem.file, problem.key) == (STREET_NETWORK_FILE_NAME, "edges[0]")
    assert "junction indices" in problem.message

