"""Messages for a reference to a code that the pack does not define."""

from __future__ import annotations

import difflib
from collections.abc import Collection

_MAX_LISTED = 15


def unknown_code_message(what: str, value: str, known: Collection[str], defined_in: str) -> str:
    """``unknown capability 'gas_sniff' (did you mean 'gas_detection'?); expected one of ...``."""
    ordered = sorted(known)
    message = f"unknown {what} {value!r}"
    close = difflib.get_close_matches(value, ordered, n=1)
    if close:
        message += f" (did you mean {close[0]!r}?)"
    if not ordered:
        return f"{message}; {defined_in} defines none, so add it there first"
    listed = ", ".join(ordered[:_MAX_LISTED])
    if len(ordered) > _MAX_LISTED:
        listed += f" and {len(ordered) - _MAX_LISTED} more"
    return f"{message}; expected one of the codes in {defined_in}: {listed}"
