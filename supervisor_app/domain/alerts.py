"""Alerts: the clocks that are near their breach or past it, as notices a supervisor acknowledges.

A running clock raises a near-breach alert from its ``near_at`` until its due time, and a breach
alert from its due time for as long as it runs late; a stopped clock raises nothing. Each alert
has a ``key`` that is stable for as long as the alert stands and never names another one
(``"12/dep-3/acknowledge/breach"``, ``"12/-/on_scene/near"``), so a desk can record that it was
acknowledged and keep it acknowledged across reloads; the breach that follows a near-breach has a
key of its own and must be acknowledged again.

Alerts come and go only at known moments, so a desk needs no polling: ``next_change_at`` gives
the next moment an alert appears, and one timer set for it is enough. (Alerts disappear when a
clock stops, which is a change the desk hears about from the database.)

The text says in plain words what is late and when it was due, in the time zone the caller
gives: ``"INC-20261203-0012: A12 has not acknowledged; due 10:04"``. The due time carries its
date when it falls on another day than the clock started, and nothing in the text changes while
the alert stands.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, tzinfo
from enum import StrEnum

from supervisor_app.domain.clocks import Clock, ClockState, IncidentTimes, TargetKind, running_clocks
from supervisor_app.domain.errors import InvalidValue

KEY_MAX_LENGTH = 120

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


class AlertLevel(StrEnum):
    NEAR = "near"
    BREACH = "breach"


_LEVEL_OF_STATE = {ClockState.NEAR: AlertLevel.NEAR, ClockState.BREACHED: AlertLevel.BREACH}

# What is late, by kind; {who} is the deployment's call sign. A near-breach adds "yet".
_WORDING: dict[TargetKind, str] = {
    TargetKind.ACKNOWLEDGE: "{who} has not acknowledged",
    TargetKind.ON_SCENE: "no resource on scene",
    TargetKind.UPDATE: "no progress update",
    TargetKind.RESOLUTION: "not resolved",
}


@dataclass(frozen=True)
class Alert:
    """One near-breach or breach of one clock.

    ``raised_at`` is when it began: the due time for a breach, the clock's ``near_at`` for a
    near-breach.
    """

    key: str
    level: AlertLevel
    kind: TargetKind
    incident_id: int
    reference: str
    deployment_id: int | None
    call_sign: str | None
    due_at: datetime
    raised_at: datetime
    text: str


def alert_key(incident_id: int, deployment_id: int | None, kind: TargetKind, level: AlertLevel) -> str:
    """``"12/dep-3/acknowledge/breach"``; ``"-"`` in place of the deployment for an incident's own clock."""
    deployment = "-" if deployment_id is None else f"dep-{deployment_id}"
    key = f"{incident_id}/{deployment}/{TargetKind(kind).value}/{AlertLevel(level).value}"
    if len(key) > KEY_MAX_LENGTH:
        raise InvalidValue("alert key", key, f"at most {KEY_MAX_LENGTH} characters")
    return key


def format_due(due_at: datetime, started_at: datetime, tz: tzinfo) -> str:
    """``"10:04"``, or ``"4 Dec 10:04"`` when the due time falls on another day than the start."""
    due = due_at.astimezone(tz)
    if due.date() == started_at.astimezone(tz).date():
        return f"{due:%H:%M}"
    return f"{due.day} {_MONTHS[due.month - 1]} {due:%H:%M}"


def _alert(times: IncidentTimes, clock: Clock, level: AlertLevel, tz: tzinfo) -> Alert:
    what = _WORDING[clock.kind].format(who=clock.call_sign or "the resource")
    if level is AlertLevel.NEAR:
        what += " yet"
    return Alert(
        key=alert_key(clock.incident_id, clock.deployment_id, clock.kind, level),
        level=level,
        kind=clock.kind,
        incident_id=clock.incident_id,
        reference=times.reference,
        deployment_id=clock.deployment_id,
        call_sign=clock.call_sign,
        due_at=clock.due_at,
        raised_at=clock.due_at if level is AlertLevel.BREACH else clock.near_at,
        text=f"{times.reference}: {what}; due {format_due(clock.due_at, clock.started_at, tz)}",
    )


def alerts_at(times: IncidentTimes, clocks: Iterable[Clock], now: datetime, tz: tzinfo) -> list[Alert]:
    """The alerts in force at ``now``: breaches first, then near-breaches, each soonest due first."""
    alerts = []
    for clock in clocks:
        level = _LEVEL_OF_STATE.get(clock.state(now))
        if level is not None:
            alerts.append(_alert(times, clock, level, tz))
    alerts.sort(key=lambda alert: (alert.level is not AlertLevel.BREACH, alert.due_at, alert.key))
    return alerts


def next_change_at(clocks: Iterable[Clock], now: datetime) -> datetime | None:
    """The next moment after ``now`` at which an alert appears (a clock turns near or breached),
    or None when no running clock has one to come. A clock due to stop before then raises nothing."""
    moments = []
    for clock in running_clocks(clocks, now):
        for moment in (clock.near_at, clock.due_at):
            if moment > now and (clock.stopped_at is None or clock.stopped_at > moment):
                moments.append(moment)
    return min(moments, default=None)
