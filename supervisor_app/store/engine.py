"""Engines for the two supported databases, each set up for a control room's durability needs.

SQLite (one desk, or several desks on one machine): WAL so readers never block the writer,
foreign keys on, ``synchronous=FULL`` so a committed log entry survives a power cut, a busy timeout
so a second desk waits instead of failing, and write transactions that take the lock up front
(``BEGIN IMMEDIATE``) so that a read-then-write never dead-ends in "database is locked".
SQLite's locking is unsafe over network file systems, so a file on one is refused.

PostgreSQL (the shared database of several desks): psycopg 3, connections checked before use.
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path
from typing import Any
from urllib.parse import quote, urlencode

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from supervisor_app.store.errors import StoreError

SQLITE_BUSY_TIMEOUT_MS = 10_000
MOUNTS_TABLE = Path("/proc/self/mounts")
NETWORK_FILESYSTEMS = frozenset(
    {
        "nfs",
        "nfs4",
        "cifs",
        "smb",
        "smb2",
        "smb3",
        "smbfs",
        "ncpfs",
        "afs",
        "9p",
        "ceph",
        "glusterfs",
        "lustre",
        "gpfs",
        "fuse.sshfs",
        "fuse.glusterfs",
        "fuse.cephfs",
        "davfs",
        "fuse.davfs2",
        "fuse.rclone",
        "fuse.s3fs",
        "beegfs",
        "orangefs",
        "ocfs2",
        "gfs2",
    }
)


_MULTI_HOST = re.compile(
    r"^(?P<scheme>postgres(?:ql)?(?:\+\w+)?)://(?:(?P<user>[^@/]*)@)?"
    r"(?P<hosts>[^/@?]*,[^/@?]*)/(?P<database>[^?]*)(?:\?(?P<query>.*))?$"
)


def _multi_host_as_query(raw: str) -> str:
    """``postgresql://u@h1:5432,h2:5432/db?...`` (as libpq and administrators write it) becomes
    ``postgresql://u@/db?host=h1:5432&host=h2:5432&...`` (as SQLAlchemy reads it)."""
    match = _MULTI_HOST.match(raw.strip())
    if match is None:
        return raw
    hosts = [host.strip() for host in match["hosts"].split(",") if host.strip()]
    query = "&".join([*(f"host={host}" for host in hosts), *([match["query"]] if match["query"] else [])])
    user = f"{match['user']}@" if match["user"] else ""
    return f"{match['scheme']}://{user}/{match['database']}?{query}"


def _without_password(raw: str) -> str:
    """``raw`` with any password after the user name hidden, for messages."""
    return re.sub(r"(://[^:/@?]*):[^@/?]*@", r"\1:***@", raw)


def parse_database_url(raw: str | URL) -> URL:
    """Read a database URL, choosing psycopg 3 for PostgreSQL; say what a good one looks like.

    Several PostgreSQL hosts may be named, primary and standby, with
    ``target_session_attrs=read-write`` so the desk always writes to whichever is the primary:
    ``postgresql://desk@db1:5432,db2:5432/supervisor?target_session_attrs=read-write``.
    """
    try:
        url = raw if isinstance(raw, URL) else make_url(_multi_host_as_query(raw))
    except (ArgumentError, ValueError):
        shown = _without_password(raw) if isinstance(raw, str) else "(given)"
        raise StoreError(
            f"The database address {shown!r} is not a URL. Use sqlite:///path/to/desk.db or "
            "postgresql://user@host:5432/dbname."
        ) from None
    backend = url.get_backend_name()
    if backend in ("postgresql", "postgres"):  # libpq accepts both schemes
        return url.set(drivername="postgresql+psycopg")
    if backend == "sqlite":
        return url
    raise StoreError(
        f"The database {url.render_as_string(hide_password=True)!r} is {backend}; "
        "the desk supports SQLite (embedded) and PostgreSQL (shared)."
    )


def _mount_fstype(path: Path) -> str | None:
    """The file-system type of the mount holding ``path`` (Linux), or None if unknown."""
    try:
        lines = MOUNTS_TABLE.read_text(encoding="utf-8").splitlines()
    except OSError:
        return None
    best, best_type = "", None
    target = str(path)
    for line in lines:
        parts = line.split()
        if len(parts) < 3:
            continue
        mount_point = parts[1].replace("\\040", " ")
        inside = target == mount_point or target.startswith(mount_point.rstrip("/") + "/")
        if inside and len(mount_point) >= len(best):
            best, best_type = mount_point, parts[2]
    return best_type


def check_local_file(database: str) -> Path:
    """Refuse a SQLite file on a network share: its locks are not reliable there."""
    path = Path(database).expanduser().resolve()
    if sys.platform == "win32" and str(path).startswith("\\\\"):
        raise StoreError(
            f"The desk database {path} is on a network share. SQLite cannot lock files safely "
            "over a network; keep it on a local disk, or use a shared PostgreSQL database."
        )
    existing = path
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    fstype = _mount_fstype(existing)
    if fstype in NETWORK_FILESYSTEMS:
        raise StoreError(
            f"The desk database {path} is on a network file system ({fstype}). SQLite cannot lock "
            "files safely over a network, so several desks could corrupt it. Keep it on a local "
            "disk, or point the desk at a shared PostgreSQL database (--db postgresql://...)."
        )
    return path


def _sqlite_engine(url: URL, **kwargs: Any) -> Engine:
    database = url.database or ""
    if database and database != ":memory:" and not database.startswith("file:"):
        path = check_local_file(database)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise StoreError(f"Cannot create the folder {path.parent} for the desk database: {exc.strerror}.") from None
        url = url.set(database=str(path))
    engine = create_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000}, **kwargs)

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy's "begin" event below issue BEGIN itself (the driver's own is unreliable).
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        try:
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        finally:
            cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def make_engine(raw_url: str | URL, *, application_name: str = "incident-supervisor", **kwargs: Any) -> Engine:
    """An engine for ``raw_url`` configured for its dialect (see module doc). A URL object (which
    may carry a password from the secret store) is used as it is."""
    url = parse_database_url(raw_url)
    if url.get_backend_name() == "sqlite":
        return _sqlite_engine(url, **kwargs)
    connect_args = {"application_name": application_name, "connect_timeout": 5}
    return create_engine(url, pool_pre_ping=True, connect_args=connect_args, **kwargs)


def writer(engine: Engine) -> Engine:
    """The same engine for write transactions: on SQLite they take the write lock at BEGIN."""
    if engine.dialect.name == "sqlite":
        return engine.execution_options(sqlite_begin="IMMEDIATE")
    return engine


def default_sqlite_url(data_dir: Path) -> str:
    return f"sqlite:///{data_dir / 'desk.db'}"


def describe(engine: Engine) -> str:
    """A short, password-free description for the status bar and logs."""
    return _describe(engine.url)


def describe_url(raw_url: str) -> str:
    try:
        return _describe(parse_database_url(raw_url))
    except StoreError:
        return "(unreadable address)"


def _several_hosts(url: URL) -> str | None:
    hosts = url.query.get("host")
    if not hosts:
        return None
    return ",".join([hosts] if isinstance(hosts, str) else hosts)


def _describe(url: URL) -> str:
    if url.get_backend_name() == "sqlite":
        return f"SQLite {url.database}"
    where = _several_hosts(url) or f"{url.host or os.environ.get('PGHOST', 'localhost')}:{url.port or 5432}"
    return f"PostgreSQL {url.username or ''}@{where}/{url.database}"


def address_as(engine: Engine, username: str) -> str:
    """The engine's PostgreSQL address for another account, as an administrator types it
    (``postgresql://owner@db1:5432,db2:5432/supervisor?sslmode=verify-full``), without passwords."""
    url = engine.url
    where = _several_hosts(url) or (f"{url.host or ''}:{url.port}" if url.port else url.host or "")
    options = [
        (key, value)
        for key, values in url.query.items()
        if key != "host" and "password" not in key
        for value in ([values] if isinstance(values, str) else values)
    ]
    query = f"?{urlencode(options, safe='/:')}" if options else ""
    return f"postgresql://{quote(username, safe='')}@{where}/{url.database or ''}{query}"
