"""Complaints and queries about how incidents were handled, and the deadlines that bind them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.state_machine import StateMachine


class CaseKind(StrEnum):
    COMPLAINT = "complaint"
    QUERY = "query"


class CaseStatus(StrEnum):
    RECEIVED = "received"
    ACKNOWLEDGED = "acknowledged"
    INVESTIGATING = "investigating"
    RESPONDED = "responded"
    CLOSED = "closed"


_C = CaseStatus
CASE_LIFECYCLE: StateMachine[CaseStatus] = StateMachine(
    "Complaint or query",
    CaseStatus,
    {
        _C.RECEIVED: frozenset({_C.ACKNOWLEDGED, _C.INVESTIGATING, _C.RESPONDED}),
        _C.ACKNOWLEDGED: frozenset({_C.INVESTIGATING, _C.RESPONDED}),
        _C.INVESTIGATING: frozenset({_C.RESPONDED}),
        _C.RESPONDED: frozenset({_C.CLOSED, _C.INVESTIGATING}),  # reopened if the answer is disputed
        _C.CLOSED: frozenset({_C.INVESTIGATING}),
    },
)


@dataclass(frozen=True)
class CaseDeadlines:
    """When a complaint or query must be acknowledged and answered."""

    acknowledge_by: datetime
    respond_by: datetime
    statutory_by: datetime | None  # the legal limit, where one applies (complaints)


def case_deadlines(
    kind: CaseKind,
    received_at: datetime,
    *,
    acknowledge_days: int,
    respond_days: int,
    statutory_days: int | None,
    query_days: int,
) -> CaseDeadlines:
    """Deadlines in calendar days from receipt, as the organisation's policy states them."""
    for name, days in (
        ("acknowledge_days", acknowledge_days),
        ("respond_days", respond_days),
        ("query_days", query_days),
    ):
        if days < 0:
            raise InvalidValue(name, days, "zero or more days")
    if received_at.tzinfo is None:
        raise InvalidValue("received_at", received_at, "a time with a time zone")
    ack = received_at + timedelta(days=acknowledge_days)
    if kind is CaseKind.QUERY:
        return CaseDeadlines(ack, received_at + timedelta(days=query_days), None)
    statutory = received_at + timedelta(days=statutory_days) if statutory_days is not None else None
    return CaseDeadlines(ack, received_at + timedelta(days=respond_days), statutory)
