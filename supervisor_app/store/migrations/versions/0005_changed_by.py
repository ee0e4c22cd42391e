"""Incidents and resources record who made their latest change and from which desk.

A desk whose edit is refused as stale can then be told who changed the record meanwhile.

Revision ID: 0005
Revises: 0004
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for table in ("incidents", "resources"):
        with op.batch_alter_table(table) as batch:
            batch.add_column(sa.Column("changed_by", sa.String(length=64), nullable=True))
            batch.add_column(sa.Column("changed_desk", sa.String(length=64), nullable=True))


def downgrade() -> None:
    for table in ("incidents", "resources"):
        with op.batch_alter_table(table) as batch:
            batch.drop_column("changed_desk")
            batch.drop_column("changed_by")
