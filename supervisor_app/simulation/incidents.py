"""Simulated partner referrals: a steady trickle of incidents for the desk to assess and resource.

Referrals arrive as a Poisson process (independent arrivals at ``per_hour`` per simulated hour,
as calls to a contact centre do over a short spell), each from the partner ``SIMULATOR`` with a
reference of its own, a random incident type of the pack, an address from the pack's gazetteer and
a one-line summary. They enter the assessment queue through ``receive_referral``, exactly as the
referral inbox's do, so the desk sees them as it sees any partner's.

With ``auto_assess`` the simulator plays the operator too: after a minute or so it walks the
type's procedure with random answers, confirms every check, reads the advice, and saves the
incident through ``save_assessed_incident``, so the deployment queue fills without a person. The
assessment is made by the domain's own engine (``begin``/``step``, ``complete_intake``), so its
decision path replays like any other. A referral a desk assessed first is left to that desk.

The arrivals are drawn from one random stream and the answers from another, so with a seed the
same referrals arrive at the same simulated moments however the assessments go (``referral_plan``
gives them without a database, for checking).
"""

from __future__ import annotations

import logging
import math
import random
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from supervisor_app.domain.errors import DomainError
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.incidents import Contact, IncidentLocation, ReferralSource
from supervisor_app.domain.intake import CompletedIntake, IntakeDetails, complete_intake
from supervisor_app.domain.people import Actor
from supervisor_app.domain.procedures import (
    Assessment,
    ChoiceQuestion,
    FaultyProcedure,
    InvalidAnswer,
    NumberQuestion,
    Procedure,
    Question,
    YesNoQuestion,
    begin,
    step,
)
from supervisor_app.domain.referrals import ReferralRecord
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.intake import save_assessed_incident
from supervisor_app.services.referrals import receive_referral_once
from supervisor_app.simulation.clock import Scheduler, lognormal_seconds
from supervisor_app.store.engine import writer

log = logging.getLogger(__name__)

PARTNER = "SIMULATOR"
CONTACT = Contact(name="Duty coordinator", organisation="Simulated partner")
#: No procedure asks anywhere near this many questions; a walk this long means a faulty tree.
MAX_QUESTIONS = 200

#: What a partner adds after the incident type and the street: plausible for any type.
DETAILS = (
    "reported by a resident, who is waiting outside",
    "reported by the caretaker; access through the main door",
    "second report about this in the last hour",
    "caller worried and asks for a call back when the crew is near",
    "reported by a passer-by who has since left",
    "partner's own crew on site and asking for support",
    "caller says it is getting worse",
    "no answer on the number given; details from the partner's log",
)


@dataclass(frozen=True)
class PlannedReferral:
    """One referral to come: when (simulated seconds after the start), what and where."""

    number: int
    at_s: float
    incident_type: str
    address: str
    point: Coordinate
    summary: str


def _places(pack: OrganisationPack) -> list[tuple[str, Coordinate]]:
    places = [(place.label, place.location) for place in pack.gazetteer()]
    return places or [(station.address, Coordinate(station.lat, station.lon)) for station in pack.stations]


def referral_plan(rng: random.Random, pack: OrganisationPack, per_hour: float) -> Iterator[PlannedReferral]:
    """The referrals to come, in order, without end: exponential gaps at ``per_hour`` per hour."""
    if not per_hour > 0:
        return
    places = _places(pack)
    types = pack.incident_types
    moment = 0.0
    number = 0
    while True:
        moment += rng.expovariate(per_hour / 3600.0)
        number += 1
        incident_type = rng.choice(types)
        address, point = rng.choice(places)
        street = address.split(",")[0]
        summary = f"{incident_type.name} at {street}: {rng.choice(DETAILS)}"
        yield PlannedReferral(number, moment, incident_type.code, address, point, summary)


def referral_record(planned: PlannedReferral, reference: str, referred_at: datetime) -> ReferralRecord:
    """The referral as a partner sends it (the payload is the JSON line it would have written)."""
    payload: dict[str, object] = {
        "partner": PARTNER,
        "reference": reference,
        "source": ReferralSource.PARTNER_AGENCY.value,
        "referred_at": referred_at.isoformat(timespec="seconds"),
        "incident_type": planned.incident_type,
        "summary": planned.summary,
        "address": planned.address,
        "location": {"lat": planned.point.lat, "lon": planned.point.lon},
        "contact": {"name": CONTACT.name, "organisation": CONTACT.organisation},
    }
    return ReferralRecord(
        partner=PARTNER,
        reference=reference,
        summary=planned.summary,
        source=ReferralSource.PARTNER_AGENCY,
        address=planned.address,
        point=planned.point,
        referred_at=referred_at,
        incident_type=planned.incident_type,
        contact=CONTACT,
        payload=payload,
    )


# -- Assessing as an operator would --------------------------------------------------------------


def _number(rng: random.Random, question: NumberQuestion) -> float | int:
    """A number inside one of the question's ranges, chosen at random."""
    chosen = rng.choice(question.ranges) if question.ranges else None
    low = question.minimum if chosen is None or chosen.at_least is None else max(question.minimum, chosen.at_least)
    high = question.maximum if chosen is None or chosen.below is None else min(question.maximum, chosen.below)
    if question.whole:
        top = math.floor(high) if chosen is None or chosen.below is None or high < chosen.below else math.ceil(high) - 1
        bottom = math.ceil(low)
        return rng.randint(bottom, top) if bottom <= top else int(question.minimum)
    value = round(rng.uniform(low, high), 1)
    return value if chosen is None or chosen.holds(value) else low


def _answer(rng: random.Random, question: Question, summary: str) -> object:
    if isinstance(question, YesNoQuestion):
        return rng.random() < 0.5
    if isinstance(question, ChoiceQuestion):
        return rng.choice(question.options).value
    if isinstance(question, NumberQuestion):
        return _number(rng, question)
    return f"As referred: {summary}"


def random_assessment(rng: random.Random, procedure: Procedure, summary: str) -> Assessment:
    """A walk through ``procedure`` with a random allowed answer to each question it asks."""
    assessment = begin(procedure)
    for _ in range(MAX_QUESTIONS):
        question = assessment.question
        if question is None:
            return assessment
        try:
            assessment = step(procedure, assessment, question.id, _answer(rng, question, summary))
        except InvalidAnswer:  # a number the ranges allow but the bounds do not: the least is always valid
            assert isinstance(question, NumberQuestion)
            assessment = step(procedure, assessment, question.id, question.minimum)
    raise FaultyProcedure(f"{procedure.incident_type} asked more than {MAX_QUESTIONS} questions")


def assessed_intake(
    rng: random.Random, pack: OrganisationPack, planned: PlannedReferral, referral_id: int
) -> CompletedIntake:
    """The referral assessed by its type's procedure: every check confirmed and the advice given."""
    procedure = pack.procedure(planned.incident_type)
    assessment = random_assessment(rng, procedure, planned.summary)
    assert assessment.outcome is not None
    details = IntakeDetails(
        incident_type=planned.incident_type,
        location=IncidentLocation(planned.point, planned.address),
        source=ReferralSource.PARTNER_AGENCY,
        summary=planned.summary,
        contact=CONTACT,
    )
    return complete_intake(
        details,
        procedure,
        assessment,
        checks_confirmed=[check.code for check in assessment.outcome.checks],
        advice_given=True,
        referral_id=referral_id,
    )


class IncidentGenerator:
    """Sends the planned referrals at their simulated moments, and assesses them if asked to."""

    def __init__(
        self,
        engine: Engine,
        actor: Actor,
        pack: OrganisationPack,
        scheduler: Scheduler,
        say: Callable[[str], None],
        *,
        per_hour: float,
        auto_assess: bool = False,
        seed: int | None = None,
        run_label: str | None = None,
    ) -> None:
        self.engine = writer(engine)
        self.actor = actor
        self.pack = pack
        self.scheduler = scheduler
        self.say = say
        self.auto_assess = auto_assess
        self.run_label = run_label or datetime.now(UTC).strftime("%Y%m%d%H%M%S")
        self._plan = referral_plan(random.Random(f"{seed}/referrals" if seed is not None else None), pack, per_hour)
        self._answers = random.Random(f"{seed}/assessments" if seed is not None else None)
        self.received = 0
        self.assessed = 0

    def reference(self, number: int) -> str:
        return f"SIM-{self.run_label}-{number:04d}"

    def start(self) -> None:
        self._plan_next()

    def _plan_next(self) -> None:
        planned = next(self._plan, None)
        if planned is not None:
            self.scheduler.at(planned.at_s, lambda: self._arrive(planned))

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def _arrive(self, planned: PlannedReferral) -> None:
        self._plan_next()
        reference = self.reference(planned.number)
        record = referral_record(planned, reference, datetime.now(UTC))
        try:
            with self._session() as session:
                received = receive_referral_once(session, self.actor, record, self.pack)
        except (DomainError, SQLAlchemyError) as error:
            log.warning("The simulated referral %s could not be recorded: %s", reference, error)
            self.say(f"{PARTNER} {reference} not recorded: {error}")
            return
        if received.already_received:
            return
        self.received += 1
        self.say(f"{PARTNER} {reference} referred: {planned.summary}")
        if self.auto_assess:
            delay = lognormal_seconds(self._answers, 60, 0.5, 15, 600)  # an operator reads it and starts
            self.scheduler.after(delay, lambda: self._assess(planned, reference, received.referral_id))

    def _assess(self, planned: PlannedReferral, reference: str, referral_id: int) -> None:
        intake = assessed_intake(self._answers, self.pack, planned, referral_id)
        try:
            with self._session() as session:
                saved = save_assessed_incident(session, self.actor, intake, self.pack)
        except DomainError as refused:  # assessed at a desk first, most likely
            self.say(f"{PARTNER} {reference} not assessed by the simulator: {refused}")
            return
        except SQLAlchemyError as error:
            log.warning("The simulated assessment of %s could not be saved: %s", reference, error)
            return
        self.assessed += 1
        status = intake.status.value.replace("_", " ")
        self.say(f"{saved.reference} assessed from {reference}: {intake.priority}, {status} ({intake.outcome.title})")
