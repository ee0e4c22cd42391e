"""The database password: its name from the address, the URL that carries it unseen, and the
refusal of an address that has a password written into it."""

from __future__ import annotations

import logging
from urllib.parse import quote

import pytest
from sqlalchemy import create_engine

from supervisor_app.secrets import (
    EnvironmentStore,
    InlinePassword,
    SecretsError,
    channel_secret_name,
    check_secret_name,
    database_secret_name,
    database_url_with_password,
    refuse_inline_password,
)
from supervisor_app.store.engine import parse_database_url

PASSWORD = "s3cret-p@ss:word/%"


@pytest.mark.parametrize(
    ("address", "name"),
    [
        ("postgresql://desk@db1:5432/supervisor", "database:desk@db1:5432/supervisor"),
        ("postgresql://desk@db1/supervisor", "database:desk@db1:5432/supervisor"),
        ("postgres://desk@DB1.Example.org:6432/supervisor", "database:desk@db1.example.org:6432/supervisor"),
        ("postgresql+psycopg://desk@db1/supervisor?sslmode=verify-full", "database:desk@db1:5432/supervisor"),
        ("postgresql://desk@/supervisor", "database:desk@localhost:5432/supervisor"),
        ("postgresql://desk@db1", "database:desk@db1:5432/desk"),  # libpq's default database is the user's
        ("postgresql://desk@[::1]:5433/supervisor", "database:desk@[::1]:5433/supervisor"),
        ("postgresql://desk@/supervisor?host=/var/run/postgresql", "database:desk@/var/run/postgresql:5432/supervisor"),
        (
            "postgresql://supervisor_desk@db1:5432,db2:5432/supervisor?target_session_attrs=read-write",
            "database:supervisor_desk@db1:5432,db2:5432/supervisor",
        ),
        ("postgresql://desk@db1,DB2:5433/supervisor", "database:desk@db1:5432,db2:5433/supervisor"),
        ("postgresql://desk@/supervisor?host=db1:5432&host=db2:5432", "database:desk@db1:5432,db2:5432/supervisor"),
    ],
)
def test_a_database_password_is_named_after_the_account_and_servers(address: str, name: str) -> None:
    assert database_secret_name(address) == name
    assert database_secret_name(parse_database_url(address)) == name  # the same as the engine reads it
    assert check_secret_name(name) == name


@pytest.mark.parametrize(
    ("address", "message"),
    [
        ("sqlite:////var/lib/desk.db", "SQLite file; it has no password"),
        ("mysql://desk@db1/supervisor", "PostgreSQL databases only, not for mysql"),
        ("postgresql://db1:5432/supervisor", "names no user"),
        ("postgresql://desk:hunter2-secret@db1:notaport/x", "is not a URL"),
    ],
)
def test_addresses_without_a_password_to_keep_are_explained(address: str, message: str) -> None:
    with pytest.raises(SecretsError, match=message) as refused:
        database_secret_name(address)
    assert "hunter2-secret" not in str(refused.value)


def test_channel_names() -> None:
    assert channel_secret_name("smtp") == "channel:smtp"
    assert check_secret_name("channel:sms-gateway") == "channel:sms-gateway"
    for bad in ("SMTP", "", "-x", "smtp relay", "a" * 65):
        with pytest.raises(SecretsError, match="not a channel name"):
            channel_secret_name(bad)
    for bad in ("smtp", "password", "database:", "database:db1/x"):
        with pytest.raises(SecretsError, match="is not a secret name"):
            check_secret_name(bad)


def test_the_engine_gets_the_password_in_a_url_that_never_shows_it(caplog: pytest.LogCaptureFixture) -> None:
    address = "postgresql://supervisor_desk@db1:5432,db2:5432/supervisor?target_session_attrs=read-write"
    store = EnvironmentStore({"SUPERVISOR_DB_PASSWORD": PASSWORD})
    url = database_url_with_password(address, store)
    assert url.password == PASSWORD
    assert url.username == "supervisor_desk" and url.query["host"] == ("db1:5432", "db2:5432")
    for shown in (str(url), repr(url), f"{url}", url.render_as_string()):
        assert PASSWORD not in shown and quote(PASSWORD, safe="") not in shown and "***" in shown
    engine = create_engine(url.set(drivername="postgresql+psycopg"))  # builds the engine; connects to nothing
    try:
        with caplog.at_level(logging.INFO):
            logging.getLogger("supervisor_app").info("engine %s at %r", engine, engine.url)
        assert PASSWORD not in repr(engine) and PASSWORD not in caplog.text
    finally:
        engine.dispose()


def test_addresses_that_need_no_stored_password_come_back_unchanged() -> None:
    store = EnvironmentStore({"SUPERVISOR_DB_PASSWORD": PASSWORD})
    assert database_url_with_password("sqlite:////tmp/desk.db", store).password is None
    assert database_url_with_password("postgresql://db1/supervisor", store).password is None  # no user
    assert database_url_with_password("postgresql://desk@db1/x", EnvironmentStore({})).password is None
    inline = database_url_with_password("postgresql://desk:inline-one@db1/x", store)
    assert inline.password == "inline-one"  # already refused by refuse_inline_password where it matters


@pytest.mark.parametrize(
    "address",
    [
        "postgresql://desk:hunter2-secret@db1:5432/supervisor",
        "postgresql://desk:hunter2-secret@db1:5432,db2:5432/supervisor?target_session_attrs=read-write",
        "postgresql://desk@db1/supervisor?password=hunter2-secret",
    ],
)
def test_an_address_with_a_password_in_it_is_refused_saying_where_and_what_to_do(address: str) -> None:
    where = "/home/desk/.config/incident-supervisor/settings.toml"
    with pytest.raises(InlinePassword) as refused:
        refuse_inline_password(address, where)
    message = str(refused.value)
    assert where in message and "supervisor-app secrets set-db-password" in message
    assert "SUPERVISOR_DB_PASSWORD" in message and "hunter2-secret" not in message


@pytest.mark.parametrize(
    "address", ["postgresql://desk@db1/supervisor", "sqlite:////tmp/desk.db", "postgresql://desk@db1,db2/x", "nonsense"]
)
def test_an_address_without_a_password_passes(address: str) -> None:
    refuse_inline_password(address, "the environment variable SUPERVISOR_DB_URL")
