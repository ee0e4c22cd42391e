"""Use cases on incidents: create one from a referral, add to its log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from supervisor_app.domain import log_codes
from supervisor_app.domain.changes import Changes
from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.incidents import (
    IncidentStatus,
    NewIncident,
    clean_log_text,
    format_incident_reference,
)
from supervisor_app.domain.people import Action, Actor
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.errors import NotFound
from supervisor_app.services.unit_of_work import announce, append_log, audit, database_now, transaction
from supervisor_app.store.models import Incident
from supervisor_app.store.references import next_number


@dataclass(frozen=True)
class IncidentCreated:
    incident_id: int
    reference: str
    created_at: datetime
    changes: Changes


def _check_against_pack(draft: NewIncident, pack: OrganisationPack) -> None:
    try:
        pack.incident_type(draft.incident_type)
    except KeyError:
        raise InvalidValue("incident type", draft.incident_type, "an incident type of the organisation pack") from None
    try:
        pack.priority(draft.priority)
    except KeyError:
        raise InvalidValue("priority", draft.priority, "a priority of the organisation pack") from None
    draft.location.check_within(pack.area)


def add_numbered_incident(
    session: Session,
    actor: Actor,
    draft: NewIncident,
    pack: OrganisationPack,
    *,
    status: IncidentStatus,
    **assessed: object,
) -> Incident:
    """Add the incident row in the current transaction, numbered by the database for its local day
    (``INC-20261123-0042``), stamped with the transaction's time and the actor; ``assessed`` fills
    the assessment columns of an incident saved from intake. Flushed, so its id is known."""
    now = database_now(session)
    local_day = now.astimezone(ZoneInfo(pack.timezone)).date()
    reference = format_incident_reference(local_day, next_number(session, f"INC-{local_day:%Y%m%d}"))
    incident = Incident(
        reference=reference,
        incident_type=draft.incident_type,
        priority=draft.priority,
        status=status.value,
        lat=draft.location.point.lat,
        lon=draft.location.point.lon,
        address=draft.location.address,
        source=draft.source.value,
        contact_name=draft.contact.name,
        contact_phone=draft.contact.phone,
        contact_organisation=draft.contact.organisation,
        summary=draft.summary,
        required_response=[r.as_dict() for r in draft.required_response],
        pack_version=pack.version,
        created_at=now,
        updated_at=now,
        closed_at=now if status is IncidentStatus.CANCELLED else None,
        created_by=actor.username,
        desk=actor.desk,
        changed_by=actor.username,
        changed_desk=actor.desk,
        **assessed,
    )
    session.add(incident)
    session.flush()
    return incident


def create_incident(session: Session, actor: Actor, draft: NewIncident, pack: OrganisationPack) -> IncidentCreated:
    """Record a referred incident and the first line of its log, numbered by the database."""
    _check_against_pack(draft, pack)
    with transaction(session, actor, Action.CREATE_INCIDENT):
        now = database_now(session)
        status = IncidentStatus.AWAITING_RESOURCE if draft.required_response else IncidentStatus.NEW
        incident = add_numbered_incident(session, actor, draft, pack, status=status)
        reference = incident.reference
        entry = append_log(
            session, actor, incident.id, log_codes.INCIDENT_CREATED, f"{draft.source.value}: {draft.summary}"
        )
        audit(session, actor, Action.CREATE_INCIDENT, "incident", incident.id, reference=reference)
        incident_id = incident.id
        changes = Changes.of(incident=incident_id, log_entry=entry.id)
        announce(session, actor, changes)
    return IncidentCreated(incident_id, reference, now, changes)


def add_log_entry(
    session: Session,
    actor: Actor,
    incident_id: int,
    code: str,
    text: str,
    pack: OrganisationPack,
    *,
    occurred_at: datetime | None = None,
) -> Changes:
    """Append a line to an incident's log in the organisation's codes (free text beside the code).

    ``occurred_at`` is when it happened, if earlier than now (a call taken before it was typed);
    the database records separately when it was written.
    """
    try:
        pack.code(code)
    except KeyError:
        raise InvalidValue("log code", code, "a standard code of the organisation pack") from None
    body = clean_log_text(text)
    if occurred_at is not None and occurred_at.tzinfo is None:
        raise InvalidValue("occurred at", occurred_at, "a time with a time zone")
    with transaction(session, actor, Action.ADD_LOG_ENTRY):
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound("Incident", incident_id)
        now = database_now(session)
        if occurred_at is not None and occurred_at > now:
            raise InvalidValue("occurred at", occurred_at.isoformat(), "a time that is not in the future")
        entry = append_log(session, actor, incident_id, code, body, occurred_at=occurred_at)
        session.flush()
        audit(session, actor, Action.ADD_LOG_ENTRY, "incident", incident_id, log_entry=entry.id, code=code)
        changes = Changes.of(incident=incident_id, log_entry=entry.id)
        announce(session, actor, changes)
    return changes
