"""A completed intake: what may be saved, the record kept, and the log lines in the pack's wording."""

from __future__ import annotations

import json

import pytest

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.incidents import IncidentLocation, ReferralSource, ResponseRequirement
from supervisor_app.domain.intake import (
    IntakeDetails,
    Override,
    Validity,
    ValidityFlag,
    assessment_record,
    complete_intake,
    intake_log_lines,
    render_wording,
)
from supervisor_app.domain.procedures import assess
from tests.domain.test_procedures import lift_procedure

WORDING = {
    "REF": "Referral received: {incident_type} at {address}. {text}",
    "CALLER": "In the caller's words: {text}",
    "ANS": "Assessment: {text}",
    "VULN": "Vulnerable person at {address}: {text}",
    "ASSESS": "Assessed as {incident_type}, priority {priority}. {text}",
    "ADVICE": "Advice given: {text}",
    "OVERRIDE": "Recommendation overridden. Reason: {reason}",
    "SAFEGUARD": "Safeguarding: {text}",
    "VALID": "Flagged as {status}: {reason}",
    "LINK": "Linked to {text}: {reason}",
    "NOTE": "{text}",
}
DETAILS = IntakeDetails(
    incident_type="LIFT_ENTRAPMENT",
    location=IncidentLocation(Coordinate(60.17, 24.94), "Aleksanterinkatu 5"),
    source=ReferralSource.WEB_FORM,
    summary="Child stuck in the lift\r\nbetween floors",
)


def _vulnerable():
    procedure = lift_procedure()
    return procedure, assess(procedure, [("which_lift", "Lift B"), ("anyone_trapped", "yes"), ("who", "child")])


@pytest.mark.parametrize(
    ("template", "fields", "expected"),
    [
        ("Escalated: {reason}", {}, "Escalated"),
        ("Referral received: {incident_type} at {address}. {text}", {"incident_type": "Gas", "address": "A 1"},
         "Referral received: Gas at A 1."),
        ("{call_sign} clear of the incident. {text}", {"call_sign": "G11", "text": "Meter capped."},
         "G11 clear of the incident. Meter capped."),
        ("In the caller's words: {text}", {"text": "one\ntwo"}, "In the caller's words: one\ntwo"),
        ("Priority changed to {priority}. Reason: {reason}", {"priority": "P1", "reason": None},
         "Priority changed to P1. Reason"),
    ],
)
def test_wording_is_filled_and_tidied(template: str, fields: dict[str, object], expected: str) -> None:
    assert render_wording(template, fields) == expected


def test_the_log_lines_follow_the_assessment_in_the_pack_wording() -> None:
    procedure, assessment = _vulnerable()
    intake = complete_intake(DETAILS, procedure, assessment, checks_confirmed=["SAFEGUARDING_REFERRAL"],
                             advice_given=True)
    lines = intake_log_lines(intake, WORDING, reference="INC-20261123-0001", incident_type_name="Lift entrapment")
    assert [(line.code, line.text) for line in lines] == [
        ("REF", "Referral received: Lift entrapment at Aleksanterinkatu 5. web form: Child stuck in the lift\n"
                "between floors"),
        ("CALLER", "In the caller's words: Lift B"),
        ("ANS", "Assessment: Is someone inside? Yes"),
        ("VULN", "Vulnerable person at Aleksanterinkatu 5: Who is trapped? A child"),
        ("ASSESS", "Assessed as Lift entrapment, priority P1. Outcome vulnerable. The answers lead to vulnerable. "
                   "Response: 1 x LIFT_ENG (lift_release). Escalation required to the duty manager: A vulnerable "
                   "person is trapped. (Procedure version 2.)"),
        ("ADVICE", "Advice given: Help is on the way."),
        ("SAFEGUARD", "Safeguarding: Safeguarding"),
    ]


def test_the_record_is_plain_json_and_names_what_was_decided() -> None:
    procedure, assessment = _vulnerable()
    override = Override("P2", (ResponseRequirement("LIFT_ENG", 2, ("lift_release",)),),
                        "Two cars stuck, the same building")
    intake = complete_intake(DETAILS, procedure, assessment, checks_confirmed=["SAFEGUARDING_REFERRAL"],
                             advice_given=True, override=override)
    record = json.loads(json.dumps(assessment_record(intake)))
    assert record["outcome"]["priority"] == "P1"
    assert record["override"] == {"priority": "P2", "reason": "Two cars stuck, the same building",
                                  "response": [{"resource_type": "LIFT_ENG", "count": 2,
                                                "capabilities": ["lift_release"]}]}
    assert (intake.priority, intake.status.value) == ("P2", "awaiting_resource")
    assert record["path"]["outcome"] == "vulnerable"
    lines = intake_log_lines(intake, WORDING, reference="R", incident_type_name="Lift")
    override_line = next(line for line in lines if line.code == "OVERRIDE")
    assert override_line.text == ("Recommendation overridden. Reason: Two cars stuck, the same building (priority P1 "
                                  "changed to P2; response changed to 2 x LIFT_ENG (lift_release))")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"checks_confirmed": []}, "every mandatory check confirmed: Safeguarding"),
        ({"checks_confirmed": ["SAFEGUARDING_REFERRAL"], "advice_given": False}, "the advice read to the contact"),
        ({"checks_confirmed": ["SAFEGUARDING_REFERRAL", "GAS_INCIDENT_NOTIFICATION"]},
         "checks the outcome asks for: SAFEGUARDING_REFERRAL"),
    ],
)
def test_an_assessment_that_may_not_be_saved_says_what_is_missing(kwargs: dict[str, object], message: str) -> None:
    procedure, assessment = _vulnerable()
    arguments = {"advice_given": True, **kwargs}
    with pytest.raises(InvalidValue, match=message):
        complete_intake(DETAILS, procedure, assessment, **arguments)  # type: ignore[arg-type]


def test_a_flagged_referral_needs_no_checks_but_a_reason() -> None:
    procedure, assessment = _vulnerable()
    intake = complete_intake(DETAILS, procedure, assessment, validity=ValidityFlag("test", "Alarm company test call"))
    assert intake.validity.validity is Validity.TEST
    assert intake.status.value == "cancelled"
    with pytest.raises(InvalidValue, match="one of valid, hoax, test, duplicate"):
        ValidityFlag("prank", "Because")  # type: ignore[arg-type]


def test_an_override_that_changes_nothing_is_refused() -> None:
    procedure, assessment = _vulnerable()
    assert assessment.outcome is not None
    same = Override("P1", assessment.outcome.response, "I agree with the procedure")
    with pytest.raises(InvalidValue, match="a different priority or response"):
        complete_intake(DETAILS, procedure, assessment, checks_confirmed=["SAFEGUARDING_REFERRAL"],
                        advice_given=True, override=same)
