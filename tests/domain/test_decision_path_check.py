"""Whether an incident's procedure was followed, from a real assessment by the demo gas procedure."""

from __future__ import annotations

import copy
import json
from dataclasses import replace

import pytest

from supervisor_app.domain.decision_path_check import (
    DecisionPathReport,
    DecisionPathSummary,
    StepCheck,
    check_decision_path,
    summarise,
)
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
)
from supervisor_app.domain.procedures import Procedure, assess
from supervisor_app.pack.organisation_pack import OrganisationPack

DETAILS = IntakeDetails(
    incident_type="GAS_ESCAPE_INTERNAL",
    location=IncidentLocation(Coordinate(60.1699, 24.9384), "Mannerheimintie 10"),
    source=ReferralSource.PHONE,
    summary="Strong smell of gas in the stairwell; an elderly neighbour cannot manage the stairs",
)
CANNOT_LEAVE = [
    ("caller_account", "Smell of gas on every floor since this morning"),
    ("smell_where", "whole_building"),
    ("anyone_unwell", "no"),
    ("everyone_out", "no"),
    ("can_leave", "no"),
]
QUESTIONS = StepCheck("questions", "Questions answered to an outcome", True, True,
                      "5 questions answered; outcome Gas escape with people unable to leave, replayed against "
                      "procedure version 1")
REGISTER = "Vulnerable customer register checked and updated"
NOTICE = "Data-protection notice offered"


@pytest.fixture(scope="module")
def gas(pack: OrganisationPack) -> Procedure:
    return pack.procedure("GAS_ESCAPE_INTERNAL")


def record(procedure: Procedure, **intake: object) -> dict[str, object]:
    """The assessment as the desk stores it: through the engine and the intake gate, then JSON."""
    assessment = assess(procedure, CANNOT_LEAVE)
    arguments: dict[str, object] = {"checks_confirmed": ["VULNERABLE_REGISTER"], "advice_given": True, **intake}
    completed = complete_intake(DETAILS, procedure, assessment, **arguments)  # type: ignore[arg-type]
    stored: dict[str, object] = json.loads(json.dumps(assessment_record(completed)))
    return stored


def test_a_skipped_mandatory_check_and_an_escalation_not_made_are_flagged(gas: Procedure) -> None:
    stored = record(gas)
    checks = stored["checks"]
    assert isinstance(checks, list)
    checks[0]["confirmed"] = False  # as an imported record may hold: the register was never checked
    report = check_decision_path(41, stored, escalations_made=[], procedure=gas)
    assert report.steps == (
        QUESTIONS,
        StepCheck("check:VULNERABLE_REGISTER", REGISTER, True, False, "not confirmed"),
        StepCheck("check:DATA_PROTECTION_NOTICE", NOTICE, False, False, "optional; not confirmed"),
        StepCheck("advice", "Advice read to the contact", True, True, "read to the contact"),
        StepCheck("escalation", "Escalation to HELSINKI_RESCUE", True, False,
                  "not made: People cannot leave a building with a gas escape."),
    )
    assert (report.assessed, report.followed, report.overridden) == (True, False, False)
    assert [step.code for step in report.skipped] == ["check:VULNERABLE_REGISTER", "escalation"]


def test_every_required_step_done_is_a_path_followed(gas: Procedure) -> None:
    report = check_decision_path(41, record(gas), escalations_made={"HELSINKI_RESCUE"}, procedure=gas)
    assert report.steps[1] == StepCheck("check:VULNERABLE_REGISTER", REGISTER, True, True, "confirmed")
    assert report.steps[-1] == StepCheck("escalation", "Escalation to HELSINKI_RESCUE", True, True,
                                         "made to HELSINKI_RESCUE")
    assert (report.followed, report.skipped) == (True, ())


def test_answers_that_no_longer_replay_fail_the_questions_step(gas: Procedure) -> None:
    stored = record(gas)
    path = stored["path"]
    assert isinstance(path, dict)
    path["steps"][4]["answer"] = True  # "can everyone leave?" now reads yes: the path leads elsewhere
    report = check_decision_path(41, stored, escalations_made={"HELSINKI_RESCUE"}, procedure=gas)
    assert report.steps[0].done is False
    assert report.steps[0].detail == (
        "5 questions answered. The recorded assessment (GAS_ESCAPE_INTERNAL, procedure version 1) cannot be "
        "replayed: the answers now lead to question 'meter_valve' still to answer, not to cannot_leave."
    )
    assert [step.code for step in report.skipped] == ["questions"]
    trusted = check_decision_path(41, stored, {"HELSINKI_RESCUE"}, procedure=replace(gas, version=2))
    assert trusted.steps[0] == StepCheck(
        "questions", "Questions answered to an outcome", True, True,
        "5 questions answered; outcome Gas escape with people unable to leave as recorded",
    )
    assert trusted.steps[1:] == report.steps[1:]


def test_an_override_needs_its_reason(gas: Procedure) -> None:
    override = Override("P2", (ResponseRequirement("GAS_ENG", 1, ("gas_detection", "gas_isolation")),),
                        "Rescue service already on site with the residents")
    stored = record(gas, override=override)
    report = check_decision_path(41, stored, {"HELSINKI_RESCUE"}, gas)
    assert report.steps[-1] == StepCheck("override_reason", "Reason for overriding the recommendation", True, True,
                                         "Rescue service already on site with the residents")
    assert (report.overridden, report.override_reason, report.followed) == (
        True, "Rescue service already on site with the residents", True)
    blank = copy.deepcopy(stored)
    blank["override"]["reason"] = "  "  # type: ignore[index]
    report = check_decision_path(41, blank, {"HELSINKI_RESCUE"}, gas)
    assert report.skipped == (
        StepCheck("override_reason", "Reason for overriding the recommendation", True, False, "no reason recorded"),
    )


def test_a_flagged_referral_needs_no_checks_advice_or_escalation(gas: Procedure) -> None:
    stored = record(gas, checks_confirmed=[], advice_given=False,
                    validity=ValidityFlag(Validity.HOAX, "Caller admitted it was a prank"))
    report = check_decision_path(41, stored, (), gas)
    not_needed = "not needed for a referral flagged as hoax"
    assert report.steps[1:] == (
        StepCheck("check:VULNERABLE_REGISTER", REGISTER, False, False, not_needed),
        StepCheck("check:DATA_PROTECTION_NOTICE", NOTICE, False, False, not_needed),
        StepCheck("advice", "Advice read to the contact", False, False, not_needed),
        StepCheck("escalation", "Escalation to HELSINKI_RESCUE", False, False, not_needed),
    )
    assert report.followed is True
    valid_record = record(gas)
    checks = valid_record["checks"]
    assert isinstance(checks, list)
    checks[0]["confirmed"] = False
    flagged_since = check_decision_path(41, valid_record, (), gas, validity="duplicate")
    assert flagged_since.followed is True


def test_an_incident_without_an_assessment_needs_one_unless_flagged() -> None:
    assert check_decision_path(7, None, ()) == DecisionPathReport(
        7, False, (StepCheck("assessment", "Assessment by procedure", True, False,
                             "recorded without an assessment by procedure"),),
    )
    test_call = check_decision_path(8, None, (), validity="test")
    assert test_call.steps == (
        StepCheck("assessment", "Assessment by procedure", False, False,
                  "not needed for a referral flagged as test call"),
    )
    assert (test_call.assessed, test_call.followed) == (False, True)
    with pytest.raises(InvalidValue, match="one of valid, hoax, test, duplicate"):
        check_decision_path(9, None, (), validity="prank")


def test_a_record_that_cannot_be_read_fails_the_questions_step_and_is_read_as_far_as_it_goes(
    gas: Procedure,
) -> None:
    stored = record(gas)
    stored["format"] = 7
    report = check_decision_path(41, stored, {"HELSINKI_RESCUE"}, gas)
    assert report.steps[0] == StepCheck(
        "questions", "Questions answered to an outcome", True, False,
        "The decision path cannot be read: the record is format 7, not 1",
    )
    assert [step.code for step in report.steps[1:]] == [
        "check:VULNERABLE_REGISTER", "check:DATA_PROTECTION_NOTICE", "advice", "escalation",
    ]
    assert [step.code for step in report.skipped] == ["questions"]


def test_the_summary_counts_for_the_shift_review(gas: Procedure) -> None:
    followed = check_decision_path(1, record(gas), {"HELSINKI_RESCUE"}, gas)
    not_escalated = check_decision_path(2, record(gas), (), gas)
    override = Override("P2", (ResponseRequirement("GAS_ENG", 1, ("gas_detection", "gas_isolation")),),
                        "Rescue service already on site with the residents")
    overridden = check_decision_path(3, record(gas, override=override), {"HELSINKI_RESCUE"}, gas)
    unassessed = check_decision_path(4, None, ())
    assert summarise([followed, not_escalated, overridden, unassessed]) == DecisionPathSummary(
        incidents=4, assessed=3, followed=2, with_skipped_steps=2, overridden=1,
    )
    assert summarise([]) == DecisionPathSummary(0, 0, 0, 0, 0)
