"""An incident's status changes with a reason, and it is closed with a disposition once its resources are clear."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.domain.errors import DomainError, InvalidTransition, InvalidValue
from supervisor_app.domain.people import Actor, Role
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.errors import StaleEdit
from supervisor_app.services.incident_lifecycle import (
    DeploymentsStillLive,
    change_incident_status,
    close_incident,
)
from supervisor_app.store.models import AuditEvent, Deployment, LogEntry, Message, Resource
from tests.services.conftest import Organisation, deploy, row_counts, stored_incident


def _log(org: Organisation, incident_id: int, *codes: str) -> list[tuple[str, str]]:
    with Session(org.engine) as session:
        rows = session.execute(
            select(LogEntry.code, LogEntry.text)
            .where(LogEntry.incident_id == incident_id, LogEntry.code.in_(codes))
            .order_by(LogEntry.id)
        ).all()
    return [(code, text) for code, text in rows]


def test_closing_with_resources_still_deployed_is_refused_naming_each_and_nothing_is_written(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    deploy(organisation, pack, supervisor, incident_id, "G11", "en_route", "on_scene")
    deploy(organisation, pack, supervisor, incident_id, "W11", "en_route")
    reference = stored_incident(organisation, incident_id).reference
    before = row_counts(organisation.engine)
    with organisation.session() as session, pytest.raises(DeploymentsStillLive) as refused:
        close_incident(session, supervisor, incident_id, "MADE_SAFE", "Meter capped", pack)
    assert str(refused.value) == (
        f"{reference} still has resources deployed: G11 is on scene, W11 is en route. Clear them first, or give a "
        "reason (at least 10 characters) to stand them down and close it anyway. Nothing was changed."
    )
    assert refused.value.live == (("G11", "on_scene"), ("W11", "en_route"))
    assert row_counts(organisation.engine) == before
    assert stored_incident(organisation, incident_id).status == "in_progress"


def test_a_reason_too_short_to_close_with_resources_out_is_refused(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    deploy(organisation, pack, supervisor, incident_id, "G11")
    before = row_counts(organisation.engine)
    with organisation.session() as session, pytest.raises(InvalidValue, match="at least 10 characters"):
        close_incident(session, supervisor, incident_id, "MADE_SAFE", "", pack, uncleared_reason="done")
    assert row_counts(organisation.engine) == before


def test_closing_with_a_reason_clears_those_on_scene_and_stands_down_the_rest(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    on_scene = deploy(organisation, pack, supervisor, incident_id, "G11", "en_route", "on_scene")
    en_route = deploy(organisation, pack, supervisor, incident_id, "W11", "en_route")
    with organisation.session() as session:
        closed = close_incident(session, supervisor, incident_id, "MADE_SAFE", "Meter capped and the flat aired",
                                pack, uncleared_reason="Crews report by phone that the job is done")
    assert (closed.status.value, closed.disposition, closed.cleared, closed.stood_down) == (
        "closed", "MADE_SAFE", ("G11",), ("W11",))
    incident = stored_incident(organisation, incident_id)
    assert (incident.status, incident.disposition_code, incident.closed_at) == ("closed", "MADE_SAFE",
                                                                                 closed.closed_at)
    with Session(organisation.engine) as session:
        deployments = {d.id: d.status for d in session.scalars(select(Deployment))}
        resources = {c: s for c, s in session.execute(select(Resource.call_sign, Resource.status))}
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "incident.manage")).one()
    assert deployments == {on_scene: "cleared", en_route: "cancelled"}
    assert (resources["G11"], resources["W11"]) == ("returning", "available")
    assert _log(organisation, incident_id, "CLR", "STDN", "CLOSE") == [
        ("CLR", "G11 cleared: Crews report by phone that the job is done"),
        ("STDN", "W11 cancelled: Crews report by phone that the job is done"),
        ("CLOSE", f"Incident {incident.reference} closed. Disposition: Made safe. Meter capped and the flat aired."),
    ]
    assert (audit.detail["old"], audit.detail["new"], audit.detail["cleared"], audit.detail["stood_down"]) == (
        "in_progress", "closed", ["G11"], ["W11"])
    assert closed.changes.ids["deployment"] == frozenset({on_scene, en_route})
    with Session(organisation.engine) as session:
        told = session.scalars(select(Message).where(Message.purpose == "cancellation")).all()
    # Only the unit on its way is told, by the radio it was deployed by, in the pack's wording.
    assert [(m.deployment_id, m.channel, m.recipient, m.status) for m in told] == [
        (en_route, "voice_radio", "W11", "passed")]
    assert told[0].body == (f"W11, this is control. Stand down from {incident.reference} at {incident.address}. "
                            "Reason: Crews report by phone that the job is done.")


def test_a_disposition_that_cancels_records_the_incident_cancelled(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    with organisation.session() as session:
        closed = close_incident(session, supervisor, incident_id, "HOAX", "Caller admitted it was a prank", pack)
    incident = stored_incident(organisation, incident_id)
    assert (closed.status.value, incident.status, incident.disposition_code) == ("cancelled", "cancelled", "HOAX")
    assert incident.closed_at == closed.closed_at
    assert _log(organisation, incident_id, "CLOSE") == [
        ("CLOSE", f"Incident {incident.reference} closed. Disposition: Hoax (recorded cancelled). "
                  "Caller admitted it was a prank.")
    ]


def test_a_cancelling_disposition_after_work_on_scene_is_refused_and_nothing_is_written(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    deploy(organisation, pack, supervisor, incident_id, "G11", "en_route", "on_scene")
    reference = stored_incident(organisation, incident_id).reference
    before = row_counts(organisation.engine)
    with organisation.session() as session, pytest.raises(DomainError) as refused:
        close_incident(session, supervisor, incident_id, "HOAX", "", pack,
                       uncleared_reason="The engineer found nothing at all")
    assert str(refused.value) == (
        f"{reference} is in progress; Hoax records it cancelled, which is possible only while it is new, "
        "awaiting resource. Choose a disposition that closes it. Nothing was changed."
    )
    assert row_counts(organisation.engine) == before
    with Session(organisation.engine) as session:
        assert session.scalars(select(Deployment.status)).one() == "on_scene"


def test_an_unknown_disposition_and_a_closed_incident_are_refused(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    with organisation.session() as session, pytest.raises(InvalidValue, match="one of the pack's: MADE_SAFE"):
        close_incident(session, supervisor, incident_id, "FIXED", "", pack)
    with organisation.session() as session:
        close_incident(session, supervisor, incident_id, "ADVICE_ONLY", "", pack)
    reference = stored_incident(organisation, incident_id).reference
    with organisation.session() as session, pytest.raises(DomainError, match=f"^{reference} is closed already"):
        close_incident(session, supervisor, incident_id, "ADVICE_ONLY", "", pack)


def test_a_status_change_is_logged_with_its_reason_and_audited(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    with organisation.session() as session:
        changes = change_incident_status(session, supervisor, incident_id, "on_hold",
                                         "Waiting for the key holder to arrive", pack)
    incident = stored_incident(organisation, incident_id)
    assert (incident.status, incident.version, incident.changed_by) == ("on_hold", 2, "sup.one")
    assert _log(organisation, incident_id, "NOTE") == [
        ("NOTE", "Status changed from awaiting resource to on hold. Reason: Waiting for the key holder to arrive")
    ]
    assert changes.ids["incident"] == frozenset({incident_id})
    with Session(organisation.engine) as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.action == "incident.manage")).one()
    assert (audit.detail["old"], audit.detail["new"]) == ("awaiting_resource", "on_hold")


def test_a_move_the_life_cycle_does_not_allow_is_refused_naming_the_allowed_moves(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    reference = stored_incident(organisation, incident_id).reference
    before = row_counts(organisation.engine)
    with organisation.session() as session, pytest.raises(InvalidTransition) as refused:
        change_incident_status(session, supervisor, incident_id, "in_progress", "", pack)
    assert str(refused.value) == (
        f"Incident {reference} cannot go from 'awaiting_resource' to 'in_progress'. "
        "From 'awaiting_resource' it can move to: resource_assigned, on_hold, resolved."
    )
    with organisation.session() as session, pytest.raises(InvalidValue, match="close or cancel the incident"):
        change_incident_status(session, supervisor, incident_id, "closed", "", pack)
    with organisation.session() as session, pytest.raises(InvalidValue, match="at least 10 characters"):
        change_incident_status(session, supervisor, incident_id, "on_hold", "keys", pack)
    assert row_counts(organisation.engine) == before


def test_a_change_made_against_an_older_version_is_refused_naming_who_changed_it(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    seen = stored_incident(organisation, incident_id)
    with organisation.session() as session:
        change_incident_status(session, supervisor, incident_id, "on_hold", "Waiting for the key holder", pack,
                               expected_version=seen.version)
    other = Actor.of("sup.two", [Role.SUPERVISOR], "desk-2")
    before = row_counts(organisation.engine)
    with organisation.session() as session, pytest.raises(StaleEdit) as refused:
        change_incident_status(session, other, incident_id, "resolved", "", pack, expected_version=seen.version)
    assert str(refused.value) == (
        f"Incident {seen.reference} was changed by sup.one at desk desk-1 while you were editing (you had version "
        "1, it is now 2). It now reads: on hold. Check it and try again."
    )
    assert row_counts(organisation.engine) == before


def test_reopening_a_resolved_incident_uses_the_pack_reopen_wording(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    with organisation.session() as session:
        change_incident_status(session, supervisor, incident_id, "resolved", "", pack)
    with organisation.session() as session:
        change_incident_status(session, supervisor, incident_id, "in_progress", "The smell came back", pack)
    assert _log(organisation, incident_id, "NOTE", "REOPEN") == [
        ("NOTE", "Status changed from awaiting resource to resolved."),
        ("REOPEN", "Incident reopened. Reason: The smell came back"),
    ]
