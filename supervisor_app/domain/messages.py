"""Messages to resources and partners: their life in the outbox, and their wording.

Every outbound message is stored before it is sent, so that nothing is lost when a channel or the
desk fails half-way, and it moves through these states::

    queued --> sent --> acknowledged
       |  \\
       |   --> failed --(retry, by the schedule or by hand)--> queued
       --> passed --> acknowledged        (voice: said by the supervisor, recorded with the time)

A failed message is retried on a growing schedule (``retry_delay``) up to ``MAX_AUTOMATIC_ATTEMPTS``
times; after that it stays failed, shown to the desk, until a person re-sends it or chooses another
channel. Nothing is ever deleted.

The wording of each message comes from the organisation pack (``wording.yaml``), one template per
medium; ``compose`` fills it in with the incident's fields.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from enum import StrEnum

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.state_machine import StateMachine
from supervisor_app.domain.wording import fill


class MessageStatus(StrEnum):
    QUEUED = "queued"  # stored, waiting for the channel
    SENT = "sent"  # the channel accepted it (broker PUBACK, SMTP 250, gateway 2xx)
    FAILED = "failed"  # the channel refused or could not be reached; see last_error
    PASSED = "passed"  # voice: the supervisor said it, at the time recorded
    ACKNOWLEDGED = "acknowledged"  # the recipient confirmed it


_M = MessageStatus
MESSAGE_LIFECYCLE: StateMachine[MessageStatus] = StateMachine(
    "Message",
    MessageStatus,
    {
        # An acknowledgement can overtake the channel's own answer: it proves the message arrived.
        _M.QUEUED: frozenset({_M.SENT, _M.FAILED, _M.PASSED, _M.ACKNOWLEDGED}),
        _M.SENT: frozenset({_M.ACKNOWLEDGED}),
        _M.FAILED: frozenset({_M.QUEUED}),
        _M.PASSED: frozenset({_M.ACKNOWLEDGED}),
        _M.ACKNOWLEDGED: frozenset(),
    },
)

#: A message that failed this many times is left for a person to decide.
MAX_AUTOMATIC_ATTEMPTS = 5
_FIRST_RETRY = timedelta(seconds=15)
_LONGEST_WAIT = timedelta(minutes=5)


def retry_delay(attempts: int) -> timedelta | None:
    """How long to wait before the next automatic try after ``attempts`` failed ones; None: stop.

    15 s, 30 s, 60 s, 120 s, then a person decides (a deployment that waits longer is chased by
    voice, which the acknowledgement alert prompts).
    """
    if attempts < 1:
        raise InvalidValue("attempts", attempts, "a whole number of at least 1")
    if attempts >= MAX_AUTOMATIC_ATTEMPTS:
        return None
    wait: timedelta = _FIRST_RETRY * (2 ** (attempts - 1))
    return min(wait, _LONGEST_WAIT)


class WordingKind(StrEnum):
    """Which of the pack's templates a channel uses."""

    MDT = "mdt"
    SMS = "sms"
    EMAIL = "email"
    VOICE = "voice"


def wording_kind(channel_code: str, medium: str) -> WordingKind:
    """The template a channel uses: voice channels read the voice wording; data channels are named
    after their kind (``mdt``, ``sms``, ``email``) in the pack's channels.yaml."""
    if medium == "voice":
        return WordingKind.VOICE
    try:
        return WordingKind(channel_code)
    except ValueError:
        raise InvalidValue(
            "channel", channel_code, "a data channel named mdt, sms or email, or a voice channel"
        ) from None


@dataclass(frozen=True)
class ComposedMessage:
    subject: str
    body: str


#: Text messages longer than this are refused at composition rather than cut by the gateway.
SMS_MAX_CHARACTERS = 160


def compose(
    kind: WordingKind,
    templates: Mapping[str, object],
    fields: Mapping[str, object],
) -> ComposedMessage:
    """Fill the pack's template for ``kind`` (``templates`` maps mdt, sms, voice to text and email
    to a mapping with subject and body). An SMS that would not fit one text is shortened at a word
    boundary, ending with an ellipsis, so that the reference and priority at its start survive."""
    if kind is WordingKind.EMAIL:
        email = templates["email"]
        if not isinstance(email, Mapping):
            raise InvalidValue("e-mail wording", email, "a subject and a body")
        return ComposedMessage(fill(str(email["subject"]), fields), fill(str(email["body"]), fields))
    body = fill(str(templates[kind.value]), fields)
    if kind is WordingKind.MDT or kind is WordingKind.VOICE:
        body = " ".join(body.split())
    if kind is WordingKind.SMS:
        body = " ".join(body.split())
        if len(body) > SMS_MAX_CHARACTERS:
            body = body[: SMS_MAX_CHARACTERS - 1].rsplit(" ", 1)[0] + "\u2026"
    subject = f"{fields.get('reference', '')} {fields.get('priority', '')}".strip()
    return ComposedMessage(subject, body)
