"""People who use the desk, the roles they hold, and what each role may do.

The permission table is the single place that says who may do what. Every service function checks
it with :func:`require`; the UI asks :func:`permitted` only to decide what to show.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum

from supervisor_app.domain.errors import DomainError


class Role(StrEnum):
    OPERATOR = "operator"
    SUPERVISOR = "supervisor"
    DUTY_MANAGER = "duty_manager"
    SHIFT_LEAD = "shift_lead"
    ADMINISTRATOR = "administrator"


class Action(StrEnum):
    """Every action a service performs. A new service adds its action here and to the table."""

    CREATE_INCIDENT = "incident.create"
    ADD_LOG_ENTRY = "incident.log"
    CHANGE_RESOURCE_STATUS = "resource.status"
    ASSIGN_RESOURCE = "resource.assign"
    VIEW_INCIDENTS = "incident.view"
    CLAIM_INCIDENT = "incident.claim"
    MANAGE_COMPLAINTS = "complaint.manage"
    REVIEW_SHIFT = "shift.review"
    RECORD_COACHING = "coaching.record"
    MANAGE_USERS = "user.manage"
    VERIFY_AUDIT = "audit.verify"
    RECEIVE_REFERRAL = "referral.receive"
    SEND_MESSAGES = "message.send"
    REQUEST_EXTERNAL = "external.request"
    MANAGE_INCIDENT = "incident.manage"
    ACKNOWLEDGE_ALERT = "alert.acknowledge"
    ESCALATE_INCIDENT = "incident.escalate"


_A = Action
_DESK_WORK = frozenset(
    {
        _A.VIEW_INCIDENTS,
        _A.CREATE_INCIDENT,
        _A.ADD_LOG_ENTRY,
        _A.CHANGE_RESOURCE_STATUS,
        _A.CLAIM_INCIDENT,
        _A.RECEIVE_REFERRAL,
        _A.SEND_MESSAGES,
        _A.ACKNOWLEDGE_ALERT,
    }
)

#: Role -> actions. Supervisors run the desk; operators take referrals and log but do not deploy,
#: change an incident's status or close it. Duty managers take escalations and may act on incidents.
PERMISSIONS: dict[Role, frozenset[Action]] = {
    Role.OPERATOR: _DESK_WORK,
    Role.SUPERVISOR: _DESK_WORK
    | {_A.ASSIGN_RESOURCE, _A.REQUEST_EXTERNAL, _A.MANAGE_INCIDENT, _A.ESCALATE_INCIDENT},
    Role.DUTY_MANAGER: frozenset(
        {
            _A.VIEW_INCIDENTS,
            _A.ADD_LOG_ENTRY,
            _A.MANAGE_COMPLAINTS,
            _A.REQUEST_EXTERNAL,
            _A.MANAGE_INCIDENT,
            _A.ACKNOWLEDGE_ALERT,
            _A.ESCALATE_INCIDENT,
        }
    ),
    Role.SHIFT_LEAD: frozenset({_A.VIEW_INCIDENTS, _A.ADD_LOG_ENTRY, _A.REVIEW_SHIFT, _A.RECORD_COACHING}),
    Role.ADMINISTRATOR: frozenset({_A.VIEW_INCIDENTS, _A.MANAGE_USERS, _A.VERIFY_AUDIT}),
}


class PermissionDenied(DomainError):
    def __init__(self, actor: Actor, action: Action) -> None:
        self.actor = actor
        self.action = action
        roles = ", ".join(r.value for r in sorted(actor.roles)) or "no role"
        holders = ", ".join(r.value for r in Role if action in PERMISSIONS[r])
        super().__init__(
            f"{actor.username} ({roles}) may not {action.value}. "
            f"Ask someone with the role {holders or 'administrator'} to do it."
        )


@dataclass(frozen=True)
class Actor:
    """Who is acting, and from which desk. Every service call names one."""

    username: str
    roles: frozenset[Role]
    desk: str
    user_id: int | None = None
    display_name: str = ""

    @classmethod
    def of(cls, username: str, roles: Iterable[Role | str], desk: str, **extra: object) -> Actor:
        return cls(username, frozenset(Role(r) for r in roles), desk, **extra)  # type: ignore[arg-type]

    @property
    def label(self) -> str:
        return self.display_name or self.username


def permitted(actor: Actor, action: Action) -> bool:
    return any(action in PERMISSIONS[role] for role in actor.roles)


def require(actor: Actor, action: Action) -> None:
    """Raise :class:`PermissionDenied` unless one of the actor's roles allows ``action``."""
    if not permitted(actor, action):
        raise PermissionDenied(actor, action)
