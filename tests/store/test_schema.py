"""Migrations are the only way the schema is made, and they make the same schema on both databases."""

from __future__ import annotations

from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine, inspect, text
from sqlalchemy.exc import DatabaseError

from supervisor_app.store import migrate
from supervisor_app.store.engine import make_engine
from supervisor_app.store.models import Base


def test_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        drift = compare_metadata(context, Base.metadata)
    assert drift == [], f"migrations and models disagree: {drift}"


def test_schema_is_the_same_on_both_databases(sqlite_url: str, pg_url: str) -> None:
    def shape(url: str) -> dict[str, object]:
        engine = make_engine(url)
        try:
            inspector = inspect(engine)
            tables = sorted(t for t in inspector.get_table_names() if t != "alembic_version")
            return {
                table: {
                    "columns": [(c["name"], c["nullable"]) for c in inspector.get_columns(table)],
                    "pk": inspector.get_pk_constraint(table)["constrained_columns"],
                    "fks": sorted(
                        (tuple(f["constrained_columns"]), f["referred_table"])
                        for f in inspector.get_foreign_keys(table)
                    ),
                    "indexes": sorted(
                        (i["name"], tuple(i["column_names"]), bool(i["unique"]))
                        for i in inspector.get_indexes(table)
                        # PostgreSQL also lists each unique constraint as an index
                        if not i.get("duplicates_constraint")
                    ),
                    "uniques": sorted(u["name"] for u in inspector.get_unique_constraints(table)),
                }
                for table in tables
            }
        finally:
            engine.dispose()

    assert shape(sqlite_url) == shape(pg_url)


def test_upgrade_is_idempotent_and_reports_head(engine: Engine) -> None:
    assert migrate.is_current(engine)
    migrate.upgrade(engine)
    assert migrate.current_revision(engine) == migrate.head_revision()


@pytest.mark.parametrize("table", ["incident_log", "audit_events"])
def test_history_tables_refuse_update_and_delete(engine: Engine, table: str) -> None:
    with engine.begin() as conn:
        if table == "incident_log":
            conn.execute(
                text(
                    "INSERT INTO incidents (reference, incident_type, priority, status, lat, lon, address, source,"
                    " contact_name, contact_phone, contact_organisation, summary, required_response, pack_version,"
                    " created_by, desk, version) VALUES ('INC-20261123-0001', 'GAS', 'P1', 'new', 60.17, 24.94,"
                    " 'Mannerheimintie 1', 'phone', '', '', '', 'smell of gas', '[]', '1', 'sup', 'd1', 1)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO incident_log (incident_id, occurred_at, author, desk, code, text)"
                    " VALUES (1, '2026-11-23 10:00:00', 'sup', 'd1', 'REF', 'first')"
                )
            )
        else:
            conn.execute(
                text(
                    "INSERT INTO audit_events (actor, desk, action, entity_kind, detail)"
                    " VALUES ('sup', 'd1', 'incident.create', 'incident', '{}')"
                )
            )
    for statement in (f"UPDATE {table} SET desk = 'forged'", f"DELETE FROM {table}"):
        with pytest.raises(DatabaseError, match="append-only"), engine.begin() as conn:
            conn.execute(text(statement))
    with engine.connect() as conn:
        assert conn.execute(text(f"SELECT count(*), min(desk) FROM {table}")).one() == (1, "d1")


def test_server_clock_fills_recorded_times(engine: Engine) -> None:
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO audit_events (actor, desk, action, entity_kind, detail)"
                " VALUES ('sup', 'd1', 'x', 'incident', '{}')"
            )
        )
    from sqlalchemy import select

    from supervisor_app.store.models import AuditEvent

    with engine.connect() as conn:
        occurred = conn.execute(select(AuditEvent.occurred_at)).scalar_one()
    assert occurred.tzinfo is not None
    assert occurred.microsecond != 0 or occurred.second != 0  # sub-second precision is kept


def test_alembic_command_line_builds_the_schema(tmp_path: Path) -> None:
    """The plain `alembic upgrade head` an administrator would type works from the repository."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[2]
    alembic = Path(sys.executable).with_name("alembic")
    url = f"sqlite:///{tmp_path}/cli.db"
    result = subprocess.run(
        [str(alembic), "-x", f"db={url}", "upgrade", "head"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    engine = make_engine(url)
    try:
        assert migrate.is_current(engine)
    finally:
        engine.dispose()


def test_each_migration_steps_down_and_up_again_keeping_data(engine: Engine) -> None:
    from alembic import command

    config = migrate.alembic_config()
    with engine.begin() as connection:
        config.attributes["connection"] = connection
        command.downgrade(config, "0001")
    assert migrate.current_revision(engine) == "0001"
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO reference_counters (scope, last_value) VALUES ('INC-20261123', 41)"))
    migrate.upgrade(engine)
    assert migrate.is_current(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT last_value FROM reference_counters")).scalar_one() == 41
