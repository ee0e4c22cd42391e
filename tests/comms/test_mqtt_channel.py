"""The MDT channel against a real MQTT broker: deployments out, acknowledgements and reports in,
malformed reports reported (and survived), and a missing broker explained."""

from __future__ import annotations

import json
import queue
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any, TypeVar

import paho.mqtt.client as paho
import pytest
from paho.mqtt.enums import CallbackAPIVersion

from supervisor_app.comms.channels import (
    AcknowledgementReceived,
    ChannelAdapter,
    DeploymentReceived,
    FieldUnitClient,
    InboundEvent,
    LinkState,
    MalformedReport,
    MdtLink,
    MqttSettings,
    OutboundMessage,
    PositionReported,
    SendFailed,
    SmsGatewayChannel,
    SmsGatewaySettings,
    SmtpChannel,
    SmtpSettings,
    StatusReported,
    VoiceLog,
)
from supervisor_app.comms.channels.config import default_topic_prefix
from supervisor_app.comms.channels.mdt_messages import parse_report, unit_topic
from supervisor_app.domain.errors import InvalidValue

pytestmark = pytest.mark.usefixtures("no_new_threads")

Event = TypeVar("Event")
WAIT_S = 5.0


def deployment(message_id: int = 42, recipient: str = "G11", deployment_id: int | None = 7) -> OutboundMessage:
    return OutboundMessage(
        message_id=message_id,
        channel="mdt",
        recipient=recipient,
        subject="Water main burst",
        body="INC-20261123-0042 | Water main burst | Mannerheimintie 5 | Close the road, meet HSY on scene",
        incident_reference="INC-20261123-0042",
        deployment_id=deployment_id,
    )


def next_of(events: queue.Queue[Any], kind: type[Event], timeout: float = WAIT_S) -> Event:
    """The next event of ``kind``, skipping others; fails the test after ``timeout``."""
    deadline = time.monotonic() + timeout
    while (left := deadline - time.monotonic()) > 0:
        try:
            event = events.get(timeout=left)
        except queue.Empty:
            break
        if isinstance(event, kind):
            return event
    pytest.fail(f"no {kind.__name__} within {timeout} s")


@pytest.fixture
def desk_events() -> queue.Queue[InboundEvent]:
    return queue.Queue()


@pytest.fixture
def link(mqtt_settings: MqttSettings, topic_prefix: str, desk_events: queue.Queue[InboundEvent]) -> Iterator[MdtLink]:
    mdt = MdtLink(mqtt_settings, topic_prefix, desk_events.put)
    try:
        assert mdt.wait_until_connected(WAIT_S), "the desk's link did not connect to the test broker"
        yield mdt
    finally:
        mdt.close()


@pytest.fixture
def unit_inbox() -> queue.Queue[DeploymentReceived]:
    return queue.Queue()


@pytest.fixture
def unit(
    mqtt_settings: MqttSettings, topic_prefix: str, unit_inbox: queue.Queue[DeploymentReceived]
) -> Iterator[FieldUnitClient]:
    terminal = FieldUnitClient(mqtt_settings, topic_prefix, "G11", unit_inbox.put)
    try:
        assert terminal.wait_until_connected(WAIT_S), "the unit did not connect to the test broker"
        yield terminal
    finally:
        terminal.close()


def publish_raw(settings: MqttSettings, topic: str, payload: bytes) -> None:
    """Publish exactly ``payload`` (QoS 1), as a faulty terminal would."""
    client = paho.Client(CallbackAPIVersion.VERSION2, client_id="", protocol=paho.MQTTv5)
    client.connect(settings.host, settings.port)
    client.loop_start()
    try:
        info = client.publish(topic, payload, qos=1)
        info.wait_for_publish(WAIT_S)
        assert info.is_published()
    finally:
        client.disconnect()
        client.loop_stop()


def test_the_unit_receives_the_deployment_and_its_acknowledgement_reaches_the_desk(
    link: MdtLink,
    unit: FieldUnitClient,
    unit_inbox: queue.Queue[DeploymentReceived],
    desk_events: queue.Queue[InboundEvent],
) -> None:
    before = datetime.now(UTC)
    delivery = link.send(deployment(message_id=42, recipient="g11", deployment_id=7))

    assert delivery.provider_reference == f"{link.topic_prefix}/units/G11/deployment"
    assert before <= delivery.accepted_at <= datetime.now(UTC)
    received = unit_inbox.get(timeout=WAIT_S)
    assert received.call_sign == "G11"
    assert received.message_id == 42
    assert received.deployment_id == 7
    assert received.incident == "INC-20261123-0042"
    assert received.subject == "Water main burst"
    assert received.text.endswith("meet HSY on scene")
    assert received.sent_at.tzinfo is not None
    assert abs(received.sent_at - before) < timedelta(seconds=5)

    acknowledged_at = datetime(2026, 11, 23, 21, 4, 5, 123000, tzinfo=UTC)
    unit.acknowledge(received.message_id, received.deployment_id, at=acknowledged_at)
    ack = next_of(desk_events, AcknowledgementReceived)
    assert ack == AcknowledgementReceived(call_sign="G11", message_id=42, deployment_id=7, at=acknowledged_at)


def test_a_unit_can_acknowledge_from_inside_its_deployment_callback(
    mqtt_settings: MqttSettings, topic_prefix: str, link: MdtLink, desk_events: queue.Queue[InboundEvent]
) -> None:
    def acknowledge_at_once(received: DeploymentReceived) -> None:
        terminal.acknowledge(received.message_id, received.deployment_id)

    terminal = FieldUnitClient(mqtt_settings, topic_prefix, "LIFT3", acknowledge_at_once)
    try:
        assert terminal.wait_until_connected(WAIT_S)
        link.send(deployment(message_id=5, recipient="LIFT3", deployment_id=None))
        ack = next_of(desk_events, AcknowledgementReceived)
        assert (ack.call_sign, ack.message_id, ack.deployment_id) == ("LIFT3", 5, None)
    finally:
        terminal.close()


def test_status_and_position_reports_become_events(
    link: MdtLink, unit: FieldUnitClient, desk_events: queue.Queue[InboundEvent]
) -> None:
    at = datetime(2026, 11, 23, 19, 4, 5, tzinfo=UTC)
    unit.report_status("en_route", 7, at=at)
    assert next_of(desk_events, StatusReported) == StatusReported("G11", 7, "en_route", at)
    unit.report_status("available", None, at=at)
    assert next_of(desk_events, StatusReported) == StatusReported("G11", None, "available", at)

    unit.report_position(60.1699, 24.9384, 42.5, 275, at=at)
    assert next_of(desk_events, PositionReported) == PositionReported("G11", 60.1699, 24.9384, 42.5, 275.0, at)
    unit.report_position(60.17, 24.94, at=at)
    assert next_of(desk_events, PositionReported) == PositionReported("G11", 60.17, 24.94, None, None, at)


def test_malformed_reports_are_reported_and_the_link_keeps_working(
    mqtt_settings: MqttSettings, link: MdtLink, unit: FieldUnitClient, desk_events: queue.Queue[InboundEvent]
) -> None:
    prefix = link.topic_prefix
    at = "2026-11-23T21:04:05+02:00"
    faults = [
        (f"{prefix}/units/G11/status", b"en_route at 21:04", "not JSON"),
        (f"{prefix}/units/G11/ack", json.dumps({"deployment_id": 7, "at": at}).encode(), "'message_id' is missing"),
        (f"{prefix}/units/G11/position", json.dumps({"lat": 95.2, "lon": 24.9, "at": at}).encode(), "lat is 95.2"),
        (f"{prefix}/units/G11/position", b'{"lat": NaN, "lon": 24.9, "at": "' + at.encode() + b'"}', "NaN"),
        (f"{prefix}/units/G11/status", json.dumps({"status": "lunch", "at": at}).encode(), "'lunch' is not one of"),
        (f"{prefix}/units/G11/ack", b'{"message_id": 4, "at": "2026-11-23T21:04:05"}', "no UTC offset"),
        (f"{prefix}/units/g11/ack", json.dumps({"message_id": 4, "at": at}).encode(), "'g11' is not a call sign"),
        (f"{prefix}/units/G11/ack", b"[1, 2]", "a JSON list where an object"),
    ]
    for topic, payload, expected in faults:
        publish_raw(mqtt_settings, topic, payload)
        report = next_of(desk_events, MalformedReport)
        assert report.topic == topic
        assert expected in report.reason, report.reason
        assert report.payload_excerpt == payload.decode()[:200]

    unit.report_status("on_scene", 7)
    assert next_of(desk_events, StatusReported).status == "on_scene"


def test_a_callback_that_raises_does_not_stop_the_link(
    mqtt_settings: MqttSettings, topic_prefix: str, unit: FieldUnitClient
) -> None:
    seen: queue.Queue[InboundEvent] = queue.Queue()

    def fragile(event: InboundEvent) -> None:
        seen.put(event)
        raise RuntimeError("the consumer broke")

    mdt = MdtLink(mqtt_settings, topic_prefix, fragile)
    try:
        assert mdt.wait_until_connected(WAIT_S)
        unit.report_status("en_route", 7)
        unit.report_status("on_scene", 7)
        assert next_of(seen, StatusReported).status == "en_route"
        assert next_of(seen, StatusReported).status == "on_scene"
        mdt.send(deployment())
    finally:
        mdt.close()


def test_the_link_reports_its_connection_state(mqtt_settings: MqttSettings, topic_prefix: str) -> None:
    states: queue.Queue[LinkState] = queue.Queue()
    mdt = MdtLink(mqtt_settings, topic_prefix, lambda event: None, on_state=states.put)
    try:
        assert mdt.wait_until_connected(WAIT_S)
        assert mdt.connected
        assert states.get(timeout=WAIT_S).connected
    finally:
        mdt.close()
    closed = states.get(timeout=WAIT_S)
    assert (closed.connected, closed.detail) == (False, "closed")
    assert not mdt.connected


def test_a_missing_broker_gives_a_retryable_failure_with_the_reason(mqtt_broker: tuple[str, int]) -> None:
    settings = MqttSettings(host="127.0.0.1", port=1, session_expiry_s=0)
    mdt = MdtLink(settings, "test/nobroker", lambda event: None)
    try:
        started = time.monotonic()
        with pytest.raises(SendFailed) as failed:
            mdt.send(deployment(message_id=43))
        assert time.monotonic() - started < settings.connect_timeout_s + 2
    finally:
        mdt.close()
    assert failed.value.retryable
    assert failed.value.reason.startswith("MDT message 43 to G11 was not sent: the MQTT broker at mqtt://127.0.0.1:1 ")
    assert "refused the connection" in failed.value.reason
    assert "Check that the broker is running" in failed.value.reason


@pytest.mark.parametrize("recipient", ["G11/#", "G+", "+", "#", "a/b", "1AB", "TOOLONGCALL", ""])
def test_a_recipient_that_is_not_a_call_sign_is_refused_before_publishing(
    link: MdtLink, desk_events: queue.Queue[InboundEvent], recipient: str
) -> None:
    with pytest.raises(SendFailed) as failed:
        link.send(deployment(recipient=recipient))
    assert not failed.value.retryable
    assert f"{recipient!r} is not a call sign" in failed.value.reason


def test_a_message_for_another_channel_is_refused(link: MdtLink) -> None:
    sms = OutboundMessage(1, "sms", "G11", "s", "b", "INC-20261123-0001", None)
    with pytest.raises(SendFailed, match="is for the 'sms' channel") as failed:
        link.send(sms)
    assert not failed.value.retryable


def test_topics_cannot_be_widened() -> None:
    assert unit_topic("supervisor/helsinki-ooh", "G11", "deployment") == "supervisor/helsinki-ooh/units/G11/deployment"
    for prefix in ("", "supervisor/#", "supervisor/+/x", "supervisor//x", "$SYS", "a b"):
        with pytest.raises(InvalidValue):
            unit_topic(prefix, "G11", "ack")
    with pytest.raises(InvalidValue):
        unit_topic("supervisor", "G1#", "ack")
    assert default_topic_prefix("Helsinki OOH") == "supervisor/helsinki-ooh"
    assert MqttSettings().topic_prefix_for("Helsinki OOH") == "supervisor/helsinki-ooh"
    assert MqttSettings(topic_prefix="x/y").topic_prefix_for("Helsinki OOH") == "x/y"


def test_reports_on_other_topics_are_malformed_not_errors() -> None:
    report = parse_report("p", "p/units/G11/deployment", b"{}")
    assert isinstance(report, MalformedReport)
    assert "not a unit report topic" in report.reason
    report = parse_report("p", "p/units/G11/ack", b"\xff\xfe")
    assert isinstance(report, MalformedReport)
    assert report.reason == "not UTF-8 text"
    big = b'{"x": "' + b"a" * 20000 + b'"}'
    report = parse_report("p", "p/units/G11/ack", big)
    assert isinstance(report, MalformedReport)
    assert report.reason == "20009 bytes, more than the 16384 a report may have"
    assert len(report.payload_excerpt) == 200
    ack = parse_report("p", "p/units/G11/ack", b'{"message_id": 3, "at": "2026-11-23T21:04:05Z", "firmware": "2.1"}')
    assert ack == AcknowledgementReceived("G11", 3, None, datetime(2026, 11, 23, 21, 4, 5, tzinfo=UTC))
    refused = parse_report("p", "p/units/G11/ack", b'{"message_id": true, "at": "2026-11-23T21:04:05Z"}')
    assert isinstance(refused, MalformedReport)
    assert "message_id is True" in refused.reason


def test_the_adapters_share_one_interface(link: MdtLink) -> None:
    adapters: list[ChannelAdapter] = [
        link, VoiceLog("voice_radio"), SmtpChannel(SmtpSettings()), SmsGatewayChannel(SmsGatewaySettings())
    ]
    assert [adapter.code for adapter in adapters] == ["mdt", "voice_radio", "email", "sms"]
    assert all(isinstance(adapter, ChannelAdapter) for adapter in adapters)


def test_voice_is_passed_in_person_and_recorded_at_once() -> None:
    radio = VoiceLog("voice_radio")
    before = datetime.now(UTC)
    delivery = radio.send(OutboundMessage(3, "voice_radio", "G11", "Update due", "Send an update", "INC-20261123-0042"))
    assert delivery.provider_reference == "voice"
    assert before <= delivery.accepted_at <= datetime.now(UTC)
    with pytest.raises(SendFailed, match="is for the 'mdt' channel"):
        radio.send(deployment())
    with pytest.raises(ValueError, match="not a voice channel"):
        VoiceLog("mdt")
    radio.close()
