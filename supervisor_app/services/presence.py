"""Presence and claims: which desks are on line, and who is working on which incident.

A desk registers when it opens, says it is alive every few seconds (:func:`heartbeat`, which is
deliberately not announced on the change feed: desks reread presence on their own heartbeat) and
leaves when it closes. A supervisor claims an incident to show every other desk that it is in
hand; the claim lapses by itself when the desk holding it goes silent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import case, delete, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from supervisor_app.domain.changes import Changes
from supervisor_app.domain.errors import DomainError
from supervisor_app.domain.incidents import OPEN_INCIDENT_STATUSES
from supervisor_app.domain.people import Action, Actor
from supervisor_app.domain.presence import SILENT_AFTER, is_present
from supervisor_app.services.errors import Conflict, NotFound
from supervisor_app.services.sign_in import SIGNED_OUT
from supervisor_app.services.unit_of_work import announce, audit, database_now, record_event, transaction
from supervisor_app.store.models import DeskPresence, Incident, IncidentClaim


@dataclass(frozen=True)
class DeskRow:
    id: int
    name: str
    username: str
    host: str
    started_at: datetime
    heartbeat_at: datetime


@dataclass(frozen=True)
class ClaimRow:
    incident_id: int
    reference: str
    desk: str
    username: str
    claimed_at: datetime
    desk_heartbeat_at: datetime


@dataclass(frozen=True)
class Presence:
    """Desks and claims as read at ``as_of`` (the database clock)."""

    as_of: datetime
    desks: tuple[DeskRow, ...] = ()
    claims: tuple[ClaimRow, ...] = ()

    def present_desks(self, now: datetime | None = None, silent_after: timedelta = SILENT_AFTER) -> list[DeskRow]:
        at = now or self.as_of
        return [desk for desk in self.desks if is_present(desk.heartbeat_at, at, silent_after)]

    def live_claims(self, now: datetime | None = None, silent_after: timedelta = SILENT_AFTER) -> list[ClaimRow]:
        at = now or self.as_of
        return [claim for claim in self.claims if is_present(claim.desk_heartbeat_at, at, silent_after)]

    def same_as(self, other: Presence | None) -> bool:
        """The same desks and claims (ignoring only when it was read)."""
        return other is not None and (self.desks, self.claims) == (other.desks, other.claims)


def _desk_id(session: Session, actor: Actor) -> int | None:
    return session.scalar(select(DeskPresence.id).where(DeskPresence.name == actor.desk))


def register_desk(session: Session, actor: Actor, host: str = "") -> int:
    """This desk is on line (again): any claims left from its last run are dropped."""
    with transaction(session, actor, Action.VIEW_INCIDENTS):
        now = database_now(session)
        desk = session.scalars(select(DeskPresence).where(DeskPresence.name == actor.desk)).one_or_none()
        dropped: list[int] = []
        if desk is None:
            desk = DeskPresence(name=actor.desk, username=actor.username, host=host, started_at=now, heartbeat_at=now)
            session.add(desk)
        else:
            dropped = list(session.scalars(select(IncidentClaim.incident_id).where(IncidentClaim.desk_id == desk.id)))
            session.execute(delete(IncidentClaim).where(IncidentClaim.desk_id == desk.id))
            desk.username, desk.host, desk.started_at, desk.heartbeat_at = actor.username, host, now, now
        session.flush()
        audit(session, actor, Action.VIEW_INCIDENTS, "desk", desk.id, event="desk on line", host=host)
        announce(session, actor, Changes.of(desk=desk.id, claim=dropped))
        return desk.id


def heartbeat(session: Session, actor: Actor) -> bool:
    """Say this desk is alive; False if it is no longer registered (it should register again)."""
    with transaction(session, actor, Action.VIEW_INCIDENTS):
        result = session.execute(
            update(DeskPresence)
            .where(DeskPresence.name == actor.desk, DeskPresence.username == actor.username)
            .values(heartbeat_at=database_now(session))
        )
        return bool(result.rowcount)  # type: ignore[attr-defined]


def leave_desk(session: Session, actor: Actor) -> None:
    """This desk is closing: it leaves the list and its claims go with it."""
    with transaction(session, actor, Action.VIEW_INCIDENTS):
        desk_id = _desk_id(session, actor)
        if desk_id is None:
            return
        dropped = list(session.scalars(select(IncidentClaim.incident_id).where(IncidentClaim.desk_id == desk_id)))
        session.execute(delete(IncidentClaim).where(IncidentClaim.desk_id == desk_id))
        session.execute(delete(DeskPresence).where(DeskPresence.id == desk_id))
        audit(session, actor, Action.VIEW_INCIDENTS, "desk", desk_id, event="desk closed")
        announce(session, actor, Changes.of(desk=desk_id, claim=dropped))


def hand_over_desk(session: Session, outgoing: Actor, incoming: Actor) -> list[int]:
    """A shift hand-over at a desk that stays open: ``incoming`` (just signed in) takes the desk
    and the incidents it has claimed; ``outgoing``'s session ends. Returns the incidents handed over.
    """
    if incoming.desk != outgoing.desk:
        raise DomainError(f"{incoming.username} signed in at desk {incoming.desk}, not at {outgoing.desk}.")
    with transaction(session, incoming, Action.VIEW_INCIDENTS):
        now = database_now(session)
        desk_id = _desk_id(session, incoming)
        handed: list[int] = []
        if desk_id is not None:
            handed = list(session.scalars(select(IncidentClaim.incident_id).where(IncidentClaim.desk_id == desk_id)))
            session.execute(
                update(IncidentClaim).where(IncidentClaim.desk_id == desk_id).values(username=incoming.username)
            )
            session.execute(
                update(DeskPresence)
                .where(DeskPresence.id == desk_id)
                .values(username=incoming.username, heartbeat_at=now)
            )
        record_event(session, outgoing, SIGNED_OUT, "user", outgoing.user_id, reason="hand-over", to=incoming.username)
        audit(
            session,
            incoming,
            Action.VIEW_INCIDENTS,
            "desk",
            desk_id,
            event="desk handed over",
            by=outgoing.username,
            incidents=handed,
        )
        session.flush()
        announce(session, incoming, Changes.of(desk=[desk_id] if desk_id is not None else [], claim=handed))
        return handed


def claim_incident(
    session: Session, actor: Actor, incident_id: int, *, timezone: str, silent_after: timedelta = SILENT_AFTER
) -> None:
    """Show every desk that ``actor`` is working on the incident.

    One atomic upsert takes the claim if it is free, already this desk's, or held by a desk that
    has gone silent; otherwise the refusal says who has it, from which desk, since when.
    """
    with transaction(session, actor, Action.CLAIM_INCIDENT):
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound("Incident", incident_id)
        if incident.status not in {s.value for s in OPEN_INCIDENT_STATUSES}:
            raise DomainError(f"{incident.reference} is {incident.status}; only open incidents are claimed.")
        desk_id = _desk_id(session, actor)
        if desk_id is None:
            raise DomainError(f"Desk {actor.desk} is not on line; reopen the desk and try again.")
        now = database_now(session)
        silent_desks = select(DeskPresence.id).where(DeskPresence.heartbeat_at < now - silent_after)
        insert = postgresql.insert if session.get_bind().dialect.name == "postgresql" else sqlite.insert
        upsert = insert(IncidentClaim).values(
            incident_id=incident_id, desk_id=desk_id, username=actor.username, claimed_at=now
        )
        claim = upsert.on_conflict_do_update(
            index_elements=[IncidentClaim.incident_id],
            set_={
                "desk_id": desk_id,
                "username": actor.username,
                # Claiming again from the same desk keeps the time it was first taken up.
                "claimed_at": case((IncidentClaim.desk_id == desk_id, IncidentClaim.claimed_at), else_=now),
            },
            where=(IncidentClaim.desk_id == desk_id) | IncidentClaim.desk_id.in_(silent_desks),
        ).returning(IncidentClaim.incident_id)
        if session.execute(claim).first() is None:
            holder = session.execute(
                select(IncidentClaim.username, DeskPresence.name, IncidentClaim.claimed_at)
                .join(DeskPresence, DeskPresence.id == IncidentClaim.desk_id)
                .where(IncidentClaim.incident_id == incident_id)
            ).one()
            since = holder.claimed_at.astimezone(ZoneInfo(timezone))
            raise Conflict(
                f"{incident.reference} is being worked on by {holder.username} at desk {holder.name} "
                f"since {since:%H:%M:%S}. Speak to them before acting on it."
            )
        audit(session, actor, Action.CLAIM_INCIDENT, "incident", incident_id, reference=incident.reference)
        announce(session, actor, Changes.of(claim=incident_id))


def release_incident(session: Session, actor: Actor, incident_id: int) -> bool:
    """Put an incident down; False if this desk did not hold it."""
    with transaction(session, actor, Action.CLAIM_INCIDENT):
        desk_id = _desk_id(session, actor)
        result = session.execute(
            delete(IncidentClaim).where(IncidentClaim.incident_id == incident_id, IncidentClaim.desk_id == desk_id)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            return False
        audit(session, actor, Action.CLAIM_INCIDENT, "incident", incident_id, event="released")
        announce(session, actor, Changes.of(claim=incident_id))
        return True


def load_presence(session: Session, actor: Actor) -> Presence:
    with transaction(session, actor, Action.VIEW_INCIDENTS):
        desks = session.execute(select(DeskPresence).order_by(DeskPresence.name)).scalars().all()
        claims = session.execute(
            select(
                IncidentClaim.incident_id,
                Incident.reference,
                DeskPresence.name,
                IncidentClaim.username,
                IncidentClaim.claimed_at,
                DeskPresence.heartbeat_at,
            )
            .join(Incident, Incident.id == IncidentClaim.incident_id)
            .join(DeskPresence, DeskPresence.id == IncidentClaim.desk_id)
            .order_by(IncidentClaim.incident_id)
        ).all()
        return Presence(
            as_of=database_now(session),
            desks=tuple(DeskRow(d.id, d.name, d.username, d.host, d.started_at, d.heartbeat_at) for d in desks),
            claims=tuple(ClaimRow(row[0], row[1], row[2], row[3], row[4], row[5]) for row in claims),
        )
