"""The outbox: every message to a resource or partner, stored before it is sent and kept.

Revision ID: 0010
Revises: 0009
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import supervisor_app.store.types
from supervisor_app.store import roles

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = supervisor_app.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "messages",
        sa.Column("id", _ID, nullable=False),
        sa.Column("incident_id", _ID, nullable=False),
        sa.Column("deployment_id", _ID, nullable=True),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("recipient", sa.String(length=120), nullable=False),
        sa.Column("subject", sa.String(length=300), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("provider_reference", sa.String(length=120), nullable=True),
        sa.Column("created_at", _TIME, nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("desk", sa.String(length=64), nullable=False),
        sa.Column("next_attempt_at", _TIME, nullable=True),
        sa.Column("sent_at", _TIME, nullable=True),
        sa.Column("acknowledged_at", _TIME, nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('acknowledged', 'failed', 'passed', 'queued', 'sent')", name="ck_messages_status_known"
        ),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name="fk_messages_incident_id_incidents"),
        sa.ForeignKeyConstraint(["deployment_id"], ["deployments.id"], name="fk_messages_deployment_id_deployments"),
        sa.PrimaryKeyConstraint("id", name="pk_messages"),
    )
    op.create_index("ix_messages_status_next_attempt_at", "messages", ["status", "next_attempt_at"])
    op.create_index("ix_messages_deployment_id", "messages", ["deployment_id"])
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        roles.grant_table(bind, "messages", ["SELECT", "INSERT", "UPDATE"])  # kept for good: no DELETE


def downgrade() -> None:
    op.drop_index("ix_messages_deployment_id", table_name="messages")
    op.drop_index("ix_messages_status_next_attempt_at", table_name="messages")
    op.drop_table("messages")
