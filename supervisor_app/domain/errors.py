"""Errors that carry a message a person can act on.

Every error raised by the domain says what is wrong, where, and what to do instead. The UI shows
``str(error)`` as it is; it never needs a traceback to be understood.
"""

from __future__ import annotations


class DomainError(Exception):
    """A rule of the domain refused an action or a value."""


class InvalidValue(DomainError):
    """A field was given a value it cannot hold."""

    def __init__(self, field: str, value: object, expected: str) -> None:
        self.field = field
        self.value = value
        self.expected = expected
        shown = repr(value)
        if len(shown) > 60:
            shown = shown[:57] + "..."
        super().__init__(f"{field}: {shown} is not valid; expected {expected}.")


class InvalidTransition(DomainError):
    """A state machine was asked for a move it does not allow."""

    def __init__(
        self,
        subject: str,
        current: str,
        requested: str,
        allowed: tuple[str, ...],
    ) -> None:
        self.subject = subject
        self.current = current
        self.requested = requested
        self.allowed = allowed
        if allowed:
            options = ", ".join(allowed)
            hint = f"From {current!r} it can move to: {options}."
        else:
            hint = f"{current!r} is final; nothing can follow it."
        super().__init__(f"{subject} cannot go from {current!r} to {requested!r}. {hint}")
