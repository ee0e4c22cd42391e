"""Human-readable references drawn from a per-day counter held in the database.

The counter row is incremented with one atomic upsert in the creating transaction. On PostgreSQL
the row lock makes a second desk wait for the first to commit and then take the next number; on
SQLite the write lock does the same. Numbers never collide and, because a rolled-back transaction
gives its number back, never skip either.
"""

from __future__ import annotations

from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from supervisor_app.store.models import ReferenceCounter


def next_number(session: Session, scope: str) -> int:
    """The next number in ``scope`` (for example ``INC-20261123``), counting from 1."""
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    upsert = (
        insert(ReferenceCounter)
        .values(scope=scope, last_value=1)
        .on_conflict_do_update(
            index_elements=[ReferenceCounter.scope],
            set_={"last_value": ReferenceCounter.last_value + 1},
        )
        .returning(ReferenceCounter.last_value)
    )
    return int(session.execute(upsert).scalar_one())
