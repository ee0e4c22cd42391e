"""The e-mail channel against real SMTP servers on loopback ports (aiosmtpd): delivered with its
headers, over STARTTLS with a login, refused recipients, silent servers and no server at all."""

from __future__ import annotations

import datetime as dt
import ipaddress
import ssl
from collections.abc import Iterator
from email import message_from_bytes, policy
from email.message import EmailMessage
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from supervisor_app.comms.channels import OutboundMessage, SendFailed, SmtpChannel, SmtpSettings
from supervisor_app.domain.errors import InvalidValue
from tests.comms.conftest import free_port

pytestmark = pytest.mark.usefixtures("no_new_threads")

SENDER = "desk@supervisor.example"
RECIPIENT = "duty.officer@partner.example"


class Mailbox:
    """An SMTP handler that keeps what it is sent, or refuses every recipient with ``refusal``."""

    def __init__(self, refusal: str | None = None) -> None:
        self.refusal = refusal
        self.received: list[Envelope] = []

    async def handle_RCPT(  # noqa: N802 - aiosmtpd's hook name
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if self.refusal:
            return self.refusal
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:  # noqa: N802
        self.received.append(envelope)
        return "250 2.0.0 Ok: queued as 4F2A1"

    def only_message(self) -> EmailMessage:
        assert len(self.received) == 1
        content = self.received[0].content
        assert isinstance(content, bytes)
        parsed = message_from_bytes(content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        return parsed


def serve(handler: Mailbox, **smtp_parameters: Any) -> Iterator[tuple[Controller, int]]:
    port = free_port()
    controller = Controller(handler, hostname="127.0.0.1", port=port, **smtp_parameters)
    controller.start()
    try:
        yield controller, port
    finally:
        controller.stop()


def message(message_id: int = 42, recipient: str = RECIPIENT) -> OutboundMessage:
    return OutboundMessage(
        message_id=message_id,
        channel="email",
        recipient=recipient,
        subject="INC-20261123-0042: water main burst, road closed",
        body="Mannerheimintie 5 is closed southbound.\nHSY is on scene; expect repairs until 04:00.\n",
        incident_reference="INC-20261123-0042",
    )


def settings(port: int, **changes: Any) -> SmtpSettings:
    values: dict[str, Any] = {
        "enabled": True, "host": "127.0.0.1", "port": port, "security": "none", "from_address": SENDER,
        "timeout_s": 2.0,
    }
    values.update(changes)
    return SmtpSettings(**values)


@pytest.fixture
def mailbox() -> Mailbox:
    return Mailbox()


@pytest.fixture
def smtp_port(mailbox: Mailbox) -> Iterator[int]:
    for _controller, port in serve(mailbox):
        yield port


def test_a_message_is_delivered_with_subject_body_and_message_id(mailbox: Mailbox, smtp_port: int) -> None:
    delivery = SmtpChannel(settings(smtp_port)).send(message(42))

    assert delivery.provider_reference == "<incident-supervisor.42@supervisor.example>"
    envelope = mailbox.received[0]
    assert envelope.mail_from == SENDER
    assert envelope.rcpt_tos == [RECIPIENT]
    email = mailbox.only_message()
    assert email["Subject"] == "INC-20261123-0042: water main burst, road closed"
    assert email["Message-ID"] == "<incident-supervisor.42@supervisor.example>"
    assert email["X-Incident-Reference"] == "INC-20261123-0042"
    assert email["From"] == SENDER
    assert email["To"] == RECIPIENT
    assert email["Date"] is not None
    body = email.get_body()
    assert body is not None
    assert body.get_content().replace("\r\n", "\n") == message().body


def test_a_retry_carries_the_same_message_id(mailbox: Mailbox, smtp_port: int) -> None:
    channel = SmtpChannel(settings(smtp_port, message_id_domain="desk.example"))
    first = channel.send(message(7))
    second = channel.send(message(7))
    assert first.provider_reference == second.provider_reference == "<incident-supervisor.7@desk.example>"
    ids = {message_from_bytes(e.original_content or b"")["Message-ID"] for e in mailbox.received}
    assert ids == {"<incident-supervisor.7@desk.example>"}


def test_a_refused_recipient_is_not_retryable_and_quotes_the_server() -> None:
    refusing = Mailbox(refusal="550 5.1.1 <duty.officer@partner.example>: Recipient address rejected: User unknown")
    for _controller, port in serve(refusing):
        with pytest.raises(SendFailed) as failed:
            SmtpChannel(settings(port)).send(message(9))
    assert not failed.value.retryable
    reason = failed.value.reason
    assert reason.startswith(f"E-mail message 9 to {RECIPIENT} was refused by the SMTP server at 127.0.0.1:{port}: ")
    assert "550 5.1.1 <duty.officer@partner.example>: Recipient address rejected: User unknown" in reason
    assert "Check the address" in reason
    assert refusing.received == []


def test_a_busy_server_4xx_is_retryable() -> None:
    greylisting = Mailbox(refusal="451 4.7.1 Greylisted, come back in 5 minutes")
    for _controller, port in serve(greylisting):
        with pytest.raises(SendFailed) as failed:
            SmtpChannel(settings(port)).send(message())
    assert failed.value.retryable
    assert "451 4.7.1 Greylisted" in failed.value.reason


def test_a_server_that_never_answers_times_out_retryably(silent_server: int) -> None:
    with pytest.raises(SendFailed) as failed:
        SmtpChannel(settings(silent_server, timeout_s=0.5)).send(message())
    assert failed.value.retryable
    assert f"the SMTP server at 127.0.0.1:{silent_server} did not answer within 0.5 s" in failed.value.reason


def test_nothing_listening_is_retryable() -> None:
    port = free_port()
    with pytest.raises(SendFailed) as failed:
        SmtpChannel(settings(port)).send(message())
    assert failed.value.retryable
    assert f"the SMTP server at 127.0.0.1:{port} refused the connection" in failed.value.reason


@pytest.mark.parametrize(
    "recipient", ["duty.officer", "two@a.example, three@b.example", "x@y.example\r\nBcc: all@z.example", "Name <a@b.c>"]
)
def test_a_bad_address_is_refused_before_connecting(recipient: str) -> None:
    # Nothing listens on the port: an attempt to connect would give a retryable failure instead.
    with pytest.raises(SendFailed) as failed:
        SmtpChannel(settings(free_port())).send(message(recipient=recipient))
    assert not failed.value.retryable
    assert "Correct the recipient" in failed.value.reason


def test_email_not_set_up_says_what_to_configure() -> None:
    with pytest.raises(SendFailed) as failed:
        SmtpChannel(SmtpSettings()).send(message())
    assert not failed.value.retryable
    assert "e-mail is not set up on this desk" in failed.value.reason


def test_settings_refuse_a_password_in_clear_across_the_network() -> None:
    with pytest.raises(InvalidValue, match=r"smtp\.security"):
        SmtpSettings(enabled=True, host="relay.example.org", security="none", username="desk", from_address=SENDER)
    with pytest.raises(InvalidValue, match=r"smtp\.from_address"):
        SmtpSettings(enabled=True, host="relay.example.org", from_address="Desk <desk@x.example>")


# -- STARTTLS and login ----------------------------------------------------------------------------


def self_signed(directory: Path) -> tuple[Path, Path]:
    """A certificate for 127.0.0.1 that is its own CA, and its key."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test relay")])
    now = dt.datetime.now(dt.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(minutes=5))
        .not_valid_after(now + dt.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_file, key_file = directory / "relay.pem", directory / "relay.key"
    cert_file.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_file.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    return cert_file, key_file


def accept_desk_password(
    server: SMTP, session: Session, envelope: Envelope, mechanism: str, auth_data: object
) -> AuthResult:
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"desk" and auth_data.password == b"s3cret-relay"
    return AuthResult(success=ok, handled=False)  # not handled: the server answers 535 itself


def test_starttls_and_login_with_the_password_from_the_secret_store(mailbox: Mailbox, tmp_path: Path) -> None:
    cert_file, key_file = self_signed(tmp_path)
    tls = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    tls.load_cert_chain(cert_file, key_file)
    for _controller, port in serve(
        mailbox, tls_context=tls, require_starttls=True, authenticator=accept_desk_password, auth_required=True
    ):
        secured = settings(port, security="starttls", username="desk", ca_file=cert_file)
        SmtpChannel(secured, password="s3cret-relay").send(message(11))
        with pytest.raises(SendFailed) as wrong_password:
            SmtpChannel(secured, password="guess").send(message(12))
        with pytest.raises(SendFailed) as unverified:
            SmtpChannel(settings(port, security="starttls", username="desk"), password="s3cret-relay").send(message(13))
    assert mailbox.only_message()["Message-ID"] == "<incident-supervisor.11@supervisor.example>"
    assert not wrong_password.value.retryable
    assert "refused the login of 'desk'" in wrong_password.value.reason
    assert "channel:smtp" in wrong_password.value.reason
    assert not unverified.value.retryable
    assert "certificate the desk could not verify" in unverified.value.reason


def test_a_request_to_another_organisation_leaves_the_outbox_by_email(
    mailbox: Mailbox, smtp_port: int, engine: Any, pack: Any
) -> None:
    """End to end: the request is stored, the dispatcher sends it to the pack's address for the
    organisation over SMTP, and the outbox records it sent."""
    from sqlalchemy.orm import Session as DbSession

    from supervisor_app.comms.dispatcher import Dispatcher
    from supervisor_app.domain.people import Actor, Role
    from supervisor_app.services.external_requests import request_external
    from supervisor_app.store.models import Message
    from tests.services.conftest import build_organisation, make_incident

    desk = Actor.of("sup.one", [Role.SUPERVISOR], "desk-1")
    organisation = build_organisation(engine, pack)
    incident_id = make_incident(organisation, pack, desk)
    with organisation.session() as session:
        made = request_external(session, desk, incident_id, organisation="HSY_WATER", request="network_isolation",
                                channel="email", reason="Main burst under the tram lines", pack=pack)
    report = Dispatcher(engine, desk, {"email": SmtpChannel(settings(smtp_port))}).run_once()
    assert (report.sent, report.failed) == (1, 0)
    email = mailbox.only_message()
    assert email["To"] == "water.control@hsy.example.fi"
    assert email["Subject"].startswith("Request from Helsinki Out-of-Hours Emergency Contact Centre: network isolation")
    with DbSession(engine) as session:
        stored = session.get(Message, made.message_id)
        assert stored is not None and stored.status == "sent" and stored.purpose == "external_request"
