"""Turn a procedure file of the pack into the domain's ``Procedure``.

Each outcome's checks take their label, text, kind and log code from policy_checks.yaml; a check
code that file does not define is kept with empty text, for ``validate_procedure`` to report.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TypedDict

from supervisor_app.domain.incidents import ResponseRequirement
from supervisor_app.domain.procedures import (
    NO_ESCALATION,
    Advice,
    ChoiceBranch,
    ChoiceOption,
    ChoiceQuestion,
    Escalation,
    EscalationKind,
    NumberQuestion,
    NumberRange,
    Outcome,
    OutcomeCheck,
    Procedure,
    Question,
    TextQuestion,
    YesNoQuestion,
)
from supervisor_app.pack.schema.escalation import DUTY_MANAGER
from supervisor_app.pack.schema.procedures import (
    ChoiceQuestionModel,
    NumberQuestionModel,
    OutcomeEscalationModel,
    OutcomeModel,
    PolicyCheck,
    ProcedureFile,
    QuestionModel,
    YesNoQuestionModel,
)


class _QuestionFields(TypedDict):
    id: str
    ask: str
    hint: str
    mandatory: bool
    log_code: str
    if_skipped: str | None


def _question(node_id: str, model: QuestionModel) -> Question:
    common: _QuestionFields = {
        "id": node_id,
        "ask": model.ask,
        "hint": model.hint or "",
        "mandatory": model.mandatory,
        "log_code": model.log_code,
        "if_skipped": model.if_skipped,
    }
    if isinstance(model, YesNoQuestionModel):
        return YesNoQuestion(**common, if_yes=model.if_yes, if_no=model.if_no)
    if isinstance(model, ChoiceQuestionModel):
        return ChoiceQuestion(
            **common,
            options=tuple(ChoiceOption(option.value, option.label) for option in model.options),
            branches=tuple(ChoiceBranch(tuple(branch.options), branch.next) for branch in model.branches),
        )
    if isinstance(model, NumberQuestionModel):
        return NumberQuestion(
            **common,
            unit=model.unit,
            minimum=model.minimum,
            maximum=model.maximum,
            whole=model.whole,
            ranges=tuple(NumberRange(r.next, at_least=r.at_least, below=r.below) for r in model.ranges),
        )
    return TextQuestion(**common, next=model.next)


def _escalation(model: OutcomeEscalationModel | None) -> Escalation:
    if model is None:
        return NO_ESCALATION
    if model.target == DUTY_MANAGER:
        return Escalation(EscalationKind.DUTY_MANAGER, model.reason, request=model.request or "")
    return Escalation(EscalationKind.EXTERNAL_ORGANISATION, model.reason, model.target, model.request or "")


def _outcome(node_id: str, model: OutcomeModel, checks: Mapping[str, PolicyCheck]) -> Outcome:
    outcome_checks = []
    for reference in model.checks:
        check = checks.get(reference.code)
        outcome_checks.append(OutcomeCheck(
            reference.code,
            label=check.label if check else "",
            text=check.text if check else "",
            mandatory=reference.mandatory,
            kind=check.kind if check else "policy",
            log_code=check.log_code if check else "",
        ))
    return Outcome(
        id=node_id,
        title=model.title,
        priority=model.priority,
        reason=model.reason,
        response=tuple(
            ResponseRequirement(need.resource_type, need.count, tuple(need.capabilities)) for need in model.response
        ),
        advice=Advice(tuple(model.advice.say), tuple(model.advice.do_not_say)),
        checks=tuple(outcome_checks),
        escalation=_escalation(model.escalation),
    )


def to_procedure(model: ProcedureFile, checks: Mapping[str, PolicyCheck]) -> Procedure:
    """The domain procedure a procedure file describes (checks' wording from ``checks`` by code)."""
    return Procedure(
        incident_type=model.incident_type,
        title=model.title,
        version=model.version,
        start=model.start,
        questions=tuple(_question(node_id, question) for node_id, question in model.questions.items()),
        outcomes=tuple(_outcome(node_id, outcome, checks) for node_id, outcome in model.outcomes.items()),
    )
