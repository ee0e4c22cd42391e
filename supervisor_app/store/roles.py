"""The desks' own database account on PostgreSQL, and what it may do.

Desks connect as :data:`APPLICATION_ROLE`, a login role without DDL rights: it may read and
record what the services need, table by table, and nothing else. It cannot create, alter or drop
tables, cannot change or remove audit events or log entries (the append-only triggers are a second
guard behind the missing privileges), and cannot lift those triggers. The schema's owner (the
account that runs ``supervisor-app migrate``) keeps every right; migrations create the role and
grant it its privileges.

Roles belong to the whole server, not to one database, so several databases on one server share
the role; each database's migrations grant it only that database's privileges. The migrations
never set a password: administrators set one (``ALTER ROLE supervisor_desk PASSWORD ...``) or
authenticate the desks by certificate or ``pg_hba.conf``.

A migration that creates a table grants the role what the services need on it, with
:func:`grant_table`; ``tests/store/test_least_privilege.py`` fails for a table whose grants are
missing or differ from what it expects.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import Connection, text
from sqlalchemy.exc import DBAPIError

#: The login role desks connect as (see the module doc).
APPLICATION_ROLE = "supervisor_desk"

#: What a table grant may give the desks: never TRUNCATE, REFERENCES or TRIGGER.
TABLE_PRIVILEGES = ("SELECT", "INSERT", "UPDATE", "DELETE")
#: SQLSTATE of "permission denied" and "must be owner of" (PostgreSQL's insufficient_privilege).
INSUFFICIENT_PRIVILEGE = "42501"


def _is_postgresql(connection: Connection) -> bool:
    return connection.dialect.name == "postgresql"


def _quote(connection: Connection, name: str) -> str:
    return connection.dialect.identifier_preparer.quote(name)


def _literal(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _run(connection: Connection, statement: str) -> None:
    connection.execute(text(statement))


def role_exists(connection: Connection, role: str = APPLICATION_ROLE) -> bool:
    found = connection.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :role"), {"role": role}).first()
    return found is not None


def create_application_role(connection: Connection, role: str = APPLICATION_ROLE) -> None:
    """Create the login role unless the server already has it (a no-op on SQLite).

    Safe when migrations of several databases on one server create it at the same moment: the
    loser of the race finds it made. An existing role is left as it is (an administrator may have
    created it with a password or a connection limit). The role gets no password here.
    """
    if not _is_postgresql(connection):
        return
    quoted, named = _quote(connection, role), _literal(role)
    _run(
        connection,
        f"""
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = {named}) THEN
                BEGIN
                    CREATE ROLE {quoted} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
                EXCEPTION
                    WHEN duplicate_object OR unique_violation THEN
                        NULL;  -- created meanwhile by the migration of another database on this server
                    WHEN insufficient_privilege THEN
                        RAISE EXCEPTION 'The account % may not create the desks'' database role %.', current_user,
                            {named}
                            USING ERRCODE = 'insufficient_privilege',
                                HINT = 'Have a superuser run once: CREATE ROLE ' || quote_ident({named})
                                || ' LOGIN; then migrate again.';
                END;
            END IF;
        END
        $$
        """,
    )


def grant_database_access(connection: Connection, role: str = APPLICATION_ROLE) -> None:
    """Let the role connect to this database and use schema ``public``, but not create in it.

    Before PostgreSQL 15 every role could create tables in ``public`` (through ``PUBLIC``); that
    right is taken from ``PUBLIC`` and given to the database's owner and the migrating account.
    """
    if not _is_postgresql(connection):
        return
    quoted, named = _quote(connection, role), _literal(role)
    _run(
        connection,
        f"""
        DO $$
        BEGIN
            EXECUTE format('GRANT CONNECT ON DATABASE %I TO {quoted}', current_database());
            GRANT USAGE ON SCHEMA public TO {quoted};
            REVOKE CREATE ON SCHEMA public FROM {quoted};
            IF has_schema_privilege({named}, 'public', 'CREATE') THEN
                EXECUTE format('GRANT CREATE ON SCHEMA public TO %I, %I',
                    (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database()),
                    current_user);
                REVOKE CREATE ON SCHEMA public FROM PUBLIC;
            END IF;
            IF has_schema_privilege({named}, 'public', 'CREATE') THEN
                RAISE EXCEPTION 'The role % may still create tables in schema public.', {named}
                    USING ERRCODE = 'insufficient_privilege',
                        HINT = 'Have the owner of schema public run: REVOKE CREATE ON SCHEMA public FROM PUBLIC;'
                        || ' then migrate again.';
            END IF;
        END
        $$
        """,
    )


def _owned_sequences(connection: Connection, table: str) -> list[str]:
    """The sequences behind ``table``'s serial or identity columns, as quoted names."""
    rows = connection.execute(
        text(
            "SELECT s.oid::regclass::text FROM pg_class s "
            "JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid "
            "AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
            "WHERE s.relkind = 'S' AND d.refobjid = to_regclass(:table) ORDER BY 1"
        ),
        {"table": _quote(connection, table)},
    )
    return [str(name) for (name,) in rows]


def grant_table(connection: Connection, table: str, privileges: Iterable[str], role: str = APPLICATION_ROLE) -> None:
    """Give the role exactly ``privileges`` on ``table`` (anything else it had there is revoked);
    with INSERT also the use of the table's id sequences. A no-op on SQLite.

    Call it in the migration that creates a table, with only what the services need::

        grant_table(op.get_bind(), "complaint_notes", ["SELECT", "INSERT"])
    """
    wanted = {p.upper() for p in privileges}
    unknown = wanted - set(TABLE_PRIVILEGES)
    if unknown:
        raise ValueError(f"not a table privilege for the desks: {sorted(unknown)}; choose from {TABLE_PRIVILEGES}")
    chosen = [p for p in TABLE_PRIVILEGES if p in wanted]
    if not _is_postgresql(connection):
        return
    quoted_role, quoted_table = _quote(connection, role), _quote(connection, table)
    _run(connection, f"REVOKE ALL ON TABLE {quoted_table} FROM {quoted_role}")
    if chosen:
        _run(connection, f"GRANT {', '.join(chosen)} ON TABLE {quoted_table} TO {quoted_role}")
    for sequence in _owned_sequences(connection, table):
        _run(connection, f"REVOKE ALL ON SEQUENCE {sequence} FROM {quoted_role}")
        if "INSERT" in chosen:
            _run(connection, f"GRANT USAGE, SELECT ON SEQUENCE {sequence} TO {quoted_role}")


def revoke_table(connection: Connection, table: str, privileges: Iterable[str], role: str = APPLICATION_ROLE) -> None:
    """Take ``privileges`` (for example UPDATE, DELETE, TRUNCATE) on ``table`` from the role."""
    if not _is_postgresql(connection):
        return
    chosen = ", ".join(sorted({p.upper() for p in privileges}))
    _run(connection, f"REVOKE {chosen} ON TABLE {_quote(connection, table)} FROM {_quote(connection, role)}")


def revoke_everything(connection: Connection, role: str = APPLICATION_ROLE) -> None:
    """Take from the role every privilege in this database; the role itself stays (other databases
    on the server may use it). A no-op on SQLite or when the role does not exist."""
    if not _is_postgresql(connection) or not role_exists(connection, role):
        return
    quoted = _quote(connection, role)
    _run(connection, f"REVOKE ALL ON ALL TABLES IN SCHEMA public FROM {quoted}")
    _run(connection, f"REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM {quoted}")
    _run(connection, f"REVOKE ALL ON SCHEMA public FROM {quoted}")
    _run(
        connection, f"DO $$ BEGIN EXECUTE format('REVOKE ALL ON DATABASE %I FROM {quoted}', current_database()); END $$"
    )


@dataclass(frozen=True)
class SchemaRights:
    """Who is connected, and whether that account may change the schema."""

    account: str
    may_change_schema: bool
    owner: str  # the schema's owner (of the migrations' version table), else the database's


def schema_rights(connection: Connection) -> SchemaRights:
    """Whether the connected account may run migrations: a superuser, or an account that may
    create in schema ``public`` and acts as the owner of the existing tables."""
    row = connection.execute(
        text(
            """
            SELECT current_user,
                   (SELECT rolsuper FROM pg_roles WHERE rolname = current_user),
                   has_schema_privilege('public', 'CREATE'),
                   (SELECT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'alembic_version'),
                   (SELECT pg_get_userbyid(datdba) FROM pg_database WHERE datname = current_database())
            """
        )
    ).one()
    account, superuser, may_create, table_owner, database_owner = row
    owns_tables = table_owner is None or bool(
        connection.execute(text("SELECT pg_has_role(:owner, 'USAGE')"), {"owner": table_owner}).scalar()
    )
    return SchemaRights(
        account=str(account),
        may_change_schema=bool(superuser) or (bool(may_create) and owns_tables),
        owner=str(table_owner or database_owner),
    )


def permission_denied(error: DBAPIError) -> bool:
    """True when the database refused ``error``'s statement for lack of a privilege."""
    return getattr(error.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE
