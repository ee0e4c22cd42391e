"""Deployments: a resource sent to an incident, over a channel, and its progress until clear."""

from __future__ import annotations

from collections.abc import Iterable
from enum import StrEnum

from supervisor_app.domain.incidents import ResponseRequirement
from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.domain.state_machine import StateMachine


class DeploymentStatus(StrEnum):
    REQUESTED = "requested"  # message passed or sent, not yet acknowledged
    ACKNOWLEDGED = "acknowledged"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    CLEARED = "cleared"
    CANCELLED = "cancelled"  # stood down before arrival


class Medium(StrEnum):
    VOICE = "voice"
    DATA = "data"


_D = DeploymentStatus
DEPLOYMENT_LIFECYCLE: StateMachine[DeploymentStatus] = StateMachine(
    "Deployment",
    DeploymentStatus,
    {
        _D.REQUESTED: frozenset({_D.ACKNOWLEDGED, _D.EN_ROUTE, _D.ON_SCENE, _D.CANCELLED}),
        _D.ACKNOWLEDGED: frozenset({_D.EN_ROUTE, _D.ON_SCENE, _D.CANCELLED}),
        _D.EN_ROUTE: frozenset({_D.ON_SCENE, _D.CANCELLED}),
        _D.ON_SCENE: frozenset({_D.CLEARED}),
        _D.CLEARED: frozenset(),
        _D.CANCELLED: frozenset(),
    },
)

ACTIVE_DEPLOYMENT_STATUSES = frozenset({_D.REQUESTED, _D.ACKNOWLEDGED, _D.EN_ROUTE, _D.ON_SCENE})

#: The resource status that follows from a deployment reaching a state.
RESOURCE_STATUS_FOR_DEPLOYMENT: dict[DeploymentStatus, ResourceStatus] = {
    _D.REQUESTED: ResourceStatus.ASSIGNED,
    _D.ACKNOWLEDGED: ResourceStatus.ASSIGNED,
    _D.EN_ROUTE: ResourceStatus.EN_ROUTE,
    _D.ON_SCENE: ResourceStatus.ON_SCENE,
    _D.CLEARED: ResourceStatus.RETURNING,
    _D.CANCELLED: ResourceStatus.AVAILABLE,
}

#: Name of the timestamp each deployment state records.
TIMESTAMP_FOR_DEPLOYMENT: dict[DeploymentStatus, str] = {
    _D.REQUESTED: "requested_at",
    _D.ACKNOWLEDGED: "acknowledged_at",
    _D.EN_ROUTE: "en_route_at",
    _D.ON_SCENE: "on_scene_at",
    _D.CLEARED: "cleared_at",
    _D.CANCELLED: "cancelled_at",
}


def outstanding_response(
    required: Iterable[ResponseRequirement],
    deployed: Iterable[tuple[str, frozenset[str]]],
) -> tuple[ResponseRequirement, ...]:
    """What of the required response is not yet met by the resources deployed (type, capabilities).

    Each deployed resource counts once, towards the first line it can serve, taking the lines that
    ask for most capabilities first (a resource able to do more is not spent on a line any
    resource of its type could serve while a demanding line is still open).
    """
    lines = tuple(required)
    pool = list(deployed)
    missing = []
    ordered = sorted(enumerate(lines), key=lambda item: (-len(item[1].capabilities), item[0]))
    shortfalls: dict[int, int] = {}
    for index, need in ordered:
        wanted = frozenset(need.capabilities)
        count = need.count
        for slot, (resource_type, capabilities) in enumerate(pool):
            if count == 0:
                break
            if resource_type == need.resource_type and wanted <= capabilities:
                pool[slot] = ("", frozenset())  # spent
                count -= 1
        shortfalls[index] = count
    for index, need in enumerate(lines):
        if shortfalls.get(index, 0):
            missing.append(ResponseRequirement(need.resource_type, shortfalls[index], need.capabilities))
    return tuple(missing)
