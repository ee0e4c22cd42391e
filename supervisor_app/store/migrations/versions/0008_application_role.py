"""Least privilege on PostgreSQL: desks connect as their own account, without DDL rights.

Creates the login role ``supervisor_desk`` if the server does not have it yet (roles are shared by
every database on a server; no password is set here) and grants it, in this database, only what
the services need: it may connect and use schema ``public`` but not create in it; it reads every
table; it only appends to the audit trail, the incident log and the change feed; it updates only
where the services update, and deletes only desk presence and claims. The owner keeps the schema.

A no-op on SQLite. Downgrading revokes this database's grants but keeps the role, which other
databases on the server may use.

Revision ID: 0008
Revises: 0007
"""

from __future__ import annotations

from alembic import op

from supervisor_app.store import roles

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

_READ = ("SELECT",)
_APPEND = ("SELECT", "INSERT")
_KEEP = ("SELECT", "INSERT", "UPDATE")

#: What the desks may do, table by table, as the services use them at this revision.
_GRANTS = {
    "alembic_version": _READ,  # a desk checks the schema is current, never moves it
    "stations": _READ,  # the organisation is set up by an administrator (or the demo seeder)
    "shifts": _READ,
    "cases": _READ,
    "audit_events": _APPEND,  # append-only, with the log and the change feed
    "incident_log": _APPEND,
    "changes": _APPEND,
    "user_roles": _APPEND,
    "users": _KEEP,  # accounts are disabled, never deleted; sign-in records failures and lockouts
    "incidents": _KEEP,
    "deployments": _KEEP,
    "reference_counters": _KEEP,  # the per-day counters' upsert
    "resources": ("SELECT", "UPDATE"),  # status changes and assignment; resources come from the pack
    "desks": ("SELECT", "INSERT", "UPDATE", "DELETE"),  # presence: register, heartbeat, leave
    "incident_claims": ("SELECT", "INSERT", "UPDATE", "DELETE"),  # claim (an upsert) and release
}

_HISTORY = ("audit_events", "incident_log")


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    roles.create_application_role(bind)
    roles.grant_database_access(bind)
    for table, privileges in _GRANTS.items():
        roles.grant_table(bind, table, privileges)
    for table in _HISTORY:
        roles.revoke_table(bind, table, ("UPDATE", "DELETE", "TRUNCATE"))


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name != "postgresql":
        return
    roles.revoke_everything(bind)
