"""Benchmark: how soon every other desk sees a change (targets: p95 < 50 ms, p99 < 150 ms).

Eight headless desks run as separate processes on one throwaway PostgreSQL database (seeded with
one day of demo history). This process then commits changes through the services at a steady
rate (default 50 a second for 60 seconds): log notes, resource status changes and new incidents,
as a busy room makes them. Each desk reports when it applied each batch; a change's latency is
the time from its commit to its application in a desk's live state, for every desk and change.

The commit time is the database clock at the start of the writing transaction, so the figures
include the transaction's own few milliseconds: they overstate the latency slightly, never
understate it. The machine's load average and CPU use during the run are reported beside them.
Run as ``.venv/bin/python bench/sync_latency.py [--desks 8] [--rate 50] [--seconds 60]``.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

from databases import DEFAULT_PG_SERVER, throwaway_postgres
from report import percentile, print_table, write_result
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from supervisor_app.demo.seed import DEFAULT_SEED, seed_demo
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.incidents import OPEN_INCIDENT_STATUSES, IncidentLocation, NewIncident, ReferralSource
from supervisor_app.domain.people import Actor
from supervisor_app.pack import OrganisationPack, default_pack_dir, load_pack
from supervisor_app.services.accounts import actor_for
from supervisor_app.services.incidents import add_log_entry, create_incident
from supervisor_app.services.resources import change_resource_status
from supervisor_app.store import migrate
from supervisor_app.store.change_log import latest_seq
from supervisor_app.store.engine import make_engine, writer
from supervisor_app.store.models import ChangeRecord, Incident, Resource
from supervisor_app.sync.desk_process import DeskProcess

OPEN_STATUSES = [s.value for s in OPEN_INCIDENT_STATUSES]

P95_TARGET_MS, P99_TARGET_MS = 50.0, 150.0


class Writer:
    """Makes the changes a busy room makes, one service call per change."""

    def __init__(self, engine: Engine, pack: OrganisationPack, actor: Actor) -> None:
        self.engine, self.pack, self.actor = engine, pack, actor
        self.rng = random.Random(DEFAULT_SEED)
        with Session(engine) as session:
            self.incidents = list(session.scalars(select(Incident.id).where(Incident.status.in_(OPEN_STATUSES))))
            self.resources = list(session.scalars(select(Resource.id).where(Resource.status == "available")))
        self.out_of_service: set[int] = set()

    def one_change(self, index: int) -> None:
        with Session(writer(self.engine)) as session:
            roll = self.rng.random()
            if roll < 0.6:
                add_log_entry(
                    session,
                    self.actor,
                    self.rng.choice(self.incidents),
                    "NOTE",
                    f"Update {index}: caller rang back",
                    self.pack,
                )
            elif roll < 0.9:
                resource_id = self.rng.choice(self.resources)
                target = "available" if resource_id in self.out_of_service else "unavailable"
                change_resource_status(session, self.actor, resource_id, target, reason="benchmark")
                self.out_of_service ^= {resource_id}
            else:
                place = self.rng.choice(self.pack.gazetteer())
                kind = self.rng.choice(self.pack.incident_types)
                created = create_incident(
                    session,
                    self.actor,
                    NewIncident(
                        kind.code,
                        kind.default_priority,
                        IncidentLocation(Coordinate(place.lat, place.lon), place.label),
                        ReferralSource.PHONE,
                        f"{kind.name} (benchmark {index})",
                    ),
                    self.pack,
                )
                self.incidents.append(created.incident_id)


def run(server: str, desks: int, rate: float, seconds: float) -> dict[str, Any]:
    pack = load_pack(default_pack_dir())
    with throwaway_postgres(server, "sync_latency") as url, tempfile.TemporaryDirectory() as scratch:
        engine = make_engine(url, pool_size=4)
        migrate.upgrade(engine)
        seed_demo(engine, pack, seed=DEFAULT_SEED, days=1)
        with Session(engine) as session:
            actor = actor_for(session, "demo.supervisor", "bench-writer")
        processes = [DeskProcess(url, f"desk-{i}", Path(scratch) / f"desk-{i}") for i in range(desks)]
        try:
            first_measured = 1 + max(process.ready()["seq"] for process in processes)
            writer_ = Writer(engine, pack, actor)
            load_before, cpu_before, wall_before = os.getloadavg(), os.times(), time.monotonic()
            total = int(rate * seconds)
            started = time.monotonic()
            for index in range(total):
                pause = started + index / rate - time.monotonic()
                if pause > 0:
                    time.sleep(pause)
                writer_.one_change(index)
            achieved_rate = total / (time.monotonic() - started)
            with engine.connect() as connection:
                last_measured = latest_seq(connection)  # desks leaving afterwards are not measured
            time.sleep(1.0)  # let the desks apply the last changes
            load_after = os.getloadavg()
            for process in processes:
                process.stop()
            cpu_after, wall = os.times(), time.monotonic() - wall_before  # desks reaped: their CPU counts
        finally:
            for process in processes:
                process.kill()
        with Session(engine) as session:
            committed = dict(session.execute(select(ChangeRecord.seq, ChangeRecord.committed_at)).all())
        engine.dispose()
    latencies: list[float] = []
    missing = 0
    for process in processes:
        applied_at: dict[int, float] = {}
        for event in process.events:
            if event["event"] == "applied":
                for seq in range(event["first_seq"], event["seq"] + 1):
                    applied_at.setdefault(seq, event["applied_at"])
        for seq, at in committed.items():
            if not first_measured <= seq <= last_measured:
                continue
            if seq not in applied_at:
                missing += 1
                continue
            latencies.append((applied_at[seq] - at.timestamp()) * 1000)
    latencies.sort()
    own_cpu = (cpu_after.user - cpu_before.user) + (cpu_after.system - cpu_before.system)
    children_cpu = (cpu_after.children_user - cpu_before.children_user) + (
        cpu_after.children_system - cpu_before.children_system
    )
    return {
        "desks": desks,
        "changes": last_measured - first_measured + 1,
        "target_rate_per_s": rate,
        "achieved_rate_per_s": round(achieved_rate, 1),
        "seconds": seconds,
        "samples": len(latencies),
        "missing": missing,
        "p50_ms": round(percentile(latencies, 0.50), 1),
        "p95_ms": round(percentile(latencies, 0.95), 1),
        "p99_ms": round(percentile(latencies, 0.99), 1),
        "max_ms": round(latencies[-1], 1),
        "load_average_1m_before": round(load_before[0], 2),
        "load_average_1m_after": round(load_after[0], 2),
        "writer_cpu_share_of_one_core": round(own_cpu / wall, 2),
        "max_rss_mb_writer": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "desks_cpu_share_of_one_core_each": round(children_cpu / wall / desks, 2),
        "p95_target_met": percentile(latencies, 0.95) < P95_TARGET_MS,
        "p99_target_met": percentile(latencies, 0.99) < P99_TARGET_MS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--desks", type=int, default=8)
    parser.add_argument("--rate", type=float, default=50.0, help="changes per second")
    parser.add_argument("--seconds", type=float, default=60.0)
    parser.add_argument("--pg", default=DEFAULT_PG_SERVER, help="PostgreSQL server to create the database on")
    args = parser.parse_args()
    print(f"{args.desks} desks, {args.rate:g} changes/s for {args.seconds:g} s on PostgreSQL...")
    figures = run(args.pg, args.desks, args.rate, args.seconds)
    print_table(
        "Commit to every other desk's live state", ["figure", "value"], [(key, value) for key, value in figures.items()]
    )
    write_result("sync_latency", figures)


if __name__ == "__main__":
    main()
