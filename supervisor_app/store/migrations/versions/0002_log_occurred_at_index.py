"""Index the incident log by when entries happened.

The desk overview and the shift review list the latest entries across all incidents; without
this index that is a full scan of the log, which grows by tens of thousands of rows a month.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_incident_log_occurred_at", "incident_log", ["occurred_at"])


def downgrade() -> None:
    op.drop_index("ix_incident_log_occurred_at", table_name="incident_log")
