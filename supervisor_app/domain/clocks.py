"""Clocks against the organisation's target times: when each one started, falls due and stopped.

An incident runs four kinds of clock, each counted from a moment the database recorded:

- ``acknowledge``: one per deployment, from the request to the resource until it acknowledges
  (or, if the acknowledgement was never recorded, goes en route, arrives or clears).
- ``on_scene``: from when the referral was received until the first resource is on scene.
- ``update_interval``: from the latest log entry or status change until the next one is due.
- ``resolution``: from when the referral was received until the incident is resolved or closed.

A clock is in one of five states at a given moment (``Clock.state``): running; near its breach
once less than a third of its target is left (``NEAR_FRACTION``, the desk's amber threshold, the
same rule the deployment queue's countdown uses); breached at its due time and after, while it still
runs; and, once stopped, met (stopped on or before the due time) or missed (stopped after it).
Every moment is compared to the microsecond, so ``Clock.near_at`` and ``Clock.due_at`` are the
exact first instants of the near and breached states: a timer set for either finds the state
already changed. A clock asked about a moment before it stopped reads as it did then.

Edge cases, decided here once:

- A cancelled deployment keeps its acknowledge clock only if it had acknowledged (or moved on)
  before it was stood down; a request withdrawn before any answer has no target to meet or miss.
- An incident that needs no attendance (``attendance_required`` false) has no on-scene clock.
- Once an incident is resolved, closed or cancelled every clock still running stops at its end
  (``closed_at``, or for a resolved incident without one its latest update, which is the change
  to resolved or a note after it); the update clock is not shown at all, since its latest update
  is its end and it would always read met.
- A cancelled incident (a void or withdrawn referral) has no on-scene or resolution clock: no
  target applied to it. Acknowledge clocks of deployments that answered before it was cancelled stay.
- Clocks are not paused while an incident is on hold: the pack has no rule for pausing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.incidents import IncidentStatus

NEAR_FRACTION = 1 / 3
"""A running clock is near its breach once less than this share of its target is left: the desk's
amber threshold (the deployment queue's countdown turns amber by the same rule)."""

ENDED_STATUSES = frozenset({IncidentStatus.RESOLVED.value, IncidentStatus.CLOSED.value, IncidentStatus.CANCELLED.value})
"""Incident statuses after which no target applies any more: the work is done or the referral void."""

_MICROSECOND = timedelta(microseconds=1)


class TargetKind(StrEnum):
    ACKNOWLEDGE = "acknowledge"
    ON_SCENE = "on_scene"
    UPDATE = "update_interval"
    RESOLUTION = "resolution"

    @property
    def order(self) -> int:
        """The order the desk lists clocks of one incident in: the order they fall due in a job."""
        return list(TargetKind).index(self)


@dataclass(frozen=True)
class TargetTimes:
    """The target times that apply to one incident (its priority's, with its type's overrides)."""

    acknowledge: timedelta
    on_scene: timedelta
    update_interval: timedelta
    resolution: timedelta

    def __post_init__(self) -> None:
        for kind in TargetKind:
            if self.of(kind) <= timedelta(0):
                raise InvalidValue(f"{kind.value} target", self.of(kind), "a time of more than zero")

    @classmethod
    def from_seconds(cls, acknowledge: int, on_scene: int, update_interval: int, resolution: int) -> TargetTimes:
        """The targets as the organisation pack gives them, in seconds."""
        return cls(
            acknowledge=timedelta(seconds=acknowledge),
            on_scene=timedelta(seconds=on_scene),
            update_interval=timedelta(seconds=update_interval),
            resolution=timedelta(seconds=resolution),
        )

    def of(self, kind: TargetKind) -> timedelta:
        target: timedelta = getattr(self, kind.value)
        return target


@dataclass(frozen=True)
class DeploymentTimes:
    """When one deployment reached each of its states (None: not reached)."""

    deployment_id: int
    call_sign: str
    status: str
    requested_at: datetime
    acknowledged_at: datetime | None = None
    en_route_at: datetime | None = None
    on_scene_at: datetime | None = None
    cleared_at: datetime | None = None
    cancelled_at: datetime | None = None

    @property
    def answered_at(self) -> datetime | None:
        """When the resource first answered the request: acknowledged, or moved on without saying so."""
        return _first(self.acknowledged_at, self.en_route_at, self.on_scene_at, self.cleared_at)


@dataclass(frozen=True)
class IncidentTimes:
    """What the clocks of one incident are counted from.

    ``last_update_at`` is the time of the latest log entry or status change. ``closed_at`` is when
    it was closed or cancelled. ``attendance_required`` is false for an incident whose required
    response is empty (advice only): it has no on-scene target.
    """

    incident_id: int
    reference: str
    incident_type: str
    priority: str
    status: str
    created_at: datetime
    last_update_at: datetime
    closed_at: datetime | None = None
    deployments: tuple[DeploymentTimes, ...] = ()
    attendance_required: bool = True

    @property
    def is_open(self) -> bool:
        """Not yet resolved, closed or cancelled: its targets still run."""
        return self.status not in ENDED_STATUSES

    @property
    def ended_at(self) -> datetime | None:
        """When its targets stopped applying (None while open)."""
        if self.is_open:
            return None
        return self.closed_at if self.closed_at is not None else self.last_update_at


class ClockState(StrEnum):
    RUNNING = "running"
    NEAR = "near"
    BREACHED = "breached"
    MET = "met"
    MISSED = "missed"

    @property
    def stopped(self) -> bool:
        return self in (ClockState.MET, ClockState.MISSED)


@dataclass(frozen=True)
class Clock:
    """One target's clock: started, due, and stopped (None while it runs)."""

    kind: TargetKind
    incident_id: int
    deployment_id: int | None
    call_sign: str | None
    started_at: datetime
    due_at: datetime
    stopped_at: datetime | None = None

    @property
    def target(self) -> timedelta:
        return self.due_at - self.started_at

    @property
    def near_at(self) -> datetime:
        """The first instant less than ``NEAR_FRACTION`` of the target is left (never after ``due_at``)."""
        return min(self.due_at - self.target * NEAR_FRACTION + _MICROSECOND, self.due_at)

    def stopped_by(self, now: datetime) -> bool:
        return self.stopped_at is not None and self.stopped_at <= now

    def state(self, now: datetime) -> ClockState:
        if self.stopped_at is not None and self.stopped_at <= now:
            return ClockState.MET if self.stopped_at <= self.due_at else ClockState.MISSED
        if now >= self.due_at:
            return ClockState.BREACHED
        if now >= self.near_at:
            return ClockState.NEAR
        return ClockState.RUNNING

    def remaining(self, now: datetime) -> timedelta:
        """Time left before the due time (negative when late); for a stopped clock, what was left
        when it stopped."""
        end = self.stopped_at if self.stopped_at is not None and self.stopped_at <= now else now
        return self.due_at - end

    def describe(self) -> str:
        """What the clock waits for, in plain words: ``"acknowledgement by A12"``, ``"arrival on scene"``."""
        if self.kind is TargetKind.ACKNOWLEDGE:
            return f"acknowledgement by {self.call_sign or 'the resource'}"
        return {
            TargetKind.ON_SCENE: "arrival on scene",
            TargetKind.UPDATE: "progress update",
            TargetKind.RESOLUTION: "resolution",
        }[self.kind]


def _first(*moments: datetime | None) -> datetime | None:
    known = [moment for moment in moments if moment is not None]
    return min(known) if known else None


def incident_clocks(times: IncidentTimes, targets: TargetTimes) -> tuple[Clock, ...]:
    """Every clock of the incident, in the order they fall due in a job (acknowledge clocks by
    request time). See the module's notes for cancelled deployments and ended incidents."""
    ended = times.ended_at
    cancelled = times.status == IncidentStatus.CANCELLED.value
    clocks = []
    for deployment in sorted(times.deployments, key=lambda d: (d.requested_at, d.deployment_id)):
        answered = deployment.answered_at
        stood_down = _first(deployment.cancelled_at, ended if cancelled else None)
        if stood_down is not None and (answered is None or answered > stood_down):
            continue
        clocks.append(
            Clock(
                TargetKind.ACKNOWLEDGE,
                times.incident_id,
                deployment.deployment_id,
                deployment.call_sign,
                deployment.requested_at,
                deployment.requested_at + targets.acknowledge,
                _first(answered, ended),
            )
        )
    if cancelled:
        return tuple(clocks)
    if times.attendance_required:
        first_on_scene = _first(*(deployment.on_scene_at for deployment in times.deployments))
        clocks.append(_incident_clock(times, TargetKind.ON_SCENE, targets, _first(first_on_scene, ended)))
    if ended is None:
        clocks.append(
            Clock(
                TargetKind.UPDATE,
                times.incident_id,
                None,
                None,
                times.last_update_at,
                times.last_update_at + targets.update_interval,
            )
        )
    clocks.append(_incident_clock(times, TargetKind.RESOLUTION, targets, ended))
    return tuple(clocks)


def _incident_clock(times: IncidentTimes, kind: TargetKind, targets: TargetTimes, stopped: datetime | None) -> Clock:
    """A clock of the whole incident, counted from when the referral was received."""
    return Clock(kind, times.incident_id, None, None, times.created_at, times.created_at + targets.of(kind), stopped)


def running_clocks(clocks: Iterable[Clock], now: datetime) -> list[Clock]:
    """The clocks not yet stopped at ``now``."""
    return [clock for clock in clocks if not clock.stopped_by(now)]


def worst_clock(clocks: Iterable[Clock], now: datetime) -> Clock | None:
    """The most urgent clock still running: the latest past its due time, else the one with least
    time left (ties: the order the clocks fall due in a job, then the deployment); None when every
    clock has stopped. This is the monitor's "time to target"."""
    running = running_clocks(clocks, now)
    if not running:
        return None
    return min(running, key=lambda clock: (clock.remaining(now), clock.kind.order, clock.deployment_id or 0))
