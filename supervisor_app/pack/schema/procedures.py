"""procedures/*.yaml (one decision tree per incident type) and policy_checks.yaml.

The schema checks each value's type and form; the shape of the tree (every next node exists, no
cycles, every option and number covered) and the codes it uses are checked by the domain's
``validate_procedure`` when the pack is cross-checked.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from supervisor_app.pack.schema.base import PackModel
from supervisor_app.pack.schema.fields import Code, LogCodeName, Text
from supervisor_app.pack.schema.response import RequiredResource

CheckKind = Literal["legal", "policy", "notification"]

Bound = Annotated[float, Field(allow_inf_nan=False)]


class PolicyCheck(PackModel):
    """A check of law or policy that an outcome may ask the supervisor to confirm."""

    code: Code
    kind: CheckKind
    """``legal`` (the law requires it), ``policy`` (the organisation's rule) or ``notification``
    (someone the organisation must tell)."""
    label: Text
    text: Text
    """What the supervisor confirms, in words they can act on."""
    log_code: LogCodeName
    """The log code its confirmation is recorded under."""


class PolicyChecksFile(PackModel):
    policy_checks: list[PolicyCheck] = Field(min_length=1)


class _QuestionFields(PackModel):
    ask: Text
    hint: Text | None = None
    mandatory: bool = True
    log_code: LogCodeName
    if_skipped: Code | None = None


class YesNoQuestionModel(_QuestionFields):
    type: Literal["yes_no"]
    if_yes: Code
    if_no: Code


class ChoiceOptionModel(PackModel):
    value: Code
    label: Text


class ChoiceBranchModel(PackModel):
    options: list[Code]
    next: Code


class ChoiceQuestionModel(_QuestionFields):
    type: Literal["choice"]
    options: list[ChoiceOptionModel]
    branches: list[ChoiceBranchModel]


class NumberRangeModel(PackModel):
    at_least: Bound | None = None
    below: Bound | None = None
    next: Code


class NumberQuestionModel(_QuestionFields):
    type: Literal["number"]
    unit: Text
    minimum: Bound
    maximum: Bound
    whole: bool = False
    ranges: list[NumberRangeModel]


class TextQuestionModel(_QuestionFields):
    type: Literal["text"]
    next: Code


QuestionModel = Annotated[
    YesNoQuestionModel | ChoiceQuestionModel | NumberQuestionModel | TextQuestionModel,
    Field(discriminator="type"),
]


class OutcomeResource(RequiredResource):
    """Part of an outcome's required response: ``count`` resources of one type."""

    count: int = Field(default=1, ge=1, le=20)


class AdviceModel(PackModel):
    say: list[Text] = Field(default_factory=list)
    do_not_say: list[Text] = Field(default_factory=list)


class OutcomeCheckModel(PackModel):
    code: Code
    mandatory: bool = True


class OutcomeEscalationModel(PackModel):
    target: Code
    """``duty_manager`` or the code of an external organisation."""
    request: Code | None = None
    """What the desk asks of the external organisation: one of its ``may_request``."""
    reason: Text


class OutcomeModel(PackModel):
    title: Text
    priority: Code
    reason: Text
    response: list[OutcomeResource] = Field(default_factory=list)
    advice: AdviceModel
    checks: list[OutcomeCheckModel] = Field(default_factory=list)
    escalation: OutcomeEscalationModel | None = None


class ProcedureFile(PackModel):
    """One file of procedures/: the decision tree for one incident type."""

    incident_type: Code
    title: Text
    version: int = Field(ge=1)
    start: Code
    questions: dict[Code, QuestionModel] = Field(default_factory=dict)
    outcomes: dict[Code, OutcomeModel]
