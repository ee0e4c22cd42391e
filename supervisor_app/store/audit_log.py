"""Writing audit events into the hash chain, and reading the chain back in order.

Each event takes the next place in the chain from a counter row, locked until the writing
transaction commits; the previous event is therefore committed (or this transaction's own), so
its hash is known and two desks can never fork the chain.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from sqlalchemy import Connection, func, select
from sqlalchemy.orm import Session

from supervisor_app.domain.audit_chain import GENESIS_HASH, AuditRecord, chain_hash
from supervisor_app.store.models import AuditEvent
from supervisor_app.store.references import next_number

_COUNTER = "AUDIT"


def chain_fields(session: Session, values: dict[str, Any]) -> dict[str, Any]:
    """``chain_seq``, ``prev_hash`` and ``hash`` for an event with ``values`` about to be written."""
    seq = next_number(session, _COUNTER)
    prev = GENESIS_HASH if seq == 1 else session.scalar(select(AuditEvent.hash).where(AuditEvent.chain_seq == seq - 1))
    prev = prev or GENESIS_HASH  # a missing predecessor is a break that verification will report
    record = AuditRecord(
        seq,
        values["occurred_at"],
        values["actor"],
        values["desk"],
        values["action"],
        values["entity_kind"],
        values["entity_id"],
        values["detail"],
        prev,
    )
    return {"chain_seq": seq, "prev_hash": prev, "hash": chain_hash(record, prev)}


def seal(session: Session, events: list[AuditEvent]) -> None:
    """Give this transaction's events (not yet added to the session) their places in the chain and
    insert them; call it last, before commit."""
    for event in events:
        fields = chain_fields(
            session,
            {
                "occurred_at": event.occurred_at,
                "actor": event.actor,
                "desk": event.desk,
                "action": event.action,
                "entity_kind": event.entity_kind,
                "entity_id": event.entity_id,
                "detail": event.detail,
            },
        )
        event.chain_seq, event.prev_hash, event.hash = fields["chain_seq"], fields["prev_hash"], fields["hash"]
        session.add(event)
        session.flush()  # inserted complete (the table refuses updates), and readable as the next one's predecessor


def unchained_count(connection: Connection) -> int:
    """Events with no place in the chain: not written by the desk."""
    return int(connection.scalar(select(func.count()).where(AuditEvent.chain_seq.is_(None))) or 0)


def read_chain(connection: Connection, batch: int = 20_000) -> Iterator[AuditRecord]:
    """Every chained event in chain order, streamed in batches."""
    table = AuditEvent.__table__
    result = connection.execution_options(yield_per=batch).execute(
        select(
            table.c.chain_seq,
            table.c.occurred_at,
            table.c.actor,
            table.c.desk,
            table.c.action,
            table.c.entity_kind,
            table.c.entity_id,
            table.c.detail,
            table.c.prev_hash,
            table.c.hash,
        )
        .where(table.c.chain_seq.is_not(None))
        .order_by(table.c.chain_seq)
    )
    for row in result:
        yield AuditRecord(
            row[0], row[1], row[2], row[3], row[4], row[5], row[6], row[7] or {}, row[8] or "", row[9] or ""
        )
