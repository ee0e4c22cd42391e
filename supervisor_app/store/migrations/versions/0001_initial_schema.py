"""Initial schema: people, stations, resources, incidents and their log, deployments, shifts,
complaints and queries, audit events, reference counters.

The incident log and the audit events are append-only: triggers on both databases refuse UPDATE
and DELETE, so not even a bug in the application can rewrite history.

Revision ID: 0001
Revises:
Create Date: 2026-11-23 11:02:13.090525
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import supervisor_app.store.types
from supervisor_app.store.types import db_now


revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "audit_events",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "occurred_at",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            server_default=db_now(),
            nullable=False,
        ),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("desk", sa.String(length=64), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("entity_kind", sa.String(length=20), nullable=False),
        sa.Column(
            "entity_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_events")),
    )
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.create_index(
            "ix_audit_events_entity", ["entity_kind", "entity_id"], unique=False
        )

    op.create_table(
        "incidents",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("incident_type", sa.String(length=40), nullable=False),
        sa.Column("priority", sa.String(length=8), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("source", sa.String(length=20), nullable=False),
        sa.Column("contact_name", sa.String(length=120), nullable=False),
        sa.Column("contact_phone", sa.String(length=25), nullable=False),
        sa.Column("contact_organisation", sa.String(length=120), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("required_response", sa.JSON(), nullable=False),
        sa.Column("pack_version", sa.String(length=40), nullable=False),
        sa.Column(
            "created_at",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            server_default=db_now(),
            nullable=False,
        ),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("desk", sa.String(length=64), nullable=False),
        sa.Column(
            "updated_at",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            server_default=db_now(),
            nullable=False,
        ),
        sa.Column(
            "closed_at",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column("disposition_code", sa.String(length=40), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "source IN ('alarm', 'email', 'field_unit', 'partner_agency', 'phone', 'web_form')",
            name=op.f("ck_incidents_source_known"),
        ),
        sa.CheckConstraint(
            "status IN ('awaiting_resource', 'cancelled', 'closed', 'in_progress', 'new', 'on_hold', 'resolved', 'resource_assigned')",
            name=op.f("ck_incidents_status_known"),
        ),
        sa.CheckConstraint(
            "lat BETWEEN -90 AND 90", name=op.f("ck_incidents_lat_range")
        ),
        sa.CheckConstraint(
            "lon BETWEEN -180 AND 180", name=op.f("ck_incidents_lon_range")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incidents")),
        sa.UniqueConstraint("reference", name=op.f("uq_incidents_reference")),
    )
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.create_index("ix_incidents_created_at", ["created_at"], unique=False)
        batch_op.create_index(
            "ix_incidents_status_priority", ["status", "priority"], unique=False
        )

    op.create_table(
        "reference_counters",
        sa.Column("scope", sa.String(length=24), nullable=False),
        sa.Column("last_value", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_reference_counters")),
    )
    op.create_table(
        "shifts",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("name", sa.String(length=8), nullable=False),
        sa.Column(
            "starts_at",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "ends_at",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column("lead", sa.String(length=64), nullable=True),
        sa.CheckConstraint(
            "name IN ('day', 'night')", name=op.f("ck_shifts_name_known")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_shifts")),
    )
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.create_index("ix_shifts_starts_at", ["starts_at"], unique=True)

    op.create_table(
        "stations",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("address", sa.String(length=300), nullable=False),
        sa.Column("sector_code", sa.String(length=40), nullable=False),
        sa.Column("lat", sa.Float(), nullable=False),
        sa.Column("lon", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stations")),
        sa.UniqueConstraint("code", name=op.f("uq_stations_code")),
    )
    op.create_table(
        "users",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("username", sa.String(length=64), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column(
            "created_at",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            server_default=db_now(),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("username", name=op.f("uq_users_username")),
    )
    op.create_table(
        "cases",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("reference", sa.String(length=24), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column(
            "incident_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=True,
        ),
        sa.Column(
            "received_at",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column("channel", sa.String(length=20), nullable=False),
        sa.Column("complainant", sa.String(length=120), nullable=False),
        sa.Column("summary", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "acknowledge_by",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "respond_by",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "statutory_by",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column("owner", sa.String(length=64), nullable=True),
        sa.Column(
            "acknowledged_at",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "responded_at",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "closed_at",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column("outcome", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "kind IN ('complaint', 'query')", name=op.f("ck_cases_kind_known")
        ),
        sa.CheckConstraint(
            "status IN ('acknowledged', 'closed', 'investigating', 'received', 'responded')",
            name=op.f("ck_cases_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_cases_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cases")),
        sa.UniqueConstraint("reference", name=op.f("uq_cases_reference")),
    )
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.create_index(
            "ix_cases_status_respond_by", ["status", "respond_by"], unique=False
        )

    op.create_table(
        "incident_log",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "incident_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "occurred_at",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            nullable=False,
        ),
        sa.Column(
            "recorded_at",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            server_default=db_now(),
            nullable=False,
        ),
        sa.Column("author", sa.String(length=64), nullable=False),
        sa.Column("desk", sa.String(length=64), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_incident_log_incident_id_incidents"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_incident_log")),
    )
    with op.batch_alter_table("incident_log", schema=None) as batch_op:
        batch_op.create_index(
            "ix_incident_log_incident", ["incident_id", "id"], unique=False
        )

    op.create_table(
        "resources",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column("call_sign", sa.String(length=8), nullable=False),
        sa.Column("resource_type", sa.String(length=40), nullable=False),
        sa.Column("capabilities", sa.JSON(), nullable=False),
        sa.Column(
            "station_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("shift_pattern", sa.String(length=16), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "status_changed_at",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            server_default=db_now(),
            nullable=False,
        ),
        sa.Column("lat", sa.Float(), nullable=True),
        sa.Column("lon", sa.Float(), nullable=True),
        sa.Column(
            "position_at",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('assigned', 'available', 'en_route', 'off_duty', 'on_scene', 'returning', 'unavailable')",
            name=op.f("ck_resources_status_known"),
        ),
        sa.CheckConstraint(
            "lat IS NULL OR (lat BETWEEN -90 AND 90)",
            name=op.f("ck_resources_lat_range"),
        ),
        sa.CheckConstraint(
            "lon IS NULL OR (lon BETWEEN -180 AND 180)",
            name=op.f("ck_resources_lon_range"),
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_resources_station_id_stations"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resources")),
        sa.UniqueConstraint("call_sign", name=op.f("uq_resources_call_sign")),
    )
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.create_index(
            "ix_resources_status_type", ["status", "resource_type"], unique=False
        )

    op.create_table(
        "user_roles",
        sa.Column(
            "user_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.CheckConstraint(
            "role IN ('administrator', 'duty_manager', 'operator', 'shift_lead', 'supervisor')",
            name=op.f("ck_user_roles_role_known"),
        ),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_user_roles_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "role", name=op.f("pk_user_roles")),
    )
    op.create_table(
        "deployments",
        sa.Column(
            "id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False
        ),
        sa.Column(
            "incident_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column(
            "resource_id",
            sa.BigInteger().with_variant(sa.Integer(), "sqlite"),
            nullable=False,
        ),
        sa.Column("required_response", sa.Text(), nullable=False),
        sa.Column("channel", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column(
            "requested_at",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            server_default=db_now(),
            nullable=False,
        ),
        sa.Column(
            "acknowledged_at",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "en_route_at",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "on_scene_at",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "cleared_at",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column(
            "cancelled_at",
            supervisor_app.store.types.UTCDateTime(timezone=True),
            nullable=True,
        ),
        sa.Column("requested_by", sa.String(length=64), nullable=False),
        sa.Column("desk", sa.String(length=64), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "status IN ('acknowledged', 'cancelled', 'cleared', 'en_route', 'on_scene', 'requested')",
            name=op.f("ck_deployments_status_known"),
        ),
        sa.ForeignKeyConstraint(
            ["incident_id"],
            ["incidents.id"],
            name=op.f("fk_deployments_incident_id_incidents"),
        ),
        sa.ForeignKeyConstraint(
            ["resource_id"],
            ["resources.id"],
            name=op.f("fk_deployments_resource_id_resources"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_deployments")),
    )
    with op.batch_alter_table("deployments", schema=None) as batch_op:
        batch_op.create_index("ix_deployments_incident", ["incident_id"], unique=False)
        batch_op.create_index(
            "uq_deployments_active_resource",
            ["resource_id"],
            unique=True,
            sqlite_where=sa.text(
                "status IN ('acknowledged', 'en_route', 'on_scene', 'requested')"
            ),
            postgresql_where=sa.text(
                "status IN ('acknowledged', 'en_route', 'on_scene', 'requested')"
            ),
        )

    _create_append_only_guards()


APPEND_ONLY_TABLES = ("incident_log", "audit_events")


def _create_append_only_guards() -> None:
    dialect = op.get_bind().dialect.name
    if dialect == "postgresql":
        op.execute(
            """
            CREATE FUNCTION refuse_history_change() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                RAISE EXCEPTION '% is append-only: add a new entry instead of changing one',
                    TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
            END $$
            """
        )
        for table in APPEND_ONLY_TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
                "FOR EACH ROW EXECUTE FUNCTION refuse_history_change()"
            )
            op.execute(
                f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
                "FOR EACH STATEMENT EXECUTE FUNCTION refuse_history_change()"
            )
    else:
        for table in APPEND_ONLY_TABLES:
            for event in ("UPDATE", "DELETE"):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{table} is append-only: add a new entry "
                    "instead of changing one'); END"
                )


def _drop_append_only_guards() -> None:
    dialect = op.get_bind().dialect.name
    for table in APPEND_ONLY_TABLES:
        if dialect == "postgresql":
            op.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
            op.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
    if dialect == "postgresql":
        op.execute("DROP FUNCTION IF EXISTS refuse_history_change()")


def downgrade() -> None:
    _drop_append_only_guards()
    with op.batch_alter_table("deployments", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_deployments_active_resource",
            sqlite_where=sa.text(
                "status IN ('acknowledged', 'en_route', 'on_scene', 'requested')"
            ),
            postgresql_where=sa.text(
                "status IN ('acknowledged', 'en_route', 'on_scene', 'requested')"
            ),
        )
        batch_op.drop_index("ix_deployments_incident")

    op.drop_table("deployments")
    op.drop_table("user_roles")
    with op.batch_alter_table("resources", schema=None) as batch_op:
        batch_op.drop_index("ix_resources_status_type")

    op.drop_table("resources")
    with op.batch_alter_table("incident_log", schema=None) as batch_op:
        batch_op.drop_index("ix_incident_log_incident")

    op.drop_table("incident_log")
    with op.batch_alter_table("cases", schema=None) as batch_op:
        batch_op.drop_index("ix_cases_status_respond_by")

    op.drop_table("cases")
    op.drop_table("users")
    op.drop_table("stations")
    with op.batch_alter_table("shifts", schema=None) as batch_op:
        batch_op.drop_index("ix_shifts_starts_at")

    op.drop_table("shifts")
    op.drop_table("reference_counters")
    with op.batch_alter_table("incidents", schema=None) as batch_op:
        batch_op.drop_index("ix_incidents_status_priority")
        batch_op.drop_index("ix_incidents_created_at")

    op.drop_table("incidents")
    with op.batch_alter_table("audit_events", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_events_entity")

    op.drop_table("audit_events")
