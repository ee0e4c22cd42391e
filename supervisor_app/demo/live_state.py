"""Where every resource stands at the end of the history: consistent with its live deployment.

A resource holding a live deployment has the status that deployment implies (assigned, en route,
on scene) and a position along its way; one that has cleared is returning; the rest are available
at their station, off duty outside their shift, and a few unavailable (meal break, vehicle check).
"""

from __future__ import annotations

import random
from bisect import bisect_right

from supervisor_app.demo.fleet import Fleet, FleetResource, LocalClock
from supervisor_app.demo.history import LiveUnit
from supervisor_app.demo.organisation import ResourceState
from supervisor_app.domain.deployments import RESOURCE_STATUS_FOR_DEPLOYMENT, DeploymentStatus
from supervisor_app.domain.resources import ResourceStatus

UNAVAILABLE_COUNT = 2


def _between(start: tuple[float, float], end: tuple[float, float], fraction: float) -> tuple[float, float]:
    fraction = max(0.0, min(1.0, fraction))
    return start[0] + (end[0] - start[0]) * fraction, start[1] + (end[1] - start[1]) * fraction


def _live_state(resource: FleetResource, live: LiveUnit, now: int) -> ResourceState:
    plan = live.plan
    station, scene = (resource.lat, resource.lon), (live.lat, live.lon)
    status = plan.status_at(now)
    assert status is not None
    if status is DeploymentStatus.EN_ROUTE and plan.en_route is not None and plan.on_scene is not None:
        lat, lon = _between(station, scene, (now - plan.en_route) / max(1, plan.on_scene - plan.en_route))
        return ResourceState(ResourceStatus.EN_ROUTE, plan.en_route, lat, lon)
    if status is DeploymentStatus.ON_SCENE and plan.on_scene is not None:
        return ResourceState(ResourceStatus.ON_SCENE, plan.on_scene, *scene)
    if status is DeploymentStatus.CLEARED and plan.cleared is not None:
        lat, lon = _between(scene, station, (now - plan.cleared) / max(1, plan.busy_end - plan.cleared))
        return ResourceState(ResourceStatus.RETURNING, plan.cleared, lat, lon)
    if status is DeploymentStatus.CANCELLED and plan.cancelled is not None:
        return ResourceState(ResourceStatus.AVAILABLE, plan.cancelled, *station)
    changed = plan.acknowledged if status is DeploymentStatus.ACKNOWLEDGED and plan.acknowledged else plan.requested
    return ResourceState(RESOURCE_STATUS_FOR_DEPLOYMENT[status], changed, *station)


def _last_duty_change(resource: FleetResource, clock: LocalClock, now: int) -> int:
    """The hour the resource last came on or went off duty (at most a week back)."""
    hour = now - now % 3600
    on_duty = resource.on_duty(clock, hour)
    for _ in range(24 * 7):
        if resource.on_duty(clock, hour - 3600) != on_duty:
            return hour
        hour -= 3600
    return hour


def _last_booking_end(resource: FleetResource, now: int) -> int | None:
    index = bisect_right(resource.bookings.starts, now) - 1
    return resource.bookings.ends[index] if index >= 0 else None


def resource_states(
    fleet: Fleet, live_units: dict[int, LiveUnit], clock: LocalClock, rng: random.Random, *, now: int
) -> dict[int, ResourceState]:
    states: dict[int, ResourceState] = {}
    idle: list[FleetResource] = []
    for resource in fleet.resources:
        live = live_units.get(resource.id)
        if live is not None:
            states[resource.id] = _live_state(resource, live, now)
            continue
        changed = max(_last_duty_change(resource, clock, now), _last_booking_end(resource, now) or 0)
        if resource.on_duty(clock, now):
            states[resource.id] = ResourceState(ResourceStatus.AVAILABLE, min(changed, now), resource.lat, resource.lon)
            idle.append(resource)
        else:
            states[resource.id] = ResourceState(ResourceStatus.OFF_DUTY, min(changed, now), resource.lat, resource.lon)
    spare = [r for r in idle if sum(1 for other in idle if other.resource_type == r.resource_type) > 1]
    for resource in rng.sample(spare, min(UNAVAILABLE_COUNT, len(spare))):
        states[resource.id] = ResourceState(
            ResourceStatus.UNAVAILABLE, now - rng.randint(300, 2400), resource.lat, resource.lon
        )
    return states
