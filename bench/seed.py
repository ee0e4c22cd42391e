"""Benchmark: seed the demo history into a fresh SQLite file (target: 100,000 incidents in < 60 s).

Run as ``.venv/bin/python bench/seed.py [--incidents N] [--days D]``. The database is a new
temporary file, migrated to the newest schema first; the migration is not timed.
"""

from __future__ import annotations

import argparse
import tempfile
from pathlib import Path

from report import print_table, write_result

from supervisor_app.demo.seed import DEFAULT_INCIDENTS_PER_DAY, DEFAULT_SEED, seed_demo
from supervisor_app.pack import default_pack_dir, load_pack
from supervisor_app.store import migrate
from supervisor_app.store.engine import make_engine

TARGET_SECONDS = 60.0
DEFAULT_INCIDENTS = 100_000


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=DEFAULT_INCIDENTS)
    parser.add_argument("--days", type=int, default=None,
                        help=f"days of history (default: incidents / {DEFAULT_INCIDENTS_PER_DAY})")
    args = parser.parse_args()
    days = args.days or max(1, round(args.incidents / DEFAULT_INCIDENTS_PER_DAY))
    pack = load_pack(default_pack_dir())
    with tempfile.TemporaryDirectory(prefix="bench-seed-") as folder:
        engine = make_engine(f"sqlite:///{Path(folder) / 'desk.db'}")
        migrate.upgrade(engine)
        print(f"Seeding {args.incidents:,} incidents over {days} days into a fresh SQLite file...")
        report = seed_demo(engine, pack, seed=DEFAULT_SEED, days=days, total_incidents=args.incidents)
        size_mb = sum(p.stat().st_size for p in Path(folder).iterdir()) / 1e6
        engine.dispose()
    figures = {
        "database": "sqlite",
        "days": days,
        "incidents": report.incidents,
        "deployments": report.deployments,
        "log_entries": report.log_entries,
        "cases": report.cases,
        "rows": report.rows,
        "seconds": round(report.seconds, 2),
        "incidents_per_second": round(report.incidents / report.seconds),
        "rows_per_second": round(report.rows / report.seconds),
        "database_mb": round(size_mb, 1),
        "target_seconds": TARGET_SECONDS,
        "meets_target": report.seconds < TARGET_SECONDS,
    }
    print_table(
        "Demo seeding on SQLite",
        ("figure", "value"),
        [
            ("incidents", f"{report.incidents:,}"),
            ("deployments", f"{report.deployments:,}"),
            ("log entries", f"{report.log_entries:,}"),
            ("complaints and queries", f"{report.cases:,}"),
            ("rows in all", f"{report.rows:,}"),
            ("seconds", f"{report.seconds:.1f}"),
            ("incidents / s", f"{figures['incidents_per_second']:,}"),
            ("rows / s", f"{figures['rows_per_second']:,}"),
            ("database size (MB)", f"{size_mb:.1f}"),
            (f"under {TARGET_SECONDS:.0f} s", "yes" if figures["meets_target"] else "NO"),
        ],
    )
    write_result("seed", figures)
    return 0 if figures["meets_target"] else 1


if __name__ == "__main__":
    raise SystemExit(main())
