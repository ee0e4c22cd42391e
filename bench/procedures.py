"""Benchmark: one decision-tree step (an answer checked and the next node found), target < 1 ms.

Walks every procedure of the demo pack many times with answers drawn at random (seeded), timing
each ``step`` on its own, and also times replaying a recorded path, validating every procedure and
loading the whole pack. Run as ``.venv/bin/python bench/procedures.py [--walks 2000]``.
"""

from __future__ import annotations

import argparse
import random
import time
from typing import Any

from report import percentile, print_table, write_result

from supervisor_app.domain.procedures import (
    Assessment,
    ChoiceQuestion,
    NumberQuestion,
    Procedure,
    Question,
    YesNoQuestion,
    begin,
    replay,
    step,
    validate_procedure,
)
from supervisor_app.pack import default_pack_dir, load_pack

TARGET_STEP_MS = 1.0


def _answer(question: Question, rng: random.Random) -> object:
    if not question.mandatory and rng.random() < 0.1:
        return None
    if isinstance(question, YesNoQuestion):
        return rng.choice(["yes", "no"])
    if isinstance(question, ChoiceQuestion):
        return rng.choice(question.options).label
    if isinstance(question, NumberQuestion):
        value = rng.uniform(question.minimum, question.maximum)
        return str(round(value)) if question.whole else f"{value:.2f}".replace(".", ",")
    return "The caller says the smell is strongest by the back door, near the meter cupboard."


def _walk(procedure: Procedure, rng: random.Random, step_times: list[float]) -> Assessment:
    assessment = begin(procedure)
    while assessment.question is not None:
        question = assessment.question
        answer = _answer(question, rng)
        started = time.perf_counter()
        assessment = step(procedure, assessment, question.id, answer)
        step_times.append(time.perf_counter() - started)
    return assessment


def run(walks: int, seed: int) -> dict[str, Any]:
    started = time.perf_counter()
    pack = load_pack(default_pack_dir())
    load_s = time.perf_counter() - started
    procedures = list(pack.procedures.values())
    rng = random.Random(seed)
    step_times: list[float] = []
    replay_times: list[float] = []
    for _ in range(walks):
        procedure = rng.choice(procedures)
        finished = _walk(procedure, rng, step_times)
        started = time.perf_counter()
        replay(procedure, finished.path)
        replay_times.append(time.perf_counter() - started)
    known = pack.known_codes()
    started = time.perf_counter()
    for procedure in procedures:
        assert validate_procedure(procedure, known) == []
    validate_s = time.perf_counter() - started
    step_times.sort()
    replay_times.sort()
    p95_step_ms = percentile(step_times, 0.95) * 1000
    return {
        "procedures": len(procedures),
        "walks": walks,
        "steps": len(step_times),
        "step_p50_us": round(percentile(step_times, 0.5) * 1e6, 1),
        "step_p95_us": round(p95_step_ms * 1000, 1),
        "step_p99_us": round(percentile(step_times, 0.99) * 1e6, 1),
        "step_max_us": round(step_times[-1] * 1e6, 1),
        "replay_p95_us": round(percentile(replay_times, 0.95) * 1e6, 1),
        "validate_all_ms": round(validate_s * 1000, 2),
        "load_pack_ms": round(load_s * 1000, 1),
        "target_step_ms": TARGET_STEP_MS,
        "target_met": p95_step_ms < TARGET_STEP_MS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--walks", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=5)
    args = parser.parse_args()
    figures = run(args.walks, args.seed)
    print_table("decision-tree steps over the demo procedures", ["figure", "value"], list(figures.items()))
    write_result("procedures", figures)


if __name__ == "__main__":
    main()
