"""A small, explicit state machine: a table of allowed moves and a check that explains refusals."""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Generic, TypeVar

from supervisor_app.domain.errors import InvalidTransition

S = TypeVar("S", bound=StrEnum)


class StateMachine(Generic[S]):
    """Allowed transitions between the members of one ``StrEnum``.

    The table names, for each state, the states it may move to. A state with no entry is final.
    """

    def __init__(self, subject: str, states: type[S], moves: Mapping[S, frozenset[S]]) -> None:
        unknown = [s for s in moves if not isinstance(s, states)]
        if unknown:
            raise TypeError(f"{subject}: states {unknown} are not members of {states.__name__}")
        self.subject = subject
        self.states = states
        self._moves: dict[S, frozenset[S]] = {s: frozenset(moves.get(s, frozenset())) for s in states}

    def allowed_from(self, current: S) -> tuple[S, ...]:
        """The states reachable in one move, in the enum's own order."""
        targets = self._moves[current]
        return tuple(s for s in self.states if s in targets)

    def can(self, current: S, requested: S) -> bool:
        return requested in self._moves[current]

    def check(self, current: S, requested: S) -> S:
        """Return ``requested`` if the move is allowed; otherwise raise ``InvalidTransition``."""
        if not self.can(current, requested):
            raise InvalidTransition(
                self.subject,
                current.value,
                requested.value,
                tuple(s.value for s in self.allowed_from(current)),
            )
        return requested

    def is_final(self, state: S) -> bool:
        return not self._moves[state]

    def pairs(self) -> list[tuple[S, S]]:
        """Every allowed (from, to) pair; handy for exhaustive tests and documentation."""
        return [(a, b) for a in self.states for b in self.allowed_from(a)]
