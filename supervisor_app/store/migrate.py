"""Bring a database's schema to the newest revision, and tell where it stands.

On PostgreSQL desks connect as an account that may not change the schema (``store.roles``): a
desk that finds the schema behind is told so, with the command an administrator runs as the
schema's owner, instead of failing half-way through a migration.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError

from supervisor_app.store import roles
from supervisor_app.store.engine import address_as, describe
from supervisor_app.store.errors import StoreError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
BY_DESIGN = "The desk's database account ({account}) may not change the schema, by design"


def alembic_config() -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    return config


def head_revision() -> str:
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()
    assert head is not None, "no migrations found"
    return head


def current_revision(engine: Engine) -> str | None:
    try:
        with engine.connect() as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except DBAPIError as exc:
        if not roles.permission_denied(exc):
            raise
    rights = _rights(engine)
    raise StoreError(
        f"The database account {rights.account} may not read the schema revision of {describe(engine)}: "
        f"the database has not been prepared for desks (this desk needs revision {head_revision()}). "
        f"{BY_DESIGN.format(account=rights.account)}; ask an administrator to run: "
        f"supervisor-app migrate --db {address_as(engine, rights.owner)}"
    )


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Apply every pending migration in one go (each migration in its own transaction).

    On PostgreSQL an account that may not change the schema is refused before anything runs, with
    a :class:`StoreError` naming the revisions and the command to run as the schema's owner.
    """
    target = head_revision() if revision == "head" else revision
    current: str | None = None
    if engine.dialect.name == "postgresql":
        current = current_revision(engine)
        if current != target:
            rights = _rights(engine)
            if not rights.may_change_schema:
                raise StoreError(
                    f"The database schema is at revision {current or 'none (an empty database)'}; "
                    f"this desk needs {target}. {BY_DESIGN.format(account=rights.account)}; ask an administrator "
                    f"to run: supervisor-app migrate --db {address_as(engine, rights.owner)}"
                )
    config = alembic_config()
    try:
        with engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, revision)
    except DBAPIError as exc:
        if engine.dialect.name != "postgresql" or not roles.permission_denied(exc):
            raise
        rights = _rights(engine)
        reason = str(exc.orig or exc).strip().splitlines()[0].rstrip(".")
        message = f"Migrating {describe(engine)} from revision {current or 'none'} to {target} was refused: {reason}."
        hint = getattr(getattr(exc.orig, "diag", None), "message_hint", None)
        if hint:
            message += f" {hint}"
        elif rights.owner != rights.account:
            message += f" Ask an administrator to run: supervisor-app migrate --db {address_as(engine, rights.owner)}"
        raise StoreError(message) from exc


def is_current(engine: Engine) -> bool:
    return current_revision(engine) == head_revision()


def _rights(engine: Engine) -> roles.SchemaRights:
    with engine.connect() as connection:
        return roles.schema_rights(connection)
