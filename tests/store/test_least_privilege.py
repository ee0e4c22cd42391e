"""Least privilege on PostgreSQL: desks connect as an account without DDL rights, and all they do works.

The migrations (run by the schema's owner) create the login role ``supervisor_desk`` and grant it,
table by table, what the services need. These tests migrate and seed as the owner, then use the
desk as the role: the services work, while changing the schema or history is refused by the
database's privileges (not only by the append-only triggers).
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import quote

import pytest
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine, create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from supervisor_app.demo import DEFAULT_SEED, seed_demo
from supervisor_app.demo.organisation import DEMO_PASSWORD
from supervisor_app.domain.changes import Changes, EntityKind
from supervisor_app.domain.people import Role
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.audit_verification import verify_audit
from supervisor_app.services.desk_overview import load_overview
from supervisor_app.services.incidents import add_log_entry, create_incident
from supervisor_app.services.live_rows import load_snapshot, reload_rows
from supervisor_app.services.presence import (
    claim_incident,
    heartbeat,
    leave_desk,
    load_presence,
    register_desk,
    release_incident,
)
from supervisor_app.services.resources import assign_resource, change_resource_status
from supervisor_app.services.sign_in import SignInRefused, sign_in
from supervisor_app.services.users import add_user, list_users, set_active, set_password, unlock
from supervisor_app.store import migrate
from supervisor_app.store.change_feed import ChangeFeed, FeedState
from supervisor_app.store.change_log import latest_seq
from supervisor_app.store.engine import make_engine, writer
from supervisor_app.store.errors import StoreError
from supervisor_app.store.models import Resource
from supervisor_app.store.roles import APPLICATION_ROLE, INSUFFICIENT_PRIVILEGE, create_application_role
from tests.conftest import PG_SERVER_URL
from tests.services.conftest import new_incident
from tests.support.feed_recorder import Recorder
from tests.support.pg_cluster import ThrowawayCluster

pytestmark = pytest.mark.postgres

#: What the desks' account may do on each table. A migration that creates a table grants it with
#: ``supervisor_app.store.roles.grant_table`` and the table is listed here.
EXPECTED_PRIVILEGES: dict[str, frozenset[str]] = {
    "alembic_version": frozenset({"SELECT"}),
    "stations": frozenset({"SELECT"}),
    "shifts": frozenset({"SELECT"}),
    "cases": frozenset({"SELECT"}),
    "audit_events": frozenset({"SELECT", "INSERT"}),
    "incident_log": frozenset({"SELECT", "INSERT"}),
    "changes": frozenset({"SELECT", "INSERT"}),
    "user_roles": frozenset({"SELECT", "INSERT"}),
    "users": frozenset({"SELECT", "INSERT", "UPDATE"}),
    "incidents": frozenset({"SELECT", "INSERT", "UPDATE"}),
    "deployments": frozenset({"SELECT", "INSERT", "UPDATE"}),
    "reference_counters": frozenset({"SELECT", "INSERT", "UPDATE"}),
    "resources": frozenset({"SELECT", "UPDATE"}),
    "desks": frozenset({"SELECT", "INSERT", "UPDATE", "DELETE"}),
    "incident_claims": frozenset({"SELECT", "INSERT", "UPDATE", "DELETE"}),
    "incident_links": frozenset({"SELECT", "INSERT"}),
    "referrals": frozenset({"SELECT", "INSERT", "UPDATE"}),
    "messages": frozenset({"SELECT", "INSERT", "UPDATE"}),
    "external_requests": frozenset({"SELECT", "INSERT", "UPDATE"}),
    "escalations": frozenset({"SELECT", "INSERT", "UPDATE"}),
    "alert_acknowledgements": frozenset({"SELECT", "INSERT"}),
}
APPEND_ONLY = ("audit_events", "incident_log")
EVERY_TABLE_PRIVILEGE = ("SELECT", "INSERT", "UPDATE", "DELETE", "TRUNCATE", "REFERENCES", "TRIGGER")
OWNER = make_url(PG_SERVER_URL).username or "postgres"
SERVER = f"{make_url(PG_SERVER_URL).host}:{make_url(PG_SERVER_URL).port or 5432}"
NEW_PASSWORD = "harbour-signal-77-birch"


def desk_url(owner_url: str) -> str:
    """The same database, as a desk connects to it: as the desks' account (with the owner's password
    on a test server that asks for one; see :func:`desk_account_password`)."""
    url = make_url(owner_url)
    account = f"{APPLICATION_ROLE}:{quote(url.password, safe='')}" if url.password else APPLICATION_ROLE
    return f"postgresql://{account}@{url.host}:{url.port or 5432}/{url.database}"


@pytest.fixture(scope="module", autouse=True)
def desk_account_password(pg_server: str) -> None:
    """A test server that asks for passwords gets one for the desks' account: the owner's."""
    password = make_url(PG_SERVER_URL).password
    if not password:
        return
    admin = create_engine(PG_SERVER_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            literal = "'" + password.replace("'", "''") + "'"
            conn.execute(text(f"ALTER ROLE {APPLICATION_ROLE} PASSWORD {literal}"))
    finally:
        admin.dispose()


@contextmanager
def fresh_database() -> Iterator[str]:
    """An empty database on the test server (the owner's URL); dropped afterwards."""
    name = f"supervisor_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(PG_SERVER_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(PG_SERVER_URL).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextmanager
def engine_for(url: str) -> Iterator[Engine]:
    engine = make_engine(url)
    try:
        yield engine
    finally:
        engine.dispose()


@pytest.fixture(scope="module")
def seeded(pg_server: str, pack: OrganisationPack) -> Iterator[str]:
    """A fresh database migrated and seeded (one day of history) by its owner; the owner's URL."""
    with fresh_database() as owner_url, engine_for(owner_url) as owner:
        migrate.upgrade(owner)
        seed_demo(owner, pack, seed=DEFAULT_SEED, days=1)
        yield owner_url


@pytest.fixture
def desk(seeded: str) -> Iterator[Engine]:
    """The seeded database as a desk sees it: connected as the desks' account."""
    with engine_for(desk_url(seeded)) as engine:
        yield engine


def _effective_privileges(connection: Connection, role: str, table: str) -> frozenset[str]:
    return frozenset(
        privilege
        for privilege in EVERY_TABLE_PRIVILEGE
        if connection.execute(
            text("SELECT has_table_privilege(:role, :table, :privilege)"),
            {"role": role, "table": f"public.{table}", "privilege": privilege},
        ).scalar()
    )


def test_every_table_grants_the_desk_account_exactly_what_the_services_need(pg_url: str) -> None:
    with engine_for(pg_url) as owner, owner.connect() as conn:
        tables = conn.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1")).scalars()
        actual = {table: _effective_privileges(conn, APPLICATION_ROLE, table) for table in tables}
    unlisted = sorted(set(actual) - set(EXPECTED_PRIVILEGES))
    assert not unlisted, "\n".join(
        f"Table {table!r} is not listed for the desks' account {APPLICATION_ROLE} "
        f"(it has {sorted(actual[table]) or 'no privileges'}). In the migration that creates it, grant what the "
        f'services need, e.g. roles.grant_table(op.get_bind(), "{table}", ["SELECT", "INSERT"]) '
        "(supervisor_app.store.roles), and list it in EXPECTED_PRIVILEGES in this file."
        for table in unlisted
    )
    wrong = {
        table: (sorted(actual.get(table, ())), sorted(expected))
        for table, expected in EXPECTED_PRIVILEGES.items()
        if actual.get(table) != expected
    }
    assert not wrong, "\n".join(
        f"Table {table!r}: {APPLICATION_ROLE} has {has}, expected {expected}. Grant exactly that in a migration "
        "with roles.grant_table (or correct EXPECTED_PRIVILEGES if the services' needs changed)."
        for table, (has, expected) in wrong.items()
    )


def test_history_is_never_granted_for_change(pg_url: str) -> None:
    with engine_for(pg_url) as owner, owner.connect() as conn:
        for table in APPEND_ONLY:
            granted = _effective_privileges(conn, APPLICATION_ROLE, table)
            assert granted & {"UPDATE", "DELETE", "TRUNCATE"} == set(), f"{table} must stay append-only"


def test_inserting_tables_may_draw_their_ids(pg_url: str) -> None:
    with engine_for(pg_url) as owner, owner.connect() as conn:
        sequences = conn.execute(
            text(
                "SELECT s.relname, t.relname, has_sequence_privilege(:role, s.oid, 'USAGE') FROM pg_class s "
                "JOIN pg_depend d ON d.classid = 'pg_class'::regclass AND d.objid = s.oid AND d.deptype IN ('a', 'i') "
                "JOIN pg_class t ON t.oid = d.refobjid "
                "WHERE s.relkind = 'S' AND s.relnamespace = 'public'::regnamespace ORDER BY 1"
            ),
            {"role": APPLICATION_ROLE},
        ).all()
    assert sequences
    for sequence, table, usable in sequences:
        assert usable == ("INSERT" in EXPECTED_PRIVILEGES.get(table, ())), f"{sequence} of {table}"


def test_the_desk_account_is_a_plain_login_without_ddl_rights(pg_url: str) -> None:
    with engine_for(pg_url) as owner, owner.connect() as conn:
        role = conn.execute(
            text(
                "SELECT rolcanlogin, rolsuper, rolcreatedb, rolcreaterole, rolreplication, rolbypassrls "
                "FROM pg_roles WHERE rolname = :role"
            ),
            {"role": APPLICATION_ROLE},
        ).one()
        assert tuple(role) == (True, False, False, False, False, False)
        may = conn.execute(
            text(
                "SELECT has_schema_privilege(:role, 'public', 'USAGE'),"
                " has_schema_privilege(:role, 'public', 'CREATE'),"
                " has_database_privilege(:role, current_database(), 'CONNECT'),"
                " has_database_privilege(:role, current_database(), 'CREATE')"
            ),
            {"role": APPLICATION_ROLE},
        ).one()
        assert tuple(may) == (True, False, True, False)
        memberships = conn.execute(
            text("SELECT count(*) FROM pg_auth_members m JOIN pg_roles r ON r.oid = m.member WHERE r.rolname = :role"),
            {"role": APPLICATION_ROLE},
        ).scalar()
        assert memberships == 0


def test_a_desk_works_through_the_services_as_the_desk_account(desk: Engine, pack: OrganisationPack) -> None:
    with desk.connect() as conn:
        assert conn.execute(text("SELECT current_user")).scalar() == APPLICATION_ROLE
        start = latest_seq(conn)
    assert migrate.is_current(desk)  # what a desk checks when it opens
    migrate.upgrade(desk)  # nothing pending: allowed, and changes nothing

    recorder = Recorder()
    feed = ChangeFeed(
        desk, after_seq=start, on_notices=recorder.on_notices, on_state=recorder.on_state, fallback_interval_s=30
    )  # LISTEN must wake it: the slow timer would not in time
    feed.start()

    def session() -> Session:
        return Session(writer(desk), expire_on_commit=False)

    try:
        recorder.wait_for(lambda: recorder.states and recorder.states[-1].state is FeedState.LIVE)
        with session() as s, pytest.raises(SignInRefused):
            sign_in(s, "demo.supervisor", "not the password", "desk-7", timezone=pack.timezone)
        with session() as s:
            supervisor = sign_in(s, "demo.supervisor", DEMO_PASSWORD, "desk-7", timezone=pack.timezone)
        with session() as s:
            register_desk(s, supervisor, host="cr-pc-07")
        with session() as s:
            assert heartbeat(s, supervisor)
        with session() as s:
            created = create_incident(s, supervisor, new_incident(pack), pack)
        with session() as s:
            add_log_entry(s, supervisor, created.incident_id, "NOTE", "Caller rang back", pack)
        with session() as s:
            claim_incident(s, supervisor, created.incident_id, timezone=pack.timezone)
        with Session(desk) as s:
            resource_id = s.scalars(select(Resource.id).where(Resource.status == "available").limit(1)).one()
        with session() as s:
            assignment = assign_resource(s, supervisor, created.incident_id, resource_id, pack, channel="voice_radio")
        with session() as s:
            change_resource_status(s, supervisor, resource_id, "en_route")
        with Session(desk) as s:
            presence = load_presence(s, supervisor)
            assert [c.incident_id for c in presence.claims] == [created.incident_id]
        with session() as s:
            assert release_incident(s, supervisor, created.incident_id)
        with Session(desk) as s:
            snapshot = load_snapshot(s, supervisor)
            assert created.incident_id in {i.id for i in snapshot.incidents}
        with Session(desk) as s:
            rows = reload_rows(s, supervisor, Changes.of(incident=created.incident_id, resource=resource_id))
            assert [r.status for r in rows.resources] == ["en_route"]
        with Session(desk) as s:
            assert load_overview(s, supervisor).open_total >= 1
        with session() as s:
            leave_desk(s, supervisor)

        with session() as s:
            admin = sign_in(s, "demo.admin", DEMO_PASSWORD, "desk-5", timezone=pack.timezone)
        with session() as s:
            add_user(s, admin, "new.colleague", "New Colleague", [Role.OPERATOR], NEW_PASSWORD)
        with session() as s:
            set_password(s, admin, "new.colleague", NEW_PASSWORD + "-2")
        with session() as s:
            set_active(s, admin, "new.colleague", False)
        with session() as s:
            set_active(s, admin, "new.colleague", True)
        with session() as s:
            unlock(s, admin, "new.colleague")
        with session() as s:
            assert "new.colleague" in {u.username for u in list_users(s, admin)}
        with session() as s:
            operator = sign_in(s, "new.colleague", NEW_PASSWORD + "-2", "desk-2", timezone=pack.timezone)
        assert operator.roles == {Role.OPERATOR}

        with Session(desk) as s:
            verification = verify_audit(s, admin)
        assert verification.intact, verification.summary()

        with desk.connect() as conn:
            end = latest_seq(conn)
        recorder.wait_for(lambda: recorder.seqs[-1:] == [end])
        assert recorder.seqs == list(range(start + 1, end + 1))
        deployments = {i for n in recorder.notices for i in n.changes.ids.get(EntityKind.DEPLOYMENT, ())}
        assert assignment.deployment_id in deployments
    finally:
        feed.stop()


@pytest.mark.parametrize(
    "statement",
    [
        "CREATE TABLE notes (id integer)",
        "ALTER TABLE incidents ADD COLUMN forged text",
        "DROP TABLE changes",
        "CREATE INDEX ix_forged ON incidents (summary)",
        "ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only",
        "UPDATE alembic_version SET version_num = '0001'",
    ],
)
def test_the_desk_account_may_not_change_the_schema(desk: Engine, statement: str) -> None:
    with pytest.raises(DBAPIError) as refused, desk.begin() as conn:
        conn.execute(text(statement))
    assert getattr(refused.value.orig, "sqlstate", None) == INSUFFICIENT_PRIVILEGE
    assert "permission denied" in str(refused.value) or "must be owner" in str(refused.value)


@pytest.mark.parametrize(
    "statement",
    [
        *(f"UPDATE {t} SET desk = 'forged'" for t in APPEND_ONLY),
        *(f"DELETE FROM {t}" for t in APPEND_ONLY),
        *(f"TRUNCATE {t}" for t in APPEND_ONLY),
        "DELETE FROM incidents",
        "DELETE FROM users",
        "INSERT INTO stations (code, name, address, sector_code, lat, lon) VALUES ('X', 'X', 'X', 'X', 60, 24)",
        "UPDATE stations SET name = 'forged'",
        "SELECT setval('stations_id_seq', 1)",
    ],
)
def test_the_desk_account_may_not_rewrite_history_or_the_organisation(desk: Engine, statement: str) -> None:
    with pytest.raises(DBAPIError) as refused, desk.begin() as conn:
        conn.execute(text(statement))
    message = str(refused.value.orig)
    assert message.startswith("permission denied for "), message  # the privilege, before any trigger
    assert "append-only" not in message


def test_a_database_not_yet_prepared_for_desks_sends_the_desk_to_an_administrator(pg_server: str) -> None:
    with fresh_database() as owner_url, engine_for(owner_url) as owner, engine_for(desk_url(owner_url)) as desk:
        database = make_url(owner_url).database
        expected_command = f"supervisor-app migrate --db postgresql://{OWNER}@{SERVER}/{database}"

        with pytest.raises(StoreError) as empty:
            migrate.upgrade(desk)
        assert str(empty.value).startswith(
            f"The database schema is at revision none (an empty database); this desk needs {migrate.head_revision()}."
        )
        assert expected_command in str(empty.value)

        migrate.upgrade(owner, "0007")  # as an earlier release left it: no grants for the desks yet
        for call in (migrate.is_current, migrate.upgrade):
            with pytest.raises(StoreError) as unprepared:
                call(desk)
            assert f"The database account {APPLICATION_ROLE} may not read the schema revision" in str(unprepared.value)
            assert "may not change the schema, by design" in str(unprepared.value)
            assert str(unprepared.value).endswith(expected_command)
        assert migrate.current_revision(owner) == "0007"

        migrate.upgrade(owner)  # what the administrator runs
        assert migrate.is_current(desk)


def test_a_desk_finding_the_schema_behind_is_refused_before_anything_runs(pg_server: str) -> None:
    with fresh_database() as owner_url, engine_for(owner_url) as owner, engine_for(desk_url(owner_url)) as desk:
        head = migrate.head_revision()
        script = ScriptDirectory.from_config(migrate.alembic_config()).get_revision(head)
        assert script is not None
        previous = script.down_revision
        assert isinstance(previous, str)
        migrate.upgrade(owner, previous)  # a database one revision behind this desk's code
        assert not migrate.is_current(desk)
        with pytest.raises(StoreError) as refused:
            migrate.upgrade(desk)
        assert str(refused.value) == (
            f"The database schema is at revision {previous}; this desk needs {head}. The desk's database account "
            f"({APPLICATION_ROLE}) may not change the schema, by design; ask an administrator to run: "
            f"supervisor-app migrate --db postgresql://{OWNER}@{SERVER}/{make_url(owner_url).database}"
        )
        assert migrate.current_revision(owner) == previous

        migrate.upgrade(owner)  # the owner brings it up to date, and the desk may use it
        assert migrate.is_current(desk)


def test_seeding_as_the_desk_account_sends_the_desk_to_an_administrator(pg_server: str, pack: OrganisationPack) -> None:
    with fresh_database() as owner_url, engine_for(owner_url) as owner, engine_for(desk_url(owner_url)) as desk:
        migrate.upgrade(owner)
        with pytest.raises(StoreError, match="may not create the demo organisation") as refused:
            seed_demo(desk, pack, seed=DEFAULT_SEED, days=1)
        assert str(refused.value).endswith(
            f"supervisor-app seed --db postgresql://{OWNER}@{SERVER}/{make_url(owner_url).database}"
        )


def test_public_create_in_schema_public_is_taken_away(pg_server: str) -> None:
    """Before PostgreSQL 15 every role could create in schema public; the migration ends that."""
    with fresh_database() as owner_url, engine_for(owner_url) as owner:
        with owner.begin() as conn:
            conn.execute(text("GRANT CREATE ON SCHEMA public TO PUBLIC"))
        migrate.upgrade(owner)
        with owner.connect() as conn:
            assert not conn.execute(
                text("SELECT has_schema_privilege(:role, 'public', 'CREATE')"), {"role": APPLICATION_ROLE}
            ).scalar()
        with (
            engine_for(desk_url(owner_url)) as desk,
            pytest.raises(DBAPIError, match="permission denied"),
            desk.begin() as conn,
        ):
            conn.execute(text("CREATE TABLE notes (id integer)"))


def test_migrations_of_several_databases_may_create_the_role_at_once(pg_server: str) -> None:
    role = f"supervisor_test_{uuid.uuid4().hex[:8]}"
    admin = create_engine(PG_SERVER_URL)
    start = threading.Barrier(4)
    failures: list[BaseException] = []

    def migrate_one() -> None:
        try:
            with admin.begin() as conn:
                start.wait(10)
                create_application_role(conn, role)
                conn.execute(text("SELECT pg_sleep(0.2)"))  # hold the new role uncommitted a moment
        except BaseException as exc:  # noqa: BLE001 - reported by the assertion below
            failures.append(exc)

    workers = [threading.Thread(target=migrate_one) for _ in range(4)]
    try:
        for worker in workers:
            worker.start()
        for worker in workers:
            worker.join(30)
        assert failures == []
        with admin.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM pg_roles WHERE rolname = :r"), {"r": role}).scalar() == 1
    finally:
        with admin.begin() as conn:
            conn.execute(text(f'DROP ROLE IF EXISTS "{role}"'))
        admin.dispose()


def test_a_database_owner_without_superuser_rights_migrates_once_the_role_exists(cluster: ThrowawayCluster) -> None:
    """The set-up an administrator follows on a server of their own: an owner account that is not a
    superuser runs the migrations; only the desks' role needs a superuser, once per server."""
    superuser = create_engine(
        cluster.url.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    try:
        with superuser.connect() as conn:
            conn.execute(text("CREATE ROLE supervisor_owner LOGIN"))
            conn.execute(text("CREATE DATABASE supervisor OWNER supervisor_owner"))
        with engine_for(f"postgresql://supervisor_owner@127.0.0.1:{cluster.port}/supervisor") as owner:
            with pytest.raises(StoreError) as refused:
                migrate.upgrade(owner)
            assert str(refused.value) == (
                f"Migrating PostgreSQL supervisor_owner@127.0.0.1:{cluster.port}/supervisor from revision none to "
                f"{migrate.head_revision()} was refused: The account supervisor_owner may not create the desks' "
                f"database role {APPLICATION_ROLE}. Have a superuser run once: CREATE ROLE {APPLICATION_ROLE} LOGIN; "
                "then migrate again."
            )
            assert migrate.current_revision(owner) is None  # all or nothing

            with superuser.connect() as conn:
                conn.execute(text(f"CREATE ROLE {APPLICATION_ROLE} LOGIN"))
            migrate.upgrade(owner)
            assert migrate.is_current(owner)
        with engine_for(f"postgresql://{APPLICATION_ROLE}@127.0.0.1:{cluster.port}/supervisor") as desk:
            assert migrate.is_current(desk)
            with desk.connect() as conn:
                assert conn.execute(text("SELECT count(*) FROM incidents")).scalar() == 0
            with pytest.raises(DBAPIError, match="permission denied for schema public"), desk.begin() as conn:
                conn.execute(text("CREATE TABLE notes (id integer)"))
    finally:
        superuser.dispose()
