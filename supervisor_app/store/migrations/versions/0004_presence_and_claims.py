"""Presence and claims: desks on line with their heartbeat; incidents being worked on.

Revision ID: 0004
Revises: 0003
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import supervisor_app.store.types

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
_TIME = supervisor_app.store.types.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "desks",
        sa.Column("id", _ID, nullable=False),
        sa.Column("name", sa.String(length=64), nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("host", sa.String(length=255), nullable=False),
        sa.Column("started_at", _TIME, nullable=False),
        sa.Column("heartbeat_at", _TIME, nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_desks")),
        sa.UniqueConstraint("name", name=op.f("uq_desks_name")),
    )
    op.create_table(
        "incident_claims",
        sa.Column("incident_id", _ID, nullable=False),
        sa.Column("desk_id", _ID, nullable=False),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("claimed_at", _TIME, nullable=False),
        sa.ForeignKeyConstraint(["desk_id"], ["desks.id"], name=op.f("fk_incident_claims_desk_id_desks"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name=op.f("fk_incident_claims_incident_id_incidents")),
        sa.PrimaryKeyConstraint("incident_id", name=op.f("pk_incident_claims")),
    )


def downgrade() -> None:
    op.drop_table("incident_claims")
    op.drop_table("desks")
