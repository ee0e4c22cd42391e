"""Procedures: the organisation's decision trees for assessing a referred incident.

A ``Procedure`` (one per incident type, from the organisation pack) asks questions (closed:
yes/no, choice, number; open: free text captured to the log) whose answers branch to further
questions and end at exactly one ``Outcome``: the priority, the response required, the advice to
read to the contact (and what must not be said), the checks of law and policy to confirm, and any
escalation to the duty manager or another organisation.

The engine is a pure function of the answers::

    assessment = begin(procedure)                       # the first question
    assessment = step(procedure, assessment, "smell_where", "whole_building")
    ...
    if assessment.complete:
        assessment.outcome.priority                     # "P1"
        stored = assessment.path.as_dict()              # kept with the incident
    replay(procedure, DecisionPath.from_dict(stored))   # the same assessment again

``validate_procedure`` checks a procedure's shape and codes and names every fault with the route
to it; the organisation pack runs it for every procedure when it loads.
"""

from supervisor_app.domain.procedures.answers import NOT_ANSWERED, AnswerValue, InvalidAnswer, parse_number, read_answer
from supervisor_app.domain.procedures.decision_path import PATH_FORMAT, DecisionPath, PathStep
from supervisor_app.domain.procedures.engine import (
    AnswerOutOfTurn,
    Assessment,
    ReplayRefused,
    assess,
    begin,
    replay,
    step,
)
from supervisor_app.domain.procedures.model import (
    NO_ESCALATION,
    Advice,
    ChoiceBranch,
    ChoiceOption,
    ChoiceQuestion,
    Escalation,
    EscalationKind,
    Exit,
    FaultyProcedure,
    KeyPath,
    Node,
    NumberQuestion,
    NumberRange,
    Outcome,
    OutcomeCheck,
    Procedure,
    Question,
    QuestionKind,
    TextQuestion,
    YesNoQuestion,
    format_number,
    question_exits,
)
from supervisor_app.domain.procedures.validation import (
    KnownCodes,
    ProcedureProblem,
    RouteHop,
    longest_route,
    unknown_code,
    validate_procedure,
)

__all__ = [
    "NOT_ANSWERED",
    "NO_ESCALATION",
    "PATH_FORMAT",
    "Advice",
    "AnswerOutOfTurn",
    "AnswerValue",
    "Assessment",
    "ChoiceBranch",
    "ChoiceOption",
    "ChoiceQuestion",
    "DecisionPath",
    "Escalation",
    "EscalationKind",
    "Exit",
    "FaultyProcedure",
    "InvalidAnswer",
    "KeyPath",
    "KnownCodes",
    "Node",
    "NumberQuestion",
    "NumberRange",
    "Outcome",
    "OutcomeCheck",
    "PathStep",
    "Procedure",
    "ProcedureProblem",
    "Question",
    "QuestionKind",
    "ReplayRefused",
    "RouteHop",
    "TextQuestion",
    "YesNoQuestion",
    "assess",
    "begin",
    "format_number",
    "longest_route",
    "parse_number",
    "question_exits",
    "read_answer",
    "replay",
    "step",
    "unknown_code",
    "validate_procedure",
]
