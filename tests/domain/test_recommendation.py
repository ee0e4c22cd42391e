"""Recommending resources: who may go, in what order, explained, and one set that fills the response.

Examples pin the wording and the rules; hypothesis checks the proposed set against an independent
reckoning of who is eligible and of the largest set the fleet allows (a maximum flow).
"""

from __future__ import annotations

import math
from collections import deque
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.geo import EARTH_RADIUS_M, Coordinate
from supervisor_app.domain.incidents import ResponseRequirement
from supervisor_app.domain.recommendation import (
    BUSY,
    GOING_OFF_SHIFT,
    NO_POSITION,
    OFF_DUTY,
    UNAVAILABLE,
    WRONG_TYPE,
    Candidate,
    Recommendation,
    recommend,
    shown_minutes,
)
from supervisor_app.domain.resources import DEPLOYABLE_STATUSES, ResourceStatus
from supervisor_app.domain.street_network import StraightLine, StreetNetwork

NOW = datetime(2025, 3, 14, 21, 0, tzinfo=UTC)
INCIDENT = Coordinate(60.17, 24.94)
METRES_PER_DEGREE = EARTH_RADIUS_M * math.pi / 180
STRAIGHT = StraightLine()
SPEED_MS = STRAIGHT.speed_kmh / 3.6


def north_of_incident(metres: float) -> Coordinate:
    return Coordinate(INCIDENT.lat + metres / METRES_PER_DEGREE, INCIDENT.lon)


def metres_for(seconds: float) -> float:
    """How far north of the incident a resource stands to be ``seconds`` away by straight line."""
    return seconds * SPEED_MS / STRAIGHT.detour_factor


def crew(
    resource_id: int,
    *,
    call_sign: str | None = None,
    kind: str = "WATER_CREW",
    capabilities: tuple[str, ...] = ("valve_operation", "excavation"),
    status: ResourceStatus = ResourceStatus.AVAILABLE,
    eta_s: float | None = 300,
    shift_ends_at: datetime | None = None,
    jobs: int = 0,
) -> Candidate:
    return Candidate(
        resource_id=resource_id,
        call_sign=call_sign or f"W{resource_id}",
        resource_type=kind,
        capabilities=frozenset(capabilities),
        status=status,
        position=None if eta_s is None else north_of_incident(metres_for(eta_s)),
        shift_ends_at=shift_ends_at,
        jobs_this_shift=jobs,
    )


def line(kind: str = "WATER_CREW", count: int = 1, *capabilities: str) -> ResponseRequirement:
    return ResponseRequirement(kind, count, tuple(capabilities))


def run(required: list[ResponseRequirement], candidates: list[Candidate], **options: object) -> Recommendation:
    return recommend(required, candidates, INCIDENT, now=NOW, estimator=STRAIGHT, **options)  # type: ignore[arg-type]


# Explanations and ranking


def test_a_road_estimate_is_explained_in_minutes_and_jobs() -> None:
    network = StreetNetwork([(INCIDENT.lat, INCIDENT.lon), (60.18, 24.94)], [(1, 0, 360.0), (0, 1, 360.0)])
    far = crew(1, jobs=2)
    far = Candidate(1, "W1", "WATER_CREW", far.capabilities, far.status, Coordinate(60.18, 24.94), None, 2)
    result = recommend([line()], [far], INCIDENT, now=NOW, estimator=network)
    (ranked,) = result.lines[0].ranked
    assert ranked.method == "road"
    assert ranked.eta_s == pytest.approx(360)
    assert ranked.explanation == "6 min by road, 2 jobs this shift"
    assert result.estimate.startswith("by road")


def test_a_straight_line_estimate_says_so_and_its_speed() -> None:
    result = run([line()], [crew(1, eta_s=540)])
    (ranked,) = result.lines[0].ranked
    assert ranked.method == "straight line"
    assert ranked.explanation == "9 min (straight line at 30 km/h), no jobs this shift"
    assert result.estimate == "straight line at 30 km/h x 1.3"


def test_a_resource_off_the_street_network_falls_back_to_the_straight_line() -> None:
    network = StreetNetwork([(INCIDENT.lat, INCIDENT.lon), (60.171, 24.94)], [(1, 0, 60.0), (0, 1, 60.0)])
    on_road = Candidate(1, "W1", "WATER_CREW", frozenset(), ResourceStatus.AVAILABLE, Coordinate(60.171, 24.94), None)
    far_off = Candidate(2, "W2", "WATER_CREW", frozenset(), ResourceStatus.AVAILABLE, north_of_incident(2000), None, 1)
    result = recommend([line()], [far_off, on_road], INCIDENT, now=NOW, estimator=network)
    methods = {r.candidate.call_sign: (r.method, r.explanation) for r in result.lines[0].ranked}
    assert methods["W1"] == ("road", "1 min by road, no jobs this shift")
    assert methods["W2"][0] == "straight line"
    assert methods["W2"][1].endswith("(straight line at 30 km/h), 1 job this shift")


def test_ranked_by_arrival_to_the_minute_then_by_jobs_then_call_sign() -> None:
    candidates = [
        crew(1, call_sign="W1", eta_s=400, jobs=0),
        crew(2, call_sign="W2", eta_s=340, jobs=3),  # 6 min, busier
        crew(3, call_sign="W3", eta_s=380, jobs=1),  # 6 min, fewer jobs: first
        crew(4, call_sign="W4", eta_s=100, jobs=9),
        crew(5, call_sign="W0", eta_s=385, jobs=1),  # same minute and jobs, a little later
    ]
    ranked = run([line()], candidates, per_line=5).lines[0].ranked
    assert [r.candidate.call_sign for r in ranked] == ["W4", "W3", "W0", "W2", "W1"]
    assert [r.eta_minutes for r in ranked] == [2, 6, 6, 6, 7]
    same = [crew(1, call_sign="W2", eta_s=380), crew(2, call_sign="W1", eta_s=380)]
    assert [r.candidate.call_sign for r in run([line()], same).lines[0].ranked] == ["W1", "W2"]


def test_each_line_shows_per_line_candidates_or_as_many_as_it_needs() -> None:
    candidates = [crew(i, eta_s=60 * i) for i in range(1, 12)]
    assert len(run([line()], candidates, per_line=3).lines[0].ranked) == 3
    assert len(run([line(count=7)], candidates, per_line=3).lines[0].ranked) == 7


def test_minutes_are_shown_to_the_nearest_and_never_zero() -> None:
    assert [shown_minutes(s) for s in (0, 29, 89, 90, 359, 360)] == [1, 1, 1, 2, 6, 6]


# Who may go


def test_only_deployable_capable_resources_with_a_position_and_time_left_on_shift() -> None:
    arrival = timedelta(seconds=300)
    candidates = [
        crew(1),
        crew(2, status=ResourceStatus.RETURNING),
        crew(3, status=ResourceStatus.ASSIGNED),
        crew(4, status=ResourceStatus.ON_SCENE),
        crew(5, status=ResourceStatus.OFF_DUTY),
        crew(6, status=ResourceStatus.UNAVAILABLE),
        crew(7, capabilities=("excavation",)),
        crew(8, kind="HWY_CREW", capabilities=("valve_operation",)),
        crew(9, eta_s=None),
        crew(10, shift_ends_at=NOW + arrival + timedelta(minutes=29)),
        crew(11, shift_ends_at=NOW + arrival + timedelta(minutes=31)),
    ]
    result = run([line("WATER_CREW", 1, "valve_operation")], candidates)
    shown = result.lines[0]
    assert sorted(r.candidate.resource_id for r in shown.ranked) == [1, 2, 11]
    assert shown.eligible == 3
    assert dict(shown.excluded) == {
        BUSY: 2, OFF_DUTY: 1, UNAVAILABLE: 1, "lacking valve_operation": 1, WRONG_TYPE: 1,
        NO_POSITION: 1, GOING_OFF_SHIFT: 1,
    }
    assert shown.explain_exclusions() == (
        "2 busy, 1 going off shift, 1 lacking valve_operation, 1 no position, 1 off duty, 1 unavailable")
    assert "1 wrong type" in shown.explain_exclusions(include_wrong_type=True)


def test_the_off_shift_margin_can_be_changed() -> None:
    ending = crew(1, shift_ends_at=NOW + timedelta(minutes=20))
    assert run([line()], [ending]).lines[0].eligible == 0
    assert run([line()], [ending], off_shift_margin=timedelta(minutes=10)).lines[0].eligible == 1


def test_bad_inputs_are_refused() -> None:
    with pytest.raises(InvalidValue, match="now"):
        recommend([line()], [], INCIDENT, now=datetime(2025, 3, 14, 21, 0), estimator=STRAIGHT)
    with pytest.raises(InvalidValue, match="each resource once"):
        run([line()], [crew(1), crew(1)])
    with pytest.raises(InvalidValue, match="per line"):
        run([line()], [crew(1)], per_line=0)
    with pytest.raises(InvalidValue, match="shift end"):
        crew(1, shift_ends_at=datetime(2025, 3, 14, 23, 0))
    with pytest.raises(InvalidValue, match="jobs"):
        crew(1, jobs=-1)


# The proposed set


def test_the_scarcest_line_chooses_first() -> None:
    # The only crew with sewer jetting is also the nearest: the plain line must not take it.
    jetter = crew(1, capabilities=("valve_operation", "sewer_jetting"), eta_s=120)
    other = crew(2, eta_s=600)
    result = run([line("WATER_CREW", 1), line("WATER_CREW", 1, "sewer_jetting")], [jetter, other])
    assert result.complete
    assert [r.candidate.resource_id for r in result.proposed_for(0)] == [2]
    assert [r.candidate.resource_id for r in result.proposed_for(1)] == [1]


def test_resources_move_between_lines_when_greed_would_leave_one_short() -> None:
    # Three lines that each accept two of three crews: taking the fastest for each in turn can
    # strand the last line; the proposal moves crews along until all three are filled.
    # Here the x line would take crew 2, the z line crew 3, and the y line would find both gone.
    a = crew(1, capabilities=("x", "z"), eta_s=180)
    b = crew(2, capabilities=("x", "y"), eta_s=60)
    c = crew(3, capabilities=("z", "y"), eta_s=120)
    required = [line("WATER_CREW", 1, "x"), line("WATER_CREW", 1, "z"), line("WATER_CREW", 1, "y")]
    result = run(required, [a, b, c])
    assert result.complete
    assert [[r.candidate.resource_id for r in result.proposed_for(i)] for i in range(3)] == [[1], [3], [2]]


def test_a_shortfall_says_how_many_are_missing_and_why() -> None:
    candidates = [
        crew(1),
        crew(2, status=ResourceStatus.EN_ROUTE),
        crew(3, status=ResourceStatus.EN_ROUTE),
        crew(4, capabilities=("excavation",)),
        crew(5, kind="HWY_CREW", capabilities=("traffic_management",)),
    ]
    result = run([line("WATER_CREW", 2, "valve_operation"), line("HWY_CREW", 1)], candidates)
    assert not result.complete
    (short,) = result.shortfall
    assert short.line == 0
    assert short.missing == 1
    assert short.message == (
        "needs 2 x WATER_CREW with valve_operation; 1 available now (2 busy, 1 lacking valve_operation)")
    assert [p.ranked.candidate.resource_id for p in result.proposed] == [1, 5]


def test_a_shortfall_names_crews_proposed_for_other_lines() -> None:
    candidates = [crew(1, eta_s=60), crew(2, capabilities=("valve_operation", "sewer_jetting"), eta_s=30)]
    result = run([line("WATER_CREW", 2), line("WATER_CREW", 1, "sewer_jetting")], candidates)
    (short,) = result.shortfall
    assert short.message == "needs 2 x WATER_CREW; 2 available now, 1 of them proposed for other lines"


# Properties

TYPES = ("WATER_CREW", "HWY_CREW")
CAPABILITIES = ("x", "y", "z")

candidate_lists = st.lists(
    st.builds(
        lambda kind, caps, status, eta, ends, jobs: (kind, caps, status, eta, ends, jobs),
        st.sampled_from(TYPES),
        st.frozensets(st.sampled_from(CAPABILITIES)),
        st.sampled_from(list(ResourceStatus)),
        st.one_of(st.none(), st.integers(0, 3600)),
        st.one_of(st.none(), st.integers(0, 240)),
        st.integers(0, 6),
    ),
    max_size=14,
).map(lambda rows: [
    Candidate(i, f"R{i}", kind, caps, status,
              None if eta is None else north_of_incident(metres_for(eta)),
              None if ends is None else NOW + timedelta(minutes=ends), jobs)
    for i, (kind, caps, status, eta, ends, jobs) in enumerate(rows)
])
requirement_lists = st.lists(
    st.builds(ResponseRequirement, st.sampled_from(TYPES), st.integers(1, 3),
              st.lists(st.sampled_from(CAPABILITIES), unique=True, max_size=2).map(tuple)),
    min_size=1, max_size=4,
)


def eligible_ids(requirement: ResponseRequirement, candidates: list[Candidate]) -> dict[int, float]:
    """Worked out again from the rules, independently of ``recommend``: id -> seconds away."""
    found: dict[int, float] = {}
    for c in candidates:
        if c.resource_type != requirement.resource_type or c.status not in DEPLOYABLE_STATUSES:
            continue
        if not set(requirement.capabilities) <= c.capabilities or c.position is None:
            continue
        seconds = c.position.distance_m(INCIDENT) * STRAIGHT.detour_factor / SPEED_MS
        if c.shift_ends_at is not None and c.shift_ends_at < NOW + timedelta(seconds=seconds, minutes=30):
            continue
        found[c.resource_id] = seconds
    return found


def largest_set(required: list[ResponseRequirement], eligible: list[dict[int, float]]) -> int:
    """Maximum flow source -> line (count) -> resource (1) -> sink, by breadth-first augmenting paths."""
    capacity: dict[tuple[str, str], int] = {}
    for i, requirement in enumerate(required):
        capacity[("s", f"l{i}")] = requirement.count
        for rid in eligible[i]:
            capacity[(f"l{i}", f"r{rid}")] = 1
            capacity[(f"r{rid}", "t")] = 1
    flow = 0
    while True:
        parents: dict[str, str] = {"s": "s"}
        queue = deque(["s"])
        while queue and "t" not in parents:
            here = queue.popleft()
            for (a, b), left in capacity.items():
                if a == here and left > 0 and b not in parents:
                    parents[b] = a
                    queue.append(b)
        if "t" not in parents:
            return flow
        node = "t"
        while node != "s":
            before = parents[node]
            capacity[(before, node)] -= 1
            capacity[(node, before)] = capacity.get((node, before), 0) + 1
            node = before
        flow += 1


@settings(max_examples=300, deadline=None)
@given(required=requirement_lists, candidates=candidate_lists)
def test_the_proposed_set_is_valid_and_as_large_as_the_fleet_allows(
        required: list[ResponseRequirement], candidates: list[Candidate]) -> None:
    result = run(required, candidates)
    eligible = [eligible_ids(r, candidates) for r in required]

    used = [p.ranked.candidate.resource_id for p in result.proposed]
    assert len(used) == len(set(used)), "a resource proposed twice"
    for proposal in result.proposed:
        chosen = proposal.ranked.candidate
        assert chosen.status in DEPLOYABLE_STATUSES
        assert set(required[proposal.line].capabilities) <= chosen.capabilities
        assert chosen.resource_id in eligible[proposal.line]

    short = {s.line: s for s in result.shortfall}
    for i, requirement in enumerate(required):
        filled = len(result.proposed_for(i))
        missing = short[i].missing if i in short else 0
        assert filled + missing == requirement.count
        assert filled <= requirement.count
        assert result.lines[i].eligible == len(eligible[i])
        assert result.lines[i].eligible + sum(n for _, n in result.lines[i].excluded) == len(candidates)
        if i in short:
            assert short[i].message.startswith(f"needs {requirement.count} x {requirement.resource_type}")
    assert len(result.proposed) == largest_set(required, eligible)
    if largest_set(required, eligible) == sum(r.count for r in required):
        assert result.complete


@settings(max_examples=300, deadline=None)
@given(required=requirement_lists, candidates=candidate_lists)
def test_each_line_is_ranked_by_arrival_then_workload(
        required: list[ResponseRequirement], candidates: list[Candidate]) -> None:
    result = run(required, candidates, per_line=3)
    for i, requirement in enumerate(required):
        eligible = eligible_ids(requirement, candidates)
        ranked = result.lines[i].ranked
        keys = [(r.eta_minutes, r.candidate.jobs_this_shift, r.eta_s, r.candidate.call_sign) for r in ranked]
        assert keys == sorted(keys)
        assert len(ranked) == min(len(eligible), max(3, requirement.count))
        if ranked:
            # Nobody left off the list ranks before the last one shown.
            last = keys[-1]
            shown = {r.candidate.resource_id for r in ranked}
            by_id = {c.resource_id: c for c in candidates}
            for rid, seconds in eligible.items():
                if rid not in shown:
                    other = (shown_minutes(seconds), by_id[rid].jobs_this_shift)
                    assert other >= last[:2]
