"""Answers to procedure questions: read what the supervisor gave, refuse what does not fit.

Each question kind reads its answer into a plain value that is stored with the incident and
replayed later: ``True``/``False`` for yes/no, the option's value for a choice, an ``int`` (whole
numbers) or ``float`` for a number, the text as given for an open question, and ``None`` for a
question that was skipped. Numbers may be typed with a decimal comma, as on Finnish keyboards.
"""

from __future__ import annotations

import math

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.incidents import clean_log_text
from supervisor_app.domain.procedures.model import (
    ChoiceQuestion,
    FaultyProcedure,
    NumberQuestion,
    Question,
    TextQuestion,
    YesNoQuestion,
    format_number,
)

AnswerValue = bool | int | float | str | None
"""An answer as recorded: JSON-safe, and what ``replay`` reads back."""

NOT_ANSWERED = "Not answered"
"""How a skipped question's answer is shown."""

_YES = frozenset({"yes", "y"})
_NO = frozenset({"no", "n"})


class InvalidAnswer(InvalidValue):
    """An answer the question cannot take; ``node_id`` names the question.

    ``str(error)`` reads, for example: ``The answer to "How long have they been trapped?":
    '2000' is not valid; expected a whole number of minutes from 0 to 1440.``
    """

    def __init__(self, question: Question, value: object, expected: str) -> None:
        self.node_id = question.id
        super().__init__(f'The answer to "{question.ask}"', value, expected)


def read_answer(question: Question, given: object) -> tuple[AnswerValue, str, str]:
    """(the answer as recorded, the answer as displayed, the id of the node it leads to).

    ``given`` is what the supervisor entered: a bool or ``"yes"``/``"no"`` for yes/no; an option's
    value (or its label, in any case) for a choice; a number or its text for a number; text for an
    open question; ``None`` (or blank text) to skip a question that is not mandatory. Raises
    ``InvalidAnswer`` for anything else. The node returned may not exist in a procedure that has
    not been validated; the engine checks that. A fault of such a procedure met on the way (an
    option in no branch, a number no range covers) raises ``FaultyProcedure``.
    """
    if given is None or (isinstance(given, str) and not given.strip()):
        return _skip(question, given)
    if isinstance(question, YesNoQuestion):
        yes = _read_yes_no(question, given)
        return yes, "Yes" if yes else "No", question.if_yes if yes else question.if_no
    if isinstance(question, ChoiceQuestion):
        return _read_choice(question, given)
    if isinstance(question, NumberQuestion):
        return _read_number(question, given)
    return _read_text(question, given)


def _skip(question: Question, given: object) -> tuple[AnswerValue, str, str]:
    if question.mandatory:
        raise InvalidAnswer(question, given, "an answer; this question is mandatory")
    if isinstance(question, TextQuestion):
        return "", NOT_ANSWERED, question.next
    if question.if_skipped is None:
        raise FaultyProcedure(f"question {question.id!r} may be skipped but names no if_skipped node")
    return None, NOT_ANSWERED, question.if_skipped


def _read_yes_no(question: YesNoQuestion, given: object) -> bool:
    if isinstance(given, bool):
        return given
    if isinstance(given, str):
        word = given.strip().lower()
        if word in _YES:
            return True
        if word in _NO:
            return False
    raise InvalidAnswer(question, given, "yes or no")


def _read_choice(question: ChoiceQuestion, given: object) -> tuple[AnswerValue, str, str]:
    if isinstance(given, str):
        option = question.option(given.strip())
        if option is None:
            wanted = given.strip().casefold()
            option = next((o for o in question.options if o.label.casefold() == wanted), None)
        if option is not None:
            for branch in question.branches:
                if option.value in branch.options:
                    return option.value, option.label, branch.next
            raise FaultyProcedure(f"option {option.value!r} of question {question.id!r} is in no branch")
    values = ", ".join(option.value for option in question.options)
    raise InvalidAnswer(question, given, f"one of {values}")


def parse_number(text: str) -> float | None:
    """``"12,5"`` -> 12.5; None when the text is not a finite number."""
    cleaned = text.strip().replace("\u2212", "-").replace(" ", "").replace("\u00a0", "").replace(",", ".")
    try:
        number = float(cleaned)
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _read_number(question: NumberQuestion, given: object) -> tuple[AnswerValue, str, str]:
    number: float | None
    if isinstance(given, bool):
        number = None
    elif isinstance(given, (int, float)):
        number = float(given) if math.isfinite(given) else None
    elif isinstance(given, str):
        number = parse_number(given)
    else:
        number = None
    if number is None or not question.minimum <= number <= question.maximum:
        raise InvalidAnswer(question, given, question.describe_bounds())
    value: int | float = number
    if question.whole:
        if number != int(number):
            raise InvalidAnswer(question, given, question.describe_bounds())
        value = int(number)
    shown = format_number(value) + (f" {question.unit}" if question.unit else "")
    for number_range in question.ranges:
        if number_range.holds(number):
            return value, shown, number_range.next
    raise FaultyProcedure(f"no range of question {question.id!r} covers {format_number(number)}")


def _read_text(question: TextQuestion, given: object) -> tuple[AnswerValue, str, str]:
    try:
        text = clean_log_text(given)
    except InvalidValue as refused:
        raise InvalidAnswer(question, given, refused.expected) from None
    return text, text, question.next
