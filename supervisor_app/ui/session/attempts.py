"""What a person is told when a sign-in, unlock or hand-over does not go through."""

from __future__ import annotations

import logging

from supervisor_app.domain.errors import DomainError
from supervisor_app.services.sign_in import SignInRefused
from supervisor_app.ui.runner import DatabaseUnavailable, is_connection_error

log = logging.getLogger(__name__)


def refusal_text(error: BaseException, database_label: str) -> str:
    """One or two sentences that say what went wrong and what to do; never a traceback."""
    if isinstance(error, SignInRefused):
        return str(error)
    if isinstance(error, DatabaseUnavailable):
        return (
            f"The database has been unreachable since {error.since:%H:%M:%S}, and passwords are checked "
            "there. Try again when the status bar shows \u201cConnected\u201d."
        )
    if is_connection_error(error):
        return (
            f"Cannot reach the database ({database_label}), so the password could not be checked. "
            "Check the network or call IT, then try again."
        )
    if isinstance(error, DomainError):
        return str(error)
    log.error("sign-in failed unexpectedly", exc_info=error)
    return "Sign-in failed unexpectedly; the details are in the desk's log. Try again, or call IT."


def change_refused_text(error: BaseException, database_label: str) -> str:
    """Why a change (other than signing in) was not made; nothing was written."""
    if isinstance(error, DomainError):  # refusals, and DatabaseUnavailable, say it all themselves
        return str(error)
    if is_connection_error(error):
        return (
            f"Not saved: cannot reach the database ({database_label}). Nothing was written; "
            "try again when the status bar shows \u201cConnected\u201d."
        )
    log.error("a change failed unexpectedly", exc_info=error)
    return "Not saved: something unexpected went wrong; the details are in the desk's log."
