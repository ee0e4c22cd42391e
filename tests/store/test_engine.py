"""Engine setup per dialect: SQLite durability settings, clear refusals for unusable databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from supervisor_app.store import engine as engine_module
from supervisor_app.store.engine import check_local_file, describe, make_engine, parse_database_url, writer
from supervisor_app.store.errors import StoreError


def test_sqlite_pragmas(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/sub/dir/desk.db")
    with engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
        assert conn.execute(text("PRAGMA synchronous")).scalar() == 2  # FULL
        assert conn.execute(text("PRAGMA busy_timeout")).scalar() == 10_000
    assert (tmp_path / "sub" / "dir" / "desk.db").exists()
    engine.dispose()


def test_sqlite_writer_takes_the_lock_at_begin(tmp_path: Path) -> None:
    engine = make_engine(f"sqlite:///{tmp_path}/desk.db")
    with writer(engine).begin() as conn:
        conn.execute(text("CREATE TABLE t (x INTEGER)"))
    other = make_engine(
        f"sqlite:///{tmp_path}/desk.db",
    )
    with writer(engine).begin() as first:
        first.execute(text("SELECT 1"))  # no write yet: the lock is already held
        raw = other.raw_connection()
        try:
            raw.execute("PRAGMA busy_timeout=50")  # type: ignore[attr-defined]
            with pytest.raises(Exception, match="locked"):
                raw.execute("BEGIN IMMEDIATE")  # type: ignore[attr-defined]
        finally:
            raw.close()
    engine.dispose()
    other.dispose()


@pytest.mark.parametrize("fstype", ["nfs4", "cifs", "fuse.sshfs"])
def test_sqlite_on_a_network_mount_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, fstype: str) -> None:
    mounts = tmp_path / "mounts"
    mounts.write_text(f"rootfs / ext4 rw 0 0\nserver:/share {tmp_path} {fstype} rw 0 0\n")
    monkeypatch.setattr(engine_module, "MOUNTS_TABLE", mounts)
    with pytest.raises(StoreError, match=f"network file system \\({fstype}\\)") as refused:
        check_local_file(str(tmp_path / "desk.db"))
    assert "local disk" in str(refused.value)
    assert "PostgreSQL" in str(refused.value)
    with pytest.raises(StoreError):
        make_engine(f"sqlite:///{tmp_path}/desk.db")


def test_sqlite_on_a_local_disk_is_accepted(tmp_path: Path) -> None:
    assert check_local_file(str(tmp_path / "new" / "desk.db")) == (tmp_path / "new" / "desk.db").resolve()


@pytest.mark.parametrize(
    ("url", "message"),
    [("not a url", "is not a URL"), ("mysql://root@localhost/db", "supports SQLite"), ("", "is not a URL")],
)
def test_unusable_urls_say_what_would_work(url: str, message: str) -> None:
    with pytest.raises(StoreError, match=message):
        parse_database_url(url)


def test_postgresql_urls_use_psycopg3_and_hide_passwords() -> None:
    assert parse_database_url("postgresql://desk:secret@db/sup").drivername == "postgresql+psycopg"
    engine = make_engine("postgresql://desk:secret@db.example:6543/sup")
    assert describe(engine) == "PostgreSQL desk@db.example:6543/sup"
    assert "secret" not in describe(engine)
    engine.dispose()


@pytest.mark.parametrize(
    ("raw", "hosts", "rest"),
    [
        (
            "postgresql://desk@db1:5432,db2:5433/sup?target_session_attrs=read-write",
            ("db1:5432", "db2:5433"),
            {"target_session_attrs": "read-write"},
        ),
        ("postgresql://db1,db2/sup", ("db1", "db2"), {}),
        (
            "postgres://desk@10.0.0.1:5432,10.0.0.2:5432/sup?sslmode=verify-full",
            ("10.0.0.1:5432", "10.0.0.2:5432"),
            {"sslmode": "verify-full"},
        ),
    ],
)
def test_several_postgresql_hosts_are_read_as_libpq_writes_them(
    raw: str, hosts: tuple[str, ...], rest: dict[str, str]
) -> None:
    url = parse_database_url(raw)
    assert url.drivername == "postgresql+psycopg"
    assert url.query["host"] == hosts
    assert {k: v for k, v in url.query.items() if k != "host"} == rest
    engine = make_engine(raw)
    _args, options = engine.dialect.create_connect_args(engine.url)
    assert options["host"] == ",".join(h.split(":")[0] for h in hosts)
    assert describe(engine).startswith("PostgreSQL ") and ",".join(hosts) in describe(engine)
    engine.dispose()
