"""Alembic migrations: the only way the schema is made, on SQLite and PostgreSQL alike.

On PostgreSQL desks connect as their own account without DDL rights (``store.roles``), so a
migration that creates a table also grants that account what the services need on it, and no
more::

    from supervisor_app.store import roles

    roles.grant_table(op.get_bind(), "complaint_notes", ["SELECT", "INSERT"])

(a no-op on SQLite). ``tests/store/test_least_privilege.py`` lists the expected privileges of
every table and fails, saying what to add, for a table without them.
"""
