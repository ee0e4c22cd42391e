"""Checking the audit trail's hash chain: every event in place, unaltered, none missing."""

from __future__ import annotations

import time
from dataclasses import dataclass

from sqlalchemy.orm import Session

from supervisor_app.domain.audit_chain import ChainReport, verify_chain
from supervisor_app.domain.people import Action, Actor
from supervisor_app.services.unit_of_work import transaction
from supervisor_app.store.audit_log import read_chain, unchained_count


@dataclass(frozen=True)
class AuditVerification:
    report: ChainReport
    unchained: int  # events with no place in the chain: written around the desk
    seconds: float

    @property
    def intact(self) -> bool:
        return self.report.intact and not self.unchained

    def summary(self) -> str:
        if self.report.first_break is not None:
            return (
                f"Audit chain BROKEN: {self.report.first_break.describe()}. "
                f"{self.report.checked:,} events before it are intact."
            )
        if self.unchained:
            return (
                f"Audit chain intact for {self.report.checked:,} events, but {self.unchained:,} events "
                "carry no place in it: they were written around the desk."
            )
        events = f"{self.report.checked:,} event{'s' if self.report.checked != 1 else ''}"
        return f"Audit chain intact: {events} checked in {self.seconds:.1f} s."


def verify_audit(session: Session, actor: Actor) -> AuditVerification:
    """Recompute every hash in chain order, from one consistent view of the database."""
    started = time.perf_counter()
    with transaction(session, actor, Action.VERIFY_AUDIT):
        if session.get_bind().dialect.name == "postgresql":
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        connection = session.connection()
        unchained = unchained_count(connection)
        report = verify_chain(read_chain(connection))
    return AuditVerification(report, unchained, time.perf_counter() - started)
