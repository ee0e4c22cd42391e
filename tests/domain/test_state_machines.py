"""Every allowed and every forbidden transition of every state machine, with readable refusals."""

from __future__ import annotations

import itertools
from enum import StrEnum

import pytest

from supervisor_app.domain.complaints import CASE_LIFECYCLE, CaseStatus
from supervisor_app.domain.deployments import (
    ACTIVE_DEPLOYMENT_STATUSES,
    DEPLOYMENT_LIFECYCLE,
    RESOURCE_STATUS_FOR_DEPLOYMENT,
    TIMESTAMP_FOR_DEPLOYMENT,
    DeploymentStatus,
)
from supervisor_app.domain.errors import InvalidTransition
from supervisor_app.domain.incidents import INCIDENT_LIFECYCLE, OPEN_INCIDENT_STATUSES, IncidentStatus
from supervisor_app.domain.resources import (
    COMMITTED_STATUSES,
    DEPLOYABLE_STATUSES,
    RESOURCE_LIFECYCLE,
    ResourceStatus,
)
from supervisor_app.domain.shifts import (
    REVIEW_ACTION_LIFECYCLE,
    SUPPORT_LIFECYCLE,
    ReviewActionStatus,
    SupportStatus,
)
from supervisor_app.domain.state_machine import StateMachine

I, R, D = IncidentStatus, ResourceStatus, DeploymentStatus

# The expected tables, written out independently of the implementation.
EXPECTED: dict[str, tuple[StateMachine, set[tuple[StrEnum, StrEnum]]]] = {  # type: ignore[type-arg]
    "incident": (
        INCIDENT_LIFECYCLE,
        {
            (I.NEW, I.AWAITING_RESOURCE),
            (I.NEW, I.RESOURCE_ASSIGNED),
            (I.NEW, I.RESOLVED),
            (I.NEW, I.CANCELLED),
            (I.AWAITING_RESOURCE, I.RESOURCE_ASSIGNED),
            (I.AWAITING_RESOURCE, I.ON_HOLD),
            (I.AWAITING_RESOURCE, I.RESOLVED),
            (I.AWAITING_RESOURCE, I.CANCELLED),
            (I.RESOURCE_ASSIGNED, I.IN_PROGRESS),
            (I.RESOURCE_ASSIGNED, I.AWAITING_RESOURCE),
            (I.RESOURCE_ASSIGNED, I.ON_HOLD),
            (I.RESOURCE_ASSIGNED, I.RESOLVED),
            (I.IN_PROGRESS, I.AWAITING_RESOURCE),
            (I.IN_PROGRESS, I.ON_HOLD),
            (I.IN_PROGRESS, I.RESOLVED),
            (I.ON_HOLD, I.AWAITING_RESOURCE),
            (I.ON_HOLD, I.RESOURCE_ASSIGNED),
            (I.ON_HOLD, I.IN_PROGRESS),
            (I.ON_HOLD, I.RESOLVED),
            (I.RESOLVED, I.CLOSED),
            (I.RESOLVED, I.IN_PROGRESS),
        },
    ),
    "resource": (
        RESOURCE_LIFECYCLE,
        {
            (R.AVAILABLE, R.ASSIGNED),
            (R.AVAILABLE, R.OFF_DUTY),
            (R.AVAILABLE, R.UNAVAILABLE),
            (R.ASSIGNED, R.EN_ROUTE),
            (R.ASSIGNED, R.ON_SCENE),
            (R.ASSIGNED, R.AVAILABLE),
            (R.ASSIGNED, R.UNAVAILABLE),
            (R.EN_ROUTE, R.ON_SCENE),
            (R.EN_ROUTE, R.AVAILABLE),
            (R.EN_ROUTE, R.UNAVAILABLE),
            (R.ON_SCENE, R.RETURNING),
            (R.ON_SCENE, R.AVAILABLE),
            (R.RETURNING, R.AVAILABLE),
            (R.RETURNING, R.ASSIGNED),
            (R.RETURNING, R.OFF_DUTY),
            (R.RETURNING, R.UNAVAILABLE),
            (R.OFF_DUTY, R.AVAILABLE),
            (R.UNAVAILABLE, R.AVAILABLE),
            (R.UNAVAILABLE, R.OFF_DUTY),
        },
    ),
    "deployment": (
        DEPLOYMENT_LIFECYCLE,
        {
            (D.REQUESTED, D.ACKNOWLEDGED),
            (D.REQUESTED, D.EN_ROUTE),
            (D.REQUESTED, D.ON_SCENE),
            (D.REQUESTED, D.CANCELLED),
            (D.ACKNOWLEDGED, D.EN_ROUTE),
            (D.ACKNOWLEDGED, D.ON_SCENE),
            (D.ACKNOWLEDGED, D.CANCELLED),
            (D.EN_ROUTE, D.ON_SCENE),
            (D.EN_ROUTE, D.CANCELLED),
            (D.ON_SCENE, D.CLEARED),
        },
    ),
    "case": (
        CASE_LIFECYCLE,
        {
            (CaseStatus.RECEIVED, CaseStatus.ACKNOWLEDGED),
            (CaseStatus.RECEIVED, CaseStatus.INVESTIGATING),
            (CaseStatus.RECEIVED, CaseStatus.RESPONDED),
            (CaseStatus.ACKNOWLEDGED, CaseStatus.INVESTIGATING),
            (CaseStatus.ACKNOWLEDGED, CaseStatus.RESPONDED),
            (CaseStatus.INVESTIGATING, CaseStatus.RESPONDED),
            (CaseStatus.RESPONDED, CaseStatus.CLOSED),
            (CaseStatus.RESPONDED, CaseStatus.INVESTIGATING),
            (CaseStatus.CLOSED, CaseStatus.INVESTIGATING),
        },
    ),
    "review_action": (
        REVIEW_ACTION_LIFECYCLE,
        {
            (ReviewActionStatus.OPEN, ReviewActionStatus.IN_PROGRESS),
            (ReviewActionStatus.OPEN, ReviewActionStatus.DONE),
            (ReviewActionStatus.OPEN, ReviewActionStatus.DROPPED),
            (ReviewActionStatus.IN_PROGRESS, ReviewActionStatus.DONE),
            (ReviewActionStatus.IN_PROGRESS, ReviewActionStatus.DROPPED),
            (ReviewActionStatus.IN_PROGRESS, ReviewActionStatus.OPEN),
        },
    ),
    "support": (
        SUPPORT_LIFECYCLE,
        {
            (SupportStatus.AGREED, SupportStatus.HELD),
            (SupportStatus.AGREED, SupportStatus.WITHDRAWN),
            (SupportStatus.HELD, SupportStatus.HELD),
            (SupportStatus.HELD, SupportStatus.REVIEWED),
        },
    ),
}


def _all_pairs() -> list[tuple[str, StrEnum, StrEnum, bool]]:
    cases = []
    for name, (machine, allowed) in EXPECTED.items():
        for a, b in itertools.product(machine.states, repeat=2):
            cases.append((name, a, b, (a, b) in allowed))
    return cases


@pytest.mark.parametrize(("machine_name", "current", "requested", "allowed"), _all_pairs(), ids=lambda v: str(v))
def test_every_transition(machine_name: str, current: StrEnum, requested: StrEnum, allowed: bool) -> None:
    machine = EXPECTED[machine_name][0]
    if allowed:
        assert machine.check(current, requested) is requested
    else:
        with pytest.raises(InvalidTransition) as refused:
            machine.check(current, requested)
        message = str(refused.value)
        assert repr(current.value) in message
        assert repr(requested.value) in message
        assert ("can move to" in message) or ("is final" in message)


def test_tables_match_exactly() -> None:
    for name, (machine, allowed) in EXPECTED.items():
        assert set(machine.pairs()) == allowed, name


def test_refusal_lists_the_allowed_moves() -> None:
    with pytest.raises(InvalidTransition) as refused:
        RESOURCE_LIFECYCLE.check(R.OFF_DUTY, R.ON_SCENE)
    assert str(refused.value) == (
        "Resource cannot go from 'off_duty' to 'on_scene'. From 'off_duty' it can move to: available."
    )
    with pytest.raises(InvalidTransition, match="'closed' is final"):
        INCIDENT_LIFECYCLE.check(I.CLOSED, I.IN_PROGRESS)


def test_derived_sets_agree_with_the_tables() -> None:
    assert {s for s in ResourceStatus if RESOURCE_LIFECYCLE.can(s, R.ASSIGNED)} == DEPLOYABLE_STATUSES
    assert {s for s in IncidentStatus if not INCIDENT_LIFECYCLE.is_final(s)} == OPEN_INCIDENT_STATUSES
    assert {s for s in DeploymentStatus if not DEPLOYMENT_LIFECYCLE.is_final(s)} == ACTIVE_DEPLOYMENT_STATUSES
    assert {RESOURCE_STATUS_FOR_DEPLOYMENT[s] for s in ACTIVE_DEPLOYMENT_STATUSES} == COMMITTED_STATUSES
    assert set(TIMESTAMP_FOR_DEPLOYMENT) == set(DeploymentStatus)


def test_a_table_naming_foreign_states_is_rejected() -> None:
    with pytest.raises(TypeError):
        StateMachine("Mixed", IncidentStatus, {R.AVAILABLE: frozenset()})  # type: ignore[dict-item]
