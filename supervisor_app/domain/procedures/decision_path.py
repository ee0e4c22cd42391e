"""The decision path: each question asked, the answer given, and where the procedure ended.

The path is stored with the incident as plain data (``as_dict``, or ``to_json``) so that anyone can
later see whether the procedure's steps were followed, and ``replay`` can check that the recorded
answers still lead to the recorded outcome. The stored form is::

    {"format": 1, "incident_type": "GAS_ESCAPE_INTERNAL", "procedure_version": 3,
     "steps": [{"node": "smell_where", "question": "Where can you smell gas?", "kind": "choice",
                "answer": "whole_building", "displayed": "Throughout the building",
                "log_code": "ANS"}, ...],
     "outcome": "evacuate_uncontrolled"}

``outcome`` is null while the assessment is still under way.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.procedures.answers import AnswerValue
from supervisor_app.domain.procedures.model import QuestionKind

PATH_FORMAT = 1
"""Version of the stored form; ``from_dict`` refuses any other."""

_STEP_KEYS = ("node", "question", "kind", "answer", "displayed", "log_code")


@dataclass(frozen=True, slots=True)
class PathStep:
    """One question on the path: its node id and wording, the answer as recorded and as shown.

    ``answer`` is what replay feeds back (see ``AnswerValue``); ``displayed`` is how it reads to a
    person ("Yes", the option's label, "25 minutes", the caller's words). The answer is recorded in
    the incident log under ``log_code``.
    """

    node: str
    question: str
    kind: QuestionKind
    answer: AnswerValue
    displayed: str
    log_code: str

    def as_dict(self) -> dict[str, object]:
        return {
            "node": self.node,
            "question": self.question,
            "kind": self.kind.value,
            "answer": self.answer,
            "displayed": self.displayed,
            "log_code": self.log_code,
        }


@dataclass(frozen=True, slots=True)
class DecisionPath:
    """The questions answered so far under one version of one incident type's procedure."""

    incident_type: str
    procedure_version: int
    steps: tuple[PathStep, ...] = ()
    outcome: str | None = None

    def answers(self) -> tuple[tuple[str, AnswerValue], ...]:
        """(node id, answer) pairs in order: what ``assess`` takes to walk the same path again."""
        return tuple((step.node, step.answer) for step in self.steps)

    def as_dict(self) -> dict[str, object]:
        """The path as plain data (dicts, lists, text, numbers, booleans, None), ready for JSON."""
        return {
            "format": PATH_FORMAT,
            "incident_type": self.incident_type,
            "procedure_version": self.procedure_version,
            "steps": [step.as_dict() for step in self.steps],
            "outcome": self.outcome,
        }

    def to_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, allow_nan=False)

    @classmethod
    def from_json(cls, text: str) -> DecisionPath:
        try:
            data = json.loads(text)
        except (TypeError, ValueError):
            raise InvalidValue("decision path", text, "the JSON text of a decision path") from None
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: object) -> DecisionPath:
        """Read a stored path back, refusing anything that is not exactly the stored form."""
        if not isinstance(data, Mapping):
            raise InvalidValue("decision path", data, "a mapping with incident_type, procedure_version and steps")
        if data.get("format") != PATH_FORMAT:
            raise InvalidValue("decision path format", data.get("format"), f"format {PATH_FORMAT}")
        incident_type = data.get("incident_type")
        if not isinstance(incident_type, str) or not incident_type:
            raise InvalidValue("decision path incident_type", incident_type, "an incident type code")
        version = data.get("procedure_version")
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise InvalidValue("decision path procedure_version", version, "a whole number of at least 1")
        outcome = data.get("outcome")
        if outcome is not None and (not isinstance(outcome, str) or not outcome):
            raise InvalidValue("decision path outcome", outcome, "an outcome id, or null while under way")
        raw_steps = data.get("steps")
        if not isinstance(raw_steps, list):
            raise InvalidValue("decision path steps", raw_steps, "a list of steps")
        steps = tuple(_read_step(index, raw) for index, raw in enumerate(raw_steps))
        return cls(incident_type, version, steps, outcome)


def _read_step(index: int, raw: object) -> PathStep:
    where = f"decision path steps[{index}]"
    if not isinstance(raw, Mapping) or set(raw) != set(_STEP_KEYS):
        raise InvalidValue(where, raw, "a mapping with exactly the keys " + ", ".join(_STEP_KEYS))
    texts = {}
    for key in ("node", "question", "displayed", "log_code"):
        value = raw[key]
        if not isinstance(value, str):
            raise InvalidValue(f"{where}.{key}", value, "text")
        texts[key] = value
    try:
        kind = QuestionKind(raw["kind"])
    except ValueError:
        raise InvalidValue(f"{where}.kind", raw["kind"], "one of " + ", ".join(k.value for k in QuestionKind)) from None
    answer = raw["answer"]
    if not (
        answer is None or isinstance(answer, (bool, int, str)) or (isinstance(answer, float) and math.isfinite(answer))
    ):
        raise InvalidValue(f"{where}.answer", answer, "true, false, a number, text or null")
    return PathStep(texts["node"], texts["question"], kind, answer, texts["displayed"], texts["log_code"])
