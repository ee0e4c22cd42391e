"""Resources (crews, engineers, officers, vehicles) and their availability."""

from __future__ import annotations

import re
from enum import StrEnum

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.state_machine import StateMachine


class ResourceStatus(StrEnum):
    AVAILABLE = "available"
    ASSIGNED = "assigned"
    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    RETURNING = "returning"
    OFF_DUTY = "off_duty"
    UNAVAILABLE = "unavailable"  # on duty but cannot be sent (meal break, vehicle defect, training)


_R = ResourceStatus
RESOURCE_LIFECYCLE: StateMachine[ResourceStatus] = StateMachine(
    "Resource",
    ResourceStatus,
    {
        _R.AVAILABLE: frozenset({_R.ASSIGNED, _R.OFF_DUTY, _R.UNAVAILABLE}),
        _R.ASSIGNED: frozenset({_R.EN_ROUTE, _R.ON_SCENE, _R.AVAILABLE, _R.UNAVAILABLE}),
        _R.EN_ROUTE: frozenset({_R.ON_SCENE, _R.AVAILABLE, _R.UNAVAILABLE}),
        _R.ON_SCENE: frozenset({_R.RETURNING, _R.AVAILABLE}),
        _R.RETURNING: frozenset({_R.AVAILABLE, _R.ASSIGNED, _R.OFF_DUTY, _R.UNAVAILABLE}),
        _R.OFF_DUTY: frozenset({_R.AVAILABLE}),
        _R.UNAVAILABLE: frozenset({_R.AVAILABLE, _R.OFF_DUTY}),
    },
)

#: States in which a resource is committed to an incident.
COMMITTED_STATUSES = frozenset({_R.ASSIGNED, _R.EN_ROUTE, _R.ON_SCENE})
#: States from which a resource may be given a new job (a returning crew can be re-tasked).
DEPLOYABLE_STATUSES = frozenset({_R.AVAILABLE, _R.RETURNING})

_CALL_SIGN = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")


def normalise_call_sign(value: object) -> str:
    """Call signs are upper case letters and digits, starting with a letter (``G11``, ``LIFT3``)."""
    if not isinstance(value, str) or not _CALL_SIGN.match(value.strip().upper()):
        raise InvalidValue("call sign", value, "2 to 8 letters or digits starting with a letter, such as G11")
    return value.strip().upper()
