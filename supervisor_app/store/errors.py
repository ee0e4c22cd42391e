"""Store-level errors with messages a person can act on."""

from __future__ import annotations

import re

from sqlalchemy.exc import OperationalError

#: libpq's words for a refused TLS set-up (not for a connection dropped mid-way, "SSL SYSCALL error").
_TLS_WORDS = re.compile(r"certificate|does not support SSL|SSL error|\bssl(?:mode|rootcert|cert|key|crl)\b")


class StoreError(Exception):
    """The database cannot be used as asked; the message says why and what to do."""


def unreachable(where: str, error: OperationalError) -> StoreError:
    """Turn a driver's connection failure into one sentence naming the database and the cause."""
    original = str(error.orig if error.orig is not None else error).strip()
    reason = original.splitlines()[0] if original else error.__class__.__name__
    if _TLS_WORDS.search(reason):
        advice = (
            "Check the address's TLS settings (sslmode, sslrootcert, sslcert, sslkey) against what the database "
            "server offers and the certificate it presents."
        )
    else:
        advice = "Check the address, the network and that the database server is running."
    return StoreError(f"Cannot reach the database {where}: {reason}. {advice}")
