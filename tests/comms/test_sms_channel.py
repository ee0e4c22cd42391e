"""The SMS channel against a real HTTP server on a loopback port: what the gateway receives, how its
answers are read, and what is refused before any request is made."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest

from supervisor_app.comms.channels import (
    OutboundMessage,
    SendFailed,
    SmsGatewayChannel,
    SmsGatewaySettings,
    normalise_phone_number,
)
from supervisor_app.comms.channels.sms import sms_size
from supervisor_app.domain.errors import InvalidValue
from tests.comms.conftest import free_port

pytestmark = pytest.mark.usefixtures("no_new_threads")

TOKEN = "gw-token-1f3a"


@dataclass
class Gateway:
    """What the test gateway answers, and every request it received."""

    url: str = ""
    status: int = 200
    answer: bytes = b'{"id": "gw-7731"}'
    headers: dict[str, str] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str], dict[str, Any]]] = field(default_factory=list)


@pytest.fixture
def gateway() -> Iterator[Gateway]:
    state = Gateway()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = json.loads(self.rfile.read(length))
            state.requests.append((self.path, dict(self.headers.items()), body))
            self.send_response(state.status)
            for name, value in state.headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(state.answer)))
            self.end_headers()
            self.wfile.write(state.answer)

        def log_message(self, format: str, *args: Any) -> None:
            """Keep the test output quiet."""

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, name="sms-gateway")
    thread.start()
    try:
        state.url = f"http://127.0.0.1:{server.server_address[1]}/v1/messages"
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


def channel(url: str, token: str | None = TOKEN, **changes: Any) -> SmsGatewayChannel:
    values: dict[str, Any] = {"enabled": True, "url": url, "timeout_s": 2.0}
    values.update(changes)
    return SmsGatewayChannel(SmsGatewaySettings(**values), token=token)


def text_message(recipient: str = "040 123 4567", body: str = "INC-20261123-0042 Road closed at Mannerheimintie 5",
                 message_id: int = 42) -> OutboundMessage:
    return OutboundMessage(message_id, "sms", recipient, "ignored: SMS has no subject", body, "INC-20261123-0042")


def test_the_gateway_gets_the_number_text_reference_and_token_and_its_id_comes_back(gateway: Gateway) -> None:
    gateway.status = 201
    delivery = channel(gateway.url).send(text_message())

    assert delivery.provider_reference == "gw-7731"
    assert delivery.accepted_at.tzinfo is not None
    [(path, headers, body)] = gateway.requests
    assert path == "/v1/messages"
    assert headers["Authorization"] == f"Bearer {TOKEN}"
    assert headers["Content-Type"].startswith("application/json")
    assert body == {"to": "+358401234567", "text": text_message().body, "reference": "42"}


def test_a_400_is_not_retryable_and_quotes_the_gateway(gateway: Gateway) -> None:
    gateway.status = 400
    gateway.answer = b'{"error": "Number +358401234567 is on the operator\'s block list"}'
    with pytest.raises(SendFailed) as failed:
        channel(gateway.url).send(text_message())
    assert not failed.value.retryable
    assert failed.value.reason.startswith(
        f"SMS message 42 to 040 123 4567 was not sent: the SMS gateway at {gateway.url} refused it "
        "(400: Number +358401234567 is on the operator's block list)."
    )


def test_a_refused_token_points_at_the_secret(gateway: Gateway) -> None:
    gateway.status = 401
    gateway.answer = b'{"message": "invalid token"}'
    with pytest.raises(SendFailed) as failed:
        channel(gateway.url).send(text_message())
    assert not failed.value.retryable
    assert "refused the desk's token (401: invalid token)" in failed.value.reason
    assert "channel:sms-gateway" in failed.value.reason


@pytest.mark.parametrize("status", [503, 500, 429])
def test_a_busy_or_failing_gateway_is_retryable(gateway: Gateway, status: int) -> None:
    gateway.status = status
    gateway.answer = b"Service temporarily unavailable"
    with pytest.raises(SendFailed) as failed:
        channel(gateway.url).send(text_message())
    assert failed.value.retryable
    assert f"({status}: Service temporarily unavailable)" in failed.value.reason


def test_a_redirect_is_not_followed_with_the_token(gateway: Gateway) -> None:
    gateway.status = 307
    gateway.headers = {"Location": "http://elsewhere.example/v2/messages"}
    with pytest.raises(SendFailed) as failed:
        channel(gateway.url).send(text_message())
    assert not failed.value.retryable
    assert "a redirect to 'http://elsewhere.example/v2/messages'" in failed.value.reason
    assert len(gateway.requests) == 1


def test_an_answer_without_an_id_asks_to_check_before_sending_again(gateway: Gateway) -> None:
    gateway.answer = b'{"status": "queued"}'
    with pytest.raises(SendFailed) as failed:
        channel(gateway.url).send(text_message(message_id=77))
    assert not failed.value.retryable
    assert "may have been sent" in failed.value.reason
    assert "reference 77" in failed.value.reason


def test_a_gateway_that_never_answers_times_out_retryably(silent_server: int) -> None:
    with pytest.raises(SendFailed) as failed:
        channel(f"http://127.0.0.1:{silent_server}/send", timeout_s=0.5).send(text_message(message_id=8))
    assert failed.value.retryable
    assert "did not answer within 0.5 s" in failed.value.reason
    assert "same reference (8)" in failed.value.reason


def test_nothing_listening_is_retryable() -> None:
    url = f"http://127.0.0.1:{free_port()}/send"
    with pytest.raises(SendFailed) as failed:
        channel(url).send(text_message())
    assert failed.value.retryable
    assert f"the SMS gateway at {url} refused the connection" in failed.value.reason


@pytest.mark.parametrize("recipient", ["12345", "+0 40 123", "040-ABC-4567", "358401234567", "", "+3584012345678901"])
def test_a_bad_number_is_refused_before_any_request(gateway: Gateway, recipient: str) -> None:
    with pytest.raises(SendFailed) as failed:
        channel(gateway.url).send(text_message(recipient=recipient))
    assert not failed.value.retryable
    assert "phone number" in failed.value.reason
    assert "Correct the number" in failed.value.reason
    assert gateway.requests == []


def test_numbers_are_written_in_e164() -> None:
    assert normalise_phone_number("+358 40 123 4567") == "+358401234567"
    assert normalise_phone_number("00358 40-123.4567") == "+358401234567"
    assert normalise_phone_number("040 123 4567") == "+358401234567"
    assert normalise_phone_number("070 1234 5678", default_country_code="46") == "+467012345678"
    with pytest.raises(InvalidValue, match="such as \\+358 40 123 4567"):
        normalise_phone_number("call the duty officer")


def test_a_text_longer_than_one_message_is_refused_unless_parts_are_allowed(gateway: Gateway) -> None:
    long_text = "Road closed. " * 13  # 169 GSM characters
    with pytest.raises(SendFailed) as failed:
        channel(gateway.url).send(text_message(body=long_text))
    assert not failed.value.retryable
    assert "the text is 169 GSM characters, which takes 2 text messages" in failed.value.reason
    assert "Shorten it to 160 characters, or raise sms.max_parts" in failed.value.reason
    assert gateway.requests == []

    channel(gateway.url, max_parts=2).send(text_message(body=long_text))
    assert gateway.requests[0][2]["text"] == long_text


def test_message_sizes_follow_the_gsm_alphabet() -> None:
    assert sms_size("a" * 160) == ("GSM", 160, 1)
    assert sms_size("a" * 161) == ("GSM", 161, 2)
    assert sms_size("Hämeentie ÅÖ") == ("GSM", 12, 1)
    assert sms_size("€" * 80) == ("GSM", 160, 1)  # each euro sign takes two places
    assert sms_size("[" * 81) == ("GSM", 162, 2)
    assert sms_size("Ж" * 70) == ("UCS-2", 70, 1)
    assert sms_size("Ж" * 71) == ("UCS-2", 71, 2)
    assert sms_size("🚒" * 35) == ("UCS-2", 70, 1)  # outside the BMP: two UTF-16 units each


def test_a_text_outside_the_gsm_alphabet_says_why_it_is_shorter(gateway: Gateway) -> None:
    with pytest.raises(SendFailed) as failed:
        channel(gateway.url).send(text_message(body="Пожар " * 12))
    assert "outside the GSM alphabet (such as 'П'), so it is sent as UCS-2, and is 72 characters" in failed.value.reason
    assert "Shorten it to 70 characters" in failed.value.reason


def test_sms_not_set_up_or_without_a_token_is_refused() -> None:
    with pytest.raises(SendFailed, match="SMS is not set up on this desk") as failed:
        SmsGatewayChannel(SmsGatewaySettings()).send(text_message())
    assert not failed.value.retryable
    with pytest.raises(SendFailed, match="token is not in the secret store") as failed:
        channel(f"http://127.0.0.1:{free_port()}/send", token=None).send(text_message())
    assert not failed.value.retryable


def test_settings_refuse_sending_the_token_in_clear_across_the_network() -> None:
    with pytest.raises(InvalidValue, match=r"sms\.url"):
        SmsGatewaySettings(enabled=True, url="http://sms.example.org/send")
    with pytest.raises(InvalidValue, match=r"sms\.url"):
        SmsGatewaySettings(enabled=True, url="file:///etc/passwd")
    SmsGatewaySettings(enabled=True, url="https://sms.example.org/send")
    SmsGatewaySettings(enabled=True, url="http://localhost:8080/send")
