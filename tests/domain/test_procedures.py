"""The procedures engine on a small hand-written tree: answers, branches, changes, replay, validation."""

from __future__ import annotations

import dataclasses

import pytest

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.incidents import ResponseRequirement
from supervisor_app.domain.procedures import (
    Advice,
    AnswerOutOfTurn,
    ChoiceBranch,
    ChoiceOption,
    ChoiceQuestion,
    DecisionPath,
    Escalation,
    EscalationKind,
    InvalidAnswer,
    KnownCodes,
    NumberQuestion,
    NumberRange,
    Outcome,
    OutcomeCheck,
    Procedure,
    ReplayRefused,
    TextQuestion,
    YesNoQuestion,
    assess,
    begin,
    longest_route,
    parse_number,
    replay,
    step,
    validate_procedure,
)


def _outcome(node_id: str, priority: str = "P2", **extra: object) -> Outcome:
    return Outcome(
        id=node_id,
        title=f"Outcome {node_id}",
        priority=priority,
        reason=f"The answers lead to {node_id}.",
        advice=Advice(say=("Help is on the way.",), do_not_say=("Do not promise a time.",)),
        **extra,  # type: ignore[arg-type]
    )


def lift_procedure() -> Procedure:
    """A lift entrapment in miniature: text, yes/no, choice with a skip, number ranges."""
    return Procedure(
        incident_type="LIFT_ENTRAPMENT",
        title="Person trapped in a lift",
        version=2,
        start="which_lift",
        questions=(
            TextQuestion(id="which_lift", ask="Which lift is it?", log_code="CALLER", next="anyone_trapped"),
            YesNoQuestion(
                id="anyone_trapped", ask="Is someone inside?", log_code="ANS", if_yes="who", if_no="breakdown"
            ),
            ChoiceQuestion(
                id="who",
                ask="Who is trapped?",
                log_code="VULN",
                mandatory=False,
                if_skipped="minutes",
                options=(
                    ChoiceOption("adult", "An adult"),
                    ChoiceOption("child", "A child"),
                    ChoiceOption("elderly", "An elderly person"),
                ),
                branches=(ChoiceBranch(("adult",), "minutes"), ChoiceBranch(("child", "elderly"), "vulnerable")),
            ),
            NumberQuestion(
                id="minutes",
                ask="How many minutes have they been trapped?",
                log_code="ANS",
                unit="minutes",
                minimum=0,
                maximum=600,
                whole=True,
                ranges=(NumberRange("release", below=30), NumberRange("long_wait", at_least=30)),
            ),
        ),
        outcomes=(
            _outcome("breakdown", "P3"),
            _outcome(
                "vulnerable",
                "P1",
                response=(ResponseRequirement("LIFT_ENG", 1, ("lift_release",)),),
                checks=(OutcomeCheck("SAFEGUARDING_REFERRAL", label="Safeguarding", log_code="SAFEGUARD"),),
                escalation=Escalation(EscalationKind.DUTY_MANAGER, "A vulnerable person is trapped."),
            ),
            _outcome("release", "P1", response=(ResponseRequirement("LIFT_ENG", 1, ("lift_release",)),)),
            _outcome(
                "long_wait",
                "P1",
                escalation=Escalation(
                    EscalationKind.EXTERNAL_ORGANISATION, "Trapped 30 minutes.", "HELSINKI_RESCUE", "lift_rescue"
                ),
            ),
        ),
    )


KNOWN = KnownCodes(
    priorities={"P1", "P2", "P3", "P4"},
    resource_types={"LIFT_ENG"},
    capabilities={"lift_release"},
    log_codes={"CALLER", "ANS", "VULN", "SAFEGUARD"},
    checks={"SAFEGUARDING_REFERRAL"},
    external_organisations={"HELSINKI_RESCUE": {"lift_rescue", "fire_attendance"}},
)


# ---- walking the tree --------------------------------------------------------------------------


def test_the_hand_written_procedure_is_valid() -> None:
    assert validate_procedure(lift_procedure(), KNOWN) == []
    assert longest_route(lift_procedure()) == 4


def test_begin_asks_the_first_question() -> None:
    assessment = begin(lift_procedure())
    assert assessment.question is not None and assessment.question.id == "which_lift"
    assert not assessment.complete
    assert assessment.path.steps == ()


def test_a_full_route_ends_at_its_outcome_with_every_answer_recorded() -> None:
    procedure = lift_procedure()
    assessment = assess(
        procedure,
        [("which_lift", "  Block B lift 2, stuck at floor 5 "), ("anyone_trapped", "yes"), ("who", "child")],
    )
    assert assessment.complete and assessment.outcome is not None
    assert assessment.outcome.id == "vulnerable"
    assert assessment.outcome.priority == "P1"
    assert assessment.outcome.escalation.target == "duty_manager"
    path = assessment.path
    assert path.outcome == "vulnerable"
    assert [(s.node, s.answer, s.displayed, s.log_code) for s in path.steps] == [
        ("which_lift", "Block B lift 2, stuck at floor 5", "Block B lift 2, stuck at floor 5", "CALLER"),
        ("anyone_trapped", True, "Yes", "ANS"),
        ("who", "child", "A child", "VULN"),
    ]


@pytest.mark.parametrize(
    ("minutes", "outcome", "shown"),
    [("0", "release", "0 minutes"), (29, "release", "29 minutes"), ("30", "long_wait", "30 minutes"),
     (600, "long_wait", "600 minutes")],
)
def test_number_ranges_pick_the_branch_at_their_bounds(minutes: object, outcome: str, shown: str) -> None:
    assessment = assess(
        lift_procedure(), [("which_lift", "A"), ("anyone_trapped", True), ("who", "adult"), ("minutes", minutes)]
    )
    assert assessment.outcome is not None and assessment.outcome.id == outcome
    assert assessment.path.steps[-1].displayed == shown


def test_choice_takes_the_label_in_any_case_and_records_the_value() -> None:
    assessment = assess(lift_procedure(), [("which_lift", "A"), ("anyone_trapped", "Y"), ("who", "an ELDERLY person")])
    assert assessment.path.steps[-1].answer == "elderly"
    assert assessment.outcome is not None and assessment.outcome.id == "vulnerable"


def test_a_question_that_is_not_mandatory_may_be_skipped_to_its_skip_branch() -> None:
    assessment = assess(lift_procedure(), [("which_lift", "A"), ("anyone_trapped", "yes"), ("who", None)])
    assert assessment.question is not None and assessment.question.id == "minutes"
    assert assessment.path.steps[-1].answer is None
    assert assessment.path.steps[-1].displayed == "Not answered"


@pytest.mark.parametrize(
    ("node", "answer", "expected"),
    [
        ("anyone_trapped", "maybe", "yes or no"),
        ("anyone_trapped", None, "this question is mandatory"),
        ("who", "teenager", "one of adult, child, elderly"),
        ("minutes", "601", "a whole number of minutes from 0 to 600"),
        ("minutes", "12.5", "a whole number of minutes from 0 to 600"),
        ("minutes", "-1", "a whole number of minutes from 0 to 600"),
        ("minutes", "nan", "a whole number of minutes from 0 to 600"),
        ("minutes", True, "a whole number of minutes from 0 to 600"),
    ],
)
def test_answers_the_question_cannot_take_are_refused_with_what_it_expects(
    node: str, answer: object, expected: str
) -> None:
    procedure = lift_procedure()
    before = {"anyone_trapped": [("which_lift", "A")],
              "who": [("which_lift", "A"), ("anyone_trapped", "yes")],
              "minutes": [("which_lift", "A"), ("anyone_trapped", "yes"), ("who", "adult")]}[node]
    assessment = assess(procedure, before)
    with pytest.raises(InvalidAnswer) as refused:
        step(procedure, assessment, node, answer)
    assert refused.value.node_id == node
    assert expected in str(refused.value)
    question = procedure.node(node)
    assert question is not None and question.ask in str(refused.value)


def test_an_open_answer_is_cleaned_and_an_empty_one_refused_when_mandatory() -> None:
    procedure = lift_procedure()
    with pytest.raises(InvalidAnswer, match="mandatory"):
        step(procedure, begin(procedure), "which_lift", "   ")
    assessment = step(procedure, begin(procedure), "which_lift", "Block A\r\nlift 1")
    assert assessment.path.steps[0].answer == "Block A\nlift 1"


def test_answering_a_question_out_of_turn_is_refused() -> None:
    procedure = lift_procedure()
    with pytest.raises(AnswerOutOfTurn) as refused:
        step(procedure, begin(procedure), "minutes", 5)
    assert refused.value.expected == ("which_lift",)
    assert "not asked at this point" in str(refused.value)


def test_changing_an_earlier_answer_cuts_the_path_after_it() -> None:
    procedure = lift_procedure()
    assessment = assess(procedure, [("which_lift", "A"), ("anyone_trapped", "yes"), ("who", "adult"), ("minutes", 5)])
    assert assessment.outcome is not None and assessment.outcome.id == "release"
    changed = step(procedure, assessment, "anyone_trapped", "no")
    assert changed.outcome is not None and changed.outcome.id == "breakdown"
    assert [s.node for s in changed.path.steps] == ["which_lift", "anyone_trapped"]
    assert changed == assess(procedure, [("which_lift", "A"), ("anyone_trapped", "no")])


def test_an_assessment_of_another_procedure_is_refused() -> None:
    procedure = lift_procedure()
    other = dataclasses.replace(procedure, version=3)
    with pytest.raises(InvalidValue, match="version 2"):
        step(other, begin(procedure), "which_lift", "A")


def test_parse_number_reads_decimal_commas_and_minus_signs() -> None:
    assert parse_number("12,5") == 12.5
    assert parse_number("\u22123") == -3
    assert parse_number("1 200") == 1200
    assert parse_number("inf") is None
    assert parse_number("twelve") is None


# ---- the recorded path -------------------------------------------------------------------------


def _finished() -> tuple[Procedure, DecisionPath]:
    procedure = lift_procedure()
    answers = [("which_lift", "Lift 2 \u2013 B"), ("anyone_trapped", "yes"), ("who", "adult"), ("minutes", "45")]
    return procedure, assess(procedure, answers).path


def test_the_path_survives_json_and_replays_to_the_same_assessment() -> None:
    procedure, path = _finished()
    stored = DecisionPath.from_json(path.to_json())
    assert stored == path
    assert replay(procedure, stored) == assess(procedure, path.answers())
    assert replay(procedure, stored).outcome == procedure.node("long_wait")


def test_replay_against_another_version_is_refused_with_the_versions() -> None:
    procedure, path = _finished()
    with pytest.raises(ReplayRefused, match="version 3 of the procedure; replay it against version 2"):
        replay(dataclasses.replace(procedure, version=3), path)


def test_replay_refuses_a_path_whose_answers_now_lead_elsewhere() -> None:
    procedure, path = _finished()
    tampered = dataclasses.replace(path, outcome="release")
    with pytest.raises(ReplayRefused, match="lead to long_wait, not to release"):
        replay(procedure, tampered)


def test_replay_refuses_an_answer_that_is_no_longer_valid() -> None:
    procedure, path = _finished()
    steps = list(path.steps)
    steps[-1] = dataclasses.replace(steps[-1], answer=9999)
    with pytest.raises(ReplayRefused, match="a whole number of minutes from 0 to 600"):
        replay(procedure, dataclasses.replace(path, steps=tuple(steps)))


def test_replay_refuses_a_step_out_of_order() -> None:
    procedure, path = _finished()
    steps = (path.steps[1], path.steps[0], *path.steps[2:])
    with pytest.raises(ReplayRefused, match="step 1 answers 'anyone_trapped'"):
        replay(procedure, dataclasses.replace(path, steps=steps))


@pytest.mark.parametrize(
    "broken",
    [
        None,
        {"format": 2},
        {"format": 1, "incident_type": "", "procedure_version": 1, "steps": []},
        {"format": 1, "incident_type": "X", "procedure_version": True, "steps": []},
        {"format": 1, "incident_type": "X", "procedure_version": 1, "steps": {}},
        {"format": 1, "incident_type": "X", "procedure_version": 1, "steps": [{"node": "a"}]},
        {"format": 1, "incident_type": "X", "procedure_version": 1, "outcome": 3, "steps": []},
    ],
)
def test_a_stored_path_in_any_other_form_is_refused(broken: object) -> None:
    with pytest.raises(InvalidValue):
        DecisionPath.from_dict(broken)


def test_stored_path_that_is_not_json_is_refused() -> None:
    with pytest.raises(InvalidValue, match="JSON text of a decision path"):
        DecisionPath.from_json("{not json")


# ---- validation: each fault with the route to it ------------------------------------------------


def _problems(procedure: Procedure) -> list[str]:
    return [str(problem) for problem in validate_procedure(procedure, KNOWN)]


def _replace_question(procedure: Procedure, node_id: str, **changes: object) -> Procedure:
    questions = tuple(
        dataclasses.replace(q, **changes) if q.id == node_id else q  # type: ignore[arg-type]
        for q in procedure.questions
    )
    return dataclasses.replace(procedure, questions=questions)


def _replace_outcome(procedure: Procedure, node_id: str, **changes: object) -> Procedure:
    outcomes = tuple(
        dataclasses.replace(o, **changes) if o.id == node_id else o  # type: ignore[arg-type]
        for o in procedure.outcomes
    )
    return dataclasses.replace(procedure, outcomes=outcomes)


def test_a_branch_to_a_missing_node_names_the_route_and_suggests_the_id() -> None:
    broken = _replace_question(lift_procedure(), "anyone_trapped", if_no="breakdwon")
    problems = validate_procedure(broken, KNOWN)
    missing = [p for p in problems if "does not exist" in p.message]
    assert len(missing) == 1
    assert missing[0].key == ("questions", "anyone_trapped", "if_no")
    assert missing[0].where == 'start > which_lift (any answer) > anyone_trapped ("no")'
    assert 'did you mean "breakdown"' in missing[0].message
    # The outcome it should have reached is now unreachable, and said so.
    assert any(p.key == ("outcomes", "breakdown") and "cannot be reached" in p.message for p in problems)


def test_a_cycle_is_reported_at_the_exit_that_closes_it() -> None:
    broken = _replace_question(lift_procedure(), "minutes", ranges=(
        NumberRange("release", below=30), NumberRange("anyone_trapped", at_least=30)))
    problems = [p for p in validate_procedure(broken, KNOWN) if "cycle" in p.message]
    assert len(problems) == 1
    assert problems[0].key == ("questions", "minutes", "ranges", 1, "next")
    assert "anyone_trapped > who > minutes > anyone_trapped" in problems[0].message
    assert problems[0].where.startswith("start > which_lift (any answer) > anyone_trapped")


def test_a_procedure_without_outcomes_is_rejected() -> None:
    broken = dataclasses.replace(lift_procedure(), outcomes=())
    text = _problems(broken)
    assert any("has no outcomes" in line for line in text)
    assert sum("does not exist" in line for line in text) == 4  # every exit that led to an outcome


def test_a_choice_option_in_no_branch_or_in_two_is_reported() -> None:
    procedure = lift_procedure()
    none = _replace_question(procedure, "who", branches=(ChoiceBranch(("adult",), "minutes"),
                                                         ChoiceBranch(("child",), "vulnerable")))
    assert any('"elderly" is in no branch' in line for line in _problems(none))
    twice = _replace_question(procedure, "who", branches=(ChoiceBranch(("adult", "child"), "minutes"),
                                                          ChoiceBranch(("child", "elderly"), "vulnerable")))
    assert any('"child" is already taken by branches[0]' in line for line in _problems(twice))


@pytest.mark.parametrize(
    ("ranges", "expected"),
    [
        ((NumberRange("release", below=30), NumberRange("long_wait", at_least=40)), "no range covers 30 to under 40"),
        ((NumberRange("release", below=30), NumberRange("long_wait", at_least=20)), "overlaps the ranges before it"),
        ((NumberRange("release", below=30), NumberRange("long_wait", at_least=30, below=60)), "no range covers 60"),
        ((NumberRange("release", below=700),), "outside the question's bounds"),
    ],
)
def test_number_ranges_with_gaps_overlaps_or_out_of_bounds_are_reported(
    ranges: tuple[NumberRange, ...], expected: str
) -> None:
    broken = _replace_question(lift_procedure(), "minutes", ranges=ranges)
    assert any(expected in line for line in _problems(broken)), _problems(broken)


def test_unknown_codes_are_reported_with_a_suggestion() -> None:
    procedure = _replace_outcome(lift_procedure(), "release", priority="P11")
    procedure = _replace_question(procedure, "anyone_trapped", log_code="ANZ")
    procedure = _replace_outcome(procedure, "long_wait", escalation=Escalation(
        EscalationKind.EXTERNAL_ORGANISATION, "Trapped 30 minutes.", "HELSINKI_RESCUE", "lift_resuce"))
    problems = {p.key: p for p in validate_procedure(procedure, KNOWN)}
    assert "priority 'P11' is unknown (did you mean 'P1'?)" in problems[("outcomes", "release", "priority")].message
    assert "log code 'ANZ' is unknown (did you mean 'ANS'?)" in problems[
        ("questions", "anyone_trapped", "log_code")].message
    assert "did you mean 'lift_rescue'" in problems[("outcomes", "long_wait", "escalation", "request")].message
    assert problems[("outcomes", "release", "priority")].where == (
        'start > which_lift (any answer) > anyone_trapped ("yes") > who ("adult") > minutes (below 30 minutes)'
        " > release"
    )


def test_an_unreachable_question_and_a_repeated_id_are_reported() -> None:
    procedure = lift_procedure()
    extra = TextQuestion(id="orphan", ask="Anything else?", log_code="ANS", next="release")
    twin = _outcome("who")
    broken = dataclasses.replace(procedure, questions=(*procedure.questions, extra),
                                 outcomes=(*procedure.outcomes, twin))
    text = _problems(broken)
    assert "LIFT_ENTRAPMENT: orphan > cannot be reached from start (no answer leads to it); link it from a question " \
           "or remove it" in text
    assert any('the id "who" is already used by a question' in line for line in text)


def test_a_mandatory_question_with_a_skip_branch_and_the_reverse_are_reported() -> None:
    procedure = lift_procedure()
    assert any("if_skipped is only for a question that is not mandatory" in line
               for line in _problems(_replace_question(procedure, "who", mandatory=True)))
    assert any("needs if_skipped" in line
               for line in _problems(_replace_question(procedure, "who", if_skipped=None)))


def test_an_outcome_without_advice_to_read_is_reported() -> None:
    broken = _replace_outcome(lift_procedure(), "breakdown", advice=Advice(do_not_say=("Nothing.",)))
    assert any("no advice to read to the contact" in line for line in _problems(broken))


def test_a_start_that_does_not_exist_is_one_problem_not_every_node() -> None:
    broken = dataclasses.replace(lift_procedure(), start="which_lfit")
    assert _problems(broken) == [
        'LIFT_ENTRAPMENT: start "which_lfit" does not exist (did you mean "which_lift"?); expected the id of the '
        "first question"
    ]
