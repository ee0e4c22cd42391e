"""Sign-in: password hashes (argon2id), failed attempts and lockout, kept per user in the database.

Revision ID: 0007
Revises: 0006
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import supervisor_app.store.types

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", recreate="never") as batch:
        batch.add_column(sa.Column("password_hash", sa.String(length=255), nullable=True))
        batch.add_column(sa.Column("password_changed_at", supervisor_app.store.types.UTCDateTime(timezone=True),
                                   nullable=True))
        batch.add_column(sa.Column("failed_sign_ins", sa.Integer(), server_default=sa.text("0"), nullable=False))
        batch.add_column(sa.Column("locked_until", supervisor_app.store.types.UTCDateTime(timezone=True),
                                   nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("users", recreate="never") as batch:
        batch.drop_column("locked_until")
        batch.drop_column("failed_sign_ins")
        batch.drop_column("password_changed_at")
        batch.drop_column("password_hash")
