"""What every channel adapter offers the outbox, and the voice channel, which needs no protocol.

The outbox stores each message before it is sent and then hands it to the adapter for its
channel. An adapter never touches the database: it either returns a ``Delivery`` (the channel
took the message) or raises ``SendFailed`` saying why and whether trying again can help. The
outbox turns that into sent or failed, and later events (an MDT acknowledgement) into
acknowledged.

Every adapter carries ``OutboundMessage.message_id`` (the outbox row's id) in what it sends, so a
message sent twice (a retry after a timeout whose first attempt did arrive after all) can be
recognised as one by whoever receives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol, runtime_checkable

from supervisor_app.domain.errors import DomainError

#: The pack's channel codes that have an adapter.
VOICE_CHANNELS = frozenset({"voice_radio", "voice_phone"})
DATA_CHANNELS = frozenset({"mdt", "sms", "email"})


@dataclass(frozen=True)
class OutboundMessage:
    """One message as the outbox stored it; the adapter sends exactly this."""

    message_id: int  # the outbox row id: the idempotency key carried in every payload
    channel: str  # pack channel code: mdt, sms, email, voice_radio, voice_phone
    recipient: str  # call sign (mdt, voice), phone number (sms) or e-mail address (email)
    subject: str
    body: str
    incident_reference: str
    deployment_id: int | None = None
    location: tuple[float, float] | None = None  # the incident's (lat, lon), for the terminal's navigation
    address: str = ""
    purpose: str = "deployment"  # what the outbox stored it for: deployment, cancellation, external_request...


@dataclass(frozen=True)
class Delivery:
    """The channel took the message: the provider's own reference for it, and when (UTC)."""

    provider_reference: str
    accepted_at: datetime

    def __post_init__(self) -> None:
        if self.accepted_at.utcoffset() is None:
            raise ValueError("Delivery.accepted_at must be an aware UTC time, e.g. datetime.now(UTC)")


class SendFailed(DomainError):
    """A channel could not take a message.

    ``reason`` is a sentence a supervisor can act on (what failed, where, what to do);
    ``retryable`` says whether sending the same message again later can succeed without anyone
    changing anything (a timeout, a refused connection, a busy server) or not (a refused
    recipient, a text that is too long, wrong credentials).
    """

    def __init__(self, reason: str, *, retryable: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retryable = retryable


@runtime_checkable
class ChannelAdapter(Protocol):
    """The one interface the outbox sends through."""

    @property
    def code(self) -> str:
        """The pack channel code this adapter serves (``mdt``, ``sms``, ...)."""
        ...

    def send(self, message: OutboundMessage) -> Delivery:
        """Hand ``message`` to the channel; raises ``SendFailed`` when the channel did not take it."""
        ...

    def close(self) -> None:
        """Let go of connections and threads; the adapter is not used afterwards."""
        ...


def utc_now() -> datetime:
    return datetime.now(UTC)


def check_channel(adapter_code: str, message: OutboundMessage) -> None:
    """Refuse a message meant for another channel (the outbox picked the wrong adapter)."""
    if message.channel != adapter_code:
        raise SendFailed(
            f"Message {message.message_id} is for the {message.channel!r} channel but was handed to the "
            f"{adapter_code!r} adapter; nothing was sent. Send it again through the {message.channel!r} channel.",
            retryable=False,
        )


class VoiceLog:
    """Voice (radio or telephone): the supervisor passes the message in person.

    There is nothing to transmit, so ``send`` returns at once with the provider reference
    ``"voice"`` and the time; the outbox records the message as passed by the supervisor at that
    time (who passed it is the outbox's actor). It never fails and never needs a retry.
    """

    def __init__(self, code: str = "voice_radio") -> None:
        if code not in VOICE_CHANNELS:
            raise ValueError(f"{code!r} is not a voice channel; use one of {', '.join(sorted(VOICE_CHANNELS))}")
        self._code = code

    @property
    def code(self) -> str:
        return self._code

    def send(self, message: OutboundMessage) -> Delivery:
        check_channel(self._code, message)
        return Delivery(provider_reference="voice", accepted_at=utc_now())

    def close(self) -> None:
        """Nothing to let go of."""
