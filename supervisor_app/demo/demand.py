"""When incidents arrive: how demand for each category rises and falls by hour and weekday.

An out-of-hours centre is busiest in the early evening, when people come home and find the leak,
quiet in weekday office hours (the city's day services answer then) and quietest between three
and six in the morning. Lift entrapments follow the commute; intruder
and plant alarms peak late in the evening and at opening time; housing repairs rise at weekends.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from supervisor_app.demo.wording import GENERAL
from supervisor_app.domain.incidents import IncidentStatus

HOUR = 3600

#: Relative demand by local hour (0..23) for each category.
HOURLY_PROFILES: dict[str, tuple[float, ...]] = {
    "gas": (
        0.6, 0.4, 0.3, 0.2, 0.2, 0.3, 0.7, 1.1, 1.0, 0.8, 0.7, 0.7,  # 00-11
        0.8, 0.7, 0.7, 0.8, 1.1, 1.6, 1.9, 1.8, 1.5, 1.2, 1.0, 0.8,  # 12-23
    ),
    "water": (
        0.5, 0.4, 0.3, 0.2, 0.3, 0.5, 1.2, 1.7, 1.4, 1.0, 0.8, 0.8,  # 00-11
        0.8, 0.7, 0.7, 0.8, 1.0, 1.4, 1.6, 1.5, 1.3, 1.0, 0.8, 0.6,  # 12-23
    ),
    "power": (
        0.5, 0.4, 0.3, 0.2, 0.2, 0.3, 0.6, 0.9, 0.9, 0.8, 0.8, 0.8,  # 00-11
        0.8, 0.8, 0.8, 0.9, 1.1, 1.5, 1.8, 1.7, 1.5, 1.2, 0.9, 0.7,  # 12-23
    ),
    "lifts": (
        0.2, 0.1, 0.1, 0.05, 0.05, 0.2, 0.9, 2.2, 2.4, 1.2, 0.8, 0.9,  # 00-11
        1.1, 1.0, 1.0, 1.3, 2.0, 2.5, 2.1, 1.3, 0.9, 0.7, 0.5, 0.3,  # 12-23
    ),
    "highways": (
        0.4, 0.3, 0.2, 0.2, 0.2, 0.4, 1.0, 1.8, 1.7, 1.1, 0.9, 0.9,  # 00-11
        0.9, 0.9, 1.0, 1.2, 1.6, 1.8, 1.4, 1.0, 0.8, 0.7, 0.6, 0.5,  # 12-23
    ),
    "housing": (
        0.6, 0.4, 0.3, 0.2, 0.2, 0.3, 0.6, 0.9, 1.0, 0.9, 0.9, 0.9,  # 00-11
        1.0, 1.0, 1.0, 1.1, 1.3, 1.7, 2.0, 2.0, 1.8, 1.5, 1.1, 0.8,  # 12-23
    ),
    "welfare": (
        0.5, 0.4, 0.3, 0.3, 0.3, 0.4, 0.7, 1.2, 1.5, 1.4, 1.2, 1.1,  # 00-11
        1.0, 1.0, 1.0, 1.0, 1.1, 1.3, 1.3, 1.2, 1.0, 0.9, 0.8, 0.6,  # 12-23
    ),
    "alarms": (
        1.1, 0.9, 0.7, 0.5, 0.4, 0.6, 1.5, 1.9, 1.3, 0.7, 0.6, 0.6,  # 00-11
        0.6, 0.6, 0.7, 0.8, 1.0, 1.3, 1.5, 1.6, 1.7, 1.8, 1.7, 1.4,  # 12-23
    ),
    GENERAL: (
        0.5, 0.4, 0.3, 0.2, 0.2, 0.3, 0.7, 1.0, 1.1, 1.1, 1.1, 1.1,  # 00-11
        1.1, 1.1, 1.1, 1.1, 1.2, 1.4, 1.5, 1.4, 1.2, 1.0, 0.8, 0.6,  # 12-23
    ),
}

#: Relative demand by weekday (Monday first) for each category.
WEEKDAY_FACTORS: dict[str, tuple[float, ...]] = {
    "gas": (1.0, 0.95, 0.95, 0.95, 1.0, 1.1, 1.15),
    "water": (1.0, 1.0, 1.0, 1.0, 1.0, 1.05, 1.05),
    "power": (1.0, 1.0, 1.0, 1.0, 1.0, 1.0, 1.0),
    "lifts": (1.15, 1.1, 1.1, 1.1, 1.1, 0.7, 0.6),
    "highways": (1.1, 1.05, 1.05, 1.05, 1.15, 0.8, 0.7),
    "housing": (0.95, 0.9, 0.9, 0.9, 1.0, 1.2, 1.3),
    "welfare": (1.1, 1.0, 1.0, 1.0, 1.0, 0.95, 1.0),
    "alarms": (0.9, 0.9, 0.9, 0.95, 1.15, 1.3, 1.1),
    GENERAL: (1.0, 1.0, 1.0, 1.0, 1.05, 1.1, 1.0),
}

#: Weekday office hours: the city's day services take most calls, the out-of-hours desk few.
OFFICE_HOURS_FACTOR: dict[int, float] = {
    7: 0.7, 8: 0.35, 9: 0.3, 10: 0.3, 11: 0.3, 12: 0.3, 13: 0.3, 14: 0.3, 15: 0.35, 16: 0.6,
}


def office_hours_factor(hour: int, weekday: int) -> float:
    return OFFICE_HOURS_FACTOR.get(hour, 1.0) if weekday < 5 else 1.0


#: Share of all referrals by category, before the hourly and weekday shape.
CATEGORY_SHARES: dict[str, float] = {
    "housing": 0.17,
    "alarms": 0.14,
    "water": 0.12,
    "lifts": 0.11,
    "highways": 0.10,
    "gas": 0.10,
    "power": 0.09,
    "welfare": 0.09,
    GENERAL: 0.05,
}


#: How often each of the demo pack's incident types occurs within its category (default 1).
TYPE_FREQUENCY: dict[str, float] = {
    "GAS_ESCAPE_EXTERNAL": 0.25, "CO_SUSPECTED": 0.4, "GAS_SUPPLY_LOSS": 0.5,
    "WATER_MAIN_BURST": 0.3, "WATER_SUPPLY_LOSS": 0.8, "SEWER_FLOODING": 0.6, "WATER_QUALITY": 0.4,
    "POWER_OUTAGE": 0.4, "DAMAGED_CABLE": 0.5,
    "LIFT_BREAKDOWN": 0.8,
    "ROAD_DEFECT": 0.8, "ICE_AND_SNOW": 0.5, "TRAFFIC_SIGNALS_FAULT": 0.3,
    "HOUSING_INSECURE": 0.7, "HOUSING_NO_HEATING": 0.8, "HOUSING_ELECTRICAL": 0.3,
    "TELECARE_NO_RESPONSE": 0.8,
    "PLANT_ALARM": 0.8,
    "MAJOR_INCIDENT": 0.01,
}


def type_frequency(code: str) -> float:
    return TYPE_FREQUENCY.get(code, 1.0)


def category_weights(types_by_category: dict[str, list[str]]) -> dict[str, float]:
    """Each category's share of referrals, scaled down where its commonest type is a rare one."""
    return {
        category: CATEGORY_SHARES.get(category, CATEGORY_SHARES[GENERAL]) * max(type_frequency(c) for c in codes)
        for category, codes in types_by_category.items()
        if codes
    }


@dataclass(frozen=True)
class Arrival:
    """A referral arriving at ``at`` (whole seconds since the epoch, UTC) in ``category``.

    ``live_state`` asks for an incident that is in that state at the end of the history.
    """

    at: int
    category: str
    live_state: IncidentStatus | None = None


#: States the desk should find some incidents in when it opens, and how long before ``now``
#: such an incident is referred (minutes, earliest and latest).
LIVE_STATES: dict[IncidentStatus, tuple[int, int]] = {
    IncidentStatus.AWAITING_RESOURCE: (8, 30),
    IncidentStatus.RESOURCE_ASSIGNED: (5, 8),
    IncidentStatus.IN_PROGRESS: (35, 55),
}
LIVE_PER_STATE = 2


def live_arrivals(rng: random.Random, *, now: int, categories: dict[IncidentStatus, list[str]]) -> list[Arrival]:
    """Referrals of the last hour meant to be open when the desk opens, a few for each live state.

    ``categories`` names, for each state, the categories whose incidents suit it (urgent ones are
    dispatched at once, so they can be assigned or in progress; routine ones wait).
    """
    arrivals = []
    for state, (earliest, latest) in LIVE_STATES.items():
        for _ in range(LIVE_PER_STATE):
            if categories.get(state):
                at = now - rng.randint(earliest * 60, latest * 60)
                arrivals.append(Arrival(at, rng.choice(categories[state]), state))
    return arrivals


def _profile(table: dict[str, tuple[float, ...]], category: str) -> tuple[float, ...]:
    return table.get(category) or table[GENERAL]


def draw_arrivals(
    rng: random.Random,
    *,
    start: int,
    end: int,
    count: int,
    weights: dict[str, float],
    zone: ZoneInfo,
) -> list[Arrival]:
    """``count`` arrival times in ``[start, end)``, shaped by hour and weekday, in time order.

    ``weights`` gives each category's share (see ``category_weights``).
    """
    if count <= 0 or end <= start or not weights:
        return []
    categories = list(weights)
    shares = list(weights.values())
    hour_starts: list[int] = []
    hour_weights: list[list[float]] = []
    cumulative: list[float] = []
    total = 0.0
    first_hour = start - start % HOUR
    for hour_start in range(first_hour, end, HOUR):
        local = datetime.fromtimestamp(hour_start, UTC).astimezone(zone)
        office = office_hours_factor(local.hour, local.weekday())
        weights_now = [
            share * office
            * _profile(HOURLY_PROFILES, category)[local.hour]
            * _profile(WEEKDAY_FACTORS, category)[local.weekday()]
            for category, share in zip(categories, shares, strict=True)
        ]
        covered = (min(hour_start + HOUR, end) - max(hour_start, start)) / HOUR
        total += sum(weights_now) * covered
        hour_starts.append(hour_start)
        hour_weights.append(weights_now)
        cumulative.append(total)
    chosen_hours = rng.choices(range(len(hour_starts)), cum_weights=cumulative, k=count)
    arrivals: list[Arrival] = []
    for index in chosen_hours:
        low = max(hour_starts[index], start)
        high = min(hour_starts[index] + HOUR, end)
        at = low + int(rng.random() * (high - low))
        category = rng.choices(categories, weights=hour_weights[index])[0]
        arrivals.append(Arrival(at, category))
    arrivals.sort(key=lambda arrival: arrival.at)
    return arrivals
