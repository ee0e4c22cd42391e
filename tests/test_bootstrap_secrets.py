"""The desk's database password comes from the secret store, never from an address written down."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import keyring
import psycopg
import pytest
from keyring.backends import fail
from sqlalchemy import text

from supervisor_app.bootstrap import database_url, prepare_desk
from supervisor_app.demo import seed_demo
from supervisor_app.pack import OrganisationPack
from supervisor_app.secrets import InlinePassword, open_secret_store
from supervisor_app.settings import Settings
from supervisor_app.store import migrate
from supervisor_app.store.engine import make_engine
from supervisor_app.store.errors import StoreError
from supervisor_app.store.roles import APPLICATION_ROLE
from tests.support.keyrings import MemoryKeyring
from tests.support.pg_cluster import ThrowawayCluster

DESK_PASSWORD = "correct horse battery staple 7"


@pytest.fixture(autouse=True)
def no_machine_keyring() -> Iterator[None]:
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())
    yield
    keyring.set_keyring(previous)


def settings_for(tmp_path: Path, url: str, source: str = "the --db option") -> Settings:
    return Settings(data_dir=tmp_path, config_dir=tmp_path, db_url=url, desk_name="desk-1", db_url_source=source)


@pytest.mark.parametrize(
    "url",
    [
        "postgresql://supervisor_desk:hunter2hunter2@db1:5432/supervisor",
        "postgresql://supervisor_desk:hunter2hunter2@db1:5432,db2:5432/supervisor",
        "postgresql://supervisor_desk@db1/supervisor?password=hunter2hunter2",
    ],
)
def test_an_address_with_a_password_in_it_is_refused_naming_where(tmp_path: Path, url: str) -> None:
    where = f"the settings file {tmp_path / 'settings.toml'}"
    with pytest.raises(InlinePassword) as refused:
        database_url(settings_for(tmp_path, url, where))
    assert where in str(refused.value) and "hunter2" not in str(refused.value)
    assert "secrets set-db-password" in str(refused.value)


def test_sqlite_never_opens_the_secret_store(tmp_path: Path) -> None:
    url, secrets = database_url(settings_for(tmp_path, f"sqlite:///{tmp_path / 'desk.db'}"))
    assert secrets is None and url.get_backend_name() == "sqlite"
    assert not any(tmp_path.iterdir())  # no secrets file made


def test_the_stored_password_reaches_the_engine_and_no_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    keyring.set_keyring(MemoryKeyring())
    keyring.set_password("incident-supervisor", "database:supervisor_desk@db1:5432/supervisor", DESK_PASSWORD)
    url, secrets = database_url(settings_for(tmp_path, "postgresql://supervisor_desk@db1:5432/supervisor"))
    assert secrets is not None and secrets.keyring_problem is None
    assert url.password == DESK_PASSWORD
    engine = make_engine(url)
    with caplog.at_level(logging.DEBUG):
        logging.getLogger("test").info("engine %s url %s", engine, engine.url)
    for shown in (str(url), repr(url), repr(engine), caplog.text):
        assert DESK_PASSWORD not in shown
    engine.dispose()


@pytest.mark.postgres
def test_a_desk_signs_in_to_a_password_protected_server_with_the_stored_password(
    cluster: ThrowawayCluster, pack: OrganisationPack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    owner = make_engine(cluster.url)
    migrate.upgrade(owner)
    seed_demo(owner, pack, seed=7, days=1)
    with owner.begin() as connection:
        connection.execute(text(f"ALTER ROLE {APPLICATION_ROLE} PASSWORD '{DESK_PASSWORD}'"))
    owner.dispose()
    cluster.require_passwords()
    desk_url = f"postgresql://{APPLICATION_ROLE}@127.0.0.1:{cluster.port}/postgres"
    settings = settings_for(tmp_path, desk_url, "the environment variable SUPERVISOR_DB_URL")
    monkeypatch.delenv("SUPERVISOR_DB_PASSWORD", raising=False)
    monkeypatch.delenv("SUPERVISOR_SECRETS_PASSPHRASE", raising=False)

    with pytest.raises((StoreError, psycopg.OperationalError)) as refused:  # no password stored anywhere
        prepare_desk(settings)
    assert "password" in str(refused.value).lower()

    monkeypatch.setenv("SUPERVISOR_DB_PASSWORD", DESK_PASSWORD)  # a service account's environment
    database = prepare_desk(settings)
    try:
        with database.engine.connect() as connection:
            assert connection.scalar(text("SELECT current_user")) == APPLICATION_ROLE
        assert "No keyring" in database.secrets_note or "keyring" in database.secrets_note.lower()
    finally:
        database.engine.dispose()

    monkeypatch.delenv("SUPERVISOR_DB_PASSWORD")  # the encrypted file, when the machine has no keyring
    monkeypatch.setenv("SUPERVISOR_SECRETS_PASSPHRASE", "a passphrase long enough")
    opened = open_secret_store(tmp_path)
    opened.store.set(f"database:{APPLICATION_ROLE}@127.0.0.1:{cluster.port}/postgres", DESK_PASSWORD)
    monkeypatch.delenv("SUPERVISOR_SECRETS_PASSPHRASE")
    asked: list[bool] = []

    def passphrase(new_file: bool) -> str:
        asked.append(new_file)
        return "a passphrase long enough"

    database = prepare_desk(replace(settings), passphrase=passphrase)
    database.engine.dispose()
    assert asked == [False]
    assert DESK_PASSWORD.encode() not in (tmp_path / "secrets.enc").read_bytes()
