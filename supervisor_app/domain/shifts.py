"""Shifts, what the shift review carries forward, and support for colleagues."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.state_machine import StateMachine


class ShiftName(StrEnum):
    DAY = "day"  # 07:00-19:00 local
    NIGHT = "night"  # 19:00-07:00 local


SHIFT_START_HOURS = {ShiftName.DAY: 7, ShiftName.NIGHT: 19}
SHIFT_LENGTH = timedelta(hours=12)


def shift_for(local_time: datetime) -> tuple[ShiftName, datetime]:
    """The shift a local time belongs to and the local time that shift started."""
    if local_time.tzinfo is None:
        raise InvalidValue("time", local_time, "a time with a time zone")
    day_start = local_time.replace(hour=SHIFT_START_HOURS[ShiftName.DAY], minute=0, second=0, microsecond=0)
    night_start = local_time.replace(hour=SHIFT_START_HOURS[ShiftName.NIGHT], minute=0, second=0, microsecond=0)
    if day_start <= local_time < night_start:
        return ShiftName.DAY, day_start
    if local_time >= night_start:
        return ShiftName.NIGHT, night_start
    return ShiftName.NIGHT, night_start - timedelta(days=1)


def resource_shift_end(pattern: str, local_time: datetime) -> datetime | None:
    """When a resource on shift ``pattern`` (day, night, 24h, on_call) goes off shift, seen at
    ``local_time``: the end of the current day or night shift if it is the resource's; None for a
    resource that works round the clock or from home on call, or that is not on shift now."""
    if pattern not in (ShiftName.DAY.value, ShiftName.NIGHT.value):
        return None
    current, started = shift_for(local_time)
    return started + SHIFT_LENGTH if current.value == pattern else None


class ReviewActionStatus(StrEnum):
    OPEN = "open"
    IN_PROGRESS = "in_progress"
    DONE = "done"
    DROPPED = "dropped"


_RA = ReviewActionStatus
REVIEW_ACTION_LIFECYCLE: StateMachine[ReviewActionStatus] = StateMachine(
    "Review action",
    ReviewActionStatus,
    {
        _RA.OPEN: frozenset({_RA.IN_PROGRESS, _RA.DONE, _RA.DROPPED}),
        _RA.IN_PROGRESS: frozenset({_RA.DONE, _RA.DROPPED, _RA.OPEN}),
        _RA.DONE: frozenset(),
        _RA.DROPPED: frozenset(),
    },
)


class SupportKind(StrEnum):
    BUDDYING = "buddying"
    COACHING = "coaching"


class SupportStatus(StrEnum):
    AGREED = "agreed"  # need identified and support agreed with the colleague
    HELD = "held"  # a session took place and was recorded
    REVIEWED = "reviewed"  # outcome reviewed; closed or a new agreement made
    WITHDRAWN = "withdrawn"


_S = SupportStatus
SUPPORT_LIFECYCLE: StateMachine[SupportStatus] = StateMachine(
    "Coaching record",
    SupportStatus,
    {
        _S.AGREED: frozenset({_S.HELD, _S.WITHDRAWN}),
        _S.HELD: frozenset({_S.HELD, _S.REVIEWED}),
        _S.REVIEWED: frozenset(),
        _S.WITHDRAWN: frozenset(),
    },
)
