"""Errors a service raises when it refuses; each message says what happened and what to do."""

from __future__ import annotations

from supervisor_app.domain.errors import DomainError


class NotFound(DomainError):
    def __init__(self, what: str, key: object) -> None:
        super().__init__(f"{what} {key} does not exist (it may have been removed, or the number is wrong).")


class Conflict(DomainError):
    """Another desk got there first; the message names who, what and when."""


class StaleEdit(Conflict):
    """An edit was based on an older version than the one now in the database."""

    def __init__(
        self,
        what: str,
        expected: int,
        current: int,
        fresh_state: str,
        changed_by: str | None = None,
        changed_desk: str | None = None,
    ) -> None:
        self.expected = expected
        self.current = current
        who = f" by {changed_by} at desk {changed_desk}" if changed_by and changed_desk else " on another desk"
        super().__init__(
            f"{what} was changed{who} while you were editing (you had version "
            f"{expected}, it is now {current}). It now reads: {fresh_state}. Check it and try again."
        )
