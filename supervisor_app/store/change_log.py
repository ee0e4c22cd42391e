"""The write side of the change feed, and reading it back in order.

Every use case that writes ends by recording what it changed (kinds and ids, never the data) in
the ``changes`` table, in the same transaction, and on PostgreSQL by ``pg_notify`` on
:data:`CHANNEL`, which the server delivers only when that transaction commits.

The sequence number comes from a counter row taken last in the transaction. Its row lock makes
a second writer wait until the first commits, so sequence order is commit order: a desk that has
applied ``seq`` N can never later find an N-1 it missed. A rolled-back transaction gives its
number back, so the sequence also has no gaps.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, func, insert, select
from sqlalchemy.orm import Session

from supervisor_app.domain.changes import Changes, EntityKind
from supervisor_app.store.models import ChangeRecord
from supervisor_app.store.references import next_number

CHANNEL = "supervisor_changes"
_COUNTER = "CHANGES"


@dataclass(frozen=True)
class ChangeNotice:
    """What one committed transaction changed, where and when."""

    seq: int
    committed_at: datetime
    actor: str
    desk: str
    changes: Changes


def record_changes(session: Session, changes: Changes, *, actor: str, desk: str, at: datetime) -> int:
    """Record ``changes`` in the current transaction and announce them on commit; return the seq."""
    seq = next_number(session, _COUNTER)
    payload = {kind.value: sorted(ids) for kind, ids in changes.ids.items() if ids}
    session.execute(insert(ChangeRecord).values(seq=seq, committed_at=at, actor=actor, desk=desk, payload=payload))
    if session.get_bind().dialect.name == "postgresql":
        session.execute(select(func.pg_notify(CHANNEL, str(seq))))
    return seq


def latest_seq(connection: Connection) -> int:
    """The newest committed sequence number (0 for a database with no changes yet)."""
    return int(connection.execute(select(func.coalesce(func.max(ChangeRecord.seq), 0))).scalar_one())


def changes_after(connection: Connection, seq: int, limit: int = 1000) -> list[ChangeNotice]:
    """Committed changes with a sequence number above ``seq``, oldest first, at most ``limit``."""
    table = ChangeRecord.__table__
    rows = connection.execute(select(table).where(table.c.seq > seq).order_by(table.c.seq).limit(limit))
    return [
        ChangeNotice(
            seq=row.seq,
            committed_at=row.committed_at,
            actor=row.actor,
            desk=row.desk,
            changes=Changes({EntityKind(kind): frozenset(ids) for kind, ids in row.payload.items()}),
        )
        for row in rows
    ]
