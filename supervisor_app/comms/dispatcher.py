"""Sending what the outbox holds, and turning the units' reports into the desk's record.

``Dispatcher`` claims the messages that are due, hands each to the adapter of its channel outside
any transaction, and records the answer (sent, or failed with the reason and whether to retry). It
runs on its own thread: every second, and at once when woken after a deployment. A channel this
desk has no adapter for fails the message, not retryable, with a reason that says so.

``UnitReports`` receives the MDT link's events on the link's network thread, puts them on a queue
and applies them on a worker thread of its own through the services (acknowledgement, status,
position), so that a slow database never holds up the broker connection. An acknowledgement or a
status report that the services refuse (an unknown or finished deployment, a move the resource's
life cycle does not allow) is recorded as refused and logged; nothing is raised into the link.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from supervisor_app.comms.channels import (
    AcknowledgementReceived,
    ChannelAdapter,
    InboundEvent,
    MalformedReport,
    OutboundMessage,
    PositionReported,
    SendFailed,
    StatusReported,
)
from supervisor_app.domain.errors import DomainError
from supervisor_app.domain.people import Actor
from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.services.outbox import claim_due_messages, record_acknowledgement, record_failed, record_sent
from supervisor_app.services.resources import (
    active_deployment_id,
    change_resource_status,
    report_position,
    resource_id_of,
)
from supervisor_app.store.engine import writer

log = logging.getLogger(__name__)

#: The resource status a unit's status report means (``acknowledged`` is an acknowledgement).
STATUS_FOR_REPORT = {
    "en_route": ResourceStatus.EN_ROUTE,
    "on_scene": ResourceStatus.ON_SCENE,
    "cleared": ResourceStatus.RETURNING,
    "available": ResourceStatus.AVAILABLE,
    "unavailable": ResourceStatus.UNAVAILABLE,
}


@dataclass
class DispatchReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    problems: list[str] = field(default_factory=list)


class Dispatcher:
    """Sends due messages through ``adapters`` (by channel code) and records what became of them."""

    def __init__(
        self,
        engine: Engine,
        actor: Actor,
        adapters: Mapping[str, ChannelAdapter],
        *,
        interval_s: float = 1.0,
        batch: int = 50,
    ) -> None:
        self.engine = writer(engine)
        self.actor = actor
        self.adapters = dict(adapters)
        self.interval_s = interval_s
        self.batch = batch
        self._wake = threading.Event()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def run_once(self) -> DispatchReport:
        """One pass: claim what is due, send it, record the answers."""
        report = DispatchReport()
        with self._session() as session:
            items = claim_due_messages(session, self.actor, limit=self.batch)
        for item in items:
            adapter = self.adapters.get(item.channel)
            message = OutboundMessage(
                item.message_id,
                item.channel,
                item.recipient,
                item.subject,
                item.body,
                item.incident_reference,
                item.deployment_id,
                item.location,
                item.address,
                item.purpose,
            )
            try:
                if adapter is None:
                    raise SendFailed(
                        f"no {item.channel} channel is set up at this desk; re-send by another channel "
                        "or ask an administrator to configure it",
                        retryable=False,
                    )
                delivery = adapter.send(message)
            except SendFailed as failed:
                with self._session() as session:
                    record_failed(session, self.actor, item.message_id, failed.reason, retryable=failed.retryable)
                report.retrying += failed.retryable
                report.failed += not failed.retryable
                report.problems.append(f"{item.incident_reference} to {item.recipient}: {failed.reason}")
                continue
            with self._session() as session:
                record_sent(session, self.actor, item.message_id, delivery.provider_reference)
            report.sent += 1
        return report

    def wake(self) -> None:
        """Send now rather than at the next tick (after a deployment)."""
        self._wake.set()

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name="outbox-dispatcher", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
        for adapter in self.adapters.values():
            adapter.close()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self.run_once()
            except (SQLAlchemyError, DomainError) as error:  # the database is away: try again next tick
                log.warning("The outbox could not be read or updated: %s", error)
            self._wake.wait(self.interval_s)
            self._wake.clear()


@dataclass(frozen=True)
class ReportOutcome:
    event: InboundEvent
    applied: bool
    detail: str = ""


class UnitReports:
    """Applies the units' MDT reports to the record, off the network thread (see the module doc)."""

    def __init__(
        self,
        engine: Engine,
        actor: Actor,
        *,
        on_outcome: Callable[[ReportOutcome], None] | None = None,
    ) -> None:
        self.engine = writer(engine)
        self.actor = actor
        self.on_outcome = on_outcome
        self._queue: queue.Queue[InboundEvent | None] = queue.Queue()
        self._thread = threading.Thread(target=self._run, name="unit-reports", daemon=True)
        self._thread.start()

    def __call__(self, event: InboundEvent) -> None:
        """The MDT link's callback: never blocks, never raises."""
        self._queue.put(event)

    def stop(self, timeout: float = 10.0) -> None:
        self._queue.put(None)
        self._thread.join(timeout)

    def _run(self) -> None:
        while True:
            event = self._queue.get()
            if event is None:
                return
            try:
                outcome = self.apply(event)
            except (SQLAlchemyError, DomainError) as error:
                outcome = ReportOutcome(event, False, str(error))
                log.warning("A report from a unit could not be recorded: %s (%r)", error, event)
            if self.on_outcome is not None:
                self.on_outcome(outcome)

    def apply(self, event: InboundEvent) -> ReportOutcome:
        """Record one report; a refusal by the services is returned, not raised."""
        with Session(self.engine, expire_on_commit=False) as session:
            if isinstance(event, AcknowledgementReceived):
                recorded = record_acknowledgement(
                    session,
                    self.actor,
                    call_sign=event.call_sign,
                    deployment_id=event.deployment_id,
                    message_id=event.message_id,
                    at=event.at,
                )
                return ReportOutcome(event, recorded.matched, recorded.reason)
            if isinstance(event, StatusReported):
                if event.status == "acknowledged":
                    recorded = record_acknowledgement(
                        session, self.actor, call_sign=event.call_sign, deployment_id=event.deployment_id, at=event.at
                    )
                    return ReportOutcome(event, recorded.matched, recorded.reason)
                resource_id = resource_id_of(session, event.call_sign)
                stale = _stale(session, resource_id, event)
                session.rollback()  # end the read: the service runs its own transaction
                if stale:
                    log.info("Status report from %s not applied: %s", event.call_sign, stale)
                    return ReportOutcome(event, False, stale)
                try:
                    change_resource_status(
                        session,
                        self.actor,
                        resource_id,
                        STATUS_FOR_REPORT[event.status],
                        reason="reported by the unit's terminal",
                    )
                except DomainError as refused:
                    log.info("Status report from %s not applied: %s", event.call_sign, refused)
                    return ReportOutcome(event, False, str(refused))
                return ReportOutcome(event, True)
            if isinstance(event, PositionReported):
                report_position(session, self.actor, event.call_sign, event.lat, event.lon)
                return ReportOutcome(event, True)
            assert isinstance(event, MalformedReport)
            log.warning("A malformed report on %s was ignored: %s", event.topic, event.reason)
            return ReportOutcome(event, False, event.reason)


def _stale(session: Session, resource_id: int, event: StatusReported) -> str:
    """Why a status report no longer applies, or "": a report about an earlier deployment, or an
    "available" that crossed a new deployment on the way (it would cancel the job just given)."""
    active = active_deployment_id(session, resource_id)
    if event.deployment_id is not None and active is not None and active != event.deployment_id:
        return (
            f"the report is about deployment {event.deployment_id}, but {event.call_sign} is now on deployment {active}"
        )
    if event.status in ("available", "unavailable") and active is not None and event.deployment_id is None:
        return f"{event.call_sign} reported {event.status} while deployment {active} is under way; re-check by voice"
    return ""
