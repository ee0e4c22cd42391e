"""The one transaction every use case runs in, and the audit entry it always writes."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.domain.people import Action, Actor, require
from supervisor_app.store.models import AuditEvent, LogEntry
from supervisor_app.store.types import db_now

_NOW_KEY = "supervisor_app.transaction_now"


@contextmanager
def transaction(session: Session, actor: Actor, action: Action) -> Iterator[Session]:
    """Check ``actor`` may do ``action``, then run the body in one transaction.

    The permission is checked before anything is read or written: a refusal writes nothing.
    """
    require(actor, action)
    if session.in_transaction():
        raise RuntimeError("services run their own transaction; pass a Session with none open")
    session.info.pop(_NOW_KEY, None)
    try:
        with session.begin():
            yield session
    finally:
        session.info.pop(_NOW_KEY, None)


def audit(
    session: Session,
    actor: Actor,
    action: Action,
    entity_kind: str,
    entity_id: int | None,
    **detail: Any,
) -> None:
    """Append an audit event in the current transaction."""
    session.add(
        AuditEvent(
            actor=actor.username,
            desk=actor.desk,
            action=action.value,
            entity_kind=entity_kind,
            entity_id=entity_id,
            detail=detail,
        )
    )


def database_now(session: Session) -> datetime:
    """The database server's clock, read once per transaction and reused for every row it writes.

    PostgreSQL's ``now()`` is already the transaction's time; SQLite's moves on between
    statements, so services stamp rows with this value to behave the same on both.
    """
    cached: datetime | None = session.info.get(_NOW_KEY)
    if cached is None:
        cached = session.execute(select(db_now())).scalar_one()
        session.info[_NOW_KEY] = cached
    return cached


def append_log(
    session: Session,
    actor: Actor,
    incident_id: int,
    code: str,
    text: str,
    *,
    occurred_at: datetime | None = None,
) -> LogEntry:
    """Append a line to an incident's log, recorded at the transaction's database time.

    ``occurred_at`` is when it happened, when that was earlier than it was written down.
    """
    now = database_now(session)
    entry = LogEntry(
        incident_id=incident_id,
        occurred_at=occurred_at or now,
        recorded_at=now,
        author=actor.username,
        desk=actor.desk,
        code=code,
        text=text,
    )
    session.add(entry)
    return entry
