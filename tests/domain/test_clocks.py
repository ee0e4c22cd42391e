"""Clocks against the target times: their states at the exact boundaries, and the clocks of an incident."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supervisor_app.domain.clocks import (
    NEAR_FRACTION,
    Clock,
    ClockState,
    DeploymentTimes,
    IncidentTimes,
    TargetKind,
    TargetTimes,
    incident_clocks,
    worst_clock,
)
from supervisor_app.domain.errors import InvalidValue

T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
P1 = TargetTimes.from_seconds(acknowledge=120, on_scene=3600, update_interval=1800, resolution=28800)
US = timedelta(microseconds=1)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


def hour_clock(stopped_at: datetime | None = None) -> Clock:
    return Clock(TargetKind.ON_SCENE, 12, None, None, T0, T0 + minutes(60), stopped_at)


def incident(status: str = "resource_assigned", **changes: object) -> IncidentTimes:
    fields: dict[str, object] = {
        "incident_id": 12,
        "reference": "INC-20261203-0012",
        "incident_type": "GAS_ESCAPE_INTERNAL",
        "priority": "P1",
        "status": status,
        "created_at": T0,
        "last_update_at": T0 + minutes(5),
        **changes,
    }
    return IncidentTimes(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("at", "state", "remaining"),
    [
        (T0, ClockState.RUNNING, minutes(60)),
        (T0 + minutes(40), ClockState.RUNNING, minutes(20)),  # exactly a third left: not yet less
        (T0 + minutes(40) + US, ClockState.NEAR, minutes(20) - US),
        (T0 + minutes(60) - US, ClockState.NEAR, US),
        (T0 + minutes(60), ClockState.BREACHED, timedelta(0)),
        (T0 + minutes(75), ClockState.BREACHED, minutes(-15)),
    ],
)
def test_a_running_clock_turns_near_then_breached_at_the_exact_instants(
    at: datetime, state: ClockState, remaining: timedelta
) -> None:
    clock = hour_clock()
    assert clock.near_at == T0 + minutes(40) + US
    assert (clock.state(at), clock.remaining(at)) == (state, remaining)


@pytest.mark.parametrize(
    ("stopped", "state", "remaining"),
    [
        (T0 + minutes(30), ClockState.MET, minutes(30)),
        (T0 + minutes(60), ClockState.MET, timedelta(0)),  # on the due time counts as met
        (T0 + minutes(60) + US, ClockState.MISSED, -US),
        (T0 + minutes(90), ClockState.MISSED, minutes(-30)),
    ],
)
def test_a_stopped_clock_is_met_on_or_before_its_due_time(
    stopped: datetime, state: ClockState, remaining: timedelta
) -> None:
    clock = hour_clock(stopped)
    later = T0 + minutes(500)
    assert (clock.state(later), clock.remaining(later)) == (state, remaining)


def test_a_clock_read_before_it_stopped_reads_as_it_did_then() -> None:
    clock = hour_clock(T0 + minutes(90))
    assert clock.state(T0 + minutes(70)) is ClockState.BREACHED
    assert clock.remaining(T0 + minutes(70)) == minutes(-10)
    assert clock.state(T0 + minutes(90)) is ClockState.MISSED


def test_targets_must_be_longer_than_zero() -> None:
    with pytest.raises(InvalidValue, match="update_interval target"):
        TargetTimes.from_seconds(120, 3600, 0, 28800)


def test_an_incident_has_one_acknowledge_clock_per_answered_or_live_deployment() -> None:
    times = incident(
        deployments=(
            # acknowledged after 90 s: met
            DeploymentTimes(3, "G11", "on_scene", T0 + minutes(2), acknowledged_at=T0 + minutes(3.5),
                            en_route_at=T0 + minutes(4), on_scene_at=T0 + minutes(35)),
            # went en route without acknowledging, 3 minutes after the request: missed
            DeploymentTimes(4, "G12", "en_route", T0 + minutes(6), en_route_at=T0 + minutes(9)),
            # stood down before answering: no target to meet or miss
            DeploymentTimes(5, "G13", "cancelled", T0 + minutes(7), cancelled_at=T0 + minutes(8)),
            # acknowledged, then stood down: its acknowledgement still counts
            DeploymentTimes(6, "W2", "cancelled", T0 + minutes(1), acknowledged_at=T0 + minutes(2),
                            cancelled_at=T0 + minutes(20)),
            # still waiting
            DeploymentTimes(7, "W3", "requested", T0 + minutes(40)),
        ),
    )
    assert incident_clocks(times, P1) == (
        Clock(TargetKind.ACKNOWLEDGE, 12, 6, "W2", T0 + minutes(1), T0 + minutes(3), T0 + minutes(2)),
        Clock(TargetKind.ACKNOWLEDGE, 12, 3, "G11", T0 + minutes(2), T0 + minutes(4), T0 + minutes(3.5)),
        Clock(TargetKind.ACKNOWLEDGE, 12, 4, "G12", T0 + minutes(6), T0 + minutes(8), T0 + minutes(9)),
        Clock(TargetKind.ACKNOWLEDGE, 12, 7, "W3", T0 + minutes(40), T0 + minutes(42), None),
        Clock(TargetKind.ON_SCENE, 12, None, None, T0, T0 + minutes(60), T0 + minutes(35)),
        Clock(TargetKind.UPDATE, 12, None, None, T0 + minutes(5), T0 + minutes(35), None),
        Clock(TargetKind.RESOLUTION, 12, None, None, T0, T0 + minutes(480), None),
    )
    now = T0 + minutes(41)
    assert [clock.state(now) for clock in incident_clocks(times, P1)] == [
        ClockState.MET, ClockState.MET, ClockState.MISSED, ClockState.RUNNING, ClockState.MET,
        ClockState.BREACHED, ClockState.RUNNING,
    ]


def test_a_closed_incident_stops_every_clock_and_shows_no_update_clock() -> None:
    times = incident(
        "closed",
        last_update_at=T0 + minutes(300),
        closed_at=T0 + minutes(290),
        deployments=(DeploymentTimes(3, "G11", "requested", T0 + minutes(2)),),  # never answered
    )
    assert incident_clocks(times, P1) == (
        Clock(TargetKind.ACKNOWLEDGE, 12, 3, "G11", T0 + minutes(2), T0 + minutes(4), T0 + minutes(290)),
        Clock(TargetKind.ON_SCENE, 12, None, None, T0, T0 + minutes(60), T0 + minutes(290)),
        Clock(TargetKind.RESOLUTION, 12, None, None, T0, T0 + minutes(480), T0 + minutes(290)),
    )


def test_a_resolved_incident_without_a_closing_time_stops_at_its_latest_update() -> None:
    times = incident("resolved", last_update_at=T0 + minutes(500), attendance_required=False)
    assert incident_clocks(times, P1) == (
        Clock(TargetKind.RESOLUTION, 12, None, None, T0, T0 + minutes(480), T0 + minutes(500)),
    )
    assert incident_clocks(times, P1)[0].state(T0 + minutes(600)) is ClockState.MISSED


def test_a_cancelled_incident_keeps_only_the_acknowledgements_given_before() -> None:
    times = incident(
        "cancelled",
        closed_at=T0 + minutes(10),
        deployments=(
            DeploymentTimes(3, "G11", "acknowledged", T0 + minutes(2), acknowledged_at=T0 + minutes(3)),
            DeploymentTimes(4, "G12", "requested", T0 + minutes(6)),
        ),
    )
    assert incident_clocks(times, P1) == (
        Clock(TargetKind.ACKNOWLEDGE, 12, 3, "G11", T0 + minutes(2), T0 + minutes(4), T0 + minutes(3)),
    )


def test_an_incident_needing_no_attendance_has_no_on_scene_clock() -> None:
    kinds = [clock.kind for clock in incident_clocks(incident("new", attendance_required=False), P1)]
    assert kinds == [TargetKind.UPDATE, TargetKind.RESOLUTION]


def test_the_worst_clock_is_the_latest_breach_then_the_least_time_left() -> None:
    late_ack = Clock(TargetKind.ACKNOWLEDGE, 12, 3, "G11", T0, T0 + minutes(2))
    update = Clock(TargetKind.UPDATE, 12, None, None, T0, T0 + minutes(30))
    on_scene = Clock(TargetKind.ON_SCENE, 12, None, None, T0, T0 + minutes(60))
    stopped_later = Clock(TargetKind.ACKNOWLEDGE, 12, 4, "G12", T0, T0 + minutes(1), T0 + minutes(5))
    clocks = (on_scene, update, late_ack, stopped_later)
    assert worst_clock(clocks, T0 + minutes(3)) is stopped_later  # 2 min late beats 1 min late
    assert worst_clock(clocks, T0 + minutes(5)) is late_ack
    assert worst_clock((on_scene, update), T0 + minutes(10)) is update
    same_left = Clock(TargetKind.RESOLUTION, 12, None, None, T0, T0 + minutes(30))
    assert worst_clock((same_left, update), T0) is update  # a tie goes to the order they fall due in a job
    assert worst_clock((hour_clock(T0 + minutes(5)),), T0 + minutes(6)) is None


_RANK = {ClockState.RUNNING: 0, ClockState.NEAR: 1, ClockState.BREACHED: 2}
targets = st.integers(min_value=1, max_value=10**12).map(lambda us: timedelta(microseconds=us))
offsets = st.integers(min_value=0, max_value=3 * 10**12).map(lambda us: timedelta(microseconds=us))


@given(targets, offsets, offsets)
def test_a_running_clock_only_ever_moves_forward(target: timedelta, first: timedelta, second: timedelta) -> None:
    clock = Clock(TargetKind.UPDATE, 1, None, None, T0, T0 + target)
    earlier, later = sorted((first, second))
    assert _RANK[clock.state(T0 + earlier)] <= _RANK[clock.state(T0 + later)]


@given(targets, offsets)
def test_near_follows_the_desks_amber_rule_and_its_instants_are_exact(target: timedelta, offset: timedelta) -> None:
    clock = Clock(TargetKind.UPDATE, 1, None, None, T0, T0 + target)
    now = T0 + offset
    left = clock.due_at - now
    expected = ClockState.BREACHED if left <= timedelta(0) else (
        ClockState.NEAR if left < target * NEAR_FRACTION else ClockState.RUNNING
    )
    assert clock.state(now) is expected
    assert clock.state(clock.due_at) is ClockState.BREACHED
    assert clock.state(clock.due_at - US) is not ClockState.BREACHED
    if clock.near_at < clock.due_at:
        assert clock.state(clock.near_at) is ClockState.NEAR
        assert clock.state(clock.near_at - US) is ClockState.RUNNING
