"""Store-level errors with messages a person can act on."""

from __future__ import annotations

from sqlalchemy.exc import OperationalError


class StoreError(Exception):
    """The database cannot be used as asked; the message says why and what to do."""


def unreachable(where: str, error: OperationalError) -> StoreError:
    """Turn a driver's connection failure into one sentence naming the database and the cause."""
    original = str(error.orig if error.orig is not None else error).strip()
    reason = original.splitlines()[0] if original else error.__class__.__name__
    return StoreError(
        f"Cannot reach the database {where}: {reason}. "
        "Check the address, the network and that the database server is running."
    )
