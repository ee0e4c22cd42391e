"""Alembic environment: migrations are the only way the schema is made, on both databases."""

from __future__ import annotations

import logging.config
import os

from alembic import context
from sqlalchemy import Connection

from supervisor_app.store.engine import make_engine
from supervisor_app.store.models import Base

config = context.config
if config.config_file_name and not config.attributes.get("connection"):
    logging.config.fileConfig(config.config_file_name, disable_existing_loggers=False)

target_metadata = Base.metadata


def _run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        _run(connection)
        return
    url = context.get_x_argument(as_dictionary=True).get("db") or os.environ.get("SUPERVISOR_DB_URL")
    if not url:
        raise SystemExit("Give the database: alembic -x db=URL upgrade head (or set SUPERVISOR_DB_URL).")
    engine = make_engine(url)
    with engine.connect() as conn:
        _run(conn)
    engine.dispose()


if context.is_offline_mode():
    raise SystemExit("Offline (SQL script) migrations are not supported; run against a database.")
run_migrations_online()
