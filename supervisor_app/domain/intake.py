"""A completed intake: the referred incident, its assessment by procedure, and what the desk decided.

``complete_intake`` checks that an assessment may be saved (the procedure reached an outcome, every
mandatory check is confirmed, the advice was read, an override has its reason, a validity flag
other than "valid" has its reason) and gives the ``CompletedIntake`` the service records in one
transaction: the incident with its final priority and response, the assessment kept as evidence
(``assessment_record``), and the log lines in the organisation's codes (``intake_log_lines``).

Nothing here reads the database or the pack files: wording templates come in as plain text.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.incidents import (
    Contact,
    IncidentLocation,
    IncidentStatus,
    NewIncident,
    ReferralSource,
    ResponseRequirement,
    clean_log_text,
    clean_text,
)
from supervisor_app.domain.log_codes import (
    ADVICE_GIVEN,
    ASSESSED,
    INCIDENT_CREATED,
    LINKED,
    NOTE,
    OVERRIDDEN,
    VALIDITY_FLAGGED,
)
from supervisor_app.domain.procedures import (
    Assessment,
    EscalationKind,
    Outcome,
    Procedure,
    TextQuestion,
    replay,
)
from supervisor_app.domain.wording import render_wording

ASSESSMENT_FORMAT = 1
"""Version of the assessment record kept with an incident."""


class Validity(StrEnum):
    """Whether the referral is a real incident. Anything but ``valid`` needs a reason."""

    VALID = "valid"
    HOAX = "hoax"
    TEST = "test"
    DUPLICATE = "duplicate"

    @property
    def label(self) -> str:
        return {"valid": "Valid", "hoax": "Hoax", "test": "Test call", "duplicate": "Duplicate"}[self.value]


@dataclass(frozen=True)
class ValidityFlag:
    validity: Validity = Validity.VALID
    reason: str = ""

    def __post_init__(self) -> None:
        try:
            validity = Validity(self.validity)
        except ValueError:
            raise InvalidValue("validity", self.validity, "one of " + ", ".join(v.value for v in Validity)) from None
        object.__setattr__(self, "validity", validity)
        reason = clean_log_text(self.reason)
        if validity is not Validity.VALID and len(reason) < 5:
            raise InvalidValue(
                f"reason for flagging as {validity.label.lower()}", self.reason, "a reason of at least 5 characters"
            )
        object.__setattr__(self, "reason", reason)


@dataclass(frozen=True)
class Override:
    """The supervisor's own priority and response instead of the procedure's, and why."""

    priority: str
    response: tuple[ResponseRequirement, ...]
    reason: str

    def __post_init__(self) -> None:
        reason = clean_log_text(self.reason)
        if len(reason) < 10:
            raise InvalidValue(
                "reason for the override", self.reason, "a reason of at least 10 characters that says why"
            )
        object.__setattr__(self, "reason", reason)


@dataclass(frozen=True)
class Link:
    """Another incident this one is linked to (a possible duplicate the supervisor confirmed)."""

    incident_id: int
    reference: str
    reason: str = "Same incident reported again"


@dataclass(frozen=True)
class IntakeDetails:
    """Who referred it, how, where and what they said: everything but the assessment."""

    incident_type: str
    location: IncidentLocation
    source: ReferralSource
    summary: str
    contact: Contact = field(default_factory=Contact)

    def __post_init__(self) -> None:
        object.__setattr__(self, "summary", clean_text("summary", self.summary, max_len=2000, required=True))
        source: object = self.source
        if not isinstance(source, ReferralSource):
            try:
                object.__setattr__(self, "source", ReferralSource(str(source)))
            except ValueError:
                raise InvalidValue(
                    "referral source", source, "one of " + ", ".join(s.value for s in ReferralSource)
                ) from None


@dataclass(frozen=True)
class CompletedIntake:
    """A referral assessed and ready to save; built only by ``complete_intake``."""

    details: IntakeDetails
    procedure: Procedure
    assessment: Assessment
    outcome: Outcome
    priority: str
    response: tuple[ResponseRequirement, ...]
    override: Override | None
    checks_confirmed: frozenset[str]
    advice_given: bool
    validity: ValidityFlag
    links: tuple[Link, ...] = ()
    referral_id: int | None = None

    @property
    def status(self) -> IncidentStatus:
        """Flagged referrals are recorded and closed at once; others wait for a resource if needed."""
        if self.validity.validity is not Validity.VALID:
            return IncidentStatus.CANCELLED
        return IncidentStatus.AWAITING_RESOURCE if self.response else IncidentStatus.NEW

    def new_incident(self) -> NewIncident:
        return NewIncident(
            incident_type=self.details.incident_type,
            priority=self.priority,
            location=self.details.location,
            source=self.details.source,
            summary=self.details.summary,
            contact=self.details.contact,
            required_response=self.response,
        )


def complete_intake(
    details: IntakeDetails,
    procedure: Procedure,
    assessment: Assessment,
    *,
    checks_confirmed: Collection[str] = (),
    advice_given: bool = False,
    override: Override | None = None,
    validity: ValidityFlag | None = None,
    links: tuple[Link, ...] = (),
    referral_id: int | None = None,
) -> CompletedIntake:
    """Check that the assessment may be saved, and return it ready for the service.

    Refused (``InvalidValue``, saying what is missing) when the procedure is not for the incident
    type, has not reached an outcome, or the recorded answers do not replay to it; when a
    mandatory check is not confirmed or the advice not read (for a valid referral); when a check
    confirmed is not one the outcome asks for; or when a duplicate is not linked to anything.
    """
    flag = validity or ValidityFlag()
    if procedure.incident_type != details.incident_type:
        raise InvalidValue("procedure", procedure.incident_type, f"the procedure for {details.incident_type}")
    outcome = assessment.outcome
    if outcome is None:
        question = assessment.question
        raise InvalidValue(
            "assessment",
            "unfinished",
            f"an answer to every question the procedure asks; still to answer: {question.ask if question else '?'}",
        )
    if replay(procedure, assessment.path) != assessment:
        raise InvalidValue("assessment", assessment.path.outcome, "an assessment whose answers lead to its outcome")
    confirmed = frozenset(checks_confirmed)
    offered = {check.code for check in outcome.checks}
    unknown = sorted(confirmed - offered)
    if unknown:
        raise InvalidValue("checks confirmed", ", ".join(unknown), f"checks the outcome asks for: {_listed(offered)}")
    if flag.validity is Validity.VALID:
        missing = [
            check.label or check.code for check in outcome.checks if check.mandatory and check.code not in confirmed
        ]
        if missing:
            raise InvalidValue("checks", "not confirmed", "every mandatory check confirmed: " + "; ".join(missing))
        if outcome.advice.say and not advice_given:
            raise InvalidValue("advice", "not given", "the advice read to the contact, and ticked as given")
    if flag.validity is Validity.DUPLICATE and not links:
        raise InvalidValue("duplicate", "not linked", "the incident it duplicates, linked before saving")
    priority = override.priority if override else outcome.priority
    response = override.response if override else outcome.response
    if override and override.priority == outcome.priority and override.response == outcome.response:
        raise InvalidValue("override", "no change", "a different priority or response, or no override")
    return CompletedIntake(
        details=details,
        procedure=procedure,
        assessment=assessment,
        outcome=outcome,
        priority=priority,
        response=tuple(response),
        override=override,
        checks_confirmed=confirmed,
        advice_given=advice_given,
        validity=flag,
        links=links,
        referral_id=referral_id,
    )


def _listed(values: Collection[str]) -> str:
    return ", ".join(sorted(values)) or "none"


def _response_text(response: tuple[ResponseRequirement, ...]) -> str:
    if not response:
        return "no attendance"
    parts = []
    for need in response:
        able = f" ({', '.join(need.capabilities)})" if need.capabilities else ""
        parts.append(f"{need.count} x {need.resource_type}{able}")
    return ", ".join(parts)


def assessment_record(intake: CompletedIntake) -> dict[str, object]:
    """The assessment as kept with the incident: the decision path, the outcome the procedure gave,
    what the desk decided instead and why, the checks and the advice. Plain data, ready for JSON."""
    outcome = intake.outcome
    escalation = outcome.escalation
    return {
        "format": ASSESSMENT_FORMAT,
        "path": intake.assessment.path.as_dict(),
        "outcome": {
            "id": outcome.id,
            "title": outcome.title,
            "priority": outcome.priority,
            "reason": outcome.reason,
            "response": [need.as_dict() for need in outcome.response],
        },
        "override": None
        if intake.override is None
        else {
            "priority": intake.override.priority,
            "response": [need.as_dict() for need in intake.override.response],
            "reason": intake.override.reason,
        },
        "checks": [
            {
                "code": check.code,
                "label": check.label,
                "mandatory": check.mandatory,
                "confirmed": check.code in intake.checks_confirmed,
            }
            for check in outcome.checks
        ],
        "advice": {
            "say": list(outcome.advice.say),
            "do_not_say": list(outcome.advice.do_not_say),
            "given": intake.advice_given,
        },
        "escalation": None
        if escalation.kind is EscalationKind.NONE
        else {
            "kind": escalation.kind.value,
            "target": escalation.target,
            "request": escalation.request,
            "reason": escalation.reason,
        },
        "validity": {"flag": intake.validity.validity.value, "reason": intake.validity.reason},
        "links": [link.incident_id for link in intake.links],
        "referral_id": intake.referral_id,
    }


@dataclass(frozen=True)
class LogLine:
    """One line to append to the new incident's log: its code and its text in the code's wording."""

    code: str
    text: str


def intake_log_lines(
    intake: CompletedIntake,
    wording: Mapping[str, str],
    *,
    reference: str,
    incident_type_name: str,
    sector: str = "",
) -> list[LogLine]:
    """The log of a new incident from its intake, each line in its code's wording.

    Order: the referral, each answer under its question's code, the assessment (with any
    escalation the procedure requires), the override, the advice read, each check confirmed,
    the validity flag, the links. ``wording`` maps every log code to its template.
    """
    details = intake.details
    base: dict[str, object] = {
        "reference": reference,
        "incident_type": incident_type_name,
        "priority": intake.priority,
        "address": details.location.address,
        "sector": sector,
    }

    def line(code: str, **fields: object) -> LogLine:
        template = wording.get(code)
        if template is None:
            raise InvalidValue("log code", code, "a code with wording in the organisation pack")
        return LogLine(code, render_wording(template, {**base, **fields}))

    contact = ", ".join(
        part for part in (details.contact.name, details.contact.organisation, details.contact.phone) if part
    )
    lines = [
        line(
            INCIDENT_CREATED,
            text=f"{details.source.value.replace('_', ' ')}{' from ' + contact if contact else ''}: {details.summary}",
        )
    ]
    for done in intake.assessment.path.steps:
        question = intake.procedure.node(done.node)
        if isinstance(question, TextQuestion) and done.answer:
            lines.append(line(done.log_code, text=done.displayed))
        else:
            lines.append(line(done.log_code, text=f"{done.question} {done.displayed}"))
    outcome = intake.outcome
    assessed = f"{outcome.title}. {outcome.reason} Response: {_response_text(outcome.response)}."
    escalation = outcome.escalation
    if escalation.kind is EscalationKind.DUTY_MANAGER:
        assessed += f" Escalation required to the duty manager: {escalation.reason}"
    elif escalation.kind is EscalationKind.EXTERNAL_ORGANISATION:
        assessed += f" Escalation required to {escalation.organisation} ({escalation.request}): {escalation.reason}"
    version = intake.procedure.version
    lines.append(line(ASSESSED, priority=outcome.priority, text=f"{assessed} (Procedure version {version}.)"))
    if intake.override is not None:
        changed = []
        if intake.override.priority != outcome.priority:
            changed.append(f"priority {outcome.priority} changed to {intake.override.priority}")
        if intake.override.response != outcome.response:
            changed.append(f"response changed to {_response_text(intake.override.response)}")
        lines.append(line(OVERRIDDEN, reason=f"{intake.override.reason} ({'; '.join(changed)})"))
    if intake.advice_given:
        lines.append(line(ADVICE_GIVEN, text=" ".join(outcome.advice.say)))
    for check in outcome.checks:
        if check.code in intake.checks_confirmed:
            lines.append(
                line(
                    check.log_code or NOTE,
                    text=check.label or check.code,
                    reason=check.text,
                    external_organisation=escalation.organisation,
                )
            )
    if intake.validity.validity is not Validity.VALID:
        lines.append(
            line(VALIDITY_FLAGGED, status=intake.validity.validity.label.lower(), reason=intake.validity.reason)
        )
    for link in intake.links:
        lines.append(line(LINKED, text=link.reference, reason=link.reason))
    return lines
