"""The SMS channel: text messages through the organisation's HTTP SMS gateway.

The request is ``POST <sms.url>`` with ``Authorization: Bearer <token>`` and the JSON body
``{"to": "+358401234567", "text": "...", "reference": "42"}``; the gateway answers 2xx with
``{"id": "<its id for the message>"}``. ``reference`` is the outbox's ``message_id``: a retry carries
the same reference, so a gateway that keeps references can recognise a repeat. An SMS has no subject:
only the message's body is sent.

Numbers are written in E.164 (``+358401234567``). What people type is accepted when it can mean
only one number: spaces, dashes, dots and brackets are dropped, ``00`` becomes ``+``, and a national
number (``040 123 4567``) gets ``sms.default_country_code``; anything else is refused before any
request is made.

A text that needs more than ``sms.max_parts`` messages is refused rather than cut short, so no one
receives half an instruction. One message holds 160 characters of the GSM alphabet (``^{}[]~|\\€``
count twice); a text with any other character (many emoji, Cyrillic, ...) is sent as UCS-2, 70
characters. Concatenated messages hold 153 (GSM) or 67 (UCS-2) characters each, and are allowed
only when ``max_parts`` is above 1 (the default is 1: each text must fit one message).

Whether trying again can help: a timeout, a refused connection, a dropped answer, 5xx, 408 and 429
are retryable; other 4xx (the gateway's reason is quoted), a redirect, a refused token and TLS
problems are not. A 2xx answer without an id is not retryable either: the gateway may have sent
the text, so the reason asks to check its log for the reference before sending again.
"""

from __future__ import annotations

import http.client
import json
import math
import re
import socket
import ssl
import urllib.error
import urllib.request
from email.message import Message
from typing import Any

from supervisor_app import __version__
from supervisor_app.comms.channels.base import Delivery, OutboundMessage, SendFailed, check_channel, utc_now
from supervisor_app.comms.channels.config import SmsGatewaySettings
from supervisor_app.domain.errors import InvalidValue

GSM_BASIC = (
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM_EXTENSION = "^{}\\[~]|€\f"  # each takes two of the 160 places (an escape and the character)
_GSM_BASIC = frozenset(GSM_BASIC)
_GSM_EXTENSION = frozenset(GSM_EXTENSION)
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")
_SEPARATORS = re.compile(r"[\s\-.()/\u00a0]")
MAXIMUM_ANSWER_BYTES = 64 * 1024


def normalise_phone_number(value: str, default_country_code: str = "358") -> str:
    """The E.164 form of ``value`` (``+358401234567``); ``InvalidValue`` when it is not one number."""
    compact = _SEPARATORS.sub("", value)
    if compact.startswith("00"):
        compact = "+" + compact[2:]
    elif compact.startswith("0"):
        compact = f"+{default_country_code}{compact[1:]}"
    if not _E164.match(compact):
        raise InvalidValue(
            "phone number",
            value,
            f"an international number such as +358 40 123 4567, or a national one such as 040 123 4567 "
            f"(read as +{default_country_code})",
        )
    return compact


def sms_size(text: str) -> tuple[str, int, int]:
    """(encoding, characters as the network counts them, messages needed) for ``text``."""
    if all(c in _GSM_BASIC or c in _GSM_EXTENSION for c in text):
        units = len(text) + sum(1 for c in text if c in _GSM_EXTENSION)
        single, part = 160, 153
        encoding = "GSM"
    else:
        units = len(text.encode("utf-16-le")) // 2
        single, part = 70, 67
        encoding = "UCS-2"
    return encoding, units, 1 if units <= single else math.ceil(units / part)


def _check_fits(text: str, max_parts: int) -> None:
    """Refuse a text that needs more messages than allowed, saying by how much and what to do."""
    encoding, units, parts = sms_size(text)
    if not text:
        raise ValueError("the text is empty. Write the message before sending it")
    if parts <= max_parts:
        return
    if encoding == "GSM":
        size = f"the text is {units} GSM characters"
        limit = 160 if max_parts == 1 else 153 * max_parts
    else:
        other = next(c for c in text if c not in _GSM_BASIC and c not in _GSM_EXTENSION)
        size = (
            f"the text has characters outside the GSM alphabet (such as {other!r}), so it is sent as UCS-2, and "
            f"is {units} characters"
        )
        limit = 70 if max_parts == 1 else 67 * max_parts
    allowed = "1 message" if max_parts == 1 else f"{max_parts} concatenated messages"
    raise ValueError(
        f"{size}, which takes {parts} text messages, and the gateway is set to send at most {allowed} "
        f"(sms.max_parts). Shorten it to {limit} characters, or raise sms.max_parts to allow concatenated messages"
    )


class _RefuseRedirects(urllib.request.HTTPRedirectHandler):
    """A redirect would resend the token elsewhere (or turn the POST into a GET): report it instead."""

    def redirect_request(
        self, req: urllib.request.Request, fp: Any, code: int, msg: str, headers: Message, newurl: str
    ) -> urllib.request.Request | None:
        return None


def _gateway_error(body: bytes) -> str:
    """The gateway's own words for an error: its JSON ``error``/``message``/``detail``, or the text."""
    text = body[:MAXIMUM_ANSWER_BYTES].decode("utf-8", errors="replace").strip()
    try:
        document = json.loads(text)
    except ValueError:
        document = None
    if isinstance(document, dict):
        for key in ("error", "message", "detail", "description"):
            value = document.get(key)
            if isinstance(value, str | int | float) and str(value):
                return " ".join(str(value).split())[:300]
            if isinstance(value, dict) and isinstance(value.get("message"), str):
                return " ".join(value["message"].split())[:300]
    return " ".join(text.split())[:300] or "no explanation given"


class SmsGatewayChannel:
    """Sends texts through the gateway in ``SmsGatewaySettings``; the bearer token comes from the secret store."""

    code = "sms"

    def __init__(self, settings: SmsGatewaySettings, *, token: str | None = None) -> None:
        self.settings = settings
        self._token = token
        context = ssl.create_default_context(cafile=str(settings.ca_file) if settings.ca_file else None)
        self._opener = urllib.request.build_opener(_RefuseRedirects(), urllib.request.HTTPSHandler(context=context))

    def send(self, message: OutboundMessage) -> Delivery:
        check_channel(self.code, message)
        subject = f"SMS message {message.message_id} to {message.recipient}"
        if not self.settings.enabled:
            raise SendFailed(
                f"{subject} was not sent: SMS is not set up on this desk. Set the gateway's address (sms.url) in the "
                "channel settings and its token in the secret store (channel:sms-gateway), or pass the message "
                "another way.",
                retryable=False,
            )
        try:
            number = normalise_phone_number(message.recipient, self.settings.default_country_code)
        except InvalidValue as exc:
            raise SendFailed(f"{subject} was not sent: {exc} Correct the number.", retryable=False) from None
        try:
            _check_fits(message.body, self.settings.max_parts)
        except ValueError as exc:
            raise SendFailed(f"{subject} was not sent: {exc}.", retryable=False) from None
        if not self._token:
            raise SendFailed(
                f"{subject} was not sent: the SMS gateway's token is not in the secret store. Store it as "
                "channel:sms-gateway (supervisor-app secrets) and send again.",
                retryable=False,
            )
        body = json.dumps({"to": number, "text": message.body, "reference": str(message.message_id)}).encode("utf-8")
        request = urllib.request.Request(
            self.settings.url,
            data=body,
            method="POST",
            headers={
                "Authorization": f"Bearer {self._token}",
                "Content-Type": "application/json; charset=utf-8",
                "Accept": "application/json",
                "User-Agent": f"incident-supervisor/{__version__}",
            },
        )
        provider_id = self._post(request, subject, message.message_id)
        return Delivery(provider_reference=provider_id, accepted_at=utc_now())

    def close(self) -> None:
        """Nothing stays open between messages."""

    def _post(self, request: urllib.request.Request, subject: str, message_id: int) -> str:
        where = f"the SMS gateway at {self.settings.url}"
        timeout = self.settings.timeout_s
        may_arrive = f"It may still send the text; a retry carries the same reference ({message_id}) to tell it by."
        try:
            with self._opener.open(request, timeout=timeout) as response:
                status = response.status
                answer = response.read(MAXIMUM_ANSWER_BYTES)
        except urllib.error.HTTPError as exc:
            raise self._refusal(exc, subject, where) from None
        except urllib.error.URLError as exc:
            raise self._unreachable(exc.reason, subject, where) from None
        except TimeoutError:
            raise SendFailed(
                f"{subject} was not confirmed: {where} did not answer within {timeout:g} s. {may_arrive}",
                retryable=True,
            ) from None
        except (http.client.HTTPException, ConnectionError) as exc:
            raise SendFailed(
                f"{subject} was not confirmed: {where} dropped the connection before answering "
                f"({exc.__class__.__name__}). {may_arrive}",
                retryable=True,
            ) from None
        try:
            document = json.loads(answer)
            provider_id = document["id"]
            if isinstance(provider_id, bool) or not isinstance(provider_id, str | int) or not str(provider_id):
                raise TypeError(provider_id)
        except (ValueError, TypeError, KeyError):
            raise SendFailed(
                f"{subject} may have been sent: {where} answered {status} without a message id "
                f"({_gateway_error(answer)!r}). Check the gateway's log for reference {message_id} before sending "
                "again.",
                retryable=False,
            ) from None
        return str(provider_id)

    def _refusal(self, error: urllib.error.HTTPError, subject: str, where: str) -> SendFailed:
        code = error.code
        said = _gateway_error(error.read(MAXIMUM_ANSWER_BYTES) if error.fp is not None else b"")
        error.close()
        if 300 <= code < 400:
            return SendFailed(
                f"{subject} was not sent: {where} answered {code}, a redirect to {error.headers.get('Location')!r}. "
                "Set sms.url to the gateway's final address (the desk does not follow redirects with its token).",
                retryable=False,
            )
        if code in (401, 403):
            return SendFailed(
                f"{subject} was not sent: {where} refused the desk's token ({code}: {said}). Check the token stored as "
                "channel:sms-gateway.",
                retryable=False,
            )
        if code in (408, 429) or code >= 500:
            return SendFailed(
                f"{subject} was not sent: {where} is busy or failing ({code}: {said}). Sending again later may work.",
                retryable=True,
            )
        return SendFailed(
            f"{subject} was not sent: {where} refused it ({code}: {said}). Correct what the gateway names; sending "
            "the same message again will be refused again.",
            retryable=False,
        )

    def _unreachable(self, reason: object, subject: str, where: str) -> SendFailed:
        if isinstance(reason, ConnectionRefusedError):
            return SendFailed(
                f"{subject} was not sent: {where} refused the connection (nothing is listening there). Check that the "
                "gateway is running and that sms.url is right; sending again will work once it is reachable.",
                retryable=True,
            )
        if isinstance(reason, TimeoutError):
            return SendFailed(
                f"{subject} was not sent: {where} did not accept a connection within {self.settings.timeout_s:g} s. "
                "Check the network; sending again may work.",
                retryable=True,
            )
        if isinstance(reason, ssl.SSLCertVerificationError):
            return SendFailed(
                f"{subject} was not sent: {where} presented a certificate the desk could not verify "
                f"({reason.verify_message}). Check sms.url's host name and sms.ca_file.",
                retryable=False,
            )
        if isinstance(reason, ssl.SSLError):
            return SendFailed(
                f"{subject} was not sent: the TLS handshake with {where} failed ({reason.reason or reason}). "
                "Check that sms.url is the gateway's https address.",
                retryable=False,
            )
        if isinstance(reason, socket.gaierror):
            return SendFailed(
                f"{subject} was not sent: the gateway's host name in {self.settings.url} could not be resolved "
                f"({reason.strerror}). Check sms.url and this desk's DNS; sending again may work.",
                retryable=True,
            )
        return SendFailed(
            f"{subject} was not sent: {where} could not be reached ({reason}). Check the network; sending again may "
            "work.",
            retryable=True,
        )
