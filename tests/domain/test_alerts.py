"""Alerts from the clocks: their keys, words and times, and the one moment a desk must look again."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from supervisor_app.domain.alerts import Alert, AlertLevel, alert_key, alerts_at, next_change_at
from supervisor_app.domain.clocks import Clock, DeploymentTimes, IncidentTimes, TargetKind, TargetTimes, incident_clocks
from supervisor_app.domain.errors import InvalidValue

HELSINKI = ZoneInfo("Europe/Helsinki")
T0 = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)  # 10:00 in Helsinki
P1 = TargetTimes.from_seconds(acknowledge=120, on_scene=3600, update_interval=1800, resolution=28800)
REFERENCE = "INC-20261203-0012"
US = timedelta(microseconds=1)


def minutes(n: float) -> timedelta:
    return timedelta(minutes=n)


TIMES = IncidentTimes(
    12, REFERENCE, "GAS_ESCAPE_INTERNAL", "P1", "resource_assigned", T0, T0 + minutes(1),
    deployments=(DeploymentTimes(3, "A12", "requested", T0 + minutes(2)),),
)
CLOCKS = incident_clocks(TIMES, P1)


def test_keys_are_stable_and_name_the_deployment_or_a_dash() -> None:
    assert alert_key(12, 3, TargetKind.ACKNOWLEDGE, AlertLevel.BREACH) == "12/dep-3/acknowledge/breach"
    assert alert_key(12, None, TargetKind.ON_SCENE, AlertLevel.NEAR) == "12/-/on_scene/near"
    assert alert_key(12, None, TargetKind.UPDATE, AlertLevel.NEAR) == "12/-/update_interval/near"
    with pytest.raises(InvalidValue, match="at most 120 characters"):
        alert_key(10**110, 1, TargetKind.RESOLUTION, AlertLevel.BREACH)


def test_the_alerts_in_force_are_listed_breaches_first_in_plain_words() -> None:
    now = T0 + minutes(41)  # acknowledge due 10:04, update due 10:31, on scene due 11:00 (near from 10:40)
    assert alerts_at(TIMES, CLOCKS, now, HELSINKI) == [
        Alert("12/dep-3/acknowledge/breach", AlertLevel.BREACH, TargetKind.ACKNOWLEDGE, 12, REFERENCE, 3, "A12",
              T0 + minutes(4), T0 + minutes(4), f"{REFERENCE}: A12 has not acknowledged; due 10:04"),
        Alert("12/-/update_interval/breach", AlertLevel.BREACH, TargetKind.UPDATE, 12, REFERENCE, None, None,
              T0 + minutes(31), T0 + minutes(31), f"{REFERENCE}: no progress update; due 10:31"),
        Alert("12/-/on_scene/near", AlertLevel.NEAR, TargetKind.ON_SCENE, 12, REFERENCE, None, None,
              T0 + minutes(60), T0 + minutes(40) + US, f"{REFERENCE}: no resource on scene yet; due 11:00"),
    ]


def test_a_near_breach_gives_way_to_the_breach_and_a_stopped_clock_raises_nothing() -> None:
    acknowledge = CLOCKS[0]
    assert [a.key for a in alerts_at(TIMES, (acknowledge,), acknowledge.near_at - US, HELSINKI)] == []
    near = alerts_at(TIMES, (acknowledge,), acknowledge.near_at, HELSINKI)
    assert [(a.key, a.text) for a in near] == [
        ("12/dep-3/acknowledge/near", f"{REFERENCE}: A12 has not acknowledged yet; due 10:04")
    ]
    assert [a.key for a in alerts_at(TIMES, (acknowledge,), T0 + minutes(4), HELSINKI)] == [
        "12/dep-3/acknowledge/breach"
    ]
    answered = Clock(TargetKind.ACKNOWLEDGE, 12, 3, "A12", T0 + minutes(2), T0 + minutes(4), T0 + minutes(9))
    assert alerts_at(TIMES, (answered,), T0 + minutes(9), HELSINKI) == []
    assert len(alerts_at(TIMES, (answered,), T0 + minutes(9) - US, HELSINKI)) == 1


def test_a_due_time_on_another_day_carries_its_date() -> None:
    late_evening = datetime(2026, 12, 3, 20, 0, tzinfo=UTC)  # 22:00 in Helsinki
    resolution = Clock(TargetKind.RESOLUTION, 12, None, None, late_evening, late_evening + minutes(480))
    [alert] = alerts_at(TIMES, (resolution,), late_evening + minutes(500), HELSINKI)
    assert alert.text == f"{REFERENCE}: not resolved; due 4 Dec 06:00"


def test_the_next_change_is_the_next_near_or_due_instant_of_a_running_clock() -> None:
    acknowledge, on_scene, update, _resolution = CLOCKS
    assert next_change_at(CLOCKS, T0) == acknowledge.near_at == T0 + minutes(4) - minutes(2) / 3 + US
    assert next_change_at(CLOCKS, acknowledge.near_at) == T0 + minutes(4)
    assert next_change_at(CLOCKS, T0 + minutes(4)) == update.near_at == T0 + minutes(21) + US
    assert next_change_at(CLOCKS, T0 + minutes(31)) == on_scene.near_at
    assert next_change_at(CLOCKS, T0 + minutes(480)) is None
    stops_first = Clock(TargetKind.ACKNOWLEDGE, 12, 3, "A12", T0, T0 + minutes(2), T0 + minutes(1))
    assert next_change_at((stops_first,), T0) is None
    stops_when_near = Clock(TargetKind.ACKNOWLEDGE, 12, 3, "A12", T0, T0 + minutes(3), T0 + minutes(2.5))
    assert next_change_at((stops_when_near,), T0) == T0 + minutes(2) + US


clock_parts = st.tuples(
    st.sampled_from(list(TargetKind)),
    st.integers(min_value=0, max_value=600),  # start, seconds after T0
    st.integers(min_value=1, max_value=600),  # target, seconds
    st.one_of(st.none(), st.integers(min_value=0, max_value=1200)),  # stop, seconds after the start
)


@given(st.lists(clock_parts, min_size=1, max_size=5), st.integers(min_value=0, max_value=1800))
def test_alerts_change_only_at_the_next_change(parts: list[tuple[TargetKind, int, int, int | None]],
                                               seconds: int) -> None:
    clocks = [
        Clock(kind, 12, index, f"A{index}", T0 + timedelta(seconds=start), T0 + timedelta(seconds=start + target),
              None if stop is None else T0 + timedelta(seconds=start + stop))
        for index, (kind, start, target, stop) in enumerate(parts)
    ]
    now = T0 + timedelta(seconds=seconds)
    keys = {alert.key for alert in alerts_at(TIMES, clocks, now, HELSINKI)}
    change = next_change_at(clocks, now)
    stops = sorted(clock.stopped_at for clock in clocks if clock.stopped_at is not None and clock.stopped_at > now)
    quiet_until = min([moment for moment in (change, *stops) if moment is not None], default=now + minutes(60))
    assert {alert.key for alert in alerts_at(TIMES, clocks, quiet_until - US, HELSINKI)} == keys
    if change is not None and change not in stops:
        assert {alert.key for alert in alerts_at(TIMES, clocks, change, HELSINKI)} - keys
