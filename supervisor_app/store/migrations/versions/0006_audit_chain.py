"""The audit trail becomes a hash chain: each event carries the hash of the one before.

Events already written are chained in the order they were written (by id). The append-only
guards are lifted for that one backfill, inside this migration's transaction, and put back.

Revision ID: 0006
Revises: 0005
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from supervisor_app.domain.audit_chain import GENESIS_HASH, AuditRecord, chain_hash

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_SQLITE_GUARDS = {
    event: (
        f"CREATE TRIGGER audit_events_no_{event.lower()} BEFORE {event} ON audit_events "
        "BEGIN SELECT RAISE(ABORT, 'audit_events is append-only: add a new entry instead of changing one'); END"
    )
    for event in ("UPDATE", "DELETE")
}


def _lift_guards(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only")
    else:
        op.execute("DROP TRIGGER IF EXISTS audit_events_no_update")


def _restore_guards(dialect: str) -> None:
    if dialect == "postgresql":
        op.execute("ALTER TABLE audit_events ENABLE TRIGGER audit_events_append_only")
    else:
        op.execute(_SQLITE_GUARDS["UPDATE"])


def upgrade() -> None:
    with op.batch_alter_table("audit_events", recreate="never") as batch:
        batch.add_column(sa.Column("chain_seq", _ID, nullable=True))
        batch.add_column(sa.Column("prev_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("hash", sa.String(length=64), nullable=True))
    bind = op.get_bind()
    dialect = bind.dialect.name
    events = sa.table(
        "audit_events", sa.column("id", _ID), sa.column("occurred_at", sa.DateTime(timezone=True)),
        sa.column("actor"), sa.column("desk"), sa.column("action"), sa.column("entity_kind"),
        sa.column("entity_id"), sa.column("detail", sa.JSON()), sa.column("chain_seq"), sa.column("prev_hash"),
        sa.column("hash"),
    )
    rows = bind.execute(sa.select(events).order_by(events.c.id)).all()
    if rows:
        from supervisor_app.store.types import UTCDateTime  # the stored form, read back as aware UTC

        as_utc = UTCDateTime().process_result_value
        _lift_guards(dialect)
        prev = GENESIS_HASH
        for seq, row in enumerate(rows, start=1):
            record = AuditRecord(seq, as_utc(row.occurred_at, bind.dialect), row.actor, row.desk, row.action,
                                 row.entity_kind, row.entity_id, row.detail or {}, prev)
            digest = chain_hash(record, prev)
            bind.execute(events.update().where(events.c.id == row.id).values(chain_seq=seq, prev_hash=prev,
                                                                                hash=digest))
            prev = digest
        bind.execute(sa.text("INSERT INTO reference_counters (scope, last_value) VALUES ('AUDIT', :n)"),
                     {"n": len(rows)})
        _restore_guards(dialect)
    op.create_index("uq_audit_events_chain_seq", "audit_events", ["chain_seq"], unique=True)


def downgrade() -> None:
    op.drop_index("uq_audit_events_chain_seq", table_name="audit_events")
    op.execute("DELETE FROM reference_counters WHERE scope = 'AUDIT'")
    with op.batch_alter_table("audit_events", recreate="never") as batch:
        batch.drop_column("hash")
        batch.drop_column("prev_hash")
        batch.drop_column("chain_seq")
