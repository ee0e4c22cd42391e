"""Answers that lead a procedure to a chosen outcome, for tests that need a particular assessment."""

from __future__ import annotations

from collections import deque

from supervisor_app.domain.procedures import (
    ChoiceQuestion,
    Exit,
    NumberQuestion,
    Outcome,
    Procedure,
    Question,
    YesNoQuestion,
    question_exits,
)

Answer = tuple[str, object]


def _answer_for(question: Question, exit_: Exit) -> object:
    """An answer to ``question`` that leaves by ``exit_``."""
    last = exit_.key[-1]
    if last == "if_skipped":
        return None
    if isinstance(question, YesNoQuestion):
        return "yes" if last == "if_yes" else "no"
    if isinstance(question, ChoiceQuestion):
        index = exit_.key[-2]
        assert isinstance(index, int)
        return question.branches[index].options[0]
    if isinstance(question, NumberQuestion):
        index = exit_.key[-2]
        assert isinstance(index, int)
        number_range = question.ranges[index]
        low = question.minimum if number_range.at_least is None else number_range.at_least
        return int(low) if question.whole else low
    return f"Words given in answer to {question.id}"


def answers_to(procedure: Procedure, outcome_id: str) -> list[Answer]:
    """The answers of a shortest route from the start to ``outcome_id``."""
    routes: dict[str, list[Answer]] = {procedure.start: []}
    queue = deque([procedure.start])
    while queue:
        node_id = queue.popleft()
        if node_id == outcome_id:
            return routes[node_id]
        node = procedure.node(node_id)
        if node is None or isinstance(node, Outcome):
            continue
        for exit_ in question_exits(node):
            if exit_.next not in routes:
                routes[exit_.next] = [*routes[node_id], (node.id, _answer_for(node, exit_))]
                queue.append(exit_.next)
    raise AssertionError(f"{procedure.incident_type} has no route to {outcome_id!r}")
