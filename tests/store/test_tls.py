"""TLS settings in a database address (``sslmode``, ``sslrootcert``, ...) reach the driver unchanged,
for one host and for several, and a desk's connections, the change feed's included, are encrypted."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import pytest
from sqlalchemy import Engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from supervisor_app.store import migrate
from supervisor_app.store.change_feed import ChangeFeed
from supervisor_app.store.engine import describe, make_engine, parse_database_url
from supervisor_app.store.errors import StoreError, unreachable
from tests.conftest import PG_SERVER_URL
from tests.support.pg_cluster import ThrowawayCluster

TLS_OPTIONS = {
    "sslmode": "verify-full",
    "sslrootcert": "/etc/incident-supervisor/tls/root ca.pem",
    "sslcert": "/etc/incident-supervisor/tls/desk.crt",
    "sslkey": "/etc/incident-supervisor/tls/desk.key",
    "sslcrl": "/etc/incident-supervisor/tls/revoked.crl",
}
TLS_QUERY = "&".join(f"{k}={v.replace(' ', '%20')}" for k, v in TLS_OPTIONS.items())
ENCRYPTED = "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()"


@pytest.mark.parametrize(
    "raw",
    [
        f"postgresql://desk@db1.example:5432/supervisor?{TLS_QUERY}",
        f"postgresql://desk@db1.example:5432,db2.example:5433/supervisor?target_session_attrs=read-write&{TLS_QUERY}",
        f"postgres://desk:secret@db1.example,db2.example/supervisor?{TLS_QUERY}",
    ],
)
def test_tls_settings_reach_the_driver_unchanged(raw: str) -> None:
    engine = make_engine(raw)
    try:
        _args, options = engine.dialect.create_connect_args(engine.url)
    finally:
        engine.dispose()
    assert {k: options[k] for k in TLS_OPTIONS} == TLS_OPTIONS
    assert {k: v for k, v in parse_database_url(raw).query.items() if k.startswith("ssl")} == TLS_OPTIONS


def _make_certificate(folder: Path, name: str) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 and localhost, and its key (PEM files)."""
    openssl = shutil.which("openssl")
    if openssl is None:
        if os.environ.get("CI"):
            pytest.fail("the openssl command is not installed (CI requires it)")
        pytest.skip("the openssl command is not installed")
    certificate, key = folder / f"{name}.crt", folder / f"{name}.key"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes",
         "-keyout", str(key), "-out", str(certificate), "-days", "2", "-subj", f"/CN={name}",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost"],
        check=True, capture_output=True, timeout=60,
    )  # fmt: skip
    return certificate, key


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def tls_server(unstarted_cluster: ThrowawayCluster, tmp_path: Path) -> tuple[ThrowawayCluster, Path]:
    """A throwaway server accepting TLS with a self-signed certificate; the certificate to trust."""
    certificate, key = _make_certificate(tmp_path, "server")
    unstarted_cluster.serve_tls(certificate, key)
    unstarted_cluster.start()
    return unstarted_cluster, certificate


def _encrypted(engine: Engine) -> bool:
    with engine.connect() as conn:
        return bool(conn.execute(text(ENCRYPTED)).scalar())


@pytest.mark.postgres
def test_a_desk_connects_over_verified_tls_to_one_host_or_several(
    tls_server: tuple[ThrowawayCluster, Path], tmp_path: Path
) -> None:
    server, trusted = tls_server
    verified = f"sslmode=verify-full&sslrootcert={trusted}"
    one_host = f"postgresql://postgres@127.0.0.1:{server.port}/postgres"
    several = f"postgresql://postgres@127.0.0.1:{_closed_port()},127.0.0.1:{server.port}/postgres"
    for url in (f"{one_host}?{verified}", f"{several}?{verified}", f"{several}?target_session_attrs=any&{verified}"):
        engine = make_engine(url)
        try:
            assert _encrypted(engine), url
        finally:
            engine.dispose()

    plain = make_engine(f"{several}?sslmode=disable")
    try:
        assert not _encrypted(plain)
    finally:
        plain.dispose()

    stranger, _key = _make_certificate(tmp_path, "stranger")  # the server's certificate is not signed by it
    untrusting = make_engine(f"{several}?sslmode=verify-full&sslrootcert={stranger}")
    try:
        with pytest.raises(OperationalError) as refused, untrusting.connect():
            pass
        message = str(unreachable(describe(untrusting), refused.value))
    finally:
        untrusting.dispose()
    assert message.startswith("Cannot reach the database PostgreSQL postgres@127.0.0.1:")
    assert "certificate verify failed" in message
    assert "TLS settings" in message


@pytest.mark.postgres
def test_migrations_and_the_change_feed_use_the_address_tls_settings(tls_server: tuple[ThrowawayCluster, Path]) -> None:
    server, trusted = tls_server
    url = f"postgresql://postgres@127.0.0.1:{_closed_port()},127.0.0.1:{server.port}/postgres"
    engine = make_engine(f"{url}?sslmode=verify-full&sslrootcert={trusted}")
    feed = ChangeFeed(engine, after_seq=0, on_notices=lambda _batch: None)
    try:
        migrate.upgrade(engine)
        assert migrate.is_current(engine)
        feed.start()
        listener = None
        for _attempt in range(100):  # the statistics views are read once per transaction: a new one each time
            with engine.connect() as conn:
                listener = conn.execute(
                    text(
                        "SELECT s.ssl FROM pg_stat_ssl s JOIN pg_stat_activity a ON a.pid = s.pid "
                        "WHERE a.application_name = 'desk change feed'"
                    )
                ).scalar()
            if listener is not None:
                break
            time.sleep(0.05)
        assert listener is True
    finally:
        feed.stop()
        engine.dispose()


@pytest.mark.postgres
def test_requiring_tls_from_a_server_without_it_is_a_clear_error(pg_server: str) -> None:
    admin = make_engine(PG_SERVER_URL)
    try:
        with admin.connect() as conn:
            if conn.execute(text("SHOW ssl")).scalar() == "on":
                pytest.skip("the test server accepts TLS; this test needs one that does not")
    finally:
        admin.dispose()
    url = make_url(PG_SERVER_URL).update_query_dict({"sslmode": "require"}).render_as_string(hide_password=False)
    engine = make_engine(url)
    try:
        with pytest.raises(OperationalError) as refused, engine.connect():
            pass
        error = unreachable(describe(engine), refused.value)
    finally:
        engine.dispose()
    assert isinstance(error, StoreError)
    assert str(error).startswith(f"Cannot reach the database {describe(engine)}: ")
    assert "SSL was required" in str(error)
    assert "Check the address's TLS settings (sslmode, sslrootcert" in str(error)
