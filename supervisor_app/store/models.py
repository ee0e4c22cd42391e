"""The tables. Codes (incident types, priorities, capabilities) refer to the organisation pack.

People are recorded by username rather than by a foreign key: users are deactivated, never
deleted, and the record of who did what must outlive any change to an account.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    CheckConstraint,
    Float,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from supervisor_app.domain.complaints import CaseKind, CaseStatus
from supervisor_app.domain.deployments import ACTIVE_DEPLOYMENT_STATUSES, DeploymentStatus
from supervisor_app.domain.external_requests import RequestStatus
from supervisor_app.domain.incidents import IncidentStatus, ReferralSource
from supervisor_app.domain.intake import Validity
from supervisor_app.domain.messages import MessageStatus
from supervisor_app.domain.people import Role
from supervisor_app.domain.referrals import ReferralStatus
from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.domain.shifts import ShiftName
from supervisor_app.store.base import Base, BigId
from supervisor_app.store.types import db_now

USERNAME = String(64)
CODE = String(40)
DESK = String(64)


def _one_of(column: str, values: Iterable[StrEnum], name: str) -> CheckConstraint:
    allowed = ", ".join(f"'{v.value}'" for v in sorted(values, key=lambda v: v.value))
    return CheckConstraint(f"{column} IN ({allowed})", name=name)


HISTORY_STATUSES = (IncidentStatus.CANCELLED.value, IncidentStatus.CLOSED.value)
#: The condition of the history index; SQLite uses the index only for a query that states it with the
#: values written out (services.monitor does).
HISTORY_WHERE = f"status IN ({', '.join(repr(status) for status in HISTORY_STATUSES)})"


def _active_statuses_sql() -> str:
    return ", ".join(f"'{s.value}'" for s in sorted(ACTIVE_DEPLOYMENT_STATUSES, key=lambda s: s.value))


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(USERNAME, unique=True)
    display_name: Mapped[str] = mapped_column(String(120))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(server_default=db_now())
    # Sign-in: an argon2id hash (never the password); failures and lockout are kept here so that
    # every desk honours them.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    password_changed_at: Mapped[datetime | None]
    failed_sign_ins: Mapped[int] = mapped_column(default=0, server_default=text("0"))
    locked_until: Mapped[datetime | None]

    roles: Mapped[list[UserRole]] = relationship(back_populates="user", cascade="all, delete-orphan", lazy="selectin")

    @property
    def role_set(self) -> frozenset[Role]:
        return frozenset(Role(r.role) for r in self.roles)


class UserRole(Base):
    __tablename__ = "user_roles"
    __table_args__ = (_one_of("role", Role, "role_known"),)

    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)

    user: Mapped[User] = relationship(back_populates="roles")


class Station(Base):
    __tablename__ = "stations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(CODE, unique=True)
    name: Mapped[str] = mapped_column(String(120))
    address: Mapped[str] = mapped_column(String(300))
    sector_code: Mapped[str] = mapped_column(CODE)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)


class Resource(Base):
    __tablename__ = "resources"
    __table_args__ = (
        _one_of("status", ResourceStatus, "status_known"),
        CheckConstraint("lat IS NULL OR (lat BETWEEN -90 AND 90)", name="lat_range"),
        CheckConstraint("lon IS NULL OR (lon BETWEEN -180 AND 180)", name="lon_range"),
        Index("ix_resources_status_type", "status", "resource_type"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    call_sign: Mapped[str] = mapped_column(String(8), unique=True)
    resource_type: Mapped[str] = mapped_column(CODE)
    capabilities: Mapped[list[Any]] = mapped_column(default=list)
    station_id: Mapped[int] = mapped_column(ForeignKey("stations.id"))
    shift_pattern: Mapped[str] = mapped_column(String(16), default="24h")
    status: Mapped[str] = mapped_column(String(16), default=ResourceStatus.AVAILABLE.value)
    status_changed_at: Mapped[datetime] = mapped_column(server_default=db_now())
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    position_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)
    changed_by: Mapped[str | None] = mapped_column(USERNAME)  # who made the latest change, from which desk
    changed_desk: Mapped[str | None] = mapped_column(DESK)

    station: Mapped[Station] = relationship()

    __mapper_args__ = {"version_id_col": version}


class Incident(Base):
    __tablename__ = "incidents"
    __table_args__ = (
        _one_of("status", IncidentStatus, "status_known"),
        _one_of("source", ReferralSource, "source_known"),
        CheckConstraint("lat BETWEEN -90 AND 90", name="lat_range"),
        CheckConstraint("lon BETWEEN -180 AND 180", name="lon_range"),
        Index("ix_incidents_status_priority", "status", "priority"),
        Index("ix_incidents_created_at", "created_at"),
        Index("ix_incidents_type_created_at", "incident_type", "created_at"),  # possible duplicates
        _one_of("validity", Validity, "validity_known"),
        # The monitor's history: closed and cancelled incidents newest first, paged by (created_at, id).
        Index(
            "ix_incidents_history",
            "created_at",
            "id",
            sqlite_where=text(HISTORY_WHERE),
            postgresql_where=text(HISTORY_WHERE),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    incident_type: Mapped[str] = mapped_column(CODE)
    priority: Mapped[str] = mapped_column(String(8))
    status: Mapped[str] = mapped_column(String(20), default=IncidentStatus.NEW.value)
    lat: Mapped[float] = mapped_column(Float)
    lon: Mapped[float] = mapped_column(Float)
    address: Mapped[str] = mapped_column(String(300))
    source: Mapped[str] = mapped_column(String(20))
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_phone: Mapped[str] = mapped_column(String(25), default="")
    contact_organisation: Mapped[str] = mapped_column(String(120), default="")
    summary: Mapped[str] = mapped_column(Text)
    required_response: Mapped[list[Any]] = mapped_column(default=list)
    pack_version: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[datetime] = mapped_column(server_default=db_now())
    created_by: Mapped[str] = mapped_column(USERNAME)
    desk: Mapped[str] = mapped_column(DESK)
    updated_at: Mapped[datetime] = mapped_column(server_default=db_now())
    closed_at: Mapped[datetime | None]
    disposition_code: Mapped[str | None] = mapped_column(CODE)
    version: Mapped[int] = mapped_column(default=1)
    changed_by: Mapped[str | None] = mapped_column(USERNAME)  # who made the latest change, from which desk
    changed_desk: Mapped[str | None] = mapped_column(DESK)
    assessment: Mapped[dict[str, Any] | None]
    """The assessment by procedure (domain.intake.assessment_record): the decision path, the
    outcome, any override and its reason, the checks and the advice. None for incidents recorded
    without one (imported history, incidents raised by field units)."""
    computed_priority: Mapped[str | None] = mapped_column(String(8))
    """The priority the procedure gave; differs from ``priority`` when the desk overrode it."""
    override_reason: Mapped[str | None] = mapped_column(Text)
    validity: Mapped[str] = mapped_column(String(12), default=Validity.VALID.value, server_default="valid")
    validity_reason: Mapped[str | None] = mapped_column(Text)

    __mapper_args__ = {"version_id_col": version}


class IncidentLink(Base):
    """Two incidents about the same event (a duplicate referral linked to the first one)."""

    __tablename__ = "incident_links"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    linked_incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(USERNAME)
    desk: Mapped[str] = mapped_column(DESK)


class Referral(Base):
    """A referral from a partner system, waiting in the assessment queue until a desk assesses it.

    ``(partner, external_reference)`` is unique, so a file or message delivered twice is recorded
    once. ``payload`` keeps the record exactly as it arrived.
    """

    __tablename__ = "referrals"
    __table_args__ = (
        UniqueConstraint("partner", "external_reference", name="uq_referrals_partner_reference"),
        _one_of("status", ReferralStatus, "status_known"),
        _one_of("source", ReferralSource, "source_known"),
        Index("ix_referrals_status_received_at", "status", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    partner: Mapped[str] = mapped_column(String(60))
    external_reference: Mapped[str] = mapped_column(String(80))
    source: Mapped[str] = mapped_column(String(20))
    received_at: Mapped[datetime]
    referred_at: Mapped[datetime | None]
    incident_type: Mapped[str | None] = mapped_column(CODE)
    address: Mapped[str] = mapped_column(String(300), default="")
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    contact_name: Mapped[str] = mapped_column(String(120), default="")
    contact_phone: Mapped[str] = mapped_column(String(25), default="")
    contact_organisation: Mapped[str] = mapped_column(String(120), default="")
    summary: Mapped[str] = mapped_column(Text)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)
    status: Mapped[str] = mapped_column(String(12), default=ReferralStatus.WAITING.value)
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    assessed_by: Mapped[str | None] = mapped_column(USERNAME)
    assessed_desk: Mapped[str | None] = mapped_column(DESK)
    assessed_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Message(Base):
    """An outbound message, stored before it is sent and kept for good (domain.messages).

    The dispatcher sends queued messages whose ``next_attempt_at`` has come, and records the
    channel's answer: sent (with the provider's reference), failed (with the error, and when to try
    again), or, for voice, passed by the supervisor. Acknowledgements arrive later.
    """

    __tablename__ = "messages"
    __table_args__ = (
        _one_of("status", MessageStatus, "status_known"),
        Index("ix_messages_status_next_attempt_at", "status", "next_attempt_at"),
        Index("ix_messages_deployment_id", "deployment_id"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    deployment_id: Mapped[int | None] = mapped_column(ForeignKey("deployments.id"))
    purpose: Mapped[str] = mapped_column(String(20))
    channel: Mapped[str] = mapped_column(CODE)
    recipient: Mapped[str] = mapped_column(String(120))
    subject: Mapped[str] = mapped_column(String(300), default="")
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=MessageStatus.QUEUED.value)
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    provider_reference: Mapped[str | None] = mapped_column(String(120))
    created_at: Mapped[datetime]
    created_by: Mapped[str] = mapped_column(USERNAME)
    desk: Mapped[str] = mapped_column(DESK)
    next_attempt_at: Mapped[datetime | None]
    sent_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class LogEntry(Base):
    """One line of an incident's log. Append-only: the database refuses updates and deletes."""

    __tablename__ = "incident_log"
    __table_args__ = (
        Index("ix_incident_log_incident", "incident_id", "id"),
        Index("ix_incident_log_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    occurred_at: Mapped[datetime]
    recorded_at: Mapped[datetime] = mapped_column(server_default=db_now())
    author: Mapped[str] = mapped_column(USERNAME)
    desk: Mapped[str] = mapped_column(DESK)
    code: Mapped[str] = mapped_column(CODE)
    text: Mapped[str] = mapped_column(Text, default="")


class Deployment(Base):
    __tablename__ = "deployments"
    __table_args__ = (
        _one_of("status", DeploymentStatus, "status_known"),
        Index("ix_deployments_incident", "incident_id"),
        # At most one live deployment per resource, whatever any desk does.
        Index(
            "uq_deployments_active_resource",
            "resource_id",
            unique=True,
            sqlite_where=text(f"status IN ({_active_statuses_sql()})"),
            postgresql_where=text(f"status IN ({_active_statuses_sql()})"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    resource_id: Mapped[int] = mapped_column(ForeignKey("resources.id"))
    required_response: Mapped[str] = mapped_column(Text, default="")
    channel: Mapped[str] = mapped_column(CODE)
    status: Mapped[str] = mapped_column(String(16), default=DeploymentStatus.REQUESTED.value)
    requested_at: Mapped[datetime] = mapped_column(server_default=db_now())
    acknowledged_at: Mapped[datetime | None]
    en_route_at: Mapped[datetime | None]
    on_scene_at: Mapped[datetime | None]
    cleared_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    requested_by: Mapped[str] = mapped_column(USERNAME)
    desk: Mapped[str] = mapped_column(DESK)
    version: Mapped[int] = mapped_column(default=1)

    resource: Mapped[Resource] = relationship()

    __mapper_args__ = {"version_id_col": version}


class ExternalRequest(Base):
    """A request made of another organisation the pack authorises, by one of its channels, and the
    answer recorded: accepted (with their reference) or declined."""

    __tablename__ = "external_requests"
    __table_args__ = (
        _one_of("status", RequestStatus, "status_known"),
        Index("ix_external_requests_incident", "incident_id"),
        Index("ix_external_requests_status", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    organisation: Mapped[str] = mapped_column(CODE)
    request: Mapped[str] = mapped_column(CODE)
    channel: Mapped[str] = mapped_column(CODE)
    recipient: Mapped[str] = mapped_column(String(120))
    reason: Mapped[str] = mapped_column(Text)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    status: Mapped[str] = mapped_column(String(12), default=RequestStatus.REQUESTED.value)
    requested_at: Mapped[datetime]
    requested_by: Mapped[str] = mapped_column(USERNAME)
    desk: Mapped[str] = mapped_column(DESK)
    their_reference: Mapped[str | None] = mapped_column(String(80))
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[str | None] = mapped_column(USERNAME)
    answer: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class Escalation(Base):
    """An incident raised to the duty manager or another organisation, by a rule of the pack or the
    supervisor's judgement, with the reason, tracked until accepted (or declined)."""

    __tablename__ = "escalations"
    __table_args__ = (
        _one_of("status", RequestStatus, "status_known"),
        Index("ix_escalations_incident", "incident_id"),
        Index("ix_escalations_status", "status"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    rule_code: Mapped[str | None] = mapped_column(CODE)
    """The pack's rule that proposed it; None when the supervisor escalated on their own judgement."""
    target: Mapped[str] = mapped_column(CODE)
    """``duty_manager`` or the code of an external organisation."""
    reason: Mapped[str] = mapped_column(Text)
    channel: Mapped[str] = mapped_column(CODE)
    message_id: Mapped[int | None] = mapped_column(ForeignKey("messages.id"))
    external_request_id: Mapped[int | None] = mapped_column(ForeignKey("external_requests.id"))
    status: Mapped[str] = mapped_column(String(12), default=RequestStatus.REQUESTED.value)
    requested_at: Mapped[datetime]
    requested_by: Mapped[str] = mapped_column(USERNAME)
    desk: Mapped[str] = mapped_column(DESK)
    answered_at: Mapped[datetime | None]
    answered_by: Mapped[str | None] = mapped_column(USERNAME)
    """Who recorded the answer: the duty manager at a desk, or the supervisor told by telephone."""
    answered_name: Mapped[str | None] = mapped_column(String(120))
    """Who accepted or declined it, as they gave their name."""
    answer: Mapped[str | None] = mapped_column(Text)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class AlertAcknowledgement(Base):
    """A breach or near-breach alert that a person has acknowledged. Alerts themselves are worked
    out by every desk from the incidents and the pack's targets (domain.alerts); only who
    acknowledged which alert, and when, is stored, so every desk agrees. The key is the alert's own,
    so two desks acknowledging at once record it once."""

    __tablename__ = "alert_acknowledgements"
    __table_args__ = (Index("ix_alert_acknowledgements_incident", "incident_id"),)

    alert_key: Mapped[str] = mapped_column(String(120), primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"))
    deployment_id: Mapped[int | None] = mapped_column(ForeignKey("deployments.id"))
    kind: Mapped[str] = mapped_column(String(20))
    level: Mapped[str] = mapped_column(String(8))
    acknowledged_at: Mapped[datetime]
    acknowledged_by: Mapped[str] = mapped_column(USERNAME)
    desk: Mapped[str] = mapped_column(DESK)
    note: Mapped[str] = mapped_column(Text, default="")


class Shift(Base):
    __tablename__ = "shifts"
    __table_args__ = (
        _one_of("name", ShiftName, "name_known"),
        Index("ix_shifts_starts_at", "starts_at", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(8))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    lead: Mapped[str | None] = mapped_column(USERNAME)


class Case(Base):
    """A complaint or a query about how an incident was handled."""

    __tablename__ = "cases"
    __table_args__ = (
        _one_of("kind", CaseKind, "kind_known"),
        _one_of("status", CaseStatus, "status_known"),
        Index("ix_cases_status_respond_by", "status", "respond_by"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)
    kind: Mapped[str] = mapped_column(String(12))
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id"))
    received_at: Mapped[datetime]
    channel: Mapped[str] = mapped_column(String(20))
    complainant: Mapped[str] = mapped_column(String(120))
    summary: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16), default=CaseStatus.RECEIVED.value)
    acknowledge_by: Mapped[datetime]
    respond_by: Mapped[datetime]
    statutory_by: Mapped[datetime | None]
    owner: Mapped[str | None] = mapped_column(USERNAME)
    acknowledged_at: Mapped[datetime | None]
    responded_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    outcome: Mapped[str | None] = mapped_column(Text)


class AuditEvent(Base):
    """Who did what, from which desk, when (database clock). Append-only, like the log."""

    __tablename__ = "audit_events"
    __table_args__ = (
        Index("ix_audit_events_entity", "entity_kind", "entity_id"),
        Index("uq_audit_events_chain_seq", "chain_seq", unique=True),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(server_default=db_now())
    actor: Mapped[str] = mapped_column(USERNAME)
    desk: Mapped[str] = mapped_column(DESK)
    action: Mapped[str] = mapped_column(String(40))
    entity_kind: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[int | None] = mapped_column(BigId)
    detail: Mapped[dict[str, Any]] = mapped_column(default=dict)
    # The hash chain (domain.audit_chain): place in the chain, the previous event's hash, this one's.
    # Filled when the writing transaction is sealed; an event without them was not written by the desk.
    chain_seq: Mapped[int | None] = mapped_column(BigId)
    prev_hash: Mapped[str | None] = mapped_column(String(64))
    hash: Mapped[str | None] = mapped_column(String(64))


class ReferenceCounter(Base):
    """Per-day numbering of references (``INC-20261123`` -> 42). Incremented in the creating
    transaction with an atomic upsert, so two desks can never draw the same number."""

    __tablename__ = "reference_counters"

    scope: Mapped[str] = mapped_column(String(24), primary_key=True)
    last_value: Mapped[int]


class ChangeRecord(Base):
    """One committed transaction's changes: which ids of which kinds, never the data.

    ``seq`` is drawn from a counter row at the end of the writing transaction; the row lock
    orders commits by ``seq``, so a desk that has seen ``seq`` N has seen everything before it.
    """

    __tablename__ = "changes"
    __table_args__ = (Index("ix_changes_committed_at", "committed_at"),)

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    committed_at: Mapped[datetime]
    actor: Mapped[str] = mapped_column(USERNAME)
    desk: Mapped[str] = mapped_column(DESK)
    payload: Mapped[dict[str, Any]] = mapped_column(default=dict)


class DeskPresence(Base):
    """A desk on line: who is signed in there, and when it last said it was alive."""

    __tablename__ = "desks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(DESK, unique=True)
    username: Mapped[str] = mapped_column(USERNAME)
    host: Mapped[str] = mapped_column(String(255), default="")
    started_at: Mapped[datetime]
    heartbeat_at: Mapped[datetime]


class IncidentClaim(Base):
    """An incident a supervisor is working on; lapses when the desk holding it goes silent."""

    __tablename__ = "incident_claims"

    incident_id: Mapped[int] = mapped_column(ForeignKey("incidents.id"), primary_key=True)
    desk_id: Mapped[int] = mapped_column(ForeignKey("desks.id", ondelete="CASCADE"))
    username: Mapped[str] = mapped_column(USERNAME)
    claimed_at: Mapped[datetime]
