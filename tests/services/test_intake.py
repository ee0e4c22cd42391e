"""Saving an assessed referral: incident, assessment, log, links and referral in one transaction."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.domain.changes import EntityKind
from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.incidents import Contact, IncidentLocation, ReferralSource, ResponseRequirement
from supervisor_app.domain.intake import (
    CompletedIntake,
    IntakeDetails,
    Link,
    Override,
    Validity,
    ValidityFlag,
    complete_intake,
)
from supervisor_app.domain.people import Actor
from supervisor_app.domain.procedures import DecisionPath, assess, replay
from supervisor_app.domain.referrals import read_referral
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.errors import Conflict, NotFound
from supervisor_app.services.intake import find_possible_duplicates, save_assessed_incident
from supervisor_app.services.referrals import receive_referral, waiting_referrals
from supervisor_app.store.models import AuditEvent, ChangeRecord, Incident, IncidentLink, LogEntry, Referral
from tests.services.conftest import Organisation, row_counts
from tests.support.procedures import answers_to

KAMPPI = Coordinate(60.1710, 24.9440)


def details(pack: OrganisationPack, incident_type: str, point: Coordinate = KAMPPI) -> IntakeDetails:
    return IntakeDetails(
        incident_type=incident_type,
        location=IncidentLocation(point, "Urho Kekkosen katu 1, Helsinki"),
        source=ReferralSource.PHONE,
        summary="Lift stuck between floors 3 and 4 with two people inside",
        contact=Contact("Aino Virtanen", "+358 40 123 4567"),
    )


def intake_for(
    pack: OrganisationPack, incident_type: str, outcome_id: str, *, confirm_all: bool = True, **extra: object
) -> CompletedIntake:
    procedure = pack.procedure(incident_type)
    assessment = assess(procedure, answers_to(procedure, outcome_id))
    assert assessment.outcome is not None and assessment.outcome.id == outcome_id
    checks = [c.code for c in assessment.outcome.checks] if confirm_all else []
    return complete_intake(
        details(pack, incident_type), procedure, assessment, checks_confirmed=checks, advice_given=True,
        **extra,  # type: ignore[arg-type]
    )


def test_a_saved_assessment_records_incident_assessment_log_audit_and_change(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    intake = intake_for(pack, "LIFT_ENTRAPMENT", "vulnerable_trapped")
    with organisation.session() as session:
        saved = save_assessed_incident(session, supervisor, intake, pack)
    with Session(organisation.engine) as session:
        incident = session.get(Incident, saved.incident_id)
        assert incident is not None
        assert (incident.priority, incident.computed_priority, incident.status) == ("P1", "P1", "awaiting_resource")
        assert incident.validity == "valid" and incident.override_reason is None
        assert incident.required_response == [
            {"resource_type": "LIFT_ENG", "count": 1, "capabilities": ["lift_release"]}
        ]
        record = incident.assessment
        assert record is not None
        assert record["outcome"]["id"] == "vulnerable_trapped"
        assert record["escalation"]["kind"] == "duty_manager"
        assert record["advice"]["given"] is True
        assert [c["confirmed"] for c in record["checks"]] == [True]
        # The decision path stored with the incident replays to the same outcome.
        stored = DecisionPath.from_dict(record["path"])
        assert replay(pack.procedure("LIFT_ENTRAPMENT"), stored).outcome == intake.outcome
        log = session.scalars(
            select(LogEntry).where(LogEntry.incident_id == saved.incident_id).order_by(LogEntry.id)
        ).all()
        codes = [entry.code for entry in log]
        assert codes == ["REF", "CALLER", "ANS", "ANS", "HAZARD", "VULN", "ASSESS", "ADVICE", "CHECK"]
        assert all(entry.recorded_at == incident.created_at for entry in log)  # one transaction
        assert log[0].text.startswith("Referral received: Person trapped in a lift at Urho Kekkosen katu 1")
        assert "phone from Aino Virtanen, +358 40 123 4567" in log[0].text
        assert log[2].text == "Assessment: Is someone inside the lift car right now? Yes"
        assert log[6].text.startswith("Assessed as Person trapped in a lift, priority P1. Child or vulnerable")
        assert "Escalation required to the duty manager" in log[6].text
        assert log[7].text.startswith("Advice given: Help is on the way.")
        audit = session.scalars(select(AuditEvent).where(AuditEvent.entity_id == saved.incident_id)).one()
        assert audit.action == "incident.create"
        assert audit.detail["outcome"] == "vulnerable_trapped" and audit.detail["overridden"] is False
        change = session.scalars(select(ChangeRecord).order_by(ChangeRecord.seq.desc())).first()
        assert change is not None and saved.incident_id in change.payload["incident"]


def test_an_override_is_kept_beside_the_computed_priority_with_its_reason(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    override = Override("P2", (ResponseRequirement("LIFT_ENG", 1, ("lift_repair",)),),
                        "Engineer already on site for planned works")
    intake = intake_for(pack, "LIFT_ENTRAPMENT", "no_one_trapped", override=None)
    intake = complete_intake(intake.details, intake.procedure, intake.assessment, advice_given=True,
                             override=Override("P1", intake.outcome.response, "Building reports a second lift down"))
    with organisation.session() as session:
        saved = save_assessed_incident(session, supervisor, intake, pack)
    with Session(organisation.engine) as session:
        incident = session.get(Incident, saved.incident_id)
        assert incident is not None
        assert (incident.priority, incident.computed_priority) == ("P1", "P2")
        assert incident.override_reason == "Building reports a second lift down"
        line = session.scalars(select(LogEntry).where(
            LogEntry.incident_id == saved.incident_id, LogEntry.code == "OVERRIDE")).one()
        assert line.text == ("Recommendation overridden. Reason: Building reports a second lift down "
                             "(priority P2 changed to P1)")
    with pytest.raises(InvalidValue, match="at least 10 characters"):
        Override("P1", (), "because")
    assert override.reason.startswith("Engineer")


def test_a_mandatory_check_left_unconfirmed_refuses_the_save(pack: OrganisationPack) -> None:
    with pytest.raises(InvalidValue, match="every mandatory check confirmed: Vulnerable customer register"):
        intake_for(pack, "LIFT_BREAKDOWN", "reliant_stranded", confirm_all=False)
    procedure = pack.procedure("LIFT_ENTRAPMENT")
    unfinished = assess(procedure, answers_to(procedure, "standard_release")[:2])
    with pytest.raises(InvalidValue, match="still to answer"):
        complete_intake(details(pack, "LIFT_ENTRAPMENT"), procedure, unfinished)


def test_a_hoax_is_recorded_closed_with_its_reason(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    intake = intake_for(pack, "LIFT_ENTRAPMENT", "standard_release",
                        validity=ValidityFlag(Validity.HOAX, "Caller laughing, building has no lift"))
    with organisation.session() as session:
        saved = save_assessed_incident(session, supervisor, intake, pack)
    with Session(organisation.engine) as session:
        incident = session.get(Incident, saved.incident_id)
        assert incident is not None
        assert (incident.status, incident.validity) == ("cancelled", "hoax")
        assert incident.closed_at == incident.created_at
        flagged = session.scalars(select(LogEntry).where(
            LogEntry.incident_id == saved.incident_id, LogEntry.code == "VALID")).one()
        assert flagged.text == "Flagged as hoax: Caller laughing, building has no lift"
    with pytest.raises(InvalidValue, match="reason"):
        ValidityFlag(Validity.TEST, "")


def test_a_duplicate_is_linked_to_the_incident_it_repeats(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    with organisation.session() as session:
        first = save_assessed_incident(session, supervisor, intake_for(pack, "LIFT_ENTRAPMENT", "standard_release"),
                                       pack)
    with organisation.session() as session:
        found = find_possible_duplicates(session, supervisor, "LIFT_ENTRAPMENT",
                                         Coordinate(KAMPPI.lat + 0.0005, KAMPPI.lon))
    assert [d.reference for d in found] == [first.reference]
    assert 50 < found[0].distance_m < 60
    assert found[0].describe().startswith(f"{first.reference}, 56 m away, P1, awaiting resource: ")
    link = Link(first.incident_id, first.reference, "Second caller, same lift")
    with pytest.raises(InvalidValue, match="linked before saving"):
        intake_for(pack, "LIFT_ENTRAPMENT", "standard_release", validity=ValidityFlag(Validity.DUPLICATE, "Same lift"))
    duplicate = intake_for(pack, "LIFT_ENTRAPMENT", "standard_release",
                           validity=ValidityFlag(Validity.DUPLICATE, "Same lift, second caller"), links=(link,))
    with organisation.session() as session:
        second = save_assessed_incident(session, supervisor, duplicate, pack)
    with Session(organisation.engine) as session:
        assert session.scalars(select(IncidentLink)).one().linked_incident_id == first.incident_id
        text = session.scalars(select(LogEntry.text).where(
            LogEntry.incident_id == second.incident_id, LogEntry.code == "LINK")).one()
        assert text == f"Linked to {first.reference}: Second caller, same lift"
    assert first.incident_id in second.changes.ids[EntityKind.INCIDENT]  # the first one's view refreshes too


def test_a_link_to_an_incident_that_does_not_exist_writes_nothing(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    ghost = Link(999_999, "INC-20261123-9999")
    intake = intake_for(pack, "LIFT_ENTRAPMENT", "standard_release", links=(ghost,))
    before = row_counts(organisation.engine)
    with organisation.session() as session, pytest.raises(NotFound, match="INC-20261123-9999"):
        save_assessed_incident(session, supervisor, intake, pack)
    assert row_counts(organisation.engine) == before


def test_possible_duplicates_leave_out_other_types_far_places_and_closed_incidents(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    with organisation.session() as session:
        save_assessed_incident(session, supervisor, intake_for(pack, "LIFT_ENTRAPMENT", "standard_release"), pack)
        hoax = intake_for(pack, "LIFT_ENTRAPMENT", "standard_release",
                          validity=ValidityFlag(Validity.HOAX, "Known hoax caller"))
    with organisation.session() as session:
        save_assessed_incident(session, supervisor, hoax, pack)
    with organisation.session() as session:
        assert len(find_possible_duplicates(session, supervisor, "LIFT_ENTRAPMENT", KAMPPI)) == 1  # not the hoax
    with organisation.session() as session:
        assert find_possible_duplicates(session, supervisor, "LIFT_BREAKDOWN", KAMPPI) == []
    with organisation.session() as session:
        far = Coordinate(KAMPPI.lat + 0.01, KAMPPI.lon)  # about 1.1 km north
        assert find_possible_duplicates(session, supervisor, "LIFT_ENTRAPMENT", far) == []
    with organisation.session() as session:
        assert find_possible_duplicates(session, supervisor, "LIFT_ENTRAPMENT", KAMPPI,
                                        window=timedelta(seconds=0)) == []


REFERRAL = (
    '{"partner": "TELECARE_OY", "reference": "TC-000123", "source": "alarm", "incident_type": "LIFT_ENTRAPMENT", '
    '"summary": "Lift alarm, no voice contact", "address": "Urho Kekkosen katu 1", '
    '"location": {"lat": 60.171, "lon": 24.944}}'
)


def test_a_referral_is_taken_out_of_the_queue_by_one_desk_only(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, operator: Actor
) -> None:
    with organisation.session() as session:
        received = receive_referral(session, operator, read_referral(REFERRAL), pack)
    with organisation.session() as session:
        assert receive_referral(session, operator, read_referral(REFERRAL), pack).already_received
    with organisation.session() as session:
        queue = waiting_referrals(session, supervisor)
    assert [(r.referral_id, r.label, r.source.value) for r in queue] == [
        (received.referral_id, "TELECARE_OY TC-000123", "alarm")]
    intake = intake_for(pack, "LIFT_ENTRAPMENT", "no_contact", referral_id=received.referral_id)
    with organisation.session() as session:
        saved = save_assessed_incident(session, supervisor, intake, pack)
    before = row_counts(organisation.engine)
    with organisation.session() as session, pytest.raises(Conflict) as refused:
        save_assessed_incident(session, operator, intake, pack)
    assert "already assessed by sup.one at desk desk-1 at" in str(refused.value)
    assert f"as {saved.reference}" in str(refused.value)
    assert row_counts(organisation.engine) == before
    with Session(organisation.engine) as session:
        referral = session.get(Referral, received.referral_id)
        assert referral is not None
        assert (referral.status, referral.incident_id, referral.assessed_by) == (
            "assessed", saved.incident_id, "sup.one")
    with organisation.session() as session:
        assert waiting_referrals(session, supervisor) == []


def test_a_referral_outside_the_area_or_of_an_unknown_type_is_refused(
    organisation: Organisation, pack: OrganisationPack, operator: Actor
) -> None:
    before = row_counts(organisation.engine)
    far = REFERRAL.replace('"lat": 60.171', '"lat": 61.5')
    with organisation.session() as session, pytest.raises(InvalidValue, match="inside the area"):
        receive_referral(session, operator, read_referral(far), pack)
    odd = REFERRAL.replace("LIFT_ENTRAPMENT", "UFO")
    with organisation.session() as session, pytest.raises(InvalidValue, match="or leave it out"):
        receive_referral(session, operator, read_referral(odd), pack)
    assert row_counts(organisation.engine) == before
