"""Which desks are on line, and who is working on which incident.

A desk says it is alive every :data:`HEARTBEAT_EVERY`; one silent for longer than
:data:`SILENT_AFTER` is taken to be gone (closed, crashed, or cut off), and its claims lapse, so an
incident is never left "being worked on" by nobody.
"""

from __future__ import annotations

from datetime import datetime, timedelta

HEARTBEAT_EVERY = timedelta(seconds=10)
SILENT_AFTER = timedelta(seconds=30)


def is_present(heartbeat_at: datetime, now: datetime, silent_after: timedelta = SILENT_AFTER) -> bool:
    """A desk is present if it was heard from within ``silent_after`` of ``now``."""
    return now - heartbeat_at <= silent_after
