"""The procedures engine: from the answers given so far to the next question or the outcome.

Everything here is a pure function of the procedure and the answers, so the same answers always
give the same result, and a recorded path can be replayed to show it:

- ``begin(procedure)`` is the assessment before any answer: the first question.
- ``step(procedure, assessment, node_id, answer)`` answers one question and returns the new
  assessment without walking the tree again (a dictionary lookup and the answer's check). Answering
  a question already on the path changes that answer: the path is cut after it and goes on from
  the new answer.
- ``assess(procedure, answers)`` folds ``step`` over ``(node id, answer)`` pairs from the start.
- ``replay(procedure, recorded)`` walks a stored ``DecisionPath`` again and refuses, with the
  reason, a recording that no longer fits the procedure.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from supervisor_app.domain.errors import DomainError, InvalidValue
from supervisor_app.domain.procedures.answers import read_answer
from supervisor_app.domain.procedures.decision_path import DecisionPath, PathStep
from supervisor_app.domain.procedures.model import FaultyProcedure, Node, Outcome, Procedure, Question


class AnswerOutOfTurn(DomainError):
    """An answer to a question that is neither the one to ask now nor one already on the path."""

    def __init__(self, node_id: str, expected: tuple[str, ...]) -> None:
        self.node_id = node_id
        self.expected = expected
        listed = ", ".join(repr(node) for node in expected) or "none"
        super().__init__(
            f"Question {node_id!r} is not asked at this point of the procedure. "
            f"Answer the current question or change an answer already given: {listed}."
        )


class ReplayRefused(DomainError):
    """A recorded decision path does not fit the procedure it is replayed against."""

    def __init__(self, recorded: DecisionPath, reason: str) -> None:
        self.reason = reason
        super().__init__(
            f"The recorded assessment ({recorded.incident_type}, procedure version "
            f"{recorded.procedure_version}) cannot be replayed: {reason}."
        )


@dataclass(frozen=True, slots=True)
class Assessment:
    """Where an assessment stands: exactly one of ``question`` (ask it next) or ``outcome``.

    ``path`` holds every question answered so far, in order; once ``outcome`` is reached it is the
    full decision path (with ``path.outcome`` set to the outcome's id) to store with the incident.
    """

    path: DecisionPath
    question: Question | None = None
    outcome: Outcome | None = None

    def __post_init__(self) -> None:
        if (self.question is None) == (self.outcome is None):
            raise ValueError("an assessment has either a question to ask or an outcome, never both or neither")

    @property
    def complete(self) -> bool:
        return self.outcome is not None

    @property
    def current_node(self) -> str:
        """The id of the question to ask now, or of the outcome reached."""
        node = self.question if self.question is not None else self.outcome
        assert node is not None
        return node.id


def _node(procedure: Procedure, node_id: str, came_from: str) -> Node:
    node = procedure.node(node_id)
    if node is None:
        raise FaultyProcedure(f"{came_from} leads to {node_id!r}, which does not exist")
    return node


def _at(path: DecisionPath, node: Node) -> Assessment:
    if isinstance(node, Outcome):
        return Assessment(DecisionPath(path.incident_type, path.procedure_version, path.steps, node.id), outcome=node)
    return Assessment(path, question=node)


def begin(procedure: Procedure) -> Assessment:
    """The assessment before any answer: the procedure's first question (or its only outcome)."""
    path = DecisionPath(procedure.incident_type, procedure.version)
    return _at(path, _node(procedure, procedure.start, "the start"))


def _check_belongs(procedure: Procedure, assessment: Assessment) -> None:
    path = assessment.path
    if path.incident_type != procedure.incident_type or path.procedure_version != procedure.version:
        raise InvalidValue(
            "assessment",
            f"{path.incident_type} version {path.procedure_version}",
            f"an assessment made with {procedure.incident_type} version {procedure.version}",
        )


def step(procedure: Procedure, assessment: Assessment, node_id: str, answer: object) -> Assessment:
    """Answer question ``node_id`` and return the assessment that follows.

    ``node_id`` is the current question, or one already on the path to change its answer (the
    answers after it are dropped, since they may no longer be asked). Raises ``InvalidAnswer``
    for an answer the question cannot take, ``AnswerOutOfTurn`` for any other question, and
    ``FaultyProcedure`` if the procedure leads nowhere (never for a validated one).
    """
    _check_belongs(procedure, assessment)
    steps = assessment.path.steps
    question = assessment.question
    if question is not None and question.id == node_id:
        kept = steps
    else:
        index = next((i for i, done in enumerate(steps) if done.node == node_id), None)
        if index is None:
            current = () if question is None else (question.id,)
            raise AnswerOutOfTurn(node_id, current + tuple(done.node for done in steps))
        kept = steps[:index]
        found = procedure.node(node_id)
        if found is None or isinstance(found, Outcome):
            raise AnswerOutOfTurn(node_id, tuple(done.node for done in steps))
        question = found
    value, displayed, next_id = read_answer(question, answer)
    answered = PathStep(question.id, question.ask, question.kind, value, displayed, question.log_code)
    path = DecisionPath(procedure.incident_type, procedure.version, (*kept, answered))
    return _at(path, _node(procedure, next_id, f"question {question.id!r}"))


def assess(procedure: Procedure, answers: Iterable[tuple[str, object]]) -> Assessment:
    """The assessment after ``answers``, given in order as (node id, answer) from the start.

    An answer to a question already on the path changes it, exactly as ``step`` does.
    """
    assessment = begin(procedure)
    for node_id, answer in answers:
        assessment = step(procedure, assessment, node_id, answer)
    return assessment


def replay(procedure: Procedure, recorded: DecisionPath) -> Assessment:
    """Walk a recorded path again; the result equals the recorded one, or the replay is refused.

    Refused (``ReplayRefused``, with the reason) when the recording is for another incident type
    or another version of the procedure, a recorded question is no longer asked at its place or
    has changed kind, a recorded answer is no longer valid, or the answers lead elsewhere.
    """
    if recorded.incident_type != procedure.incident_type:
        raise ReplayRefused(recorded, f"the procedure given is for {procedure.incident_type}")
    if recorded.procedure_version != procedure.version:
        raise ReplayRefused(
            recorded,
            f"the organisation pack now holds version {procedure.version} of the procedure; replay it "
            f"against version {recorded.procedure_version}, from the pack version recorded with the incident",
        )
    try:
        assessment = begin(procedure)
        for number, done in enumerate(recorded.steps, start=1):
            asked = assessment.question
            if asked is None or asked.id != done.node:
                now = f"the outcome {assessment.current_node!r}" if asked is None else f"question {asked.id!r}"
                raise ReplayRefused(
                    recorded, f"step {number} answers {done.node!r}, but the procedure reaches {now} there"
                )
            if asked.kind != done.kind:
                raise ReplayRefused(
                    recorded, f"question {done.node!r} was a {done.kind.value} question and is now {asked.kind.value}"
                )
            assessment = step(procedure, assessment, done.node, done.answer)
    except (InvalidValue, FaultyProcedure) as refused:
        raise ReplayRefused(recorded, str(refused).rstrip(".")) from None
    if assessment.path.outcome != recorded.outcome:
        found = assessment.path.outcome or f"question {assessment.current_node!r} still to answer"
        raise ReplayRefused(
            recorded, f"the answers now lead to {found}, not to {recorded.outcome or 'an open question'}"
        )
    return assessment
