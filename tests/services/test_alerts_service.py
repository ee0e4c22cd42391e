"""Acknowledging an alert: only one in force, once, with the log in the pack's wording.

The targets of the first demo type (a gas escape, P1): acknowledge in 2 min, on scene in 60 min,
an update every 30 min, resolved in 8 h. Breaches are made by backdating the incident (and its
deployments) in the test's own setup transaction.
"""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.domain.alerts import format_due
from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.people import Actor, Role
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.alerts import AlertNotInForce, acknowledge_alert, acknowledgements_for
from supervisor_app.services.errors import Conflict
from supervisor_app.store.models import AuditEvent, Incident, LogEntry
from tests.services.conftest import Organisation, backdate, deploy, row_counts, stored_incident


def _lines(org: Organisation, incident_id: int, code: str) -> list[str]:
    with Session(org.engine) as session:
        query = select(LogEntry.text).where(LogEntry.incident_id == incident_id, LogEntry.code == code)
        return list(session.scalars(query.order_by(LogEntry.id)))


def _due(incident: Incident, after: timedelta, pack: OrganisationPack) -> str:
    return format_due(incident.created_at + after, incident.created_at, ZoneInfo(pack.timezone))


def test_a_breach_is_acknowledged_once_and_logged_late_in_the_pack_wording(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    backdate(organisation, incident_id, timedelta(minutes=70, seconds=20))  # on scene due 10 min ago
    key = f"{incident_id}/-/on_scene/breach"
    with organisation.session() as session:
        changes = acknowledge_alert(session, supervisor, incident_id, key, "Engineer held at another job", pack)
    incident = stored_incident(organisation, incident_id)
    assert _lines(organisation, incident_id, "LATE") == [
        f"On scene target missed by 10 min (target {_due(incident, timedelta(hours=1), pack)}). "
        "Alert acknowledged by sup.one: Engineer held at another job"
    ]
    assert changes.ids["alert"] == frozenset({incident_id}) and changes.ids["incident"] == frozenset({incident_id})
    with organisation.session() as session:
        found = acknowledgements_for(session, supervisor, [incident_id])
    assert list(found) == [key]
    ack = found[key]
    assert (ack.acknowledged_by, ack.desk, ack.kind, ack.level, ack.note, ack.deployment_id) == (
        "sup.one", "desk-1", "on_scene", "breach", "Engineer held at another job", None)
    with Session(organisation.engine) as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "alert.acknowledge")).one()
    assert audit.detail["alert"] == key


def test_a_second_desk_acknowledging_the_same_alert_is_told_who_did_and_nothing_is_written(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    backdate(organisation, incident_id, timedelta(minutes=65))
    key = f"{incident_id}/-/on_scene/breach"
    with organisation.session() as session:
        acknowledge_alert(session, supervisor, incident_id, key, "", pack)
    with organisation.session() as session:
        first = acknowledgements_for(session, supervisor, [incident_id])[key]
    at = first.acknowledged_at.astimezone(ZoneInfo(pack.timezone))
    before = row_counts(organisation.engine)
    other = Actor.of("op.two", [Role.OPERATOR], "desk-2")
    with organisation.session() as session, pytest.raises(Conflict) as refused:
        acknowledge_alert(session, other, incident_id, key, "Seen here too", pack)
    assert str(refused.value) == (
        f"This alert was acknowledged by sup.one at desk desk-1 at {at:%H:%M:%S}; nothing was changed."
    )
    assert row_counts(organisation.engine) == before


def test_a_near_breach_is_acknowledged_with_a_note_line(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    backdate(organisation, incident_id, timedelta(minutes=45))  # near once less than 20 min are left
    with organisation.session() as session:
        acknowledge_alert(session, supervisor, incident_id, f"{incident_id}/-/on_scene/near", "", pack)
    incident = stored_incident(organisation, incident_id)
    assert _lines(organisation, incident_id, "NOTE") == [
        f"Alert acknowledged by sup.one: {incident.reference}: no resource on scene yet; "
        f"due {_due(incident, timedelta(hours=1), pack)}."
    ]


def test_a_deployment_not_acknowledged_in_time_names_the_call_sign(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    deployment_id = deploy(organisation, pack, supervisor, incident_id, "G11")
    backdate(organisation, incident_id, timedelta(minutes=3, seconds=10))  # acknowledgement due 1 min ago
    with organisation.session() as session:
        acknowledge_alert(session, supervisor, incident_id, f"{incident_id}/dep-{deployment_id}/acknowledge/breach",
                          "Calling G11 by phone", pack)
    incident = stored_incident(organisation, incident_id)
    assert _lines(organisation, incident_id, "LATE") == [
        f"G11 acknowledgement target missed by 1 min (target {_due(incident, timedelta(minutes=2), pack)}). "
        "Alert acknowledged by sup.one: Calling G11 by phone"
    ]


def test_an_alert_not_in_force_is_refused_saying_why_and_nothing_is_written(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    reference = stored_incident(organisation, incident_id).reference
    backdate(organisation, incident_id, timedelta(minutes=61))
    incident = stored_incident(organisation, incident_id)
    due = f"{(incident.created_at + timedelta(hours=1)).astimezone(ZoneInfo(pack.timezone)):%H:%M}"
    before = row_counts(organisation.engine)
    with organisation.session() as session, pytest.raises(AlertNotInForce) as replaced:
        acknowledge_alert(session, supervisor, incident_id, f"{incident_id}/-/on_scene/near", "", pack)
    assert str(replaced.value) == (
        f"{reference}: no longer in force: arrival on scene is now past its target ({due}); acknowledge the breach."
    )
    with organisation.session() as session, pytest.raises(AlertNotInForce) as early:
        acknowledge_alert(session, supervisor, incident_id, f"{incident_id}/-/resolution/breach", "", pack)
    assert str(early.value).startswith(f"{reference}: not in force: resolution is not near its target (")
    assert row_counts(organisation.engine) == before
    deploy(organisation, pack, supervisor, incident_id, "G11", "en_route", "on_scene")
    with organisation.session() as session, pytest.raises(AlertNotInForce) as stopped:
        acknowledge_alert(session, supervisor, incident_id, f"{incident_id}/-/on_scene/breach", "", pack)
    assert str(stopped.value).startswith(
        f"{reference}: no longer in force: arrival on scene was missed; the clock stopped at ")


def test_a_key_of_another_incident_is_refused(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    with organisation.session() as session, pytest.raises(InvalidValue, match="expected the key of an alert of INC-"):
        acknowledge_alert(session, supervisor, incident_id, f"{incident_id + 1}/-/on_scene/breach", "", pack)
