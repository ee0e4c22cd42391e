"""What to tell the person when something fails: plain words and what to do, never a traceback.

The full technical detail goes to the log file; this module only decides the words on screen.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from pathlib import Path

from supervisor_app.domain.errors import DomainError
from supervisor_app.store.errors import StoreError
from supervisor_app.ui.runner import is_connection_error

CONNECTION_MESSAGE_KEY = "database-connection"


class Severity(StrEnum):
    INFO = "info"
    WARNING = "warning"
    ERROR = "error"


@dataclass(frozen=True)
class PersonMessage:
    """A message for the message bar. Messages with the same ``key`` replace one another."""

    severity: Severity
    headline: str
    advice: str = ""
    key: str = ""


def message_for(error: BaseException, *, at: datetime, log_file: Path | None) -> PersonMessage:
    """The message to show for ``error``, which happened at ``at`` (the desk's local time)."""
    when = f"{at:%H:%M:%S}"
    if isinstance(error, DomainError):
        return PersonMessage(Severity.WARNING, str(error), key=f"domain:{type(error).__name__}:{error}")
    if is_connection_error(error):
        return connection_lost_message(at)
    if isinstance(error, StoreError):
        return PersonMessage(Severity.ERROR, str(error), key=f"store:{error}")
    where = f" The details are in {log_file}." if log_file else ""
    return PersonMessage(
        Severity.ERROR,
        f"Something went wrong in the desk at {when} ({type(error).__name__}).",
        "The desk is still running and no data was lost by this error; try the action again. If it "
        f"happens again, tell IT support and give them the time {when}.{where}",
        key=f"unexpected:{type(error).__name__}",
    )


def connection_lost_message(at: datetime) -> PersonMessage:
    """``at``: when the connection was lost, in the desk's local time."""
    return PersonMessage(
        Severity.ERROR,
        f"The connection to the database was lost at {at:%H:%M:%S}.",
        "The desk keeps trying. Until the status bar shows \u201cConnected\u201d again, the screen shows "
        "the state as it was then and changes cannot be saved. If it does not come back within a "
        "minute, check the network and tell the duty manager.",
        key=CONNECTION_MESSAGE_KEY,
    )


def reconnected_message(at: datetime, caught_up: int | None = None) -> PersonMessage:
    """``caught_up``: changes made at other desks during the outage, now applied (None: unknown)."""
    if caught_up is None:
        advice = "Figures on screen are being refreshed."
    elif caught_up == 0:
        advice = "Nothing changed at other desks meanwhile; the screen is up to date."
    else:
        changes = f"{caught_up} change{'s' if caught_up != 1 else ''}"
        advice = f"Caught up with {changes} made at other desks meanwhile; the screen is up to date."
    return PersonMessage(
        Severity.INFO,
        f"The connection to the database is back ({at:%H:%M:%S}).",
        advice,
        key=CONNECTION_MESSAGE_KEY,
    )
