"""What a procedure is made of: questions that branch, and the outcomes they lead to.

A procedure is a decision tree for one incident type. Its nodes are questions and outcomes, each
with an id unique within the procedure. A question leads on to other nodes by its *exits*: yes and
no, the branches of a choice, the ranges of a number, or the single next node of an open (text)
question. An outcome ends the assessment: it sets the priority, the response required, the advice
to read to the contact, the checks of law and policy to confirm, and any escalation.

The classes hold what the organisation wrote and check nothing about the shape of the tree; that
is ``validate_procedure``'s work, which reports every fault at once with the route to it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from enum import StrEnum

from supervisor_app.domain.errors import DomainError
from supervisor_app.domain.incidents import ResponseRequirement

KeyPath = tuple[str | int, ...]
"""Where something is in a procedure, as keys of its file: ``("questions", "smell", "if_yes")``."""


class FaultyProcedure(DomainError):
    """The engine met a fault that ``validate_procedure`` reports, such as a next node that does not
    exist. Procedures from a loaded organisation pack have been validated and never raise it."""

    def __init__(self, fault: str) -> None:
        super().__init__(f"The procedure cannot go on: {fault}. Validate it with validate_procedure.")


class QuestionKind(StrEnum):
    """Closed questions (yes/no, choice, number) branch on the answer; a text question does not."""

    YES_NO = "yes_no"
    CHOICE = "choice"
    NUMBER = "number"
    TEXT = "text"


@dataclass(frozen=True, slots=True, kw_only=True)
class QuestionBase:
    """What every question has.

    ``ask`` is the wording to read to the contact; ``hint`` is guidance for the supervisor only.
    A ``mandatory`` question must be answered. A closed question that is not mandatory may be
    skipped (answered with ``None``) and then goes to ``if_skipped``; a text question that is not
    mandatory may be left empty and goes to its ``next`` node as usual. The answer is recorded in
    the incident log under ``log_code``.
    """

    id: str
    ask: str
    log_code: str
    hint: str = ""
    mandatory: bool = True
    if_skipped: str | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class YesNoQuestion(QuestionBase):
    if_yes: str
    if_no: str

    @property
    def kind(self) -> QuestionKind:
        return QuestionKind.YES_NO


@dataclass(frozen=True, slots=True)
class ChoiceOption:
    """One answer a choice question offers: the ``value`` recorded and the ``label`` shown."""

    value: str
    label: str


@dataclass(frozen=True, slots=True)
class ChoiceBranch:
    """The node the answers ``options`` (option values) lead to."""

    options: tuple[str, ...]
    next: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ChoiceQuestion(QuestionBase):
    """One of several options; every option belongs to exactly one branch."""

    options: tuple[ChoiceOption, ...]
    branches: tuple[ChoiceBranch, ...]

    @property
    def kind(self) -> QuestionKind:
        return QuestionKind.CHOICE

    def option(self, value: str) -> ChoiceOption | None:
        return next((option for option in self.options if option.value == value), None)


@dataclass(frozen=True, slots=True)
class NumberRange:
    """Answers from ``at_least`` (inclusive) to ``below`` (exclusive) lead to ``next``.

    A missing ``at_least`` starts at the question's minimum; a missing ``below`` runs up to and
    including its maximum.
    """

    next: str
    at_least: float | None = None
    below: float | None = None

    def holds(self, value: float) -> bool:
        return (self.at_least is None or value >= self.at_least) and (self.below is None or value < self.below)

    def describe(self, unit: str = "") -> str:
        """``"below 30 minutes"``, ``"30 to under 60 minutes"``, ``"60 minutes or more"``."""
        suffix = f" {unit}" if unit else ""
        if self.at_least is None and self.below is None:
            return "any number"
        if self.at_least is None:
            return f"below {format_number(self.below)}{suffix}"
        if self.below is None:
            return f"{format_number(self.at_least)}{suffix} or more"
        return f"{format_number(self.at_least)} to under {format_number(self.below)}{suffix}"


@dataclass(frozen=True, slots=True, kw_only=True)
class NumberQuestion(QuestionBase):
    """A number within ``minimum``..``maximum`` (inclusive) in ``unit``; ranges in ascending order."""

    unit: str
    minimum: float
    maximum: float
    ranges: tuple[NumberRange, ...]
    whole: bool = False
    """Only whole numbers are accepted (people, floors, minutes)."""

    @property
    def kind(self) -> QuestionKind:
        return QuestionKind.NUMBER

    def describe_bounds(self) -> str:
        """``"a whole number of minutes from 0 to 1440"``."""
        what = "a whole number" if self.whole else "a number"
        unit = f" of {self.unit}" if self.unit else ""
        return f"{what}{unit} from {format_number(self.minimum)} to {format_number(self.maximum)}"


@dataclass(frozen=True, slots=True, kw_only=True)
class TextQuestion(QuestionBase):
    """An open question: the answer is captured verbatim to the log and the tree goes on to ``next``."""

    next: str

    @property
    def kind(self) -> QuestionKind:
        return QuestionKind.TEXT


Question = YesNoQuestion | ChoiceQuestion | NumberQuestion | TextQuestion


@dataclass(frozen=True, slots=True)
class Advice:
    """What the supervisor reads to the contact word for word, and what must not be said."""

    say: tuple[str, ...] = ()
    do_not_say: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class OutcomeCheck:
    """A check of law or policy to confirm before the assessment is saved.

    ``code`` names the check in the organisation's list; ``label`` and ``text`` say what to
    confirm; ``kind`` is ``legal``, ``policy`` or ``notification``; its confirmation is recorded
    under ``log_code``. A check that is not ``mandatory`` is offered but may be left unconfirmed.
    """

    code: str
    label: str = ""
    text: str = ""
    mandatory: bool = True
    kind: str = "policy"
    log_code: str = ""


class EscalationKind(StrEnum):
    NONE = "none"
    DUTY_MANAGER = "duty_manager"
    EXTERNAL_ORGANISATION = "external_organisation"


@dataclass(frozen=True, slots=True)
class Escalation:
    """Whom an outcome raises the incident to, and why.

    For an external organisation, ``organisation`` is its code and ``request`` what the desk asks
    of it (one of the requests the organisation accepts from the desk).
    """

    kind: EscalationKind = EscalationKind.NONE
    reason: str = ""
    organisation: str = ""
    request: str = ""

    @property
    def target(self) -> str:
        """``duty_manager``, the external organisation's code, or ``""`` for no escalation."""
        if self.kind is EscalationKind.DUTY_MANAGER:
            return EscalationKind.DUTY_MANAGER.value
        return self.organisation if self.kind is EscalationKind.EXTERNAL_ORGANISATION else ""


NO_ESCALATION = Escalation()


@dataclass(frozen=True, slots=True, kw_only=True)
class Outcome:
    """Where an assessment ends.

    ``priority`` is a priority code (its target times come from the organisation pack);
    ``response`` lists the resources required (empty when no attendance is needed); ``reason``
    says in a sentence why the answers lead here.
    """

    id: str
    title: str
    priority: str
    reason: str
    response: tuple[ResponseRequirement, ...] = ()
    advice: Advice = field(default_factory=Advice)
    checks: tuple[OutcomeCheck, ...] = ()
    escalation: Escalation = NO_ESCALATION


Node = Question | Outcome


@dataclass(frozen=True, slots=True)
class Exit:
    """One way out of a question: the answers it takes (``label``), where it leads, and its key."""

    label: str
    next: str
    key: KeyPath


def question_exits(question: Question) -> tuple[Exit, ...]:
    """Every exit of ``question``, in the order the procedure lists them (skipping last)."""
    base: KeyPath = ("questions", question.id)
    exits: list[Exit]
    if isinstance(question, YesNoQuestion):
        exits = [
            Exit('"yes"', question.if_yes, (*base, "if_yes")),
            Exit('"no"', question.if_no, (*base, "if_no")),
        ]
    elif isinstance(question, ChoiceQuestion):
        exits = [
            Exit(
                " or ".join(f'"{value}"' for value in branch.options) or "no option",
                branch.next,
                (*base, "branches", index, "next"),
            )
            for index, branch in enumerate(question.branches)
        ]
    elif isinstance(question, NumberQuestion):
        exits = [
            Exit(number_range.describe(question.unit), number_range.next, (*base, "ranges", index, "next"))
            for index, number_range in enumerate(question.ranges)
        ]
    else:
        exits = [Exit("any answer", question.next, (*base, "next"))]
    if question.if_skipped is not None:
        exits.append(Exit("not answered", question.if_skipped, (*base, "if_skipped")))
    return tuple(exits)


@dataclass(frozen=True, slots=True, kw_only=True)
class Procedure:
    """The decision tree for one incident type, as one version of the organisation's procedure.

    ``start`` is the id of the first node. Ids are unique across questions and outcomes in a valid
    procedure; where two nodes share an id the first one listed (questions before outcomes) is the
    one the engine finds, and ``validate_procedure`` reports the other.
    """

    incident_type: str
    title: str
    version: int
    start: str
    questions: tuple[Question, ...]
    outcomes: tuple[Outcome, ...]
    _nodes: dict[str, Node] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        nodes: dict[str, Node] = {}
        for node in (*self.questions, *self.outcomes):
            nodes.setdefault(node.id, node)
        object.__setattr__(self, "_nodes", nodes)

    def node(self, node_id: str) -> Node | None:
        """The question or outcome ``node_id``, or None when the procedure has no such node."""
        return self._nodes.get(node_id)

    def node_ids(self) -> frozenset[str]:
        return frozenset(self._nodes)


def format_number(value: float | None) -> str:
    """A number as people write it: ``12``, ``12.5``, ``-0.25`` (no exponent, no trailing zeros)."""
    if value is None:
        return ""
    if isinstance(value, int) or (math.isfinite(value) and value == int(value)):
        return str(int(value))
    if not math.isfinite(value):
        return str(value)
    return f"{value:.6f}".rstrip("0").rstrip(".")
