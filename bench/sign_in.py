"""Benchmark: signing in (argon2id check, lockout bookkeeping, audit) on PostgreSQL (target < 0.5 s).

Run as ``.venv/bin/python bench/sign_in.py [--attempts 50]``.
"""

from __future__ import annotations

import argparse
import time
from typing import Any

from databases import DEFAULT_PG_SERVER, throwaway_postgres
from report import percentile, print_table, write_result
from sqlalchemy.orm import Session

from supervisor_app.domain.people import Actor, Role
from supervisor_app.services.sign_in import sign_in
from supervisor_app.services.users import add_user
from supervisor_app.store import migrate
from supervisor_app.store.engine import make_engine, writer

TARGET_S = 0.5
PASSWORD = "river-lantern-42-copper"


def run(server: str, attempts: int) -> dict[str, Any]:
    with throwaway_postgres(server, "sign_in") as url:
        engine = make_engine(url)
        migrate.upgrade(engine)
        admin = Actor.of("bench.admin", [Role.ADMINISTRATOR], "bench")
        with Session(writer(engine)) as session:
            add_user(session, admin, "aino.virtanen", "Aino Virtanen", ["supervisor"], PASSWORD)
        timings = []
        for _ in range(attempts):
            started = time.perf_counter()
            with Session(writer(engine)) as session:
                sign_in(session, "aino.virtanen", PASSWORD, "desk-1", timezone="Europe/Helsinki")
            timings.append(time.perf_counter() - started)
        engine.dispose()
    timings.sort()
    return {
        "attempts": attempts,
        "p50_ms": round(percentile(timings, 0.5) * 1000, 1),
        "p95_ms": round(percentile(timings, 0.95) * 1000, 1),
        "max_ms": round(timings[-1] * 1000, 1),
        "target_met": timings[-1] < TARGET_S,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--attempts", type=int, default=50)
    parser.add_argument("--pg", default=DEFAULT_PG_SERVER, help="PostgreSQL server to create the database on")
    args = parser.parse_args()
    figures = run(args.pg, args.attempts)
    print_table("sign-in on PostgreSQL", ["figure", "value"], list(figures.items()))
    write_result("sign_in", figures)


if __name__ == "__main__":
    main()
