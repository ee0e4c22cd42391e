"""The incident monitor at volume: 1,000,000 incidents in PostgreSQL, 2,000 of them open.

Times what a supervisor waits for, in the real view (offscreen) on a throwaway database made by
``monitor_data.make_history``:

- history: from switching to the history (Ctrl+H) until its first rows are painted, the page read
  on a reader thread as the desk does (target under 200 ms);
- one changed row from the change feed: the UI-thread part of applying it (the model's row, the
  model placing it by its sort key, its alerts), with 2,000 open incidents shown (target under 5 ms); the
  read of the row on a reader thread is reported beside it;
- a full repaint of the visible table, sorted by the next target, 1600 x 900 (target under 16 ms);
- the first load of every open incident, for the record.

    QT_QPA_PLATFORM=offscreen .venv/bin/python bench/monitor.py [--incidents N] [--open N] [--pg URL]
"""

from __future__ import annotations

import argparse
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from databases import DEFAULT_PG_SERVER, throwaway_postgres
from monitor_data import make_history
from PySide6.QtWidgets import QApplication
from report import percentile, print_table, write_result
from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.domain.incidents import OPEN_INCIDENT_STATUSES
from supervisor_app.domain.people import Actor, Role
from supervisor_app.pack import default_pack_dir, load_pack
from supervisor_app.services.context import DeskContext
from supervisor_app.services.monitor import load_rows
from supervisor_app.settings import Settings
from supervisor_app.store.engine import make_engine
from supervisor_app.store.models import Incident
from supervisor_app.ui.monitor import IncidentMonitorView
from supervisor_app.ui.runner import Runner
from supervisor_app.ui.theme import apply_theme, theme_named

TARGETS_MS = {"history first rows": 200.0, "apply one changed row": 5.0, "repaint visible table": 16.0}


def wait_for(app: QApplication, done: Callable[[], bool], timeout_s: float = 60.0) -> None:
    deadline = time.monotonic() + timeout_s
    while not done():
        if time.monotonic() > deadline:
            raise SystemExit("timed out")
        app.processEvents()
        time.sleep(0.0005)


def summary(name: str, values: list[float]) -> list[object]:
    ordered = sorted(values)
    target = TARGETS_MS.get(name)
    p95 = percentile(ordered, 0.95)
    verdict = "" if target is None else ("met" if p95 < target else "MISSED")
    return [name, len(ordered), f"{percentile(ordered, 0.5):.2f}", f"{p95:.2f}", f"{ordered[-1]:.2f}",
            "" if target is None else f"< {target:g}", verdict]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=2_000)
    parser.add_argument("--changes", type=int, default=300)
    parser.add_argument("--history-reads", type=int, default=20)
    parser.add_argument("--pg", default=DEFAULT_PG_SERVER)
    args = parser.parse_args()
    app = QApplication.instance() or QApplication(sys.argv[:1])
    apply_theme(app, theme_named("dark"))
    pack = load_pack(default_pack_dir())
    actor = Actor.of("sup.bench", [Role.SUPERVISOR], "desk-1")
    with throwaway_postgres(args.pg, "monitor_ui") as url, tempfile.TemporaryDirectory() as folder:
        started = time.perf_counter()
        made = make_history(url, args.incidents, args.open, pack=pack)
        print(f"Generated {made} in {time.perf_counter() - started:.1f} s")
        engine = make_engine(url)
        data = Path(folder)
        context = DeskContext(settings=Settings(data_dir=data, config_dir=data, db_url=url, desk_name="desk-1"),
                              engine=engine, pack=pack, actor=actor)
        runner = Runner.for_context(context)
        view = IncidentMonitorView(context, runner)
        view.resize(1600, 900)
        view.show()
        figures: dict[str, list[float]] = {}
        try:
            loaded: list[object] = []
            view.sig_loaded.connect(loaded.append)
            t0 = time.perf_counter()
            view.on_shown()
            wait_for(app, lambda: bool(loaded))
            figures["first load of every open incident"] = [(time.perf_counter() - t0) * 1000]
            shown = view.model.rowCount()

            # A full repaint of what is on screen, sorted by the next target to fall due.
            repaint = []
            profiler = None
            if os.environ.get("BENCH_PROFILE"):
                import cProfile

                profiler = cProfile.Profile()
                profiler.enable()
            for _ in range(100):
                t = time.perf_counter()
                view.table.viewport().repaint()
                repaint.append((time.perf_counter() - t) * 1000)
            figures["repaint visible table"] = repaint
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(os.environ["BENCH_PROFILE"] + ".repaint")
                profiler.enable()

            # One changed row at a time, as the change feed delivers them.
            with Session(engine) as session:
                open_ids = session.scalars(select(Incident.id).where(
                    Incident.status.in_([s.value for s in OPEN_INCIDENT_STATUSES]))).all()
            rng = random.Random(7)
            reads, applies = [], []
            for incident_id in rng.sample(list(open_ids), min(args.changes, len(open_ids))):
                with Session(engine) as session:
                    t = time.perf_counter()
                    rows = load_rows(session, actor, [incident_id], pack)
                    reads.append((time.perf_counter() - t) * 1000)
                # What the feed would bring: the row as read, a version on.
                row = rows.rows[0]
                changed = replace(rows, rows=(replace(row, version=row.version + 1),))
                t = time.perf_counter()
                view.apply_rows(changed)
                applies.append((time.perf_counter() - t) * 1000)
                app.processEvents()
            figures["apply one changed row"] = applies
            if profiler is not None:
                profiler.disable()
                profiler.dump_stats(os.environ["BENCH_PROFILE"] + ".apply")
            figures["read one changed row (reader thread)"] = reads

            # The history: switch to it and wait for its first rows on screen; back, and again.
            history = []
            for _ in range(args.history_reads):
                pages: list[object] = []
                view.sig_history_loaded.connect(pages.append)
                t = time.perf_counter()
                view.set_history(True)
                wait_for(app, lambda pages=pages: bool(pages))
                view.table.viewport().repaint()
                history.append((time.perf_counter() - t) * 1000)
                view.sig_history_loaded.disconnect(pages.append)
                view.set_history(False)
                wait_for(app, lambda: view.model.rowCount() == shown and not runner.busy_count)
            figures["history first rows"] = history
        finally:
            view.on_close()
            runner.shutdown(10_000)
            view.close()
            engine.dispose()
    rows = [summary(name, values) for name, values in figures.items()]
    print_table(
        f"Incident monitor: {args.incidents:,} incidents, {shown:,} open (ms)",
        ["measure", "n", "p50", "p95", "max", "target", ""],
        rows,
    )
    path = write_result("monitor", {
        "incidents": args.incidents,
        "open_incidents": shown,
        "generated": made,
        "timings_ms": {name: {"p50": percentile(sorted(v), 0.5), "p95": percentile(sorted(v), 0.95),
                              "max": max(v), "n": len(v)} for name, v in figures.items()},
        "targets_ms": TARGETS_MS,
    })
    print(f"\nwritten {path}")
    missed = [row[0] for row in rows if row[-1] == "MISSED"]
    return 1 if missed else 0


if __name__ == "__main__":
    raise SystemExit(main())
