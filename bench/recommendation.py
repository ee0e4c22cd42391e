"""Benchmark: recommending resources over 5,000 candidates with street-network arrival times (p95 < 50 ms).

Spreads synthetic resources over the demo pack's served area (seeded), copying the pack's own mix of
resource types and capabilities, with a realistic spread of statuses, shift ends and workloads.
For incidents at random gazetteer addresses with the required response of a random incident type,
it times ``recommend`` as a desk would call it: the search over the street network from the
incident, every candidate's arrival estimate, the ranking and the proposed set. It times the same
with the straight-line estimate alone (a pack without a network), and the search on its own.
Run as ``.venv/bin/python bench/recommendation.py [--candidates 5000] [--incidents 200] [--seed 1]``.
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from report import percentile, print_table, write_result

from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.incidents import ResponseRequirement
from supervisor_app.domain.recommendation import Candidate, Recommendation, recommend
from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.domain.street_network import StraightLine, TravelEstimator
from supervisor_app.pack import OrganisationPack, default_pack_dir, load_pack
from supervisor_app.pack.street_network import STREET_NETWORK_FILE_NAME, load_pack_street_network

TARGET_P95_MS = 50.0
NOW = datetime(2025, 3, 14, 21, 0, tzinfo=UTC)
# A busy evening: most resources free or heading back, a fifth committed, some off or unavailable.
STATUS_WEIGHTS = {
    ResourceStatus.AVAILABLE: 50, ResourceStatus.RETURNING: 10, ResourceStatus.ASSIGNED: 6,
    ResourceStatus.EN_ROUTE: 6, ResourceStatus.ON_SCENE: 10, ResourceStatus.OFF_DUTY: 12,
    ResourceStatus.UNAVAILABLE: 6,
}


def synthetic_candidates(pack: OrganisationPack, count: int, rng: random.Random) -> list[Candidate]:
    templates = pack.all_resources()
    area = pack.area
    statuses = list(STATUS_WEIGHTS)
    weights = list(STATUS_WEIGHTS.values())
    candidates = []
    for number in range(count):
        template = rng.choice(templates)
        shift_ends = None if rng.random() < 0.1 else NOW + timedelta(minutes=rng.uniform(0, 12 * 60))
        candidates.append(Candidate(
            resource_id=number + 1,
            call_sign=f"{template.call_sign[0]}{number + 1}",
            resource_type=template.resource_type,
            capabilities=template.capabilities,
            status=rng.choices(statuses, weights)[0],
            position=None if rng.random() < 0.01 else Coordinate(
                rng.uniform(area.south, area.north), rng.uniform(area.west, area.east)),
            shift_ends_at=shift_ends,
            jobs_this_shift=min(rng.choices(range(8), [30, 25, 18, 12, 7, 4, 2, 2])[0], 7),
        ))
    return candidates


Case = tuple[Coordinate, list[ResponseRequirement]]


def incidents(pack: OrganisationPack, count: int, rng: random.Random) -> list[Case]:
    places = pack.gazetteer()
    kinds = pack.incident_types
    chosen = []
    for _ in range(count):
        kind = rng.choice(kinds)
        required = [ResponseRequirement(r.resource_type, min(r.count, 20), tuple(r.capabilities))
                    for r in kind.required_response]
        chosen.append((rng.choice(places).location, required))
    return chosen


def time_recommendations(
    cases: list[Case],
    candidates: list[Candidate],
    estimator: TravelEstimator,
) -> tuple[list[float], list[Recommendation]]:
    timings: list[float] = []
    results: list[Recommendation] = []
    for point, required in cases:
        started = time.perf_counter()
        result = recommend(required, candidates, point, now=NOW, estimator=estimator)
        timings.append(time.perf_counter() - started)
        results.append(result)
    timings.sort()
    return timings, results


def summary(prefix: str, timings: list[float]) -> dict[str, float]:
    return {
        f"{prefix}_p50_ms": round(percentile(timings, 0.5) * 1000, 2),
        f"{prefix}_p95_ms": round(percentile(timings, 0.95) * 1000, 2),
        f"{prefix}_max_ms": round(timings[-1] * 1000, 2),
    }


def run(candidate_count: int, incident_count: int, seed: int) -> dict[str, Any]:
    rng = random.Random(seed)
    pack = load_pack(default_pack_dir())
    started = time.perf_counter()
    network = load_pack_street_network(pack.directory)
    load_s = time.perf_counter() - started
    if network is None:
        raise SystemExit(f"the demo pack has no {STREET_NETWORK_FILE_NAME}; run maps/build_streets.py")
    candidates = synthetic_candidates(pack, candidate_count, rng)
    cases = incidents(pack, incident_count, rng)

    # The first call on a freshly loaded network also fills the grid's cell covers it touches.
    started = time.perf_counter()
    recommend(cases[0][1], candidates, cases[0][0], now=NOW, estimator=network)
    first_call_s = time.perf_counter() - started

    search_times = []
    for point, _ in cases:
        started = time.perf_counter()
        network.travel_times_to(point)
        search_times.append(time.perf_counter() - started)
    search_times.sort()

    time_recommendations(cases[:10], candidates, network)  # warm up
    road_times, road_results = time_recommendations(cases, candidates, network)
    straight_times, _ = time_recommendations(cases, candidates, StraightLine())
    # The worst case: every candidate of the one type asked for and free, so all 5,000 need an estimate.
    everyone = [dataclasses.replace(c, resource_type="GAS_ENG", status=ResourceStatus.AVAILABLE,
                                    shift_ends_at=None) for c in candidates]
    one_line = [(point, [ResponseRequirement("GAS_ENG", 2)]) for point, _ in cases[:50]]
    everyone_times, _ = time_recommendations(one_line, everyone, network)

    lines = [line for result in road_results for line in result.lines]
    methods = [r.method for line in lines for r in line.ranked]
    return {
        "candidates": candidate_count,
        "incidents": incident_count,
        "network_junctions": len(network.positions),
        "network_links": len(network.edges),
        "network_file_bytes": (pack.directory / STREET_NETWORK_FILE_NAME).stat().st_size,
        "network_load_ms": round(load_s * 1000, 1),
        "search_p50_ms": round(percentile(search_times, 0.5) * 1000, 3),
        "search_p95_ms": round(percentile(search_times, 0.95) * 1000, 3),
        "road_first_call_ms": round(first_call_s * 1000, 2),
        **summary("road", road_times),
        **summary("straight_line", straight_times),
        **summary("all_eligible_road", everyone_times),
        "lines_per_incident": round(len(lines) / len(road_results), 2),
        "eligible_per_line_mean": round(sum(line.eligible for line in lines) / len(lines), 1),
        "shown_by_road_share": round(methods.count("road") / max(1, len(methods)), 3),
        "complete_share": round(sum(r.complete for r in road_results) / len(road_results), 3),
        "target_met": percentile(road_times, 0.95) * 1000 < TARGET_P95_MS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--candidates", type=int, default=5000)
    parser.add_argument("--incidents", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    figures = run(args.candidates, args.incidents, args.seed)
    print_table("resource recommendation", ["figure", "value"], list(figures.items()))
    write_result("recommendation", figures)


if __name__ == "__main__":
    main()
