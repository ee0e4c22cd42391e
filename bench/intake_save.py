"""Benchmark: saving an assessed incident on PostgreSQL (target p95 < 20 ms).

A throwaway database is migrated and seeded with the 30-day demo history. Each call saves one
assessment made with a demo procedure (random type, random allowed answers, every check confirmed,
the advice read): the incident with its assessment record, 6 to 15 log lines in the pack's wording,
the audit event and the change notice, in one transaction, with a fresh session as a desk opens it.
Also timed: the search for possible duplicates that the intake view runs before saving.
Run as ``.venv/bin/python bench/intake_save.py [--calls N] [--pg URL]``.
"""

from __future__ import annotations

import argparse
import random
import time
from typing import Any

from databases import DEFAULT_PG_SERVER, throwaway_postgres
from report import percentile, print_table, write_result
from sqlalchemy.orm import Session

from supervisor_app.demo.seed import DEFAULT_DAYS, DEFAULT_SEED, seed_demo
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.incidents import Contact, IncidentLocation, ReferralSource
from supervisor_app.domain.intake import CompletedIntake, IntakeDetails, complete_intake
from supervisor_app.domain.procedures import ChoiceQuestion, NumberQuestion, YesNoQuestion, begin, step
from supervisor_app.pack import OrganisationPack, default_pack_dir, load_pack
from supervisor_app.services.accounts import actor_for
from supervisor_app.services.intake import find_possible_duplicates, save_assessed_incident
from supervisor_app.store import migrate
from supervisor_app.store.engine import make_engine, writer

WARM_UP_CALLS = 20
TARGET_P95_MS = 20.0


def assessed(pack: OrganisationPack, rng: random.Random, index: int) -> CompletedIntake:
    incident_type = rng.choice(pack.incident_types)
    procedure = pack.procedure(incident_type.code)
    assessment = begin(procedure)
    while assessment.question is not None:
        question = assessment.question
        answer: object
        if isinstance(question, YesNoQuestion):
            answer = rng.choice([True, False])
        elif isinstance(question, ChoiceQuestion):
            answer = rng.choice(question.options).value
        elif isinstance(question, NumberQuestion):
            answer = rng.randint(int(question.minimum), int(question.maximum))
        else:
            answer = f"Caller's account for benchmark call {index}: water everywhere, getting worse."
        assessment = step(procedure, assessment, question.id, answer)
    assert assessment.outcome is not None
    place = rng.choice(pack.gazetteer())
    details = IntakeDetails(
        incident_type=incident_type.code,
        location=IncidentLocation(Coordinate(place.lat, place.lon), place.label),
        source=ReferralSource.PHONE,
        summary=f"{incident_type.name} reported by caller (benchmark call {index})",
        contact=Contact(name="Aino Virtanen", phone="040 123 4567"),
    )
    return complete_intake(
        details, procedure, assessment, checks_confirmed=[c.code for c in assessment.outcome.checks],
        advice_given=True,
    )


def run(server: str, calls: int) -> dict[str, Any]:
    pack = load_pack(default_pack_dir())
    rng = random.Random(DEFAULT_SEED)
    work = [assessed(pack, rng, index) for index in range(WARM_UP_CALLS + calls)]
    with throwaway_postgres(server, "intake_save") as url:
        engine = make_engine(url)
        try:
            migrate.upgrade(engine)
            seed_demo(engine, pack, seed=DEFAULT_SEED, days=DEFAULT_DAYS)
            with Session(engine) as session:
                actor = actor_for(session, "demo.operator", "bench-desk")
            write_engine = writer(engine)
            saves: list[float] = []
            searches: list[float] = []
            lines = 0
            for index, intake in enumerate(work):
                started = time.perf_counter()
                with Session(write_engine, expire_on_commit=False) as session:
                    find_possible_duplicates(session, actor, intake.details.incident_type,
                                             intake.details.location.point)
                searched = time.perf_counter()
                with Session(write_engine, expire_on_commit=False) as session:
                    saved = save_assessed_incident(session, actor, intake, pack)
                done = time.perf_counter()
                if index >= WARM_UP_CALLS:
                    searches.append((searched - started) * 1000)
                    saves.append((done - searched) * 1000)
                    lines += len(saved.log_entry_ids)
        finally:
            engine.dispose()
    saves.sort()
    searches.sort()
    p95 = percentile(saves, 0.95)
    return {
        "calls": len(saves),
        "log_lines_per_save": round(lines / len(saves), 1),
        "save_p50_ms": round(percentile(saves, 0.5), 2),
        "save_p95_ms": round(p95, 2),
        "save_p99_ms": round(percentile(saves, 0.99), 2),
        "save_max_ms": round(saves[-1], 2),
        "duplicates_search_p95_ms": round(percentile(searches, 0.95), 2),
        "target_p95_ms": TARGET_P95_MS,
        "target_met": p95 < TARGET_P95_MS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=500)
    parser.add_argument("--pg", default=DEFAULT_PG_SERVER, help="PostgreSQL server to create the database on")
    args = parser.parse_args()
    figures = run(args.pg, args.calls)
    print_table("saving an assessed incident on PostgreSQL", ["figure", "value"], list(figures.items()))
    write_result("intake_save", figures)


if __name__ == "__main__":
    main()
