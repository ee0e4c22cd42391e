"""One incident in full, as the desk's detail view shows it, read in one transaction.

``load_incident_detail`` gathers the incident, its log as a timeline, its deployments, messages,
requests to other organisations, escalations, the assessment by procedure, the linked incidents,
and what the pure rules make of them at the database's now: the target clocks
(``domain.clocks``), the alerts in force with who acknowledged them (``domain.alerts``), the
escalations the pack's rules propose (``domain.escalation``) and whether the procedure's steps were
followed (``domain.decision_path_check``).

The clock helpers here (``incident_times``, ``deployment_times``, ``latest_log_times``,
``clocks_of``) are shared with the incident monitor and the alert service, so every view counts
the same clocks from the same rows.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any, Protocol
from zoneinfo import ZoneInfo

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from supervisor_app.domain.alerts import Alert, alerts_at
from supervisor_app.domain.clocks import Clock, DeploymentTimes, IncidentTimes, TargetTimes, incident_clocks
from supervisor_app.domain.decision_path_check import DecisionPathReport, check_decision_path
from supervisor_app.domain.errors import DomainError
from supervisor_app.domain.escalation import EscalationProposal, EscalationRuleSpec, proposed_escalations
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.incidents import ResponseRequirement
from supervisor_app.domain.people import Action, Actor
from supervisor_app.domain.procedures import DecisionPath, Procedure
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.deployment_queue import requirements_of
from supervisor_app.services.errors import NotFound
from supervisor_app.services.escalations import EscalationRow, escalation_row
from supervisor_app.services.external_requests import ExternalRequestRow, external_request_row
from supervisor_app.services.unit_of_work import database_now, transaction
from supervisor_app.store.models import (
    AlertAcknowledgement,
    Deployment,
    Escalation,
    ExternalRequest,
    Incident,
    IncidentLink,
    LogEntry,
    Message,
    Resource,
)


class IncidentClockFacts(Protocol):
    """What the clocks of an incident are counted from (an incident row, or the columns read of it)."""

    @property
    def id(self) -> int: ...
    @property
    def reference(self) -> str: ...
    @property
    def incident_type(self) -> str: ...
    @property
    def priority(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def created_at(self) -> datetime: ...
    @property
    def updated_at(self) -> datetime: ...
    @property
    def closed_at(self) -> datetime | None: ...
    @property
    def required_response(self) -> list[Any]: ...


def incident_times(
    incident: IncidentClockFacts, deployments: Iterable[DeploymentTimes], last_log_at: datetime | None
) -> IncidentTimes:
    """The incident's clock facts: its latest update is its latest log entry (or, with none, when
    the row was last updated); an empty required response means no one has to attend."""
    return IncidentTimes(
        incident_id=incident.id,
        reference=incident.reference,
        incident_type=incident.incident_type,
        priority=incident.priority,
        status=incident.status,
        created_at=incident.created_at,
        last_update_at=last_log_at if last_log_at is not None else incident.updated_at,
        closed_at=incident.closed_at,
        deployments=tuple(deployments),
        attendance_required=bool(incident.required_response),
    )


def target_times(pack: OrganisationPack, incident_type: str, priority: str) -> TargetTimes | None:
    """The pack's targets for the type at the priority; None for a type or priority it no longer has."""
    try:
        targets = pack.targets_for(incident_type, priority)
    except KeyError:
        return None
    return TargetTimes.from_seconds(targets.acknowledge, targets.on_scene, targets.update_interval, targets.resolution)


def clocks_of(times: IncidentTimes, pack: OrganisationPack) -> tuple[Clock, ...]:
    """Every clock of the incident against the pack's targets (none when the pack has no targets for it)."""
    targets = target_times(pack, times.incident_type, times.priority)
    return () if targets is None else incident_clocks(times, targets)


def escalation_rule_specs(pack: OrganisationPack) -> tuple[EscalationRuleSpec, ...]:
    """The pack's escalation rules as the domain reads them, in the pack's order."""
    return tuple(
        EscalationRuleSpec(
            code=rule.code,
            description=rule.description,
            target=rule.target,
            priorities=frozenset(rule.conditions.priorities),
            incident_types=frozenset(rule.conditions.incident_types),
            minutes_without_resource=rule.conditions.minutes_without_resource,
            minutes_past_target=rule.conditions.minutes_past_target,
        )
        for rule in pack.escalation_rules
    )


def deployment_times(session: Session, *conditions: ColumnElement[bool]) -> dict[int, list[DeploymentTimes]]:
    """The deployments that meet ``conditions``, with their call signs, by incident, in request order
    (one query)."""
    rows = session.execute(
        select(
            Deployment.incident_id,
            Deployment.id,
            Resource.call_sign,
            Deployment.status,
            Deployment.requested_at,
            Deployment.acknowledged_at,
            Deployment.en_route_at,
            Deployment.on_scene_at,
            Deployment.cleared_at,
            Deployment.cancelled_at,
        )
        .join(Resource, Resource.id == Deployment.resource_id)
        .where(*conditions)
        .order_by(Deployment.requested_at, Deployment.id)
    ).all()
    found: dict[int, list[DeploymentTimes]] = {}
    for incident_id, *times in rows:
        found.setdefault(incident_id, []).append(DeploymentTimes(*times))
    return found


def latest_log_times(session: Session, *conditions: ColumnElement[bool]) -> dict[int, datetime]:
    """When the latest log entry of each incident whose entries meet ``conditions`` happened (one
    GROUP BY query)."""
    rows = session.execute(
        select(LogEntry.incident_id, func.max(LogEntry.occurred_at)).where(*conditions).group_by(LogEntry.incident_id)
    ).all()
    return {incident_id: latest for incident_id, latest in rows}


def read_incident_times(session: Session, incident: Incident) -> IncidentTimes:
    """The clock facts of one incident, read in the caller's transaction."""
    deployments = deployment_times(session, Deployment.incident_id == incident.id).get(incident.id, [])
    return incident_times(incident, deployments, latest_log_times(session, LogEntry.incident_id == incident.id).get(
        incident.id))


@lru_cache(maxsize=16_384)
def sector_name(pack: OrganisationPack, lat: float, lon: float) -> str:
    """The name of the pack's sector holding the point ("" outside every sector); remembered, since
    incidents come again and again from the same addresses and a polygon test is not free."""
    sector = pack.sector_at(Coordinate(lat, lon))
    return "" if sector is None else sector.name


@dataclass(frozen=True)
class AlertAcknowledged:
    """Who acknowledged an alert, when, at which desk, and what they noted."""

    alert_key: str
    incident_id: int
    deployment_id: int | None
    kind: str
    level: str
    acknowledged_at: datetime
    acknowledged_by: str
    desk: str
    note: str


def acknowledgements(session: Session, *conditions: ColumnElement[bool]) -> dict[str, AlertAcknowledged]:
    """The acknowledgements that meet ``conditions``, by alert key."""
    rows = session.scalars(select(AlertAcknowledgement).where(*conditions)).all()
    return {
        row.alert_key: AlertAcknowledged(
            row.alert_key, row.incident_id, row.deployment_id, row.kind, row.level, row.acknowledged_at,
            row.acknowledged_by, row.desk, row.note,
        )
        for row in rows
    }


@dataclass(frozen=True)
class IncidentRecord:
    """The incident itself, with the pack's names for its codes."""

    incident_id: int
    reference: str
    incident_type: str
    type_name: str
    priority: str
    priority_name: str
    priority_colour: str
    status: str
    address: str
    lat: float
    lon: float
    sector: str
    source: str
    contact_name: str
    contact_phone: str
    contact_organisation: str
    summary: str
    created_at: datetime
    created_by: str
    desk: str
    updated_at: datetime
    closed_at: datetime | None
    disposition_code: str | None
    disposition_name: str
    required_response: tuple[ResponseRequirement, ...]
    computed_priority: str | None
    override_reason: str | None
    validity: str
    validity_reason: str | None
    version: int
    changed_by: str | None
    changed_desk: str | None


@dataclass(frozen=True)
class TimelineEntry:
    entry_id: int
    occurred_at: datetime
    recorded_at: datetime
    author: str
    desk: str
    code: str
    label: str
    text: str


@dataclass(frozen=True)
class DeploymentView:
    deployment_id: int
    call_sign: str
    resource_type: str
    channel: str
    status: str
    required_response: str
    requested_at: datetime
    acknowledged_at: datetime | None
    en_route_at: datetime | None
    on_scene_at: datetime | None
    cleared_at: datetime | None
    cancelled_at: datetime | None
    requested_by: str
    desk: str


@dataclass(frozen=True)
class MessageView:
    message_id: int
    about: str
    """The deployment's call sign, or what the message was for (``external request``, ``escalation``)."""
    channel: str
    recipient: str
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime
    sent_at: datetime | None
    acknowledged_at: datetime | None


@dataclass(frozen=True)
class AnsweredQuestion:
    question: str
    answer: str


@dataclass(frozen=True)
class AssessmentView:
    """The assessment by procedure as recorded, with its decision path readable."""

    record: Mapping[str, Any]
    questions: tuple[AnsweredQuestion, ...]
    outcome: str
    overridden: bool
    override_reason: str


@dataclass(frozen=True)
class LinkedIncident:
    incident_id: int
    reference: str
    reason: str
    linked_from_here: bool
    """True when this incident was linked to the other; False when the other was linked to this one."""


@dataclass(frozen=True)
class AlertView:
    alert: Alert
    acknowledged: AlertAcknowledged | None


@dataclass(frozen=True)
class IncidentDetail:
    incident: IncidentRecord
    timeline: tuple[TimelineEntry, ...]
    deployments: tuple[DeploymentView, ...]
    messages: tuple[MessageView, ...]
    external_requests: tuple[ExternalRequestRow, ...]
    escalations: tuple[EscalationRow, ...]
    assessment: AssessmentView | None
    links: tuple[LinkedIncident, ...]
    clocks: tuple[Clock, ...]
    alerts: tuple[AlertView, ...]
    escalation_proposals: tuple[EscalationProposal, ...]
    decision_path: DecisionPathReport
    read_at: datetime


def _record(incident: Incident, pack: OrganisationPack) -> IncidentRecord:
    def named(lookup: Any, code: str | None, attribute: str = "name") -> str:
        try:
            return str(getattr(lookup(code), attribute)) if code else ""
        except KeyError:  # a code the pack no longer has: shown as recorded
            return code or ""

    return IncidentRecord(
        incident.id, incident.reference, incident.incident_type, named(pack.incident_type, incident.incident_type),
        incident.priority, named(pack.priority, incident.priority), named(pack.priority, incident.priority, "colour"),
        incident.status, incident.address, incident.lat, incident.lon, sector_name(pack, incident.lat, incident.lon),
        incident.source, incident.contact_name, incident.contact_phone, incident.contact_organisation,
        incident.summary, incident.created_at, incident.created_by, incident.desk, incident.updated_at,
        incident.closed_at, incident.disposition_code, named(pack.disposition, incident.disposition_code),
        requirements_of(incident.required_response), incident.computed_priority, incident.override_reason,
        incident.validity, incident.validity_reason, incident.version, incident.changed_by, incident.changed_desk,
    )


def _assessment(record: Mapping[str, Any] | None) -> AssessmentView | None:
    if record is None:
        return None
    try:
        path = DecisionPath.from_dict(record.get("path"))
        questions = tuple(AnsweredQuestion(step.question, step.displayed) for step in path.steps)
    except DomainError:
        questions = ()  # the decision path check says why it cannot be read
    recorded = record.get("outcome")
    outcome: Mapping[str, Any] = recorded if isinstance(recorded, Mapping) else {}
    override = record.get("override")
    reason = str(override.get("reason") or "") if isinstance(override, Mapping) else ""
    return AssessmentView(record, questions, str(outcome.get("title") or outcome.get("id") or ""),
                          isinstance(override, Mapping), reason)


def _procedure_recorded(pack: OrganisationPack, incident: Incident) -> Procedure | None:
    """The pack's procedure for the incident's type when it is the version the assessment followed."""
    path = (incident.assessment or {}).get("path")
    procedure = pack.procedures.get(incident.incident_type)
    if procedure is None or not isinstance(path, Mapping) or path.get("procedure_version") != procedure.version:
        return None
    return procedure


def _links(session: Session, incident_id: int) -> tuple[LinkedIncident, ...]:
    outgoing = session.execute(
        select(IncidentLink.linked_incident_id, Incident.reference, IncidentLink.reason)
        .join(Incident, Incident.id == IncidentLink.linked_incident_id)
        .where(IncidentLink.incident_id == incident_id)
    ).all()
    incoming = session.execute(
        select(IncidentLink.incident_id, Incident.reference, IncidentLink.reason)
        .join(Incident, Incident.id == IncidentLink.incident_id)
        .where(IncidentLink.linked_incident_id == incident_id)
    ).all()
    return tuple(LinkedIncident(other, ref, reason, True) for other, ref, reason in outgoing) + tuple(
        LinkedIncident(other, ref, reason, False) for other, ref, reason in incoming
    )


def _messages(session: Session, incident_id: int) -> tuple[MessageView, ...]:
    rows = session.execute(
        select(Message, Resource.call_sign)
        .outerjoin(Deployment, Deployment.id == Message.deployment_id)
        .outerjoin(Resource, Resource.id == Deployment.resource_id)
        .where(Message.incident_id == incident_id)
        .order_by(Message.id)
    ).all()
    return tuple(
        MessageView(m.id, call_sign or m.purpose.replace("_", " "), m.channel, m.recipient, m.status, m.attempts,
                    m.last_error, m.created_at, m.sent_at, m.acknowledged_at)
        for m, call_sign in rows
    )


def _deployments(session: Session, incident_id: int) -> tuple[DeploymentView, ...]:
    rows = session.execute(
        select(Deployment, Resource.call_sign, Resource.resource_type)
        .join(Resource, Resource.id == Deployment.resource_id)
        .where(Deployment.incident_id == incident_id)
        .order_by(Deployment.requested_at, Deployment.id)
    ).all()
    return tuple(
        DeploymentView(d.id, call_sign, resource_type, d.channel, d.status, d.required_response, d.requested_at,
                       d.acknowledged_at, d.en_route_at, d.on_scene_at, d.cleared_at, d.cancelled_at,
                       d.requested_by, d.desk)
        for d, call_sign, resource_type in rows
    )


def _timeline(session: Session, incident_id: int, pack: OrganisationPack) -> tuple[TimelineEntry, ...]:
    entries = session.scalars(
        select(LogEntry).where(LogEntry.incident_id == incident_id).order_by(LogEntry.occurred_at, LogEntry.id)
    ).all()
    labels = {code.code: code.label for code in pack.log_codes}
    return tuple(
        TimelineEntry(e.id, e.occurred_at, e.recorded_at, e.author, e.desk, e.code, labels.get(e.code, e.code), e.text)
        for e in entries
    )


def load_incident_detail(session: Session, actor: Actor, incident_id: int, pack: OrganisationPack) -> IncidentDetail:
    """The incident in full, and its clocks, alerts, proposed escalations and decision-path check at
    the database's now (see the module doc)."""
    with transaction(session, actor, Action.VIEW_INCIDENTS):
        if session.get_bind().dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        incident = session.get(Incident, incident_id)
        if incident is None:
            raise NotFound("Incident", incident_id)
        now = database_now(session)
        timeline = _timeline(session, incident_id, pack)
        deployments = _deployments(session, incident_id)
        requests = tuple(
            external_request_row(row, pack)
            for row in session.scalars(
                select(ExternalRequest).where(ExternalRequest.incident_id == incident_id).order_by(ExternalRequest.id)
            )
        )
        escalations = tuple(
            escalation_row(row, incident, pack)
            for row in session.scalars(
                select(Escalation).where(Escalation.incident_id == incident_id).order_by(Escalation.id)
            )
        )
        times = incident_times(
            incident,
            (
                DeploymentTimes(d.deployment_id, d.call_sign, d.status, d.requested_at, d.acknowledged_at,
                                d.en_route_at, d.on_scene_at, d.cleared_at, d.cancelled_at)
                for d in deployments
            ),
            max((entry.occurred_at for entry in timeline), default=None),
        )
        clocks = clocks_of(times, pack)
        acknowledged = acknowledgements(session, AlertAcknowledgement.incident_id == incident_id)
        alerts = alerts_at(times, clocks, now, ZoneInfo(pack.timezone))
        proposals = proposed_escalations(
            times, clocks, escalation_rule_specs(pack), now, {e.rule_code for e in escalations if e.rule_code}
        )
        made = {e.target for e in escalations} | {r.organisation for r in requests}
        report = check_decision_path(
            incident_id, incident.assessment, made, _procedure_recorded(pack, incident), validity=incident.validity
        )
        return IncidentDetail(
            incident=_record(incident, pack),
            timeline=timeline,
            deployments=deployments,
            messages=_messages(session, incident_id),
            external_requests=requests,
            escalations=escalations,
            assessment=_assessment(incident.assessment),
            links=_links(session, incident_id),
            clocks=clocks,
            alerts=tuple(AlertView(alert, acknowledged.get(alert.key)) for alert in alerts),
            escalation_proposals=tuple(proposals),
            decision_path=report,
            read_at=now,
        )
