"""Whether the steps of an incident's procedure were followed, from the assessment kept with it.

The assessment record (``intake.assessment_record``, kept in the incident's ``assessment``) holds
the decision path, the outcome, the checks asked for and whether each was confirmed, the advice
and whether it was read, the escalation the outcome requires, any override with its reason, and
the validity flag. ``check_decision_path`` turns it into steps, each required or not and done or
not, in the order the procedure asks them:

- ``questions``: the questions were answered to an outcome. Given the procedure of the version
  recorded, the path is replayed and must arrive at the recorded outcome; the checks, advice and
  escalation then come from the procedure's outcome rather than the record. Without it (or given
  another version) the record is trusted.
- ``check:<CODE>``: each check of law or policy; a mandatory one must be confirmed, an optional
  one is shown as not required.
- ``advice``: read to the contact, required when the outcome has advice to say.
- ``escalation``: made, when the outcome requires one; done when its target (``duty_manager`` or
  the organisation's code) is among the escalations made for the incident.
- ``override_reason``: when the desk overrode the procedure's priority or response, the reason.

A referral flagged as hoax, test call or duplicate (in the record, or by ``validity`` for one
flagged since) needs no checks, advice or escalation: the steps are listed as not required. An
incident recorded without an assessment (imported history, raised by a field unit) gives one
step, ``assessment``, required unless it is flagged. A record that cannot be read fails the
``questions`` step with the reason and is otherwise read as far as it goes.

``summarise`` counts the reports for the shift review.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

from supervisor_app.domain.errors import DomainError, InvalidValue
from supervisor_app.domain.intake import ASSESSMENT_FORMAT, Validity
from supervisor_app.domain.procedures import DecisionPath, EscalationKind, Outcome, Procedure, replay


@dataclass(frozen=True)
class StepCheck:
    """One step of the procedure: whether it had to be done, whether it was, and in what words."""

    code: str
    label: str
    required: bool
    done: bool
    detail: str


@dataclass(frozen=True)
class DecisionPathReport:
    """The steps of one incident's procedure, and any override of its recommendation."""

    incident_id: int
    assessed: bool
    steps: tuple[StepCheck, ...]
    overridden: bool = False
    override_reason: str = ""

    @property
    def skipped(self) -> tuple[StepCheck, ...]:
        """The steps required and not done."""
        return tuple(step for step in self.steps if step.required and not step.done)

    @property
    def followed(self) -> bool:
        """Every required step was done."""
        return not self.skipped


@dataclass(frozen=True)
class DecisionPathSummary:
    """How many incidents were assessed, followed their procedure, skipped steps, were overridden."""

    incidents: int
    assessed: int
    followed: int
    with_skipped_steps: int
    overridden: int


@dataclass(frozen=True)
class _Asked:
    """What the outcome asked for: the checks (code, label, mandatory), advice to say, escalation."""

    checks: tuple[tuple[str, str, bool], ...]
    advice_to_say: bool
    escalation_target: str
    escalation_reason: str


def _mapping(value: object) -> Mapping[str, object]:
    return value if isinstance(value, Mapping) else {}


def _text(value: object) -> str:
    return value if isinstance(value, str) else ""


def _recorded_checks(record: Mapping[str, object]) -> list[Mapping[str, object]]:
    checks = record.get("checks")
    return [_mapping(check) for check in checks] if isinstance(checks, list) else []


def _asked_in_record(record: Mapping[str, object]) -> _Asked:
    checks = tuple(
        (_text(check.get("code")), _text(check.get("label")), check.get("mandatory") is not False)
        for check in _recorded_checks(record)
    )
    escalation = _mapping(record.get("escalation"))
    return _Asked(
        checks=checks,
        advice_to_say=bool(_mapping(record.get("advice")).get("say")),
        escalation_target=_text(escalation.get("target")),
        escalation_reason=_text(escalation.get("reason")),
    )


def _asked_by_outcome(outcome: Outcome) -> _Asked:
    escalation = outcome.escalation
    return _Asked(
        checks=tuple((check.code, check.label, check.mandatory) for check in outcome.checks),
        advice_to_say=bool(outcome.advice.say),
        escalation_target=escalation.target,
        escalation_reason=escalation.reason,
    )


def _questions(record: Mapping[str, object], procedure: Procedure | None) -> tuple[StepCheck, Outcome | None]:
    """The questions step, and the procedure's outcome when the path replayed to it."""
    label = "Questions answered to an outcome"
    recorded_outcome = _text(_mapping(record.get("outcome")).get("id"))
    try:
        if record.get("format") != ASSESSMENT_FORMAT:
            raise DomainError(f"the record is format {record.get('format')!r}, not {ASSESSMENT_FORMAT}")
        path = DecisionPath.from_dict(record.get("path"))
    except DomainError as unreadable:
        return StepCheck("questions", label, True, False, f"The decision path cannot be read: {unreadable}"), None
    answered = f"{len(path.steps)} question{'s' if len(path.steps) != 1 else ''} answered"
    if path.outcome is None or path.outcome != recorded_outcome:
        return StepCheck("questions", label, True, False, f"{answered}; no outcome reached"), None
    title = _text(_mapping(record.get("outcome")).get("title")) or path.outcome
    if procedure is None or (procedure.incident_type, procedure.version) != (path.incident_type,
                                                                             path.procedure_version):
        return StepCheck("questions", label, True, True, f"{answered}; outcome {title} as recorded"), None
    try:
        outcome = replay(procedure, path).outcome
    except DomainError as refused:
        return StepCheck("questions", label, True, False, f"{answered}. {refused}"), None
    replayed = f"{answered}; outcome {title}, replayed against procedure version {procedure.version}"
    return StepCheck("questions", label, True, True, replayed), outcome


def _validity(value: Validity | str) -> Validity:
    try:
        return Validity(value)
    except ValueError:
        raise InvalidValue("validity", value, "one of " + ", ".join(v.value for v in Validity)) from None


def _target_name(target: str) -> str:
    return "the duty manager" if target == EscalationKind.DUTY_MANAGER.value else target


def _not_needed(flag: Validity) -> str:
    return f"not needed for a referral flagged as {flag.label.lower()}"


def check_decision_path(
    incident_id: int,
    assessment: Mapping[str, object] | None,
    escalations_made: Collection[str],
    procedure: Procedure | None = None,
    *,
    validity: Validity | str = Validity.VALID,
) -> DecisionPathReport:
    """The steps of the incident's procedure and whether each was done.

    ``escalations_made`` holds the targets the incident has been escalated to; ``procedure`` is
    its type's procedure, replayed when it is the version recorded; ``validity`` is the incident's
    flag now (it counts when the record says valid or there is no record).
    """
    flag = _validity(validity)
    if assessment is None:
        needed = flag is Validity.VALID
        detail = "recorded without an assessment by procedure" if needed else _not_needed(flag)
        step = StepCheck("assessment", "Assessment by procedure", needed, False, detail)
        return DecisionPathReport(incident_id, False, (step,))
    recorded_flag = _mapping(assessment.get("validity")).get("flag")
    if flag is Validity.VALID and recorded_flag in {v.value for v in Validity}:
        flag = Validity(str(recorded_flag))
    valid = flag is Validity.VALID
    questions, outcome = _questions(assessment, procedure)
    asked = _asked_by_outcome(outcome) if outcome is not None else _asked_in_record(assessment)
    steps = [questions]
    confirmed = {_text(check.get("code")) for check in _recorded_checks(assessment) if check.get("confirmed") is True}
    for code, check_label, mandatory in asked.checks:
        done = code in confirmed
        required = mandatory and valid
        if done:
            detail = "confirmed"
        elif not valid:
            detail = _not_needed(flag)
        else:
            detail = "not confirmed" if mandatory else "optional; not confirmed"
        steps.append(StepCheck(f"check:{code}", check_label or code, required, done, detail))
    if asked.advice_to_say:
        given = _mapping(assessment.get("advice")).get("given") is True
        detail = "read to the contact" if given else ("not read to the contact" if valid else _not_needed(flag))
        steps.append(StepCheck("advice", "Advice read to the contact", valid, given, detail))
    if asked.escalation_target:
        target = asked.escalation_target
        made = target in escalations_made
        if made:
            detail = f"made to {_target_name(target)}"
        else:
            detail = f"not made: {asked.escalation_reason}" if valid else _not_needed(flag)
        steps.append(StepCheck("escalation", f"Escalation to {_target_name(target)}", valid, made, detail))
    override = assessment.get("override")
    reason = _text(_mapping(override).get("reason")).strip()
    if isinstance(override, Mapping):
        label = "Reason for overriding the recommendation"
        steps.append(StepCheck("override_reason", label, True, bool(reason), reason or "no reason recorded"))
    return DecisionPathReport(incident_id, True, tuple(steps), isinstance(override, Mapping), reason)


def summarise(reports: Iterable[DecisionPathReport]) -> DecisionPathSummary:
    """Counts for the shift review; an incident that needed no assessment counts as followed."""
    listed = list(reports)
    return DecisionPathSummary(
        incidents=len(listed),
        assessed=sum(report.assessed for report in listed),
        followed=sum(report.followed for report in listed),
        with_skipped_steps=sum(not report.followed for report in listed),
        overridden=sum(report.overridden for report in listed),
    )
