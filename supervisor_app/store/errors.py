"""Store-level errors with messages a person can act on."""

from __future__ import annotations


class StoreError(Exception):
    """The database cannot be used as asked; the message says why and what to do."""
