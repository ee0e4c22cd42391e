"""The e-mail channel: one message per SMTP session through the organisation's relay.

A session per message (connect, STARTTLS or TLS, log in, send, QUIT) costs a few hundred
milliseconds and keeps nothing open that a relay could drop between messages, which suits the
handful of e-mails a desk sends in a shift.

Every e-mail's Message-ID is made from the outbox's ``message_id``
(``<incident-supervisor.42@example.org>``), so a message sent again after a timeout carries the same
Message-ID as the first attempt and mail systems and readers can tell it is a repeat. The incident's
reference travels in ``X-Incident-Reference``.

What the relay says decides whether trying again can help: no connection, no answer in time, a
dropped connection or a 4xx reply (busy, greylisting) are retryable; a 5xx reply (the recipient or
the sender refused, the message rejected), a failed login or a TLS problem are not, and the reason
quotes the server's reply. Once the relay has accepted the message, a failure in the closing QUIT is
ignored: the message is on its way and must not be sent twice.
"""

from __future__ import annotations

import smtplib
import socket
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime

from supervisor_app.comms.channels.base import Delivery, OutboundMessage, SendFailed, check_channel, utc_now
from supervisor_app.comms.channels.config import SmtpSettings


def message_id_header(message_id: int, domain: str) -> str:
    return f"<incident-supervisor.{message_id}@{domain}>"


def check_address(value: str) -> str:
    """A plain e-mail address (``name@domain``), refusing display names and header injection."""
    if any(c in value for c in "\r\n<>,") or value.count("@") != 1:
        raise ValueError(f"{value!r} is not a single e-mail address such as duty.officer@example.org")
    try:
        address = Address(addr_spec=value.strip())
    except (ValueError, IndexError):
        raise ValueError(f"{value!r} is not an e-mail address such as duty.officer@example.org") from None
    if not address.username or not address.domain:
        raise ValueError(f"{value!r} is not an e-mail address such as duty.officer@example.org")
    return address.addr_spec


def _one_line(text: str) -> str:
    return " ".join(text.split())


def build_email(message: OutboundMessage, settings: SmtpSettings, recipient: str) -> EmailMessage:
    """The e-mail for ``message``: plain text, dated now, with its Message-ID and incident reference."""
    domain = settings.message_id_domain or settings.from_address.rpartition("@")[2]
    email = EmailMessage()
    email["From"] = settings.from_address
    email["To"] = recipient
    email["Subject"] = _one_line(message.subject)
    email["Date"] = format_datetime(utc_now())
    email["Message-ID"] = message_id_header(message.message_id, domain)
    if message.incident_reference:
        email["X-Incident-Reference"] = _one_line(message.incident_reference)
    email.set_content(message.body)
    return email


def _reply(code: int, text: bytes | str) -> str:
    shown = text.decode("utf-8", errors="replace") if isinstance(text, bytes) else text
    return f"{code} {_one_line(shown)}"


class SmtpChannel:
    """Sends e-mail through the relay in ``SmtpSettings``; the password comes from the secret store."""

    code = "email"

    def __init__(self, settings: SmtpSettings, *, password: str | None = None) -> None:
        self.settings = settings
        self._password = password

    def send(self, message: OutboundMessage) -> Delivery:
        check_channel(self.code, message)
        subject = f"E-mail message {message.message_id} to {message.recipient}"
        if not self.settings.enabled:
            raise SendFailed(
                f"{subject} was not sent: e-mail is not set up on this desk. Set the SMTP relay (smtp host, port, "
                "security and from address) in the channel settings, or pass the message another way.",
                retryable=False,
            )
        try:
            recipient = check_address(message.recipient)
        except ValueError as exc:
            raise SendFailed(f"{subject} was not sent: {exc}. Correct the recipient.", retryable=False) from None
        email = build_email(message, self.settings, recipient)
        try:
            self._deliver(email, recipient)
        except SendFailed as failed:
            raise SendFailed(f"{subject} {failed.reason}", retryable=failed.retryable) from None
        return Delivery(provider_reference=str(email["Message-ID"]), accepted_at=utc_now())

    def close(self) -> None:
        """Nothing stays open between messages."""

    def _deliver(self, email: EmailMessage, recipient: str) -> None:
        settings = self.settings
        where = f"the SMTP server at {settings.where}"
        context = ssl.create_default_context(cafile=str(settings.ca_file) if settings.ca_file else None)
        smtp: smtplib.SMTP | None = None
        try:
            if settings.security == "ssl":
                smtp = smtplib.SMTP_SSL(settings.host, settings.port, timeout=settings.timeout_s, context=context)
            else:
                smtp = smtplib.SMTP(settings.host, settings.port, timeout=settings.timeout_s)
            smtp.ehlo()
            if settings.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if settings.username:
                smtp.login(settings.username, self._password or "")
            smtp.send_message(email, from_addr=settings.from_address, to_addrs=[recipient])
            _quit_quietly(smtp)
            smtp = None
        except smtplib.SMTPRecipientsRefused as exc:
            code, text = next(iter(exc.recipients.values()))
            raise SendFailed(
                f"was refused by {where}: {_reply(code, text)}. "
                + ("Check the address with the recipient." if code >= 500 else "The server asks to try again later."),
                retryable=code < 500,
            ) from None
        except smtplib.SMTPSenderRefused as exc:
            raise SendFailed(
                f"was refused by {where}, which would not accept {settings.from_address} as the sender: "
                f"{_reply(exc.smtp_code, exc.smtp_error)}. Check smtp.from_address with the mail administrator.",
                retryable=exc.smtp_code < 500,
            ) from None
        except smtplib.SMTPAuthenticationError as exc:
            raise SendFailed(
                f"was not sent: {where} refused the login of {settings.username!r}: "
                f"{_reply(exc.smtp_code, exc.smtp_error)}. Check smtp.username and the password stored as "
                "channel:smtp.",
                retryable=False,
            ) from None
        except smtplib.SMTPNotSupportedError as exc:
            raise SendFailed(
                f"was not sent: {where} does not offer what the settings ask for ({exc}). "
                "Check smtp.security (starttls, ssl or none) and smtp.username against what the relay supports.",
                retryable=False,
            ) from None
        except smtplib.SMTPResponseException as exc:
            raise SendFailed(
                f"was not sent: {where} answered {_reply(exc.smtp_code, exc.smtp_error)}. "
                + ("Show the reply to the mail administrator." if exc.smtp_code >= 500 else "Sending again may work."),
                retryable=exc.smtp_code < 500,
            ) from None
        except smtplib.SMTPServerDisconnected as exc:
            if isinstance(exc.__context__, TimeoutError):  # smtplib reports a reply that never came this way
                raise SendFailed(
                    f"was not sent: {where} did not answer within {settings.timeout_s:g} s. "
                    "Check the network and the relay; sending again may work.",
                    retryable=True,
                ) from None
            raise SendFailed(
                f"was not sent: {where} closed the connection unexpectedly ({exc or 'no reason given'}). "
                "Sending again may work; if it keeps happening, check smtp.security and smtp.port.",
                retryable=True,
            ) from None
        except ssl.SSLCertVerificationError as exc:
            raise SendFailed(
                f"was not sent: {where} presented a certificate the desk could not verify ({exc.verify_message}). "
                "Check smtp.host is the name in the certificate and smtp.ca_file names the CA that signed it.",
                retryable=False,
            ) from None
        except ssl.SSLError as exc:
            raise SendFailed(
                f"was not sent: the TLS handshake with {where} failed ({exc.reason or exc}). "
                "Check smtp.security and smtp.port: ssl is usually port 465, starttls port 587.",
                retryable=False,
            ) from None
        except ConnectionRefusedError:
            raise SendFailed(
                f"was not sent: {where} refused the connection (nothing is listening on that port). "
                "Check that the relay is running and that smtp.host and smtp.port name it; sending again will work "
                "once it is reachable.",
                retryable=True,
            ) from None
        except TimeoutError:
            raise SendFailed(
                f"was not sent: {where} did not answer within {settings.timeout_s:g} s. "
                "Check the network and the relay; sending again may work.",
                retryable=True,
            ) from None
        except socket.gaierror as exc:
            raise SendFailed(
                f"was not sent: the name {settings.host!r} could not be resolved ({exc.strerror}). "
                "Check smtp.host and this desk's DNS; sending again may work.",
                retryable=True,
            ) from None
        except OSError as exc:
            raise SendFailed(
                f"was not sent: {where} could not be reached ({exc.__class__.__name__}: {exc}). "
                "Check the network; sending again may work.",
                retryable=True,
            ) from None
        finally:
            if smtp is not None:  # a failed session: drop it without waiting for more replies
                smtp.close()


def _quit_quietly(smtp: smtplib.SMTP) -> None:
    """End the session; a relay that already took the message may drop the connection first."""
    try:
        smtp.quit()
    except (smtplib.SMTPException, OSError):
        smtp.close()
