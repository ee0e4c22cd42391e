"""Assessment by procedure, validity flags, linked incidents, and the queue of referrals from partners.

- ``incidents`` keeps the assessment (decision path, outcome, override and its reason, checks and
  advice) as JSON, the priority the procedure computed beside the one set, and a validity flag
  (valid, hoax, test, duplicate) with its reason; an index on (type, created_at) finds possible
  duplicates.
- ``incident_links``: two incidents about the same event, linked by a desk with a reason.
- ``referrals``: referrals from partner systems waiting for assessment; a partner's reference is
  recorded once however often it is delivered.

Revision ID: 0009
Revises: 0008
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import supervisor_app.store.types
from supervisor_app.store import roles

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

_VALIDITY = "'duplicate', 'hoax', 'test', 'valid'"
_SOURCES = "'alarm', 'email', 'field_unit', 'partner_agency', 'phone', 'web_form'"


def upgrade() -> None:
    bind = op.get_bind()
    with op.batch_alter_table("incidents", recreate="never") as batch:
        batch.add_column(sa.Column("assessment", sa.JSON(), nullable=True))
        batch.add_column(sa.Column("computed_priority", sa.String(length=8), nullable=True))
        batch.add_column(sa.Column("override_reason", sa.Text(), nullable=True))
        batch.add_column(sa.Column("validity_reason", sa.Text(), nullable=True))
    # A column CHECK is added with the column on both databases (SQLite cannot add a table CHECK later).
    op.execute(
        "ALTER TABLE incidents ADD COLUMN validity VARCHAR(12) DEFAULT 'valid' NOT NULL "
        f"CONSTRAINT ck_incidents_validity_known CHECK (validity IN ({_VALIDITY}))"
    )
    op.create_index("ix_incidents_type_created_at", "incidents", ["incident_type", "created_at"])

    op.create_table(
        "incident_links",
        sa.Column("incident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("linked_incident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("created_at", supervisor_app.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("desk", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name="fk_incident_links_incident_id_incidents"),
        sa.ForeignKeyConstraint(
            ["linked_incident_id"], ["incidents.id"], name="fk_incident_links_linked_incident_id_incidents"
        ),
        sa.PrimaryKeyConstraint("incident_id", "linked_incident_id", name="pk_incident_links"),
    )
    op.create_table(
        "referrals",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("partner", sa.String(length=60), nullable=False),
        sa.Column("external_reference", sa.String(length=80), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("received_at", supervisor_app.store.types.UTCDateTime(timezone=True), nullable=False),
        sa.Column("referred_at", supervisor_app.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("incident_type", sa.String(length=40), nullable=True),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column("contact_name", sa.String(length=120), nullable=False),
        sa.Column("contact_phone", sa.String(length=25), nullable=False),
        sa.Column("contact_organisation", sa.String(length=120), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("incident_id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=True),
        sa.Column("assessed_by", sa.String(length=64), nullable=True),
        sa.Column("assessed_desk", sa.String(length=64), nullable=True),
        sa.Column("assessed_at", supervisor_app.store.types.UTCDateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint("status IN ('assessed', 'waiting')", name="ck_referrals_status_known"),
        sa.CheckConstraint(f"source IN ({_SOURCES})", name="ck_referrals_source_known"),
        sa.ForeignKeyConstraint(["incident_id"], ["incidents.id"], name="fk_referrals_incident_id_incidents"),
        sa.PrimaryKeyConstraint("id", name="pk_referrals"),
        sa.UniqueConstraint("partner", "external_reference", name="uq_referrals_partner_reference"),
    )
    op.create_index("ix_referrals_status_received_at", "referrals", ["status", "received_at"])
    if bind.dialect.name == "postgresql":
        roles.grant_table(bind, "incident_links", ["SELECT", "INSERT"])
        roles.grant_table(bind, "referrals", ["SELECT", "INSERT", "UPDATE"])


def downgrade() -> None:
    op.drop_index("ix_referrals_status_received_at", table_name="referrals")
    op.drop_table("referrals")
    op.drop_table("incident_links")
    op.drop_index("ix_incidents_type_created_at", table_name="incidents")
    with op.batch_alter_table("incidents", recreate="never") as batch:
        batch.drop_column("validity")
        batch.drop_column("validity_reason")
        batch.drop_column("override_reason")
        batch.drop_column("computed_priority")
        batch.drop_column("assessment")
