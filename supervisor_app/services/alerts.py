"""Acknowledging an alert: a person has seen that a target is near its breach or missed.

Alerts are not stored: every desk works them out from the incident's rows and the pack's targets
(``domain.alerts``, through the same clock helpers as the incident's detail). Only the
acknowledgement is stored, under the alert's own key, so every desk agrees who saw it.

``acknowledge_alert`` works the incident's alerts out again at the database's now and refuses a key
that is not in force (the clock stopped, or a breach replaced the near-breach) with
``AlertNotInForce``. Of two desks acknowledging one alert at once, the key decides: one insert
wins, the other is refused (``Conflict``) naming who acknowledged it and when, with nothing
written. A breach is logged under ``LATE`` in the pack's wording (the target, minutes late, the
time it was due), a near-breach as a note; each with who acknowledged it and their note.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from supervisor_app.domain import log_codes
from supervisor_app.domain.alerts import Alert, AlertLevel, alerts_at, format_due
from supervisor_app.domain.alerts import alert_key as key_of
from supervisor_app.domain.changes import Changes
from supervisor_app.domain.clocks import Clock, ClockState, TargetKind
from supervisor_app.domain.errors import DomainError, InvalidValue
from supervisor_app.domain.incidents import clean_log_text
from supervisor_app.domain.people import Action, Actor
from supervisor_app.domain.wording import render_wording
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.errors import Conflict, NotFound
from supervisor_app.services.external_requests import clock_time, full_stop
from supervisor_app.services.incident_detail import (
    AlertAcknowledged,
    acknowledgements,
    clocks_of,
    read_incident_times,
)
from supervisor_app.services.unit_of_work import announce, append_log, audit, database_now, transaction
from supervisor_app.store.models import AlertAcknowledgement, Incident

#: How the log names each target (the ``{status}`` of the ``LATE`` wording).
TARGET_LABELS: dict[TargetKind, str] = {
    TargetKind.ACKNOWLEDGE: "Acknowledgement",
    TargetKind.ON_SCENE: "On scene",
    TargetKind.UPDATE: "Progress update",
    TargetKind.RESOLUTION: "Resolution",
}


class AlertNotInForce(DomainError):
    """The alert asked about is not (or no longer) in force; the desk should read its alerts again."""


def _hhmm(moment: datetime, zone: ZoneInfo) -> str:
    return f"{moment.astimezone(zone):%H:%M}"


def _why_not(key: str, incident: Incident, clocks: tuple[Clock, ...], now: datetime, zone: ZoneInfo) -> str:
    """Why ``key`` names no alert of the incident in force at ``now``."""
    parts = key.split("/")
    if len(parts) != 4 or parts[0] != str(incident.id) or parts[3] not in set(AlertLevel):
        raise InvalidValue("alert key", key, f"the key of an alert of {incident.reference}")
    level = AlertLevel(parts[3])
    clock = next((c for c in clocks if key_of(c.incident_id, c.deployment_id, c.kind, level) == key), None)
    if clock is None:
        return f"no longer in force: {incident.reference} has no such target now"
    state = clock.state(now)
    if state.stopped:
        assert clock.stopped_at is not None
        met = "met" if state is ClockState.MET else "missed"
        return f"no longer in force: {clock.describe()} was {met}; the clock stopped at {_hhmm(clock.stopped_at, zone)}"
    if level is AlertLevel.NEAR and state is ClockState.BREACHED:
        return (f"no longer in force: {clock.describe()} is now past its target ({_hhmm(clock.due_at, zone)}); "
                "acknowledge the breach")
    return f"not in force: {clock.describe()} is not near its target ({_hhmm(clock.due_at, zone)}) yet"


def _log_line(alert: Alert, clock: Clock, said: str, actor: Actor, now: datetime, pack: OrganisationPack,
              zone: ZoneInfo) -> tuple[str, str]:
    by = f"Alert acknowledged by {actor.label}"
    if alert.level is AlertLevel.NEAR:
        return log_codes.NOTE, f"{by}: {full_stop(alert.text)}" + (f" {said}" if said else "")
    label = TARGET_LABELS[alert.kind]
    if alert.kind is TargetKind.ACKNOWLEDGE and alert.call_sign:
        label = f"{alert.call_sign} acknowledgement"
    fields = {
        "reference": alert.reference,
        "status": label,
        "minutes_late": int((now - alert.due_at).total_seconds() // 60),
        "target_time": format_due(alert.due_at, clock.started_at, zone),
        "call_sign": alert.call_sign,
    }
    late = render_wording(pack.code(log_codes.TARGET_MISSED).wording, fields)
    return log_codes.TARGET_MISSED, f"{full_stop(late)} {by}" + (f": {said}" if said else ".")


def _acknowledged_by(earlier: AlertAcknowledged, pack: OrganisationPack) -> str:
    return (f"This alert was acknowledged by {earlier.acknowledged_by} at desk {earlier.desk} at "
            f"{clock_time(earlier.acknowledged_at, pack)}; nothing was changed.")


def acknowledge_alert(
    session: Session, actor: Actor, incident_id: int, alert_key: str, note: str, pack: OrganisationPack
) -> Changes:
    """Record that ``actor`` has seen the alert (see the module doc)."""
    said = clean_log_text(note)
    zone = ZoneInfo(pack.timezone)
    with transaction(session, actor, Action.ACKNOWLEDGE_ALERT):
        incident = session.get(Incident, incident_id, with_for_update=True)
        if incident is None:
            raise NotFound("Incident", incident_id)
        now = database_now(session)
        times = read_incident_times(session, incident)
        clocks = clocks_of(times, pack)
        alert = next((a for a in alerts_at(times, clocks, now, zone) if a.key == alert_key), None)
        if alert is None:
            raise AlertNotInForce(f"{incident.reference}: {_why_not(alert_key, incident, clocks, now, zone)}.")
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        recorded = session.execute(
            insert(AlertAcknowledgement)
            .values(
                alert_key=alert.key, incident_id=incident_id, deployment_id=alert.deployment_id,
                kind=alert.kind.value, level=alert.level.value, acknowledged_at=now,
                acknowledged_by=actor.username, desk=actor.desk, note=said,
            )
            .on_conflict_do_nothing(index_elements=[AlertAcknowledgement.alert_key])
            .returning(AlertAcknowledgement.alert_key)
        ).first()
        if recorded is None:  # another desk's acknowledgement holds the key
            earlier = acknowledgements(session, AlertAcknowledgement.alert_key == alert.key)[alert.key]
            raise Conflict(_acknowledged_by(earlier, pack))
        clock = next(c for c in clocks if key_of(c.incident_id, c.deployment_id, c.kind, alert.level) == alert.key)
        code, text = _log_line(alert, clock, said, actor, now, pack, zone)
        entry = append_log(session, actor, incident_id, code, text)
        audit(session, actor, Action.ACKNOWLEDGE_ALERT, "incident", incident_id, reference=incident.reference,
              alert=alert.key, level=alert.level.value, kind=alert.kind.value, note=said)
        changes = Changes.of(alert=incident_id, incident=incident_id, log_entry=entry.id)
        announce(session, actor, changes)
    return changes


def acknowledgements_for(
    session: Session, actor: Actor, incident_ids: Collection[int]
) -> dict[str, AlertAcknowledged]:
    """The acknowledgements of the alerts of these incidents, by alert key."""
    with transaction(session, actor, Action.VIEW_INCIDENTS):
        if not incident_ids:
            return {}
        return acknowledgements(session, AlertAcknowledgement.incident_id.in_(sorted(incident_ids)))
