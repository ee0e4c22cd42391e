"""Checks of a procedure's shape and codes, each fault named with the route a person can follow.

``validate_procedure(procedure, known)`` returns every problem it finds, never just the first:
ids that do not exist (a dangling branch, a missing outcome, a start that is not there), nodes no
route reaches, cycles, choice branches that do not take every option exactly once, number ranges
with gaps or overlaps, and codes the organisation does not define. Each ``ProcedureProblem`` says
where the fault is as a route from the start and as the key in the procedure's file::

    GAS_ESCAPE_INTERNAL: start > smell_where ("whole_building") > anyone_inside ("yes") > next
    "evacuate_now" does not exist; expected the id of one of the procedure's questions or outcomes

A valid procedure reaches exactly one outcome for every sequence of answers its questions allow.
"""

from __future__ import annotations

import difflib
import math
from collections import deque
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

from supervisor_app.domain.procedures.model import (
    ChoiceQuestion,
    EscalationKind,
    Exit,
    KeyPath,
    NumberQuestion,
    Outcome,
    Procedure,
    Question,
    TextQuestion,
    format_number,
    question_exits,
)

_MAX_LISTED = 15


@dataclass(frozen=True)
class KnownCodes:
    """The codes the organisation defines, for checking the codes a procedure uses.

    ``None`` means "not known" and skips that check (for example when the file that defines the
    codes could not be read, whose own problems are reported already). ``external_organisations``
    maps each organisation's code to the requests the desk may make of it.
    """

    priorities: Collection[str] | None = None
    resource_types: Collection[str] | None = None
    capabilities: Collection[str] | None = None
    log_codes: Collection[str] | None = None
    checks: Collection[str] | None = None
    external_organisations: Mapping[str, Collection[str]] | None = None


@dataclass(frozen=True, slots=True)
class RouteHop:
    """A node on the route to a fault, and the answer taken from it (None at the route's end)."""

    node: str
    answer: str | None = None

    def __str__(self) -> str:
        return self.node if self.answer is None else f"{self.node} ({self.answer})"


@dataclass(frozen=True, slots=True)
class ProcedureProblem:
    """One fault of a procedure.

    ``route`` is the shortest way from the start to the fault (empty for a node no route reaches,
    or a fault of the procedure as a whole); ``node`` is the id of the node at fault, if any;
    ``key`` the fault's place in the procedure's file, such as ``("outcomes", "evacuate",
    "priority")``.
    """

    incident_type: str
    key: KeyPath
    message: str
    route: tuple[RouteHop, ...] = ()
    node: str | None = None

    @property
    def where(self) -> str:
        """``start > smell_where ("whole_building") > anyone_inside``; the node alone if no route
        reaches it; "" for the procedure as a whole."""
        if self.route:
            return " > ".join(["start", *map(str, self.route)])
        return self.node or ""

    def __str__(self) -> str:
        where = self.where
        return f"{self.incident_type}: {where} > {self.message}" if where else f"{self.incident_type}: {self.message}"


def _listed(known: Collection[str]) -> str:
    ordered = sorted(known)
    listed = ", ".join(ordered[:_MAX_LISTED])
    if len(ordered) > _MAX_LISTED:
        listed += f" and {len(ordered) - _MAX_LISTED} more"
    return listed or "none are defined"


def unknown_code(what: str, value: str, known: Collection[str]) -> str:
    """``priority 'P9' is unknown (did you mean 'P1'?); expected one of P1, P2, P3, P4``."""
    message = f"{what} {value!r} is unknown"
    close = difflib.get_close_matches(value, sorted(known), n=1)
    if close:
        message += f" (did you mean {close[0]!r}?)"
    return f"{message}; expected one of {_listed(known)}"


@dataclass
class _Checker:
    procedure: Procedure
    known: KnownCodes
    nodes: dict[str, Question | Outcome] = field(default_factory=dict)
    routes: dict[str, tuple[RouteHop, ...]] = field(default_factory=dict)
    problems: list[ProcedureProblem] = field(default_factory=list)

    def report(
        self,
        key: KeyPath,
        message: str,
        *,
        node: str | None = None,
        answer: str | None = None,
        route: tuple[RouteHop, ...] | None = None,
    ) -> None:
        if route is None:
            route = self.route_to(node, answer) if node is not None else ()
        self.problems.append(ProcedureProblem(self.procedure.incident_type, key, message, route, node))

    def route_to(self, node: str, answer: str | None = None) -> tuple[RouteHop, ...]:
        """The shortest route from the start to ``node``, ending with it (and the answer taken);
        empty when no route reaches it."""
        if node not in self.routes:
            return ()
        return (*self.routes[node], RouteHop(node, answer))

    def expect(self, what: str, value: str, known: Collection[str] | None, key: KeyPath, node: str) -> None:
        if known is not None and value not in known:
            self.report(key, unknown_code(what, value, known), node=node)


def _index_nodes(checker: _Checker) -> None:
    procedure = checker.procedure
    for section, nodes in (("questions", procedure.questions), ("outcomes", procedure.outcomes)):
        for node in nodes:
            if node.id in checker.nodes:
                first = "a question" if isinstance(checker.nodes[node.id], Question) else "an outcome"
                checker.report(
                    (section, node.id),
                    f'the id "{node.id}" is already used by {first}; expected '
                    "each id once across questions and outcomes",
                    route=(),
                )
            elif not node.id:
                checker.report((section,), "a node has no id; expected a short name for it", route=())
            else:
                checker.nodes[node.id] = node


def _exits(node: Question | Outcome) -> tuple[Exit, ...]:
    return () if isinstance(node, Outcome) else question_exits(node)


def _find_routes(checker: _Checker) -> None:
    """Shortest routes from the start (breadth first), following only exits that lead somewhere."""
    start = checker.procedure.start
    if start not in checker.nodes:
        return
    checker.routes[start] = ()
    queue = deque([start])
    while queue:
        node_id = queue.popleft()
        for exit_ in _exits(checker.nodes[node_id]):
            if exit_.next in checker.nodes and exit_.next not in checker.routes:
                checker.routes[exit_.next] = (*checker.routes[node_id], RouteHop(node_id, exit_.label))
                queue.append(exit_.next)


def _check_links(checker: _Checker) -> None:
    ids = sorted(checker.nodes)
    for node in checker.nodes.values():
        for exit_ in _exits(node):
            if exit_.next not in checker.nodes:
                close = difflib.get_close_matches(exit_.next, ids, n=1)
                hint = f' (did you mean "{close[0]}"?)' if close else ""
                checker.report(
                    exit_.key,
                    f'next "{exit_.next}" does not exist{hint}; expected the id of one of '
                    "the procedure's questions or outcomes",
                    node=node.id,
                    answer=exit_.label,
                )


def _check_reachable(checker: _Checker) -> None:
    start = checker.procedure.start
    if start not in checker.nodes:
        close = difflib.get_close_matches(start, sorted(checker.nodes), n=1)
        hint = f' (did you mean "{close[0]}"?)' if close else ""
        checker.report(("start",), f'start "{start}" does not exist{hint}; expected the id of the first question')
        return  # with no start, every node would be reported unreachable
    unreachable = {node_id for node_id in checker.nodes if node_id not in checker.routes}
    # Report only where a fix is needed: nodes nothing links to. What hangs below them is reached
    # again once they are, so it is not reported as well (one broken branch, one problem).
    linked_from: dict[str, set[str]] = {node_id: set() for node_id in unreachable}
    for node in checker.nodes.values():
        for exit_ in _exits(node):
            if exit_.next in linked_from and exit_.next != node.id:
                linked_from[exit_.next].add(node.id)
    heads = {node_id for node_id, sources in linked_from.items() if not sources}
    covered = set(heads)
    frontier = list(heads)
    while frontier:
        for exit_ in _exits(checker.nodes[frontier.pop()]):
            if exit_.next in unreachable and exit_.next not in covered:
                covered.add(exit_.next)
                frontier.append(exit_.next)
    # Unreachable nodes that only link to each other (a loop cut off from the start) are all reported.
    report = heads | (unreachable - covered)
    for section, nodes in (("questions", checker.procedure.questions), ("outcomes", checker.procedure.outcomes)):
        for node in nodes:
            if checker.nodes.get(node.id) is node and node.id in report:
                checker.report(
                    (section, node.id),
                    "cannot be reached from start (no answer leads to it); link it from a question or remove it",
                    node=node.id,
                )


def _check_cycles(checker: _Checker) -> None:
    """Every exit that leads back to a node already on the way there (depth first, iteratively)."""
    start = checker.procedure.start
    if start not in checker.nodes:
        return
    done: set[str] = set()
    on_path: list[str] = [start]
    on_path_set = {start}
    pending = [iter(_exits(checker.nodes[start]))]
    while pending:
        exit_ = next(pending[-1], None)
        if exit_ is None:
            pending.pop()
            finished = on_path.pop()
            on_path_set.discard(finished)
            done.add(finished)
            continue
        target = exit_.next
        if target not in checker.nodes or target in done:
            continue
        source = on_path[-1]
        if target in on_path_set:
            loop = " > ".join([*on_path[on_path.index(target) :], target])
            checker.report(
                exit_.key,
                f'next "{target}" leads back to a question already asked on this path '
                f"(a cycle: {loop}); every answer must move on towards an outcome",
                node=source,
                answer=exit_.label,
            )
            continue
        on_path.append(target)
        on_path_set.add(target)
        pending.append(iter(_exits(checker.nodes[target])))


def _check_question(checker: _Checker, question: Question) -> None:
    base: KeyPath = ("questions", question.id)
    node = question.id
    if not question.ask.strip():
        checker.report((*base, "ask"), "the question has no wording; expected the words to ask the contact", node=node)
    checker.expect("log code", question.log_code, checker.known.log_codes, (*base, "log_code"), node)
    if isinstance(question, TextQuestion):
        if question.if_skipped is not None:
            checker.report(
                (*base, "if_skipped"),
                "an open question goes on to next whether answered or not; remove if_skipped",
                node=node,
            )
    elif question.mandatory and question.if_skipped is not None:
        checker.report(
            (*base, "if_skipped"),
            "if_skipped is only for a question that is not mandatory; remove it or set mandatory: false",
            node=node,
        )
    elif not question.mandatory and question.if_skipped is None:
        checker.report(
            (*base, "mandatory"),
            "the question is not mandatory, so it needs if_skipped: the node to go to when it is not answered",
            node=node,
        )
    if isinstance(question, ChoiceQuestion):
        _check_choice(checker, question, base)
    elif isinstance(question, NumberQuestion):
        _check_number(checker, question, base)


def _check_choice(checker: _Checker, question: ChoiceQuestion, base: KeyPath) -> None:
    node = question.id
    if len(question.options) < 2:
        checker.report(
            (*base, "options"), f"a choice needs at least 2 options; found {len(question.options)}", node=node
        )
    values: dict[str, int] = {}
    for index, option in enumerate(question.options):
        if option.value in values:
            checker.report(
                (*base, "options", index, "value"),
                f'the option "{option.value}" is already options[{values[option.value]}]; expected each option once',
                node=node,
            )
        else:
            values[option.value] = index
        if not option.label.strip():
            checker.report(
                (*base, "options", index, "label"),
                f'the option "{option.value}" has no label; expected the words shown for it',
                node=node,
            )
    taken: dict[str, int] = {}
    for branch_index, branch in enumerate(question.branches):
        if not branch.options:
            checker.report(
                (*base, "branches", branch_index, "options"),
                "the branch takes no option; expected the options that lead to its next node",
                node=node,
            )
        for option_index, value in enumerate(branch.options):
            key = (*base, "branches", branch_index, "options", option_index)
            if value not in values:
                checker.report(key, unknown_code("option", value, values), node=node)
            elif value in taken:
                checker.report(
                    key,
                    f'the option "{value}" is already taken by branches[{taken[value]}]; expected '
                    "each option in exactly one branch",
                    node=node,
                    answer=f'"{value}"',
                )
            else:
                taken[value] = branch_index
    for value, index in values.items():
        if value not in taken:
            checker.report(
                (*base, "options", index),
                f'the option "{value}" is in no branch, so that answer '
                "would lead nowhere; add it to exactly one branch",
                node=node,
                answer=f'"{value}"',
            )


def _check_number(checker: _Checker, question: NumberQuestion, base: KeyPath) -> None:
    node = question.id
    low, high = question.minimum, question.maximum
    if not question.unit.strip():
        checker.report(
            (*base, "unit"), "the number has no unit; expected what it counts, such as minutes or people", node=node
        )
    if not (math.isfinite(low) and math.isfinite(high)):
        checker.report((*base, "minimum"), "the minimum and maximum must be finite numbers", node=node)
        return
    if low >= high:
        checker.report(
            (*base, "maximum"),
            f"the maximum ({format_number(high)}) must be greater than the minimum ({format_number(low)})",
            node=node,
        )
        return
    if question.whole:
        for name, bound in (("minimum", low), ("maximum", high)):
            if bound != int(bound):
                checker.report(
                    (*base, name),
                    f"the {name} ({format_number(bound)}) must be a whole number, as the answer is",
                    node=node,
                )
    if not question.ranges:
        checker.report(
            (*base, "ranges"), "the number has no ranges; expected at least one, each with its next node", node=node
        )
        return
    covered_to = low  # every value from the minimum up to (not including) this one is covered
    reached_top = False  # the maximum itself is covered
    for index, number_range in enumerate(question.ranges):
        key = (*base, "ranges", index)
        label = number_range.describe(question.unit)
        start = low if number_range.at_least is None else number_range.at_least
        stop = number_range.below
        if not low <= start <= high or (stop is not None and not low < stop <= high):
            checker.report(
                key,
                f"the range {label} is outside the question's bounds ({format_number(low)} to "
                f"{format_number(high)}); expected ranges within them",
                node=node,
                answer=label,
            )
            continue
        if stop is not None and start >= stop:
            checker.report(
                key, f"the range {label} holds no number; expected at_least below below", node=node, answer=label
            )
            continue
        if reached_top or start < covered_to:
            checker.report(
                key,
                f"the range {label} overlaps the ranges before it (they already cover "
                f"{format_number(start)}); list ranges from the lowest up, each starting where the "
                "one before it stops",
                node=node,
                answer=label,
            )
        elif start > covered_to:
            checker.report(
                key,
                f"no range covers {format_number(covered_to)} to under {format_number(start)} {question.unit}".rstrip()
                + "; expected each range to start where the one before "
                "it stops",
                node=node,
                answer=label,
            )
        if stop is None:
            reached_top = True
        covered_to = max(covered_to, high if stop is None else stop)
    if not reached_top:
        checker.report(
            (*base, "ranges"),
            f"no range covers {format_number(covered_to)}"
            + (f" to {format_number(high)}" if covered_to < high else "")
            + f" {question.unit}".rstrip()
            + "; leave 'below' out of the last range so that it runs "
            "up to the maximum",
            node=node,
        )


def _check_outcome(checker: _Checker, outcome: Outcome) -> None:
    base: KeyPath = ("outcomes", outcome.id)
    node = outcome.id
    known = checker.known
    for name in ("title", "reason"):
        if not getattr(outcome, name).strip():
            checker.report((*base, name), f"the outcome has no {name}; expected a short text", node=node)
    checker.expect("priority", outcome.priority, known.priorities, (*base, "priority"), node)
    for index, need in enumerate(outcome.response):
        key = (*base, "response", index)
        checker.expect("resource type", need.resource_type, known.resource_types, (*key, "resource_type"), node)
        for capability_index, capability in enumerate(need.capabilities):
            checker.expect("capability", capability, known.capabilities, (*key, "capabilities", capability_index), node)
    advice = outcome.advice
    if not advice.say:
        checker.report(
            (*base, "advice", "say"),
            "there is no advice to read to the contact; expected at least "
            "one line under advice.say, read word for word",
            node=node,
        )
    for part, lines in (("say", advice.say), ("do_not_say", advice.do_not_say)):
        for index, line in enumerate(lines):
            if not line.strip():
                checker.report(
                    (*base, "advice", part, index), "the line is empty; expected the words, or remove it", node=node
                )
    said = {line.strip().casefold() for line in advice.say}
    for index, line in enumerate(advice.do_not_say):
        if line.strip() and line.strip().casefold() in said:
            checker.report(
                (*base, "advice", "do_not_say", index),
                "the line is also under advice.say; expected each line under one of them",
                node=node,
            )
    seen: dict[str, int] = {}
    for index, check in enumerate(outcome.checks):
        key = (*base, "checks", index, "code")
        if check.code in seen:
            checker.report(
                key,
                f"the check {check.code!r} is already checks[{seen[check.code]}]; expected each check once",
                node=node,
            )
            continue
        seen[check.code] = index
        checker.expect("check", check.code, known.checks, key, node)
    _check_escalation(checker, outcome, base)


def _check_escalation(checker: _Checker, outcome: Outcome, base: KeyPath) -> None:
    escalation = outcome.escalation
    node = outcome.id
    key: KeyPath = (*base, "escalation")
    if escalation.kind is EscalationKind.NONE:
        return
    if not escalation.reason.strip():
        checker.report((*key, "reason"), "the escalation has no reason; expected why it is raised", node=node)
    if escalation.kind is EscalationKind.DUTY_MANAGER:
        if escalation.request:
            checker.report(
                (*key, "request"), "a request is made only of an external organisation; remove it", node=node
            )
        return
    organisations = checker.known.external_organisations
    if organisations is None:
        return
    if escalation.organisation not in organisations:
        checker.report(
            (*key, "target"),
            unknown_code(
                "escalation target", escalation.organisation, [*organisations, EscalationKind.DUTY_MANAGER.value]
            ),
            node=node,
        )
        return
    allowed = organisations[escalation.organisation]
    if not escalation.request:
        checker.report(
            (*key, "request"),
            f"the escalation to {escalation.organisation} names no request; expected "
            f"one of the requests the desk may make of it: {_listed(allowed)}",
            node=node,
        )
    elif escalation.request not in allowed:
        checker.report(
            (*key, "request"),
            unknown_code(f"request of {escalation.organisation}", escalation.request, allowed),
            node=node,
        )


def validate_procedure(procedure: Procedure, known: KnownCodes) -> list[ProcedureProblem]:
    """Every problem of ``procedure``, in the order of its questions and outcomes; empty if valid."""
    checker = _Checker(procedure, known)
    if procedure.version < 1:
        checker.report(("version",), f"the version ({procedure.version}) must be a whole number of at least 1")
    if not procedure.title.strip():
        checker.report(("title",), "the procedure has no title; expected a short text")
    if not procedure.outcomes:
        checker.report(("outcomes",), "the procedure has no outcomes; expected at least one, where every route ends")
    _index_nodes(checker)
    _find_routes(checker)
    _check_reachable(checker)
    _check_links(checker)
    _check_cycles(checker)
    for question in procedure.questions:
        _check_question(checker, question)
    for outcome in procedure.outcomes:
        _check_outcome(checker, outcome)
    return checker.problems


def longest_route(procedure: Procedure) -> int:
    """The most questions asked on any route from the start to an outcome (0 if it starts at one).

    Exits that lead nowhere or back on the route are ignored, so any procedure gives an answer.
    """
    depth: dict[str, int] = {}

    def walk(node_id: str, on_route: frozenset[str]) -> int:
        if node_id in depth:
            return depth[node_id]
        node = procedure.node(node_id)
        if node is None or isinstance(node, Outcome):
            return 0
        below = [
            walk(e.next, on_route | {node_id})
            for e in question_exits(node)
            if e.next not in on_route and e.next != node_id
        ]
        depth[node_id] = 1 + max(below, default=0)
        return depth[node_id]

    return walk(procedure.start, frozenset())
