"""Benchmark: `audit verify` over 1,000,000 audit events on PostgreSQL (target: under 20 s).

A throwaway database is migrated, then filled with a real hash chain of audit events (made with
the desk's own chain function, loaded with COPY), and the verification service checks it end to
end: streaming every event in chain order and recomputing every hash.
Run as ``.venv/bin/python bench/audit_verify.py [--events 1000000]``.
"""

from __future__ import annotations

import argparse
import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from databases import DEFAULT_PG_SERVER, throwaway_postgres
from report import print_table, write_result
from sqlalchemy import text
from sqlalchemy.orm import Session

from supervisor_app.domain.audit_chain import GENESIS_HASH, AuditRecord, chain_hash
from supervisor_app.domain.people import Actor, Role
from supervisor_app.services.audit_verification import verify_audit
from supervisor_app.store import migrate
from supervisor_app.store.engine import make_engine

TARGET_S = 20.0
ACTIONS = ("incident.create", "incident.log", "resource.status", "resource.assign")


def fill(url: str, events: int) -> float:
    """Write a valid chain of ``events`` audit events; seconds taken."""
    started = time.perf_counter()
    engine = make_engine(url)
    start = datetime(2026, 1, 1, tzinfo=UTC)
    raw = engine.raw_connection()
    try:
        connection = raw.driver_connection
        assert connection is not None
        with (
            connection.cursor() as cursor,
            cursor.copy(
                "COPY audit_events (occurred_at, actor, desk, action, entity_kind, entity_id, detail, chain_seq, "
                "prev_hash, hash) FROM STDIN"
            ) as copy,
        ):
            prev = GENESIS_HASH
            for seq in range(1, events + 1):
                detail = {"reference": f"INC-{seq:07d}", "code": "NOTE"}
                record = AuditRecord(
                    seq,
                    start + timedelta(seconds=seq * 3),
                    f"sup.{seq % 12}",
                    f"desk-{seq % 8}",
                    ACTIONS[seq % 4],
                    "incident",
                    seq // 4 + 1,
                    detail,
                    prev,
                )
                digest = chain_hash(record, prev)
                copy.write_row(
                    (
                        record.occurred_at,
                        record.actor,
                        record.desk,
                        record.action,
                        record.entity_kind,
                        record.entity_id,
                        json.dumps(detail),
                        seq,
                        prev,
                        digest,
                    )
                )
                prev = digest
        connection.commit()
    finally:
        raw.close()
    with engine.begin() as conn:
        conn.execute(text("INSERT INTO reference_counters (scope, last_value) VALUES ('AUDIT', :n)"), {"n": events})
        conn.execute(text("ANALYZE audit_events"))
    engine.dispose()
    return time.perf_counter() - started


def run(server: str, events: int) -> dict[str, Any]:
    with throwaway_postgres(server, "audit_verify") as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        engine.dispose()
        fill_seconds = fill(url, events)
        engine = make_engine(url)
        admin = Actor.of("bench.admin", [Role.ADMINISTRATOR], "bench")
        with Session(engine) as session:
            verification = verify_audit(session, admin)
        engine.dispose()
    return {
        "events": events,
        "fill_seconds": round(fill_seconds, 1),
        "verify_seconds": round(verification.seconds, 2),
        "events_per_second": round(events / verification.seconds),
        "intact": verification.intact,
        "checked": verification.report.checked,
        "target_met": verification.intact and verification.seconds < TARGET_S,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--pg", default=DEFAULT_PG_SERVER, help="PostgreSQL server to create the database on")
    args = parser.parse_args()
    print(f"Filling a throwaway database with a chain of {args.events:,} audit events, then verifying it...")
    figures = run(args.pg, args.events)
    print_table("audit verify on PostgreSQL", ["figure", "value"], list(figures.items()))
    write_result("audit_verify", figures)


if __name__ == "__main__":
    main()
