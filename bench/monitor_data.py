"""A large incident history for the monitor's benchmarks, made on the PostgreSQL server itself.

``make_history(url, incidents=1_000_000, open_incidents=2_000, seed=...)`` migrates the database at
``url`` (a throwaway one: it writes straight into the tables), adds the demo pack's stations and
resources, and generates with ``generate_series`` on the server, in about a minute for a
million: closed and cancelled incidents over three years (types by the demo's frequencies, mostly
at the type's own priority, places from the pack's gazetteer, a disposition each), the last week of
them with the resource that attended and a few log lines; and ``open_incidents`` open ones from the
last six hours in every open status, with log lines, earlier deployments that cleared or were stood
down, and as many live deployments as there are resources (one resource is live on one incident
only, as the schema insists). ``random()`` is seeded, so a seed gives the same history.

Run as a script it makes a throwaway database, generates the history and times the monitor's reads
on it: the first page of the history (by the service, and the query's plan with EXPLAIN ANALYZE, on
which the target of well under 200 ms is judged), a deep page, filtered pages, and every open
incident. ``.venv/bin/python bench/monitor_data.py [--incidents N] [--open N] [--pg URL]``.
"""

from __future__ import annotations

import argparse
import json
import random
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from databases import DEFAULT_PG_SERVER, throwaway_postgres
from report import percentile, print_table, write_result
from sqlalchemy import Connection, Engine, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from supervisor_app.demo.demand import type_frequency
from supervisor_app.domain.incidents import OPEN_INCIDENT_STATUSES
from supervisor_app.domain.people import Actor, Role
from supervisor_app.pack import OrganisationPack, default_pack_dir, load_pack
from supervisor_app.services.monitor import HistoryFilters, HistoryKey, history_page, load_open_rows, page_query
from supervisor_app.store import migrate
from supervisor_app.store.engine import make_engine
from supervisor_app.store.models import Incident

DEFAULT_SEED = 20261203
TARGET_FIRST_PAGE_MS = 200.0
YEARS = 3
#: Shares of the open statuses among open incidents (those needing a resource become live deployments
#: while resources last; the rest wait for one).
OPEN_SHARES = {
    "new": 0.05, "awaiting_resource": 0.40, "resource_assigned": 0.20, "in_progress": 0.15, "on_hold": 0.12,
    "resolved": 0.08,
}
PRIORITY_SHARES = (0.12, 0.33, 0.40, 0.15)  # P1..P4 when not the type's own
LIVE_FOR_STATUS = {"resource_assigned": ("requested", "acknowledged", "en_route"), "in_progress": ("on_scene",)}
RESOURCE_FOR_DEPLOYMENT = {"requested": "assigned", "acknowledged": "assigned", "en_route": "en_route",
                           "on_scene": "on_scene"}


def _cumulative(weights: list[float]) -> list[float]:
    """Upper bounds in (0, 1] for ``width_bucket``: bucket k holds a random value below the k-th bound."""
    total, running, bounds = sum(weights), 0.0, []
    for weight in weights[:-1]:
        running += weight / total
        bounds.append(running)
    return bounds


def _pack_arrays(pack: OrganisationPack) -> dict[str, Any]:
    types = pack.incident_types
    places = pack.gazetteer()
    keep = [d.code for d in pack.dispositions if not d.cancels]
    void = [d.code for d in pack.dispositions if d.cancels]
    return {
        "type_codes": [t.code for t in types],
        "type_names": [t.name for t in types],
        "type_priorities": [t.default_priority for t in types],
        "type_responses": [json.dumps([r.model_dump() for r in t.required_response]) for t in types],
        "type_bounds": _cumulative([type_frequency(t.code) for t in types]),
        "priorities": [p.code for p in pack.priorities],
        "priority_bounds": _cumulative(list(PRIORITY_SHARES[: len(pack.priorities)])),
        "place_lats": [p.lat for p in places],
        "place_lons": [p.lon for p in places],
        "place_labels": [p.label for p in places],
        "kept": keep,
        "voided": void,
        "pack_version": pack.version,
        "tz": pack.timezone,
    }


# One row per incident: the random draws, then the values they choose. {count}, {start}, {age} and
# the statuses are filled in per use; arrays and codes are bound parameters.
_INCIDENTS = """
INSERT INTO incidents (reference, incident_type, priority, status, lat, lon, address, source, contact_name,
    contact_phone, contact_organisation, summary, required_response, pack_version, created_at, created_by, desk,
    updated_at, closed_at, disposition_code, version, changed_by, changed_desk, validity)
WITH pack AS (
    SELECT CAST(:type_codes AS text[]) AS type_codes, CAST(:type_names AS text[]) AS type_names,
        CAST(:type_priorities AS text[]) AS type_priorities, CAST(:type_responses AS text[]) AS type_responses,
        CAST(:type_bounds AS float8[]) AS type_bounds, CAST(:priorities AS text[]) AS priorities,
        CAST(:priority_bounds AS float8[]) AS priority_bounds, CAST(:place_lats AS float8[]) AS lats,
        CAST(:place_lons AS float8[]) AS lons, CAST(:place_labels AS text[]) AS labels,
        CAST(:kept AS text[]) AS kept, CAST(:voided AS text[]) AS voided
), drawn AS (
    SELECT g, now() - interval '1 day' - random() * {age} AS created_at, random() AS r_status, random() AS r_type,
        random() AS r_pri, random() AS r_pri2, random() AS r_place, random() AS r_src, random() AS r_disp,
        interval '20 minutes' + random() * interval '8 hours' AS duration
    FROM generate_series(1, {count}) AS g
), chosen AS (
    SELECT drawn.*, {status} AS status, width_bucket(r_type, pack.type_bounds) + 1 AS t,
        1 + floor(r_place * cardinality(pack.lats))::int AS p, created_at + duration AS ended_at
    FROM drawn CROSS JOIN pack
)
SELECT 'INC-' || to_char(created_at AT TIME ZONE :tz, 'YYYYMMDD') || '-' || lpad((g + {start})::text, 7, '0'),
    type_codes[t], CASE WHEN r_pri < 0.75 THEN type_priorities[t]
                        ELSE priorities[width_bucket(r_pri2, priority_bounds) + 1] END,
    status, lats[p], lons[p], labels[p],
    CASE WHEN r_src < 0.8 THEN 'phone' WHEN r_src < 0.9 THEN 'partner_agency' ELSE 'alarm' END, '', '', '',
    type_names[t], CAST(type_responses[t] AS json), :pack_version, created_at, 'sup.bench', 'desk-1',
    CASE WHEN status IN ('closed', 'cancelled') THEN ended_at ELSE created_at END,
    CASE WHEN status IN ('closed', 'cancelled') THEN ended_at END,
    CASE WHEN status = 'cancelled' THEN voided[1 + floor(r_disp * cardinality(voided))::int]
         WHEN status = 'closed' THEN kept[1 + floor(r_disp * cardinality(kept))::int] END,
    3, 'sup.bench', 'desk-1', 'valid'
FROM chosen CROSS JOIN pack
"""

_LOG_LINES = """
INSERT INTO incident_log (incident_id, occurred_at, recorded_at, author, desk, code, text)
SELECT i.id, i.created_at + k * interval '7 minutes', i.created_at + k * interval '7 minutes', 'sup.bench', 'desk-1',
    CASE WHEN k = 0 THEN 'REF' ELSE 'NOTE' END, CASE WHEN k = 0 THEN 'phone: ' || i.summary ELSE 'Update ' || k END
FROM incidents AS i CROSS JOIN LATERAL generate_series(0, 2 + (i.id % 4)) AS k
WHERE {where}
"""

_ENDED_DEPLOYMENTS = """
INSERT INTO deployments (incident_id, resource_id, required_response, channel, status, requested_at,
    acknowledged_at, en_route_at, on_scene_at, cleared_at, cancelled_at, requested_by, desk, version)
SELECT i.id, (CAST(:resources AS bigint[]))[1 + floor(i.r * cardinality(CAST(:resources AS bigint[])))::int], '',
    'mdt', kind,
    i.created_at + interval '2 minutes', i.created_at + interval '3 minutes', i.created_at + interval '4 minutes',
    CASE WHEN kind = 'cleared' THEN i.created_at + interval '30 minutes' END,
    CASE WHEN kind = 'cleared' THEN i.created_at + interval '80 minutes' END,
    CASE WHEN kind = 'cancelled' THEN i.created_at + interval '10 minutes' END, 'sup.bench', 'desk-1', 3
FROM (SELECT i.*, random() AS r, CASE WHEN i.status IN ('closed', 'cancelled') OR random() < 0.5 THEN 'cleared'
                       ELSE 'cancelled' END AS kind
      FROM incidents AS i WHERE {where}) AS i
"""


def _open_status_sql() -> str:
    """A CASE choosing an open status by ``r_status`` with the shares of ``OPEN_SHARES``."""
    cases, running = [], 0.0
    for status, share in OPEN_SHARES.items():
        running += share
        cases.append(f"WHEN r_status < {running:.4f} THEN '{status}'")
    return "CASE " + " ".join(cases) + " ELSE 'awaiting_resource' END"


def _organisation(connection: Connection, pack: OrganisationPack) -> list[int]:
    """The pack's stations and resources, all available; the resources' ids."""
    ids = []
    for station in pack.stations:
        station_id = connection.execute(
            text("INSERT INTO stations (code, name, address, sector_code, lat, lon) "
                 "VALUES (:code, :name, :address, :sector, :lat, :lon) RETURNING id"),
            {"code": station.code, "name": station.name, "address": station.address, "sector": station.sector,
             "lat": station.lat, "lon": station.lon},
        ).scalar_one()
        for resource in station.resources:
            ids.append(connection.execute(
                text("INSERT INTO resources (call_sign, resource_type, capabilities, station_id, shift_pattern, "
                     "status, status_changed_at, lat, lon, version) VALUES (:call_sign, :type, CAST(:caps AS json), "
                     ":station, '24h', 'available', now(), :lat, :lon, 1) RETURNING id"),
                {"call_sign": resource.call_sign, "type": resource.type, "caps": json.dumps(resource.capabilities),
                 "station": station_id, "lat": station.lat, "lon": station.lon},
            ).scalar_one())
    return ids


def _live_deployments(connection: Connection, rng: random.Random, resources: list[int]) -> int:
    """One live deployment per resource on the open incidents that need one, the rest left waiting."""
    needing = connection.execute(text(
        "SELECT id, status, created_at FROM incidents WHERE status IN ('resource_assigned', 'in_progress') "
        "ORDER BY id")).all()
    free = resources[:]
    rng.shuffle(free)
    rows, resource_status, waiting = [], [], []
    for incident_id, status, created_at in needing:
        if not free:
            waiting.append(incident_id)
            continue
        resource_id = free.pop()
        kind = rng.choice(LIVE_FOR_STATUS[status])
        requested = created_at + timedelta(minutes=rng.randint(1, 20))
        step = timedelta(minutes=rng.randint(1, 15))
        rows.append({
            "incident": incident_id, "resource": resource_id, "status": kind, "requested": requested,
            "ack": requested + step if kind != "requested" else None,
            "enrt": requested + 2 * step if kind in ("en_route", "on_scene") else None,
            "onsc": requested + 3 * step if kind == "on_scene" else None,
        })
        resource_status.append({"id": resource_id, "status": RESOURCE_FOR_DEPLOYMENT[kind]})
    if rows:
        connection.execute(text(
            "INSERT INTO deployments (incident_id, resource_id, required_response, channel, status, requested_at, "
            "acknowledged_at, en_route_at, on_scene_at, requested_by, desk, version) VALUES (:incident, :resource, "
            "'', 'mdt', :status, :requested, :ack, :enrt, :onsc, 'sup.bench', 'desk-1', 2)"), rows)
        connection.execute(text("UPDATE resources SET status = :status WHERE id = :id"), resource_status)
    if waiting:
        connection.execute(text("UPDATE incidents SET status = 'awaiting_resource' WHERE id = ANY(:ids)"),
                           {"ids": waiting})
    return len(rows)


def make_history(url: str, incidents: int = 1_000_000, open_incidents: int = 2_000, seed: int = DEFAULT_SEED,
                 pack: OrganisationPack | None = None) -> dict[str, int]:
    """Generate the history described in the module doc into the (new, empty) database at ``url``;
    the number of rows made in each table."""
    pack = pack or load_pack(default_pack_dir())
    engine = make_engine(url)
    try:
        migrate.upgrade(engine)
        arrays = _pack_arrays(pack)
        closed = max(0, incidents - open_incidents)
        with engine.begin() as connection:
            connection.execute(text("SELECT setseed(:s)"), {"s": (seed % 10_000) / 10_000})
            resources = _organisation(connection, pack)
            history = _INCIDENTS.format(count=closed, start=0, age=f"interval '{YEARS} years'",
                                        status="CASE WHEN r_status < 0.92 THEN 'closed' ELSE 'cancelled' END")
            connection.execute(text(history), arrays)
            now_open = _INCIDENTS.format(count=open_incidents, start=closed, age="interval '6 hours'",
                                         status=_open_status_sql())
            connection.execute(text(now_open.replace("now() - interval '1 day' -", "now() -")), arrays)
            recent = "i.created_at > now() - interval '8 days'"
            open_sql = "i.status IN ({})".format(", ".join(f"'{s.value}'" for s in OPEN_INCIDENT_STATUSES))
            connection.execute(text(_LOG_LINES.format(where=f"{open_sql} OR {recent}")))
            ended = f"({open_sql} AND random() < 0.25) OR ({recent} AND i.status = 'closed' AND random() < 0.85)"
            connection.execute(text(_ENDED_DEPLOYMENTS.format(where=ended)), {"resources": resources})
            live = _live_deployments(connection, random.Random(seed), resources)
            counts = {
                table: connection.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
                for table in ("incidents", "incident_log", "deployments")
            }
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            connection.execute(text("VACUUM ANALYZE"))
        return {**counts, "live_deployments": live}
    finally:
        engine.dispose()


def _timed(call: Callable[[], object], repeats: int) -> list[float]:
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        call()
        timings.append((time.perf_counter() - started) * 1000)
    return sorted(timings)


def _explain(engine: Engine, filters: HistoryFilters) -> tuple[float, str]:
    """EXPLAIN ANALYZE of the history's first page as the service sends it: (execution ms, plan)."""
    query = page_query(filters, None, 200)
    sql = str(query.compile(dialect=postgresql.dialect(), compile_kwargs={"literal_binds": True}))
    with engine.connect() as connection:
        plan = [row[0] for row in connection.execute(text("EXPLAIN (ANALYZE, BUFFERS) " + sql))]
    executed = next(float(line.split(":")[1].split()[0]) for line in plan if line.startswith("Execution Time"))
    return executed, "\n".join(plan)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--open", type=int, default=2_000)
    parser.add_argument("--repeats", type=int, default=20)
    parser.add_argument("--pg", default=DEFAULT_PG_SERVER)
    args = parser.parse_args()
    pack = load_pack(default_pack_dir())
    actor = Actor.of("sup.bench", [Role.SUPERVISOR], "desk-1")
    with throwaway_postgres(args.pg, "monitor") as url:
        started = time.perf_counter()
        made = make_history(url, args.incidents, args.open, pack=pack)
        generated = time.perf_counter() - started
        print(f"Generated {made} in {generated:.1f} s")
        engine = make_engine(url)
        try:
            def page(filters: HistoryFilters, before: HistoryKey | None = None) -> Callable[[], object]:
                def read() -> object:
                    with Session(engine) as session:
                        return history_page(session, actor, pack, filters=filters, before=before)
                return read

            with Session(engine) as session:
                deep = session.execute(
                    Incident.__table__.select().with_only_columns(Incident.created_at, Incident.id)
                    .where(Incident.status == "closed").order_by(Incident.created_at, Incident.id).limit(1)
                ).one()
            cases = {
                "first page": HistoryFilters(),
                "P1 only": HistoryFilters(priorities=frozenset({"P1"})),
                "one type": HistoryFilters(incident_types=frozenset({"LIFT_BREAKDOWN"})),
                "cancelled": HistoryFilters(statuses=frozenset({"cancelled"})),
                "address text": HistoryFilters(text="Mannerheimintie"),
            }
            rows, figures = [], {"generated_seconds": round(generated, 1), **made}
            for name, filters in cases.items():
                timings = _timed(page(filters), args.repeats)
                executed, plan = _explain(engine, filters)
                figures[name] = {"service_p50_ms": round(percentile(timings, 0.5), 1),
                                 "service_p95_ms": round(percentile(timings, 0.95), 1),
                                 "query_ms": executed}
                rows.append([name, f"{percentile(timings, 0.5):.1f}", f"{percentile(timings, 0.95):.1f}",
                             f"{executed:.2f}"])
                if name == "first page":
                    print(plan)
            last = _timed(page(HistoryFilters(), HistoryKey(deep.created_at, deep.id + 1)), args.repeats)
            rows.append(["oldest page", f"{percentile(last, 0.5):.1f}", f"{percentile(last, 0.95):.1f}", ""])

            def open_rows() -> object:
                with Session(engine) as session:
                    return load_open_rows(session, actor, pack)

            opened = _timed(open_rows, max(3, args.repeats // 4))
            rows.append([f"open rows ({args.open:,})", f"{percentile(opened, 0.5):.1f}",
                         f"{percentile(opened, 0.95):.1f}", ""])
            figures["open_rows_p50_ms"] = round(percentile(opened, 0.5), 1)
        finally:
            engine.dispose()
    print_table(f"Monitor reads, {args.incidents:,} incidents on PostgreSQL", ["read", "p50 ms", "p95 ms",
                "EXPLAIN ANALYZE ms"], rows)
    first = figures["first page"]
    assert isinstance(first, dict)
    write_result("monitor_history", figures)
    ok = first["query_ms"] < TARGET_FIRST_PAGE_MS
    print(f"First page at {args.incidents:,} incidents: {first['query_ms']:.2f} ms in the database "
          f"(target under {TARGET_FIRST_PAGE_MS:.0f} ms): {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
