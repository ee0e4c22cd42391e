"""Saving an assessed referral as an incident, and finding the incidents it may duplicate.

``save_assessed_incident`` records, in one transaction, the incident with its final priority and
response, the assessment kept as evidence (decision path, outcome, override and reason, checks,
advice), the log lines in the organisation's codes and wording, the links to the incidents it
duplicates, the referral it came from marked assessed, one audit event and one change notice.
Either all of it is written or none of it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from supervisor_app.domain.changes import Changes
from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.incidents import OPEN_INCIDENT_STATUSES
from supervisor_app.domain.intake import CompletedIntake, assessment_record, intake_log_lines
from supervisor_app.domain.people import Action, Actor
from supervisor_app.domain.referrals import ReferralStatus
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.errors import Conflict, NotFound
from supervisor_app.services.incidents import add_numbered_incident
from supervisor_app.services.unit_of_work import announce, append_log, audit, database_now, transaction
from supervisor_app.store.models import Incident, IncidentLink, Referral

#: Defaults for the search for possible duplicates: same type, this near, this recent.
DUPLICATE_RADIUS_M = 300.0
DUPLICATE_WINDOW = timedelta(hours=3)
_METRES_PER_DEGREE_LAT = 111_320.0


@dataclass(frozen=True)
class AssessedIncidentSaved:
    incident_id: int
    reference: str
    created_at: datetime
    log_entry_ids: tuple[int, ...]
    changes: Changes


@dataclass(frozen=True)
class PossibleDuplicate:
    """An open incident of the same type near the same place, recently recorded."""

    incident_id: int
    reference: str
    incident_type: str
    priority: str
    status: str
    address: str
    summary: str
    created_at: datetime
    distance_m: float

    def describe(self) -> str:
        """``INC-20261123-0007, 120 m away, P1, awaiting resource: Smell of gas in the stairwell``."""
        status = self.status.replace("_", " ")
        return f"{self.reference}, {self.distance_m:.0f} m away, {self.priority}, {status}: {self.summary}"


def _check_against_pack(intake: CompletedIntake, pack: OrganisationPack) -> None:
    try:
        pack.incident_type(intake.details.incident_type)
    except KeyError:
        raise InvalidValue(
            "incident type", intake.details.incident_type, "an incident type of the organisation pack"
        ) from None
    if pack.procedure(intake.details.incident_type) is not intake.procedure:
        raise InvalidValue(
            "procedure",
            f"{intake.procedure.incident_type} version {intake.procedure.version}",
            "the procedure of the organisation pack the desk runs; start the assessment again",
        )
    try:
        pack.priority(intake.priority)
    except KeyError:
        raise InvalidValue("priority", intake.priority, "a priority of the organisation pack") from None
    for need in intake.response:
        try:
            pack.resource_type(need.resource_type)
        except KeyError:
            raise InvalidValue(
                "resource type", need.resource_type, "a resource type of the organisation pack"
            ) from None
    intake.details.location.check_within(pack.area)


def save_assessed_incident(
    session: Session, actor: Actor, intake: CompletedIntake, pack: OrganisationPack
) -> AssessedIncidentSaved:
    """Record the assessed incident, its log and its links in one transaction.

    Refused, with nothing written, when the referral it came from was meanwhile assessed at
    another desk (``Conflict`` naming the desk, who and the incident), or a linked incident does
    not exist (``NotFound``).
    """
    _check_against_pack(intake, pack)
    wording = {code.code: code.wording for code in pack.log_codes}
    incident_type_name = pack.incident_type(intake.details.incident_type).name
    sector = pack.sector_at(intake.details.location.point)
    with transaction(session, actor, Action.CREATE_INCIDENT):
        now = database_now(session)
        for link in intake.links:
            if session.get(Incident, link.incident_id) is None:
                raise NotFound("Incident", link.reference)
        override = intake.override
        incident = add_numbered_incident(
            session,
            actor,
            intake.new_incident(),
            pack,
            status=intake.status,
            assessment=assessment_record(intake),
            computed_priority=intake.outcome.priority,
            override_reason=override.reason if override else None,
            validity=intake.validity.validity.value,
            validity_reason=intake.validity.reason or None,
        )
        reference = incident.reference
        if intake.referral_id is not None:
            _take_referral(session, actor, intake.referral_id, incident.id, now)
        lines = intake_log_lines(
            intake,
            wording,
            reference=reference,
            incident_type_name=incident_type_name,
            sector=sector.name if sector else "",
        )
        entries = [append_log(session, actor, incident.id, line.code, line.text) for line in lines]
        for link in intake.links:
            session.add(
                IncidentLink(
                    incident_id=incident.id,
                    linked_incident_id=link.incident_id,
                    reason=link.reason,
                    created_at=now,
                    created_by=actor.username,
                    desk=actor.desk,
                )
            )
        audit(
            session,
            actor,
            Action.CREATE_INCIDENT,
            "incident",
            incident.id,
            reference=reference,
            procedure_version=intake.procedure.version,
            outcome=intake.outcome.id,
            priority=intake.priority,
            computed_priority=intake.outcome.priority,
            overridden=override is not None,
            validity=intake.validity.validity.value,
            links=[link.incident_id for link in intake.links],
            referral=intake.referral_id,
        )
        changes = Changes.of(
            incident=[incident.id, *(link.incident_id for link in intake.links)],
            log_entry=[entry.id for entry in entries],
        )
        if intake.referral_id is not None:
            changes = changes | Changes.of(referral=intake.referral_id)
        announce(session, actor, changes)
        saved = AssessedIncidentSaved(incident.id, reference, now, tuple(entry.id for entry in entries), changes)
    return saved


def _take_referral(session: Session, actor: Actor, referral_id: int, incident_id: int, now: datetime) -> None:
    """Mark the referral assessed, only if it is still waiting: two desks cannot both assess it."""
    taken = session.execute(
        update(Referral)
        .where(Referral.id == referral_id, Referral.status == ReferralStatus.WAITING.value)
        .values(
            status=ReferralStatus.ASSESSED.value,
            incident_id=incident_id,
            assessed_by=actor.username,
            assessed_desk=actor.desk,
            assessed_at=now,
            version=Referral.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount == 1:  # type: ignore[attr-defined]
        return
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise NotFound("Referral", referral_id)
    by_incident = session.get(Incident, referral.incident_id) if referral.incident_id else None
    when = referral.assessed_at.strftime("%H:%M:%S") if referral.assessed_at else "earlier"
    raise Conflict(
        f"Referral {referral.partner} {referral.external_reference} was already assessed by "
        f"{referral.assessed_by} at desk {referral.assessed_desk} at {when}"
        f"{' as ' + by_incident.reference if by_incident else ''}. Nothing was saved; open that incident instead."
    )


def find_possible_duplicates(
    session: Session,
    actor: Actor,
    incident_type: str,
    point: Coordinate,
    *,
    radius_m: float = DUPLICATE_RADIUS_M,
    window: timedelta = DUPLICATE_WINDOW,
    limit: int = 10,
) -> list[PossibleDuplicate]:
    """Open incidents of ``incident_type`` within ``radius_m`` of ``point`` recorded within ``window``
    of now (database clock), nearest first: offered for linking before a new one is saved."""
    lat_span = radius_m / _METRES_PER_DEGREE_LAT
    lon_span = radius_m / (_METRES_PER_DEGREE_LAT * max(0.01, math.cos(math.radians(point.lat))))
    with transaction(session, actor, Action.VIEW_INCIDENTS):
        since = database_now(session) - window
        rows = (
            session.execute(
                select(Incident).where(
                    Incident.incident_type == incident_type,
                    Incident.created_at >= since,
                    Incident.status.in_([status.value for status in OPEN_INCIDENT_STATUSES]),
                    Incident.lat.between(point.lat - lat_span, point.lat + lat_span),
                    Incident.lon.between(point.lon - lon_span, point.lon + lon_span),
                )
            )
            .scalars()
            .all()
        )
        found = []
        for row in rows:
            distance = point.distance_m(Coordinate(row.lat, row.lon))
            if distance <= radius_m:
                found.append(
                    PossibleDuplicate(
                        row.id,
                        row.reference,
                        row.incident_type,
                        row.priority,
                        row.status,
                        row.address,
                        row.summary,
                        row.created_at,
                        distance,
                    )
                )
    found.sort(key=lambda d: (d.distance_m, d.created_at))
    return found[:limit]
