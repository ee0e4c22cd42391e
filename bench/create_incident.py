"""Benchmark: latency of the create_incident service on SQLite and PostgreSQL (target p95 < 15 ms on PostgreSQL).

Each database is new (a temporary SQLite file; a throwaway PostgreSQL database, created and
dropped here), migrated and seeded with the 30-day demo history so that indexes hold realistic
amounts of data. Every call opens a session as a desk does, creates one incident and commits.
Run as ``.venv/bin/python bench/create_incident.py [--calls N] [--pg URL]``.
"""

from __future__ import annotations

import argparse
import random
import tempfile
import time
from pathlib import Path
from typing import Any

from databases import DEFAULT_PG_SERVER, throwaway_postgres
from report import percentile, print_table, write_result
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from supervisor_app.demo.seed import DEFAULT_DAYS, DEFAULT_SEED, seed_demo
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.incidents import Contact, IncidentLocation, NewIncident, ReferralSource
from supervisor_app.pack import OrganisationPack, default_pack_dir, load_pack
from supervisor_app.services.accounts import actor_for
from supervisor_app.services.incidents import create_incident
from supervisor_app.store import migrate
from supervisor_app.store.engine import make_engine, writer

WARM_UP_CALLS = 20
DEFAULT_CALLS = 500
PG_TARGET_P95_MS = 15.0


def drafts(pack: OrganisationPack, count: int, seed: int) -> list[NewIncident]:
    """Referrals as a desk records them: varied types, places and callers."""
    rng = random.Random(seed)
    places = pack.gazetteer()
    result = []
    for index in range(count):
        incident_type = rng.choice(pack.incident_types)
        place = rng.choice(places)
        result.append(NewIncident(
            incident_type=incident_type.code,
            priority=incident_type.default_priority,
            location=IncidentLocation(Coordinate(place.lat, place.lon), place.label),
            source=ReferralSource.PHONE,
            summary=f"{incident_type.name} reported by caller (benchmark call {index})",
            contact=Contact(name="Aino Virtanen", phone="040 123 4567"),
        ))
    return result


def measure(engine: Engine, pack: OrganisationPack, calls: int) -> dict[str, Any]:
    """Seed, warm up, then time ``calls`` service calls; figures in milliseconds."""
    seed_demo(engine, pack, seed=DEFAULT_SEED, days=DEFAULT_DAYS)
    with Session(engine) as session:
        actor = actor_for(session, "demo.operator", "bench-desk")
    write_engine = writer(engine)
    work = drafts(pack, WARM_UP_CALLS + calls, DEFAULT_SEED)
    timings: list[float] = []
    for index, draft in enumerate(work):
        started = time.perf_counter()
        with Session(write_engine, expire_on_commit=False) as session:
            create_incident(session, actor, draft, pack)
        elapsed_ms = (time.perf_counter() - started) * 1000
        if index >= WARM_UP_CALLS:
            timings.append(elapsed_ms)
    timings.sort()
    return {
        "calls": len(timings),
        "warm_up_calls": WARM_UP_CALLS,
        "p50_ms": round(percentile(timings, 0.50), 2),
        "p95_ms": round(percentile(timings, 0.95), 2),
        "p99_ms": round(percentile(timings, 0.99), 2),
        "max_ms": round(timings[-1], 2),
        "mean_ms": round(sum(timings) / len(timings), 2),
    }


def postgres_unreachable(server_url: str) -> str | None:
    """Why the PostgreSQL server cannot be used, or None when it answers."""
    shown = make_url(server_url).render_as_string(hide_password=True)
    url = make_url(server_url).set(drivername="postgresql+psycopg")
    engine = create_engine(url, connect_args={"connect_timeout": 3})
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # noqa: BLE001 - any failure to connect means "no server"
        first_line = (str(error).strip().splitlines() or [""])[0]
        return f"not reachable at {shown} ({error.__class__.__name__}: {first_line})"
    finally:
        engine.dispose()
    return None


def run_sqlite(pack: OrganisationPack, calls: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="bench-create-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'desk.db'}")
        try:
            migrate.upgrade(engine)
            return measure(engine, pack, calls)
        finally:
            engine.dispose()


def run_postgres(pack: OrganisationPack, calls: int, server_url: str) -> dict[str, Any]:
    with throwaway_postgres(server_url, "create_incident") as url:
        engine = make_engine(url)
        try:
            migrate.upgrade(engine)
            return measure(engine, pack, calls)
        finally:
            engine.dispose()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=DEFAULT_CALLS)
    parser.add_argument("--pg", default=DEFAULT_PG_SERVER, help="PostgreSQL server to create the database on")
    args = parser.parse_args()
    pack = load_pack(default_pack_dir())
    figures: dict[str, Any] = {}
    print(f"SQLite: seeding, then {WARM_UP_CALLS} warm-up and {args.calls} timed calls...")
    figures["sqlite"] = run_sqlite(pack, args.calls)
    unreachable = postgres_unreachable(args.pg)
    if unreachable is None:
        print(f"PostgreSQL: seeding, then {WARM_UP_CALLS} warm-up and {args.calls} timed calls...")
        figures["postgresql"] = run_postgres(pack, args.calls, args.pg)
    else:
        print(f"PostgreSQL skipped: {unreachable}")
        figures["postgresql"] = {"skipped": unreachable}
    postgres = figures["postgresql"]
    if "p95_ms" in postgres:
        postgres["target_p95_ms"] = PG_TARGET_P95_MS
        postgres["meets_target"] = postgres["p95_ms"] < PG_TARGET_P95_MS
    rows = []
    for database in ("sqlite", "postgresql"):
        result = figures[database]
        if "skipped" in result:
            rows.append((database, "skipped", "", "", "", ""))
        else:
            figures_ms = (result["p50_ms"], result["p95_ms"], result["p99_ms"], result["max_ms"])
            rows.append((database, result["calls"], *figures_ms))
    print_table("create_incident latency (ms)", ("database", "calls", "p50", "p95", "p99", "max"), rows)
    if "meets_target" in postgres:
        print(f"PostgreSQL p95 under {PG_TARGET_P95_MS:.0f} ms: {'yes' if postgres['meets_target'] else 'NO'}")
    write_result("create_incident", figures)
    return 0 if postgres.get("meets_target", True) else 1


if __name__ == "__main__":
    raise SystemExit(main())
