"""The one transaction every use case runs in, and the audit entry it always writes."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from supervisor_app.domain.changes import Changes
from supervisor_app.domain.people import Action, Actor, require
from supervisor_app.store.audit_log import seal
from supervisor_app.store.change_log import record_changes
from supervisor_app.store.models import AuditEvent, LogEntry
from supervisor_app.store.types import db_now

_NOW_KEY = "supervisor_app.transaction_now"
_WROTE_KEY = "supervisor_app.transaction_wrote"
_ANNOUNCED_KEY = "supervisor_app.transaction_announced"
_AUDIT_KEY = "supervisor_app.transaction_audit"
_TRANSACTION_KEYS = (_NOW_KEY, _WROTE_KEY, _ANNOUNCED_KEY, _AUDIT_KEY)


@contextmanager
def transaction(session: Session, actor: Actor, action: Action) -> Iterator[Session]:
    """Check ``actor`` may do ``action``, then run the body in one transaction.

    The permission is checked before anything is read or written: a refusal writes nothing.
    A body that writes must :func:`announce` what it changed; audit events are sealed last.
    """
    require(actor, action)
    with _sealed(session, must_announce=action.value):
        yield session


@contextmanager
def sign_in_transaction(session: Session) -> Iterator[Session]:
    """The one transaction without a permission check: proving who someone is, before they are an
    actor. Audit events are sealed as for :func:`transaction`."""
    with _sealed(session, must_announce=None):
        yield session


@contextmanager
def _sealed(session: Session, *, must_announce: str | None) -> Iterator[Session]:
    if session.in_transaction():
        raise RuntimeError("services run their own transaction; pass a Session with none open")
    for key in _TRANSACTION_KEYS:
        session.info.pop(key, None)
    try:
        with session.begin():
            yield session
            wrote, announced = session.info.get(_WROTE_KEY), session.info.get(_ANNOUNCED_KEY)
            if must_announce and wrote and not announced:
                raise RuntimeError(f"{must_announce} wrote without announce(): other desks would never hear of it")
            pending = session.info.get(_AUDIT_KEY)
            if pending:
                seal(session, pending)  # last, so the chain's counter row is held only until commit
    finally:
        for key in _TRANSACTION_KEYS:
            session.info.pop(key, None)


@event.listens_for(Session, "after_flush")
def _note_write(session: Session, _flush_context: object) -> None:
    if session.new or session.dirty or session.deleted:
        session.info[_WROTE_KEY] = True


def announce(session: Session, actor: Actor, changes: Changes) -> int:
    """Record what this transaction changed, for every desk's change feed; call it last.

    The sequence number is drawn here, at the end, so the counter row is locked only for the
    moment before commit.
    """
    session.flush()
    session.info[_ANNOUNCED_KEY] = True
    return record_changes(session, changes, actor=actor.username, desk=actor.desk, at=database_now(session))


def audit(
    session: Session,
    actor: Actor,
    action: Action,
    entity_kind: str,
    entity_id: int | None,
    **detail: Any,
) -> None:
    """Append an audit event for ``action`` in the current transaction."""
    record_event(session, actor, action.value, entity_kind, entity_id, **detail)


def record_event(
    session: Session,
    actor: Actor,
    event_name: str,
    entity_kind: str,
    entity_id: int | None,
    **detail: Any,
) -> None:
    """Append an audit event (an action, or an event such as a failed sign-in) in the current
    transaction; it joins the hash chain when the transaction is sealed."""
    event = AuditEvent(
        occurred_at=database_now(session),
        actor=actor.username,
        desk=actor.desk,
        action=event_name,
        entity_kind=entity_kind,
        entity_id=entity_id,
        detail=json.loads(json.dumps(detail, default=str)),  # exactly what the database will give back
    )
    session.info.setdefault(_AUDIT_KEY, []).append(event)  # inserted whole when sealed: rows are never updated


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
    session.flush()  # the entry's id goes into the transaction's announced changes
    return entry
