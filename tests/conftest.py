"""Shared fixtures: migrated databases on SQLite and PostgreSQL, the demo pack, desk actors.

PostgreSQL tests run against the server at ``SUPERVISOR_TEST_PG_URL`` (default: the local server,
user postgres). Without one they are skipped with the reason, except when ``CI`` is set: there a
missing server is a failure, so CI can never pass by skipping them.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url

from supervisor_app.domain.people import Actor, Role
from supervisor_app.store import migrate
from supervisor_app.store.engine import make_engine
from tests.support.pg_cluster import ThrowawayCluster

if TYPE_CHECKING:
    from supervisor_app.pack import OrganisationPack

PG_SERVER_URL = os.environ.get("SUPERVISOR_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
TEMPLATE_DB = "supervisor_test_template"


def _pg_admin_engine() -> Engine:
    return create_engine(PG_SERVER_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})


@pytest.fixture(scope="session")
def pg_server() -> Iterator[str]:
    """The PostgreSQL server URL, with a migrated template database made once per run."""
    admin = _pg_admin_engine()
    try:
        with admin.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any failure to connect means "no server"
        admin.dispose()
        where = make_url(PG_SERVER_URL).render_as_string(hide_password=True)
        reason = f"PostgreSQL not reachable at {where}: {exc.__class__.__name__}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI requires it)")
        pytest.skip(reason)
    template_name = f"{TEMPLATE_DB}_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{template_name}"'))
    template_url = make_url(PG_SERVER_URL).set(database=template_name).render_as_string(hide_password=False)
    engine = make_engine(template_url)
    migrate.upgrade(engine)
    engine.dispose()
    yield template_name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{template_name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def pg_url(pg_server: str) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for one test (copied from the template)."""
    name = f"supervisor_test_{uuid.uuid4().hex[:12]}"
    admin = _pg_admin_engine()
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_server}"'))
    yield make_url(PG_SERVER_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "desk.db"
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    with engine.connect() as conn:
        conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)")
    engine.dispose()
    return path


@pytest.fixture
def sqlite_url(sqlite_template: Path, tmp_path: Path) -> str:
    """A fresh, migrated SQLite database file for one test."""
    target = tmp_path / "desk.db"
    shutil.copyfile(sqlite_template, target)
    return f"sqlite:///{target}"


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def db_url(request: pytest.FixtureRequest) -> str:
    """Run the test on both databases."""
    if request.param == "sqlite":
        return str(request.getfixturevalue("sqlite_url"))
    return str(request.getfixturevalue("pg_url"))


@pytest.fixture
def engine(db_url: str) -> Iterator[Engine]:
    engine = make_engine(db_url)
    yield engine
    engine.dispose()


@pytest.fixture(scope="session")
def pack() -> OrganisationPack:
    from supervisor_app.pack import default_pack_dir, load_pack

    return load_pack(default_pack_dir())


@pytest.fixture
def supervisor() -> Actor:
    return Actor.of("sup.one", [Role.SUPERVISOR], "desk-1")


@pytest.fixture
def operator() -> Actor:
    return Actor.of("op.one", [Role.OPERATOR], "desk-2")


@pytest.fixture
def unstarted_cluster() -> Iterator[ThrowawayCluster]:
    """A PostgreSQL server of the test's own, to configure before starting it."""
    base = Path(tempfile.mkdtemp(prefix="desk-cluster-"))
    os.chmod(base, 0o755)  # the server runs as its own user and must reach its folders
    try:
        server = ThrowawayCluster(base)
    except FileNotFoundError as missing:
        shutil.rmtree(base, ignore_errors=True)
        if os.environ.get("CI"):
            pytest.fail(f"{missing} (CI requires them)")
        pytest.skip(str(missing))
    yield server
    server.stop()
    shutil.rmtree(base, ignore_errors=True)


@pytest.fixture
def cluster(unstarted_cluster: ThrowawayCluster) -> ThrowawayCluster:
    """A PostgreSQL server of the test's own, which it may restart or take down."""
    unstarted_cluster.start()
    return unstarted_cluster


MQTT_SERVER = os.environ.get("SUPERVISOR_TEST_MQTT", "127.0.0.1:1883")


@pytest.fixture(scope="session")
def mqtt_broker() -> tuple[str, int]:
    """(host, port) of a reachable MQTT broker (``SUPERVISOR_TEST_MQTT``, default 127.0.0.1:1883).

    Without one the test is skipped with the reason, except when ``CI`` is set: there a missing
    broker is a failure, so CI can never pass by skipping the MQTT tests (as with PostgreSQL).
    """
    import socket

    host, _, port = MQTT_SERVER.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=3):
            pass
    except OSError as exc:
        reason = f"MQTT broker not reachable at {MQTT_SERVER}: {exc.__class__.__name__}"
        if os.environ.get("CI"):
            pytest.fail(f"{reason} (CI requires it)")
        pytest.skip(reason)
    return host, int(port)


@pytest.fixture
def no_new_threads() -> Iterator[None]:
    """Fail a test that leaves a thread running (a network loop, a server, a scheduler) after its
    fixtures end."""
    import threading

    before = set(threading.enumerate())
    yield
    left = [thread for thread in threading.enumerate() if thread not in before and thread.is_alive()]
    for thread in left:
        thread.join(2)
    names = [thread.name for thread in left if thread.is_alive()]
    assert not names, f"threads left running: {names}"

