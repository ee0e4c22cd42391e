"""Properties of the procedures engine over trees and answers that hypothesis draws.

- Any sequence of answers a valid tree allows reaches exactly one outcome, within as many steps as
  the tree has questions.
- Replaying the recorded path (also through its JSON form) gives the same assessment.
- A tree broken in one place (a dangling branch, a cycle, an unreachable node, no outcomes, an
  unknown code) is rejected, and the problem names the node at fault with a route from the start
  that really leads there.
"""

from __future__ import annotations

import dataclasses
import itertools

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from supervisor_app.domain.procedures import (
    Advice,
    Assessment,
    ChoiceBranch,
    ChoiceOption,
    ChoiceQuestion,
    DecisionPath,
    InvalidAnswer,
    KnownCodes,
    NumberQuestion,
    NumberRange,
    Outcome,
    Procedure,
    ProcedureProblem,
    Question,
    QuestionKind,
    TextQuestion,
    YesNoQuestion,
    begin,
    question_exits,
    replay,
    step,
    validate_procedure,
)

KNOWN = KnownCodes(priorities={"P1", "P2", "P3", "P4"}, log_codes={"ANS", "CALLER"})

PROPERTY_SETTINGS = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ---- drawing valid trees ------------------------------------------------------------------------


def _exit_count(kind: QuestionKind, draw: st.DrawFn, needed: int) -> int:
    """How many answer exits (not counting the skip exit) a question of ``kind`` gets."""
    if kind is QuestionKind.TEXT:
        return 1
    if kind is QuestionKind.YES_NO:
        return 2
    return draw(st.integers(max(needed, 1), max(needed, 1) + 2))


def _make_question(
    draw: st.DrawFn, index: int, kind: QuestionKind, targets: list[str], skip_target: str | None
) -> Question:
    node_id = f"q{index}"
    common = {
        "id": node_id,
        "ask": f"Question {index}?",
        "log_code": draw(st.sampled_from(["ANS", "CALLER"])),
        "mandatory": skip_target is None,
        "if_skipped": skip_target,
    }
    if kind is QuestionKind.TEXT:
        return TextQuestion(**common, next=targets[0])  # type: ignore[arg-type]
    if kind is QuestionKind.YES_NO:
        return YesNoQuestion(**common, if_yes=targets[0], if_no=targets[1])  # type: ignore[arg-type]
    if kind is QuestionKind.CHOICE:
        options: list[ChoiceOption] = []
        branches: list[ChoiceBranch] = []
        for branch_index, target in enumerate(targets):
            values = tuple(f"o{branch_index}_{k}" for k in range(draw(st.integers(1, 3))))
            options.extend(ChoiceOption(value, f"Option {value}") for value in values)
            branches.append(ChoiceBranch(values, target))
        if len(options) < 2:
            options.append(ChoiceOption("extra", "Extra option"))
            branches[0] = ChoiceBranch((*branches[0].options, "extra"), branches[0].next)
        order = draw(st.permutations(options))
        return ChoiceQuestion(**common, options=tuple(order), branches=tuple(branches))  # type: ignore[arg-type]
    whole = draw(st.booleans())
    cuts = sorted(draw(st.sets(st.integers(1, 999), min_size=len(targets) - 1, max_size=len(targets) - 1)))
    bounds = [None, *cuts, None]
    ranges = tuple(
        NumberRange(target, at_least=bounds[i], below=bounds[i + 1]) for i, target in enumerate(targets)
    )
    return NumberQuestion(
        **common, unit="minutes", minimum=0, maximum=1000, whole=whole, ranges=ranges  # type: ignore[arg-type]
    )


@st.composite
def valid_procedures(draw: st.DrawFn, max_questions: int = 10) -> Procedure:
    """A procedure that ``validate_procedure`` accepts: a tree of questions with forward cross-links."""
    count = draw(st.integers(0, max_questions))
    parents = [None] + [draw(st.integers(0, index - 1)) for index in range(1, count)]
    children: list[list[int]] = [[] for _ in range(count)]
    for index, parent in enumerate(parents):
        if parent is not None:
            children[parent].append(index)
    plans: list[tuple[QuestionKind, list[str | None], bool]] = []
    free: list[tuple[int, int]] = []  # (question, slot) not yet wired
    for index in range(count):
        needed = len(children[index])
        kinds = [k for k in QuestionKind if (1 if k is QuestionKind.TEXT else 2 if k is QuestionKind.YES_NO else 99)
                 >= needed]
        kind = draw(st.sampled_from(kinds))
        exits = _exit_count(kind, draw, needed)
        skippable = kind is not QuestionKind.TEXT and draw(st.booleans())
        slots: list[str | None] = [None] * (exits + (1 if skippable else 0))
        positions = draw(st.permutations(range(len(slots))))
        for child, position in zip(children[index], positions, strict=False):
            slots[position] = f"q{child}"
        free.extend((index, slot) for slot, target in enumerate(slots) if target is None)
        plans.append((kind, slots, skippable))
    if count == 0:
        outcome_count = 1
    else:
        outcome_count = draw(st.integers(1, min(5, len(free))))
        free = draw(st.permutations(free))
        for position, (index, slot) in enumerate(free):
            if position < outcome_count:
                target = f"end{position}"
            else:  # any outcome, or a question further down the tree (never back up: no cycles)
                later = [f"q{j}" for j in range(index + 1, count)]
                target = draw(st.sampled_from([f"end{k}" for k in range(outcome_count)] + later))
            plans[index][1][slot] = target
    questions = []
    for index, (kind, slots, skippable) in enumerate(plans):
        targets = [t for t in slots if t is not None]
        answer_targets, skip_target = (targets[:-1], targets[-1]) if skippable else (targets, None)
        questions.append(_make_question(draw, index, kind, answer_targets, skip_target))
    outcomes = tuple(
        Outcome(
            id=f"end{k}",
            title=f"End {k}",
            priority=draw(st.sampled_from(["P1", "P2", "P3", "P4"])),
            reason=f"Reached end {k}.",
            advice=Advice(say=(f"Advice {k}.",)),
        )
        for k in range(outcome_count)
    )
    return Procedure(
        incident_type="GENERATED",
        title="Generated procedure",
        version=draw(st.integers(1, 5)),
        start="q0" if count else "end0",
        questions=tuple(questions),
        outcomes=outcomes,
    )


def _an_allowed_answer(draw: st.DrawFn, question: Question) -> object:
    """Any answer the question takes, in any of the forms a person may give it."""
    if not question.mandatory and draw(st.integers(0, 4)) == 0:
        return draw(st.sampled_from([None, "", "   "]))
    if isinstance(question, YesNoQuestion):
        return draw(st.sampled_from([True, False, "yes", "no", "Y", " N "]))
    if isinstance(question, ChoiceQuestion):
        option = draw(st.sampled_from(question.options))
        return draw(st.sampled_from([option.value, option.label, option.label.upper()]))
    if isinstance(question, NumberQuestion):
        if question.whole:
            number = draw(st.integers(int(question.minimum), int(question.maximum)))
            return draw(st.sampled_from([number, str(number), float(number)]))
        value = draw(st.floats(question.minimum, question.maximum, allow_nan=False))
        return draw(st.sampled_from([value, repr(value), repr(value).replace(".", ",")]))
    return draw(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=("Cc", "Cs")), min_size=1,
                        max_size=40).filter(str.strip))


def _walk(draw: st.DrawFn, procedure: Procedure) -> tuple[Assessment, int]:
    assessment = begin(procedure)
    steps = 0
    while assessment.question is not None:
        assessment = step(procedure, assessment, assessment.question.id, _an_allowed_answer(draw, assessment.question))
        steps += 1
        assert steps <= len(procedure.questions), "the walk asked more questions than the tree has"
    return assessment, steps


# ---- properties of valid trees ------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(procedure=valid_procedures())
def test_generated_procedures_are_valid(procedure: Procedure) -> None:
    assert validate_procedure(procedure, KNOWN) == []


@PROPERTY_SETTINGS
@given(procedure=valid_procedures(), data=st.data())
def test_every_allowed_answer_sequence_reaches_exactly_one_outcome(procedure: Procedure, data: st.DataObject) -> None:
    assessment, steps = _walk(data.draw, procedure)
    assert assessment.complete
    assert assessment.question is None and assessment.outcome is not None
    assert assessment.outcome in procedure.outcomes
    assert assessment.path.outcome == assessment.outcome.id
    assert len(assessment.path.steps) == steps
    assert len({s.node for s in assessment.path.steps}) == steps, "a question was asked twice"


@PROPERTY_SETTINGS
@given(procedure=valid_procedures(), data=st.data())
def test_replay_of_the_recorded_path_gives_the_same_assessment(procedure: Procedure, data: st.DataObject) -> None:
    assessment, _ = _walk(data.draw, procedure)
    assert replay(procedure, assessment.path) == assessment
    stored = DecisionPath.from_json(assessment.path.to_json())
    assert replay(procedure, stored) == assessment
    again = begin(procedure)
    for node, answer in stored.answers():
        again = step(procedure, again, node, answer)
    assert again == assessment


@PROPERTY_SETTINGS
@given(procedure=valid_procedures(max_questions=6), data=st.data())
def test_numbers_outside_the_bounds_are_refused_and_change_nothing(
    procedure: Procedure, data: st.DataObject
) -> None:
    numbers = [q for q in procedure.questions if isinstance(q, NumberQuestion)]
    assume(numbers)
    assessment = begin(procedure)
    while assessment.question is not None and not isinstance(assessment.question, NumberQuestion):
        assessment = step(procedure, assessment, assessment.question.id,
                          _an_allowed_answer(data.draw, assessment.question))
    assume(assessment.question is not None)
    question = assessment.question
    assert isinstance(question, NumberQuestion)
    bad = data.draw(st.one_of(
        st.floats(max_value=question.minimum, exclude_max=True, allow_nan=False, allow_infinity=False),
        st.floats(min_value=question.maximum, exclude_min=True, allow_nan=False, allow_infinity=False),
        st.sampled_from(["", "lots", "nan", "inf", "1e999"]).filter(lambda s: s or question.mandatory),
    ))
    with pytest.raises(InvalidAnswer) as refused:
        step(procedure, assessment, question.id, bad)
    assert refused.value.node_id == question.id


# ---- malformed trees are rejected with the route to the fault -----------------------------------


def _route_is_real(procedure: Procedure, problem: ProcedureProblem) -> bool:
    """The route starts at the start and each hop leads to the next by one of its exits."""
    hops = [hop.node for hop in problem.route]
    if not hops or hops[0] != procedure.start:
        return False
    for here, there in itertools.pairwise(hops):
        node = procedure.node(here)
        if not isinstance(node, (YesNoQuestion, ChoiceQuestion, NumberQuestion, TextQuestion)):
            return False
        if there not in {exit_.next for exit_ in question_exits(node)}:
            return False
    return True


def _with_exit(question: Question, target: str, draw: st.DrawFn) -> Question:
    """``question`` with one of its exits (drawn) sent to ``target``."""
    exits = question_exits(question)
    chosen = draw(st.sampled_from(exits))
    key = chosen.key[2:]
    if key == ("if_skipped",):
        return dataclasses.replace(question, if_skipped=target)
    if isinstance(question, YesNoQuestion):
        return dataclasses.replace(question, **{key[0]: target})  # type: ignore[arg-type]
    if isinstance(question, TextQuestion):
        return dataclasses.replace(question, next=target)
    index = key[1]
    assert isinstance(index, int)
    if isinstance(question, ChoiceQuestion):
        branches = list(question.branches)
        branches[index] = ChoiceBranch(branches[index].options, target)
        return dataclasses.replace(question, branches=tuple(branches))
    assert isinstance(question, NumberQuestion)
    ranges = list(question.ranges)
    ranges[index] = dataclasses.replace(ranges[index], next=target)
    return dataclasses.replace(question, ranges=tuple(ranges))


def _replace(procedure: Procedure, question: Question) -> Procedure:
    return dataclasses.replace(
        procedure, questions=tuple(question if q.id == question.id else q for q in procedure.questions)
    )


@PROPERTY_SETTINGS
@given(procedure=valid_procedures(), data=st.data())
def test_a_branch_to_nowhere_is_rejected_at_that_question_with_its_route(
    procedure: Procedure, data: st.DataObject
) -> None:
    assume(procedure.questions)
    question = data.draw(st.sampled_from(procedure.questions))
    broken = _replace(procedure, _with_exit(question, "nowhere", data.draw))
    problems = [p for p in validate_procedure(broken, KNOWN) if '"nowhere" does not exist' in p.message]
    assert problems, "a branch to a missing node was accepted"
    for problem in problems:
        assert problem.node == question.id
        assert problem.key[:2] == ("questions", question.id)
        assert problem.route and problem.route[-1].node == question.id
        assert _route_is_real(broken, problem)
        assert problem.where.startswith("start > ")


@PROPERTY_SETTINGS
@given(procedure=valid_procedures(), data=st.data())
def test_a_branch_back_up_the_tree_is_rejected_as_a_cycle(procedure: Procedure, data: st.DataObject) -> None:
    assume(procedure.questions)
    question = data.draw(st.sampled_from(procedure.questions))
    broken = _replace(procedure, _with_exit(question, procedure.start, data.draw))
    problems = [p for p in validate_procedure(broken, KNOWN) if "cycle" in p.message]
    assert problems, "a cycle back to the start was accepted"
    assert any(p.node == question.id for p in problems)
    for problem in problems:
        assert _route_is_real(broken, problem)


@PROPERTY_SETTINGS
@given(procedure=valid_procedures(), orphan_kind=st.sampled_from(["question", "outcome"]))
def test_an_unreachable_node_is_rejected_by_its_id(procedure: Procedure, orphan_kind: str) -> None:
    if orphan_kind == "question":
        orphan_q = TextQuestion(id="orphan", ask="Unlinked?", log_code="ANS", next=procedure.outcomes[0].id)
        broken = dataclasses.replace(procedure, questions=(*procedure.questions, orphan_q))
        key = ("questions", "orphan")
    else:
        orphan_o = Outcome(id="orphan", title="Orphan", priority="P4", reason="Nothing leads here.",
                           advice=Advice(say=("Goodbye.",)))
        broken = dataclasses.replace(procedure, outcomes=(*procedure.outcomes, orphan_o))
        key = ("outcomes", "orphan")
    problems = validate_procedure(broken, KNOWN)
    assert [(p.key, p.where) for p in problems] == [(key, "orphan")]
    assert "cannot be reached from start" in problems[0].message


@PROPERTY_SETTINGS
@given(procedure=valid_procedures())
def test_a_tree_without_its_outcomes_is_rejected(procedure: Procedure) -> None:
    broken = dataclasses.replace(procedure, outcomes=())
    problems = validate_procedure(broken, KNOWN)
    assert any("has no outcomes" in p.message for p in problems)
    dangling = [p for p in problems if "does not exist" in p.message]
    outcome_exits = sum(1 for q in procedure.questions for e in question_exits(q) if e.next.startswith("end"))
    assert len(dangling) == (outcome_exits if procedure.questions else 1)
    for problem in dangling:
        assert problem.key == ("start",) or _route_is_real(broken, problem)


@PROPERTY_SETTINGS
@given(procedure=valid_procedures(), data=st.data())
def test_an_unknown_code_is_rejected_where_it_is_used(procedure: Procedure, data: st.DataObject) -> None:
    if data.draw(st.booleans()) and procedure.questions:
        question = data.draw(st.sampled_from(procedure.questions))
        broken = _replace(procedure, dataclasses.replace(question, log_code="NOPE"))
        key: tuple[str | int, ...] = ("questions", question.id, "log_code")
        node = question.id
    else:
        outcome = data.draw(st.sampled_from(procedure.outcomes))
        broken = dataclasses.replace(procedure, outcomes=tuple(
            dataclasses.replace(o, priority="P9") if o is outcome else o for o in procedure.outcomes))
        key = ("outcomes", outcome.id, "priority")
        node = outcome.id
    problems = validate_procedure(broken, KNOWN)
    assert [p.key for p in problems] == [key]
    assert "is unknown" in problems[0].message and "expected one of" in problems[0].message
    assert problems[0].route[-1].node == node
    assert _route_is_real(broken, problems[0])
