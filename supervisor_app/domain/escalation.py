"""Escalation: which of the organisation's rules call for raising an open incident now, and why.

A rule (from the pack's ``escalation.yaml``) names a target (``duty_manager`` or an external
organisation's code) and conditions, all of which must hold; a list matches any of its members:

- ``priorities``, ``incident_types``: the incident's priority and type are among them.
- ``minutes_without_resource``: no resource has been deployed (a cancelled deployment does not
  count; one that has cleared does) for at least so many minutes since the referral was received,
  or since the latest deployment was cancelled if that came later. An incident that needs no
  attendance never meets this condition.
- ``minutes_past_target``: a clock of the incident still running is at least so many minutes past
  its due time (0: any breach). A target met late no longer calls for help; the shift review
  counts it.

``proposed_escalations`` proposes each rule that applies, in the order the pack lists them, with
the moment it began to apply and a reason naming the facts, which the supervisor may keep as the
reason for escalating. Only incidents still open (not resolved, closed or cancelled) are
considered, and a rule already escalated for the incident is not proposed again.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta

from supervisor_app.domain.clocks import Clock, ClockState, IncidentTimes
from supervisor_app.domain.errors import InvalidValue


@dataclass(frozen=True)
class EscalationRuleSpec:
    """One escalation rule as the pack gives it; empty sets and None are conditions not given."""

    code: str
    description: str
    target: str
    priorities: frozenset[str] = frozenset()
    incident_types: frozenset[str] = frozenset()
    minutes_without_resource: int | None = None
    minutes_past_target: int | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "priorities", frozenset(self.priorities))
        object.__setattr__(self, "incident_types", frozenset(self.incident_types))
        if not (
            self.priorities
            or self.incident_types
            or self.minutes_without_resource is not None
            or self.minutes_past_target is not None
        ):
            raise InvalidValue(f"escalation rule {self.code}", "no condition", "at least one condition")
        for name in ("minutes_without_resource", "minutes_past_target"):
            minutes = getattr(self, name)
            if minutes is not None and minutes < 0:
                raise InvalidValue(f"escalation rule {self.code} {name}", minutes, "a whole number of at least 0")


@dataclass(frozen=True)
class EscalationProposal:
    """A rule that applies to an incident: whom to raise it to, since when, and why."""

    incident_id: int
    reference: str
    rule_code: str
    target: str
    description: str
    applies_since: datetime
    reason: str


def _whole_minutes(span: timedelta) -> int:
    return int(span.total_seconds() // 60)


def _without_resource_since(times: IncidentTimes, now: datetime) -> datetime | None:
    """Since when the incident has had no resource deployed at ``now``; None if it has one."""
    since = times.created_at
    for deployment in times.deployments:
        if deployment.requested_at > now:
            continue
        if deployment.cancelled_at is None or deployment.cancelled_at > now:
            return None
        since = max(since, deployment.cancelled_at)
    return since


def _applies(
    times: IncidentTimes, clocks: Iterable[Clock], rule: EscalationRuleSpec, now: datetime
) -> tuple[list[str], datetime] | None:
    """The facts that make ``rule`` apply at ``now``, in words, and when they first held together;
    None when it does not apply."""
    facts: list[str] = []
    if rule.priorities and times.priority not in rule.priorities:
        return None
    if rule.incident_types and times.incident_type not in rule.incident_types:
        return None
    since = times.created_at
    if rule.minutes_without_resource is not None:
        alone = _without_resource_since(times, now) if times.attendance_required else None
        wait = timedelta(minutes=rule.minutes_without_resource)
        if alone is None or now - alone < wait:
            return None
        facts.append(f"no resource for {_whole_minutes(now - alone)} min")
        since = max(since, alone + wait)
    if rule.minutes_past_target is not None:
        late = timedelta(minutes=rule.minutes_past_target)
        breached = [clock for clock in clocks if clock.state(now) is ClockState.BREACHED and now - clock.due_at >= late]
        if not breached:
            return None
        most_late = min(breached, key=lambda clock: (clock.due_at, clock.kind.order))
        facts.append(f"{most_late.describe()} {_whole_minutes(now - most_late.due_at)} min late")
        since = max(since, most_late.due_at + late)
    return facts, since


def _reason(times: IncidentTimes, rule: EscalationRuleSpec, facts: list[str]) -> str:
    """``"P1 with no resource for 12 min"``: the priority and type where the rule names them (else
    the priority), then the facts of time."""
    named = [code for code, given in ((times.priority, rule.priorities), (times.incident_type, rule.incident_types))
             if given] or [times.priority]
    said = " ".join(named)
    return f"{said} with {' and '.join(facts)}" if facts else said


def proposed_escalations(
    times: IncidentTimes,
    clocks: Iterable[Clock],
    rules: Iterable[EscalationRuleSpec],
    now: datetime,
    already_escalated: Collection[str],
) -> list[EscalationProposal]:
    """The rules that apply to the incident at ``now`` and are not yet escalated, in the rules' order.

    ``already_escalated`` holds the codes of the rules the incident has been escalated under.
    """
    if not times.is_open:
        return []
    clocks = tuple(clocks)
    proposals = []
    for rule in rules:
        if rule.code in already_escalated:
            continue
        applies = _applies(times, clocks, rule, now)
        if applies is None:
            continue
        facts, since = applies
        proposals.append(
            EscalationProposal(
                incident_id=times.incident_id,
                reference=times.reference,
                rule_code=rule.code,
                target=rule.target,
                description=rule.description,
                applies_since=since,
                reason=f"{_reason(times, rule, facts)} (rule {rule.code}: {rule.description})",
            )
        )
    return proposals
