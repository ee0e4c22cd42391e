"""The assessment queue: referrals from partner systems, recorded once, waiting for a desk.

``receive_referral`` records a checked referral (see ``supervisor_app.domain.referrals``) in the
queue, or reports that the partner's reference is already there (a file delivered twice); codes
are checked against the organisation pack, so that what enters the queue can be assessed.
``waiting_referrals`` lists the queue, oldest first. Saving the assessment
(``supervisor_app.services.intake``) takes the referral out of the queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from supervisor_app.domain.changes import Changes
from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.incidents import Contact, ReferralSource
from supervisor_app.domain.people import Action, Actor
from supervisor_app.domain.referrals import ReferralRecord, ReferralStatus
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.errors import NotFound
from supervisor_app.services.unit_of_work import announce, audit, database_now, transaction
from supervisor_app.store.models import Referral


@dataclass(frozen=True)
class ReferralReceived:
    referral_id: int
    already_received: bool
    """True when the partner's reference was already in the queue: nothing new was written."""


@dataclass(frozen=True)
class WaitingReferral:
    """A referral in the queue, as the intake view shows it."""

    referral_id: int
    partner: str
    external_reference: str
    source: ReferralSource
    received_at: datetime
    referred_at: datetime | None
    incident_type: str | None
    address: str
    point: Coordinate | None
    contact: Contact
    summary: str

    @property
    def label(self) -> str:
        return f"{self.partner} {self.external_reference}"


def _check_against_pack(record: ReferralRecord, pack: OrganisationPack) -> None:
    if record.incident_type is not None:
        try:
            pack.incident_type(record.incident_type)
        except KeyError:
            known = ", ".join(t.code for t in pack.incident_types)
            raise InvalidValue("incident_type", record.incident_type, f"one of {known}, or leave it out") from None
    if record.point is not None and not pack.area.contains(record.point):
        area = pack.area
        raise InvalidValue(
            "location",
            str(record.point),
            f"a point inside the area the organisation serves ({area.south}..{area.north} N, "
            f"{area.west}..{area.east} E)",
        )


def _existing(session: Session, record: ReferralRecord) -> int | None:
    return session.execute(
        select(Referral.id).where(Referral.partner == record.partner, Referral.external_reference == record.reference)
    ).scalar_one_or_none()


def receive_referral(
    session: Session, actor: Actor, record: ReferralRecord, pack: OrganisationPack
) -> ReferralReceived:
    """Put a referral in the assessment queue, once per partner reference.

    Raises ``InvalidValue`` for an incident type the pack does not know or a location outside its
    area (the caller quarantines the record with that reason).
    """
    _check_against_pack(record, pack)
    with transaction(session, actor, Action.RECEIVE_REFERRAL):
        found = _existing(session, record)
        if found is not None:
            return ReferralReceived(found, already_received=True)
        now = database_now(session)
        referral = Referral(
            partner=record.partner,
            external_reference=record.reference,
            source=record.source.value,
            received_at=now,
            referred_at=record.referred_at,
            incident_type=record.incident_type,
            address=record.address,
            lat=record.point.lat if record.point else None,
            lon=record.point.lon if record.point else None,
            contact_name=record.contact.name,
            contact_phone=record.contact.phone,
            contact_organisation=record.contact.organisation,
            summary=record.summary,
            payload=dict(record.payload),
            status=ReferralStatus.WAITING.value,
        )
        session.add(referral)
        session.flush()  # an IntegrityError here: another importer recorded it a moment ago
        audit(
            session,
            actor,
            Action.RECEIVE_REFERRAL,
            "referral",
            referral.id,
            partner=record.partner,
            reference=record.reference,
            source=record.source.value,
        )
        announce(session, actor, Changes.of(referral=referral.id))
        referral_id = referral.id
    return ReferralReceived(referral_id, already_received=False)


def receive_referral_once(
    session: Session, actor: Actor, record: ReferralRecord, pack: OrganisationPack
) -> ReferralReceived:
    """``receive_referral``, where a race with another importer on the same reference is not an error."""
    try:
        return receive_referral(session, actor, record, pack)
    except IntegrityError:
        session.rollback()
        with transaction(session, actor, Action.RECEIVE_REFERRAL):
            found = _existing(session, record)
        if found is None:
            raise
        return ReferralReceived(found, already_received=True)


def _waiting(row: Referral) -> WaitingReferral:
    point = Coordinate(row.lat, row.lon) if row.lat is not None and row.lon is not None else None
    return WaitingReferral(
        referral_id=row.id,
        partner=row.partner,
        external_reference=row.external_reference,
        source=ReferralSource(row.source),
        received_at=row.received_at,
        referred_at=row.referred_at,
        incident_type=row.incident_type,
        address=row.address,
        point=point,
        contact=Contact(row.contact_name, row.contact_phone, row.contact_organisation),
        summary=row.summary,
    )


def waiting_referrals(session: Session, actor: Actor, *, limit: int = 200) -> list[WaitingReferral]:
    """The assessment queue, oldest first."""
    with transaction(session, actor, Action.VIEW_INCIDENTS):
        rows = (
            session.execute(
                select(Referral)
                .where(Referral.status == ReferralStatus.WAITING.value)
                .order_by(Referral.received_at, Referral.id)
                .limit(limit)
            )
            .scalars()
            .all()
        )
        return [_waiting(row) for row in rows]


def waiting_referral(session: Session, actor: Actor, referral_id: int) -> WaitingReferral:
    """One referral of the queue; ``NotFound`` if it is not there or no longer waiting."""
    with transaction(session, actor, Action.VIEW_INCIDENTS):
        row = session.get(Referral, referral_id)
        if row is None or row.status != ReferralStatus.WAITING.value:
            raise NotFound("Waiting referral", referral_id)
        return _waiting(row)
