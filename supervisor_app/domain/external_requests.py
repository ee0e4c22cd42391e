"""Requests the desk makes of someone outside it: another organisation, or the duty manager.

A request is made by a channel (voice, recorded as said by the supervisor at that moment, or a data
message through the outbox), and stays open until the answer is recorded::

    requested --> accepted     (with their reference, when they give one)
              \\-> declined     (with what they said)

The desk may ask an organisation only for what the organisation pack lists under its
``may_request``, and only by the channels the pack gives it; anything else goes through the duty
manager. ``check_request`` is that rule, kept pure so the view can explain a refusal before asking
the database.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from enum import StrEnum

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.incidents import clean_log_text
from supervisor_app.domain.state_machine import StateMachine


class RequestStatus(StrEnum):
    REQUESTED = "requested"  # asked, no answer recorded yet
    ACCEPTED = "accepted"  # they said yes (their reference kept when given)
    DECLINED = "declined"  # they said no, or cannot


_R = RequestStatus
REQUEST_LIFECYCLE: StateMachine[RequestStatus] = StateMachine(
    "Request",
    RequestStatus,
    {
        _R.REQUESTED: frozenset({_R.ACCEPTED, _R.DECLINED}),
        _R.ACCEPTED: frozenset(),
        _R.DECLINED: frozenset(),
    },
)

#: A reason must say something: at least this many characters.
MIN_REASON = 5
MAX_REFERENCE = 80


@dataclass(frozen=True)
class Authority:
    """What the pack lets the desk ask of one organisation, and how."""

    organisation: str
    name: str
    requests: frozenset[str]
    channels: tuple[str, ...]


def check_request(authority: Authority, request: str, channel: str, reason: str) -> str:
    """The reason, cleaned, when the request is one the desk may make by that channel; otherwise
    ``InvalidValue`` saying what the pack allows."""
    if request not in authority.requests:
        allowed = ", ".join(sorted(authority.requests)) or "nothing"
        raise InvalidValue(
            f"request of {authority.name}",
            request,
            f"one the organisation pack authorises ({allowed}); anything else goes through the duty manager",
        )
    if channel not in authority.channels:
        raise InvalidValue(f"channel to {authority.name}", channel, "one of " + ", ".join(authority.channels))
    return clean_reason(reason)


def clean_reason(reason: str) -> str:
    cleaned = clean_log_text(reason)
    if len(cleaned) < MIN_REASON:
        raise InvalidValue("reason", reason, f"a reason of at least {MIN_REASON} characters")
    return cleaned


def clean_reference(reference: str) -> str | None:
    """Their reference as given (None when they gave none); refused when over ``MAX_REFERENCE``."""
    cleaned = " ".join(reference.split())
    if len(cleaned) > MAX_REFERENCE:
        raise InvalidValue("their reference", reference, f"at most {MAX_REFERENCE} characters")
    return cleaned or None


def request_label(code: str) -> str:
    """``forced_entry_assistance`` -> ``forced entry assistance``: how a request code reads in a message."""
    return code.replace("_", " ")


def open_requests(statuses: Collection[str]) -> int:
    """How many of these requests still wait for an answer."""
    return sum(1 for status in statuses if status == RequestStatus.REQUESTED.value)
