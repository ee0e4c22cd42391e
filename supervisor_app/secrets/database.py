"""The database password: its secret name, and a URL for the engine that carries it unseen.

The password is never put into a string: ``database_url_with_password`` returns a SQLAlchemy
``URL`` object, which renders the password as ``***`` when printed, logged or shown in an error.
A database address written in a settings file or an environment variable must not hold a
password at all; ``refuse_inline_password`` says so and where to keep it instead.
"""

from __future__ import annotations

import re

from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError

from supervisor_app.secrets.base import SecretsError, SecretStore
from supervisor_app.secrets.environment import DATABASE_PASSWORD_VARIABLE
from supervisor_app.secrets.names import DATABASE_PREFIX

DEFAULT_PORT = 5432

# The libpq form naming several hosts, as supervisor_app.store.engine reads it.
_MULTI_HOST = re.compile(
    r"^(?P<scheme>postgres(?:ql)?(?:\+\w+)?)://(?:(?P<user>[^@/]*)@)?"
    r"(?P<hosts>[^/@?]*,[^/@?]*)/(?P<database>[^?]*)(?:\?(?P<query>.*))?$"
)


class InlinePassword(SecretsError):
    """A database address in a settings file, the environment or the command line holds a password."""

    def __init__(self, where: str) -> None:
        super().__init__(
            f"The database address in {where} contains a password, where anyone who can read it sees it. "
            "Take the password out of the address (write postgresql://USER@HOST:PORT/DBNAME) and keep it with "
            f"`supervisor-app secrets set-db-password` (a service account may set {DATABASE_PASSWORD_VARIABLE})."
        )
        self.where = where


def read_database_url(raw: str | URL) -> URL:
    """``raw`` as a SQLAlchemy URL; the libpq form with several hosts becomes ``?host=...&host=...``.

    The error never repeats the address, which may hold a password.
    """
    if isinstance(raw, URL):
        return raw
    text = raw.strip()
    match = _MULTI_HOST.match(text)
    if match is not None:
        hosts = [host.strip() for host in match["hosts"].split(",") if host.strip()]
        query = "&".join([*(f"host={host}" for host in hosts), *([match["query"]] if match["query"] else [])])
        user = f"{match['user']}@" if match["user"] else ""
        text = f"{match['scheme']}://{user}/{match['database']}?{query}"
    try:
        return make_url(text)
    except (ArgumentError, ValueError):
        raise SecretsError(
            "The database address is not a URL; write it as postgresql://USER@HOST:PORT/DBNAME."
        ) from None


def _host_and_port(host: str, port: int | None) -> str:
    host = host if host.startswith("/") else host.lower()
    if ":" in host and not host.startswith("["):
        host = f"[{host}]"
    return f"{host}:{port or DEFAULT_PORT}"


def _hosts(url: URL) -> list[str]:
    listed = url.query.get("host")
    if not listed:
        return [_host_and_port(url.host or "localhost", url.port)]
    hosts = []
    for item in [listed] if isinstance(listed, str) else listed:
        host, colon, port = item.rpartition(":")
        if colon and port.isdigit() and host and not host.endswith(":"):
            hosts.append(_host_and_port(host.strip("[]") if host.startswith("[") else host, int(port)))
        else:
            hosts.append(_host_and_port(item, url.port))
    return hosts


def database_secret_name(raw: str | URL) -> str:
    """``database:<user>@<host>:<port>/<dbname>`` for a PostgreSQL address (hosts joined by commas
    when it names several); the port defaults to 5432 and the host to localhost, as libpq's do."""
    url = read_database_url(raw)
    backend = url.get_backend_name()
    if backend == "sqlite":
        raise SecretsError("The desk's database is an SQLite file; it has no password to keep.")
    if backend not in ("postgresql", "postgres"):
        raise SecretsError(f"Passwords are kept for PostgreSQL databases only, not for {backend}.")
    if not url.username:
        raise SecretsError(
            "The database address names no user, so there is no account to keep a password for; "
            "write it as postgresql://USER@HOST:PORT/DBNAME."
        )
    return f"{DATABASE_PREFIX}{url.username}@{','.join(_hosts(url))}/{url.database or url.username}"


def database_url_with_password(raw: str | URL, store: SecretStore) -> URL:
    """The address as a URL object carrying the stored password, for ``create_engine``.

    An SQLite address, an address without a user, one that already carries a password, or one
    with no stored password comes back unchanged (libpq may still find a password in
    ``~/.pgpass`` or need none).
    """
    url = read_database_url(raw)
    if url.get_backend_name() == "sqlite" or not url.username or url.password is not None:
        return url
    password = store.get(database_secret_name(url))
    return url if password is None else url.set(password=password)


def has_inline_password(raw: str | URL) -> bool:
    """Whether the address carries a password (after the user name, or as ``?password=``)."""
    try:
        url = read_database_url(raw)
    except SecretsError:
        return False
    return url.password is not None or "password" in url.query


def refuse_inline_password(raw_url: str, where: str) -> None:
    """Raise ``InlinePassword`` naming ``where`` (e.g. the settings file's path, or "the environment
    variable SUPERVISOR_DB_URL") if the address written there carries a password."""
    if has_inline_password(raw_url):
        raise InlinePassword(where)
