"""How a response unfolds in the demo history: who is sent, and when they acknowledge, set off,
arrive and clear.

Most first arrivals meet the on-scene target with time to spare; a minority (``BREACH_SHARE``,
plus any made late because every able resource was busy) miss it. Urgent incidents are
dispatched at once and the spare time goes into mobilising; routine ones wait in the queue and
are dispatched so as to arrive within their target, as a desk schedules non-urgent work.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass

from supervisor_app.demo.fleet import Fleet, FleetResource, LocalClock
from supervisor_app.demo.wording import GENERAL
from supervisor_app.domain.deployments import DeploymentStatus

BREACH_SHARE = 0.04
URGENT_TARGET_SECONDS = 3600
MAX_BOOKING_ATTEMPTS = 400
SPECIALIST_RESERVE_SECONDS = 300
ACKNOWLEDGE_MEDIAN_SECONDS = 45
MOBILISE_MEDIAN_SECONDS = 150
ON_CALL_MOBILISE_MEDIAN_SECONDS = 900

#: Median minutes on scene by category (log-normally spread).
JOB_MINUTES: dict[str, float] = {
    "gas": 45, "water": 80, "power": 55, "lifts": 30, "highways": 45,
    "housing": 45, "welfare": 40, "alarms": 25, GENERAL: 90,
}

#: Seconds spent assessing a referral before a resource is requested (shortest, longest), by
#: priority rank, most urgent first.
ASSESS_SECONDS_BY_RANK = ((45, 180), (90, 600), (300, 1800), (600, 3600))


@dataclass(frozen=True)
class Need:
    """One resource wanted by an incident: its type, capabilities and the line it came from."""

    resource_type: str
    capabilities: frozenset[str]
    label: str


@dataclass(slots=True)
class UnitPlan:
    """One deployment's whole timeline, in whole seconds since the epoch (UTC)."""

    resource: FleetResource
    channel: str
    need: Need
    requested: int
    acknowledged: int | None
    en_route: int | None
    on_scene: int | None
    cleared: int | None
    cancelled: int | None
    busy_end: int

    def status_at(self, moment: int) -> DeploymentStatus | None:
        """The deployment's state at ``moment``; None before it was requested."""
        if self.requested > moment:
            return None
        if self.cancelled is not None and self.cancelled <= moment:
            return DeploymentStatus.CANCELLED
        if self.cleared is not None and self.cleared <= moment:
            return DeploymentStatus.CLEARED
        if self.on_scene is not None and self.on_scene <= moment:
            return DeploymentStatus.ON_SCENE
        if self.en_route is not None and self.en_route <= moment:
            return DeploymentStatus.EN_ROUTE
        if self.acknowledged is not None and self.acknowledged <= moment:
            return DeploymentStatus.ACKNOWLEDGED
        return DeploymentStatus.REQUESTED

    def stand_down(self, at: int) -> None:
        """Cancel before arrival: later steps never happen and the resource heads home."""
        self.cancelled = at
        travelled = at - self.en_route if self.en_route is not None and self.en_route < at else 0
        if self.acknowledged is not None and self.acknowledged >= at:
            self.acknowledged = None
        if self.en_route is not None and self.en_route >= at:
            self.en_route = None
        self.on_scene = None
        self.cleared = None
        new_end = at + travelled
        self.resource.bookings.shorten(self.requested, new_end)
        self.busy_end = new_end


def lognormal_seconds(rng: random.Random, median: float, sigma: float, low: int, high: int) -> int:
    return max(low, min(high, int(rng.lognormvariate(math.log(median), sigma))))


class Dispatcher:
    """Chooses resources for an incident's needs and draws each deployment's timeline."""

    def __init__(self, rng: random.Random, fleet: Fleet, clock: LocalClock, channels: ChannelChoice) -> None:
        self.rng = rng
        self.fleet = fleet
        self.clock = clock
        self.channels = channels

    def assess_seconds(self, priority_rank: int) -> int:
        low, high = ASSESS_SECONDS_BY_RANK[min(priority_rank, len(ASSESS_SECONDS_BY_RANK) - 1)]
        return self.rng.randint(low, high)

    def dispatch(
        self,
        needs: list[Need],
        *,
        created: int,
        assess: int,
        target: int,
        breach: bool,
        category: str,
        lat: float,
        lon: float,
    ) -> list[UnitPlan]:
        """Plan every need's deployment; the first arrival meets ``target`` unless ``breach``."""
        rng = self.rng
        if not needs:
            return []
        first_pool = self.fleet.able(needs[0].resource_type, needs[0].capabilities)
        if not first_pool:
            return []
        nearest = min(r.travel_seconds(lat, lon) for r in first_pool)
        natural = assess + ACKNOWLEDGE_MEDIAN_SECONDS + MOBILISE_MEDIAN_SECONDS + nearest
        if breach:
            response = int(target * (1.03 + rng.expovariate(4.0)))
        else:
            response = natural + int(max(0, 0.95 * target - natural) * rng.random() ** 1.5)
        slack = max(0, response - natural)
        dispatch_share = 0.2 if target <= URGENT_TARGET_SECONDS else 0.92
        requested = created + assess + int(slack * dispatch_share)
        extra_mobilising = int(slack * (1 - dispatch_share))
        job = lognormal_seconds(rng, JOB_MINUTES.get(category, JOB_MINUTES[GENERAL]) * 60, 0.45, 300, 6 * 3600)
        plans: list[UnitPlan] = []
        for index, need in enumerate(needs):
            pool = self.fleet.able(need.resource_type, need.capabilities)
            if not pool:
                continue
            at = requested + (index and rng.randint(20, 120))
            plan = self._book(need, pool, at, extra_mobilising, job, lat, lon, urgent=target <= URGENT_TARGET_SECONDS)
            if plan is not None:
                plans.append(plan)
        return plans

    def _book(
        self,
        need: Need,
        pool: list[FleetResource],
        at: int,
        extra_mobilising: int,
        job: int,
        lat: float,
        lon: float,
        *,
        urgent: bool,
    ) -> UnitPlan | None:
        rng = self.rng
        acknowledge = lognormal_seconds(rng, ACKNOWLEDGE_MEDIAN_SECONDS, 0.6, 8, 900)
        mobilise = lognormal_seconds(rng, MOBILISE_MEDIAN_SECONDS, 0.5, 30, 1500) + extra_mobilising
        on_call_extra = lognormal_seconds(rng, ON_CALL_MOBILISE_MEDIAN_SECONDS, 0.3, 300, 2400)
        traffic = rng.lognormvariate(0.0, 0.2)
        job_here = int(job * rng.uniform(0.8, 1.2))
        call_out_allowed = False
        for _ in range(MAX_BOOKING_ATTEMPTS):
            best: tuple[int, int, FleetResource, int, int] | None = None
            off_duty: list[FleetResource] = []
            soonest_free: int | None = None
            call_out = call_out_allowed or not any(resource.on_duty(self.clock, at) for resource in pool)
            for resource in pool:
                called_out = resource.shift == "on_call" or (call_out and not resource.on_duty(self.clock, at))
                if not called_out and not resource.on_duty(self.clock, at):
                    off_duty.append(resource)
                    continue
                travel = int(resource.travel_seconds(lat, lon) * traffic)
                setting_off = mobilise + (on_call_extra if called_out else 0)
                arrival = at + acknowledge + setting_off + travel
                clash = resource.bookings.clash_end(at, arrival + job_here + travel)
                if clash is not None:
                    soonest_free = clash if soonest_free is None else min(soonest_free, clash)
                    continue
                # Keep specialists free for the jobs only they can do.
                spare_skills = len(resource.capabilities) - len(need.capabilities)
                preference = arrival + SPECIALIST_RESERVE_SECONDS * spare_skills
                if best is None or preference < best[0]:
                    best = (preference, arrival, resource, setting_off, travel)
            if best is not None:
                _, arrival, resource, setting_off, travel = best
                busy_end = arrival + job_here + travel
                resource.bookings.book(at, busy_end)
                return UnitPlan(
                    resource=resource,
                    channel=self.channels.choose(rng, resource),
                    need=need,
                    requested=at,
                    acknowledged=at + acknowledge,
                    en_route=at + acknowledge + setting_off,
                    on_scene=arrival,
                    cleared=arrival + job_here,
                    cancelled=None,
                    busy_end=busy_end,
                )
            if urgent and not call_out_allowed:
                call_out_allowed = True  # an emergency: call in crews off duty rather than wait
                continue
            waits = [resource.next_duty_start(self.clock, at) for resource in off_duty]
            if soonest_free is not None:
                waits.append(soonest_free)
            at = max(at + 60, min(waits)) if waits else at + 600
        return None


class ChannelChoice:
    """How the desk reaches a resource: mostly its data terminal, by voice for some jobs."""

    PREFERENCES = (("mdt", 0.72), ("voice_radio", 0.2), ("voice_phone", 0.05), ("sms", 0.03))
    ON_CALL = (("voice_phone", 0.8), ("sms", 0.1), ("mdt", 0.1))

    def __init__(self, enabled: list[str]) -> None:
        if not enabled:
            raise ValueError("the organisation pack has no enabled channel to deploy resources by")
        self.regular = self._available(self.PREFERENCES, enabled)
        self.on_call = self._available(self.ON_CALL, enabled)

    @staticmethod
    def _available(preferences: tuple[tuple[str, float], ...], enabled: list[str]) -> tuple[list[str], list[float]]:
        codes = [code for code, _ in preferences if code in enabled]
        weights = [weight for code, weight in preferences if code in enabled]
        if not codes:
            return [enabled[0]], [1.0]
        return codes, weights

    def choose(self, rng: random.Random, resource: FleetResource) -> str:
        codes, weights = self.on_call if resource.shift == "on_call" else self.regular
        return rng.choices(codes, weights=weights)[0]
