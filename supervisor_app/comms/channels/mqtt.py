"""The MDT channel: deployments to the units' mobile data terminals, and their reports, over MQTT.

Topics (``{prefix}`` defaults to ``supervisor/<organisation short code>``, e.g.
``supervisor/helsinki-ooh``; ``{call_sign}`` is the unit's call sign, such as ``G11``)::

    {prefix}/units/{call_sign}/deployment   desk -> unit   {"type": "deployment", "message_id", "deployment_id",
                                                             "incident", "sent_at", "subject", "text"}
    {prefix}/units/{call_sign}/ack          unit -> desk   {"message_id", "deployment_id", "at"}
    {prefix}/units/{call_sign}/status       unit -> desk   {"deployment_id", "status", "at"}
    {prefix}/units/{call_sign}/position     unit -> desk   {"lat", "lon", "speed_kmh", "heading", "at"}

Payloads are UTF-8 JSON objects; times are ISO 8601 with their UTC offset
(``2026-11-23T21:04:05.123+00:00``). Statuses are ``acknowledged``, ``en_route``, ``on_scene``,
``cleared``, ``available`` and ``unavailable``. Fields a report does not know are ignored, so a
terminal can send more than the desk reads. docs/MDT_PROTOCOL.md has an example of each message;
``mdt_messages`` writes and reads them, this module carries them.

Why it is built this way:

- Everything is published with QoS 1, and ``MdtLink.send`` returns only when the broker has
  confirmed the deployment (PUBACK) within ``publish_timeout_s``; otherwise it raises a retryable
  ``SendFailed``. QoS 1 is "at least once": a deployment whose confirmation was lost may still
  arrive, and a retry may arrive as well. The ``message_id`` (the outbox row) in every deployment
  and acknowledgement is what lets the unit show a repeat once and the desk record one
  acknowledgement.
- The desk never sends while it knows the broker is unreachable: ``send`` fails at once with the
  reason (connection refused, no answer, a TLS or login problem), so the outbox can mark the
  message failed and the supervisor can pass it by voice. Meanwhile paho reconnects on its own
  with a growing delay (``reconnect_min_s`` up to ``reconnect_max_s``).
- MQTT 5 sessions are kept by the broker for ``session_expiry_s`` after a connection drops, so
  acknowledgements and reports sent during a short network blip reach the desk when it is back.
  A desk (or unit) that starts, or closes cleanly, begins or ends with no session.
- Call signs are checked (2 to 8 capital letters or digits, starting with a letter) before they
  become a topic level, so no recipient can inject ``+``, ``#`` or ``/`` into a topic.
- Reports are parsed on paho's network thread and handed to the ``on_event`` callback there.
  Anything that does not parse becomes a ``MalformedReport`` (logged too); nothing raised by the
  parser or the callback can stop the network thread. Keep the callback short (hand the event to
  a queue); never call ``MdtLink.send`` from it, as the confirmation it would wait for is read by
  that same thread.
- Every desk subscribed to the prefix hears every unit's reports; the outbox records an
  acknowledgement by ``message_id``, so hearing it twice changes nothing.
"""

from __future__ import annotations

import json
import logging
import re
import socket
import ssl
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode

from supervisor_app.comms.channels.base import Delivery, OutboundMessage, SendFailed, check_channel, utc_now
from supervisor_app.comms.channels.config import MqttSettings, check_topic_prefix
from supervisor_app.comms.channels.mdt_messages import (
    REPORT_KINDS,
    STATUSES,
    AcknowledgementReceived,
    DeploymentReceived,
    InboundEvent,
    MalformedPayload,
    MalformedReport,
    PositionReported,
    StatusReported,
    deployment_payload,
    iso_utc,
    parse_deployment,
    parse_report,
    unit_topic,
)
from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.resources import normalise_call_sign

logger = logging.getLogger(__name__)

# CONNACK reasons that another attempt cannot cure: the desk's settings or credentials must change.
_CONFIGURATION_REFUSALS = frozenset({0x84, 0x85, 0x86, 0x87, 0x8C})

__all__ = [
    "AcknowledgementReceived",
    "DeploymentReceived",
    "FieldUnitClient",
    "InboundEvent",
    "LinkState",
    "MalformedReport",
    "MdtLink",
    "PositionReported",
    "StatusReported",
]


@dataclass(frozen=True)
class LinkState:
    """The link's connection, for the desk's visible connection state."""

    connected: bool
    at: datetime
    detail: str


# -- The connection both sides share ---------------------------------------------------------------


@dataclass(frozen=True)
class _Problem:
    """Why the broker cannot be used just now: completes "the MQTT broker at X ..."."""

    what: str
    advice: str
    retryable: bool


def _problem_from(error: BaseException, settings: MqttSettings) -> _Problem:
    retry = "sending again will work once it is reachable"
    if isinstance(error, ConnectionRefusedError):
        return _Problem(
            "refused the connection (nothing is listening on that port)",
            f"Check that the broker is running and that the desk's MQTT settings name it; {retry}.",
            retryable=True,
        )
    if isinstance(error, TimeoutError):
        return _Problem(
            f"did not answer within {settings.connect_timeout_s:g} s",
            f"Check the network between this desk and the broker and that the broker is running; {retry}.",
            retryable=True,
        )
    if isinstance(error, ssl.SSLCertVerificationError):
        return _Problem(
            f"presented a TLS certificate the desk could not verify ({error.verify_message})",
            "Check mqtt.tls_ca_file names the CA that signed the broker's certificate and that mqtt.host is the "
            "name in that certificate.",
            retryable=False,
        )
    if isinstance(error, ssl.SSLError):
        return _Problem(
            f"failed the TLS handshake ({error.reason or error})",
            "Check that the port is the broker's TLS port (usually 8883) and that mqtt.tls_ca_file is right.",
            retryable=False,
        )
    return _Problem(f"could not be reached ({error.__class__.__name__}: {error})", f"Check the network; {retry}.", True)


class _RecordingClient(paho.Client):
    """paho's client, remembering why the last connection attempt failed (paho only says that it did)."""

    last_connect_error: BaseException | None = None

    def reconnect(self) -> MQTTErrorCode:
        try:
            result = super().reconnect()
        except OSError as exc:
            self.last_connect_error = exc
            raise
        self.last_connect_error = None
        return result


class _BrokerConnection:
    """One MQTT 5 client on its own network thread: connect, reconnect, subscribe, publish QoS 1."""

    def __init__(
        self,
        settings: MqttSettings,
        client_id: str,
        password: str | None,
        subscriptions: list[str],
        on_message: Callable[[str, bytes], None],
        on_state: Callable[[LinkState], None] | None,
    ) -> None:
        self.settings = settings
        self._subscriptions = subscriptions
        self._on_message = on_message
        self._on_state = on_state
        self._condition = threading.Condition()
        self._connected = False
        self._subscribed = False
        self._problem: _Problem | None = None
        self._closed = False
        self._loop_thread: int | None = None
        client = _RecordingClient(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=paho.MQTTv5)
        if settings.username:
            client.username_pw_set(settings.username, password)
        if settings.tls_ca_file is not None:
            client.tls_set_context(ssl.create_default_context(cafile=str(settings.tls_ca_file)))
        client.connect_timeout = settings.connect_timeout_s
        client.reconnect_delay_set(settings.reconnect_min_s, settings.reconnect_max_s)
        client.on_connect = self._connected_cb
        client.on_connect_fail = self._connect_failed_cb
        client.on_disconnect = self._disconnected_cb
        client.on_subscribe = self._subscribed_cb
        client.on_message = self._message_cb
        client.on_socket_open = _no_delay
        properties = None
        if settings.session_expiry_s:
            properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            properties.SessionExpiryInterval = settings.session_expiry_s
        client.connect_async(
            settings.host, settings.port, settings.keepalive_s, clean_start=paho.MQTT_CLEAN_START_FIRST_ONLY,
            properties=properties,
        )
        self._client = client
        client.loop_start()

    # paho's callbacks, on its network thread ---------------------------------------------------

    def _connected_cb(self, client: paho.Client, userdata: Any, flags: Any, reason: ReasonCode, props: Any) -> None:
        self._loop_thread = threading.get_ident()
        if reason.is_failure:
            code = reason.value
            self._set(False, _Problem(
                f"refused the connection ({reason})",
                "Check mqtt.username, the password stored as channel:mqtt and the broker's access rules."
                if code in _CONFIGURATION_REFUSALS else "Sending again may work once the broker accepts connections.",
                retryable=code not in _CONFIGURATION_REFUSALS,
            ), f"refused: {reason}")
            return
        if self._subscriptions:
            client.subscribe([(topic, 1) for topic in self._subscriptions])
        self._set(True, None, "connected")

    def _connect_failed_cb(self, client: paho.Client, userdata: Any) -> None:
        self._loop_thread = threading.get_ident()
        error = self._client.last_connect_error
        problem = _problem_from(error, self.settings) if error else _Problem("could not be reached", "", True)
        self._set(False, problem, problem.what)

    def _disconnected_cb(self, client: paho.Client, userdata: Any, flags: Any, reason: ReasonCode, props: Any) -> None:
        if self._closed:
            self._set(False, None, "closed")
            return
        with self._condition:
            refused_at_connect = not self._connected and self._problem is not None
        if refused_at_connect:  # the broker closes the socket after refusing; keep the refusal's reason
            return
        problem = _Problem(
            f"dropped the connection ({reason})",
            "The desk is reconnecting by itself; sending again will work once it is back.",
            retryable=True,
        )
        self._set(False, problem, f"connection lost: {reason}")

    def _subscribed_cb(
        self, client: paho.Client, userdata: Any, mid: int, reasons: list[ReasonCode], props: Any
    ) -> None:
        refused = [str(reason) for reason in reasons if reason.is_failure]
        if refused:
            logger.error(
                "The MQTT broker at %s refused the subscriptions %s (%s); unit reports will not reach this desk. "
                "Check the broker's access rules for this account.",
                self.settings.where, ", ".join(self._subscriptions), ", ".join(refused),
            )
            return
        with self._condition:
            self._subscribed = True
            self._condition.notify_all()

    def _message_cb(self, client: paho.Client, userdata: Any, message: paho.MQTTMessage) -> None:
        try:
            self._on_message(message.topic, bytes(message.payload))
        except Exception:  # nothing may stop the network thread
            logger.exception("Handling a message on %s failed; the link carries on", message.topic)

    def _set(self, connected: bool, problem: _Problem | None, detail: str) -> None:
        with self._condition:
            changed = connected != self._connected or problem != self._problem
            self._connected = connected
            if not connected:
                self._subscribed = False
            self._problem = problem
            self._condition.notify_all()
        if changed and self._on_state is not None:
            try:
                self._on_state(LinkState(connected, utc_now(), detail))
            except Exception:  # nothing may stop the network thread
                logger.exception("The MQTT link's state callback failed")

    # Called by the link's users ----------------------------------------------------------------

    @property
    def connected(self) -> bool:
        with self._condition:
            return self._connected

    def on_network_thread(self) -> bool:
        return threading.get_ident() == self._loop_thread

    def wait_until_ready(self, timeout: float) -> bool:
        """Wait until connected and subscribed (so nothing published after this is missed)."""
        expected = bool(self._subscriptions)
        with self._condition:
            return self._condition.wait_for(
                lambda: self._connected and (self._subscribed or not expected), timeout=timeout
            )

    def publish(self, topic: str, payload: bytes, subject: str, *, wait: bool) -> int:
        """Publish with QoS 1; when ``wait``, return only once the broker confirmed it (PUBACK)."""
        where = self.settings.where
        with self._condition:
            if self._closed:
                raise SendFailed(f"{subject} was not sent: the MQTT link to {where} is closed.", retryable=False)
            first_attempt = not self._connected and self._problem is None
            if first_attempt and not self.on_network_thread():  # the network thread must never wait for itself
                self._condition.wait_for(
                    lambda: self._connected or self._problem is not None, timeout=self.settings.connect_timeout_s + 1
                )
            if not self._connected:
                problem = self._problem or _Problem(
                    f"did not complete the connection within {self.settings.connect_timeout_s + 1:g} s",
                    "Check the broker; sending again will work once it is reachable.", True,
                )
                raise SendFailed(
                    f"{subject} was not sent: the MQTT broker at {where} {problem.what}. {problem.advice}".rstrip(),
                    retryable=problem.retryable,
                )
        info = self._client.publish(topic, payload, qos=1)
        if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
            raise SendFailed(
                f"{subject} may not have been sent: the MQTT link to {where} could not take it "
                f"({paho.error_string(info.rc)}). If it still arrives, the unit recognises a repeat by its "
                "message id; sending again is safe.",
                retryable=True,
            )
        if not wait:
            return info.mid
        if self.on_network_thread():
            raise RuntimeError("publish(wait=True) on the MQTT network thread would wait for itself; "
                               "hand the work to another thread")
        try:
            info.wait_for_publish(self.settings.publish_timeout_s)
        except (RuntimeError, ValueError) as exc:
            raise SendFailed(
                f"{subject} may not have been sent: the MQTT link to {where} failed while sending ({exc}). "
                "Sending again is safe: the unit recognises a repeat by its message id.",
                retryable=True,
            ) from None
        if not info.is_published():
            raise SendFailed(
                f"{subject} was not confirmed: the MQTT broker at {where} did not acknowledge it (PUBACK) within "
                f"{self.settings.publish_timeout_s:g} s. It may still arrive; sending again is safe, as the unit "
                "recognises a repeat by its message id.",
                retryable=True,
            )
        return info.mid

    def close(self) -> None:
        """Disconnect (ending the broker's session for this client) and stop the network thread."""
        if self.on_network_thread():
            raise RuntimeError("close the MQTT link from another thread than its own network thread")
        with self._condition:
            if self._closed:
                return
            self._closed = True
            self._condition.notify_all()
        ending = Properties(PacketTypes.DISCONNECT)  # type: ignore[no-untyped-call]
        ending.SessionExpiryInterval = 0
        self._client.disconnect(properties=ending if self.settings.session_expiry_s else None)
        self._client.loop_stop()


def _no_delay(client: paho.Client, userdata: Any, sock: Any) -> None:
    """Send each packet at once: Nagle's algorithm holds a small PUBACK or report back for the peer's
    delayed ACK (about 40 ms on Linux), which would add that much to every round trip."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (AttributeError, OSError):
        logger.debug("TCP_NODELAY could not be set on the MQTT socket", exc_info=True)


def _client_id(settings: MqttSettings, role: str) -> str:
    return settings.client_id or f"supervisor-{role}-{uuid.uuid4().hex[:12]}"


# -- The desk's side -------------------------------------------------------------------------------


class MdtLink:
    """The desk's MDT channel: sends deployments and hears the units' acknowledgements and reports.

    Connecting starts at once, on paho's network thread; ``send`` waits for the first attempt, and
    ``wait_until_connected`` lets a caller wait until the link also listens. The password comes
    from the secret store (``MQTT_BROKER_SECRET``), never from the settings.
    """

    code = "mdt"

    def __init__(
        self,
        settings: MqttSettings,
        topic_prefix: str,
        on_event: Callable[[InboundEvent], None],
        *,
        password: str | None = None,
        on_state: Callable[[LinkState], None] | None = None,
        shared_group: str | None = None,
    ) -> None:
        """``shared_group``: several desks that subscribe in one group (an MQTT 5 shared
        subscription) each get a share of the reports rather than every report each, so that a
        unit's acknowledgement is recorded once however many desks are on line."""
        self.topic_prefix = check_topic_prefix(topic_prefix)
        self._on_event = on_event
        if shared_group is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,40}", shared_group):
            raise InvalidValue("shared subscription group", shared_group, "letters, digits, - and _ (at most 40)")
        share = f"$share/{shared_group}/" if shared_group else ""
        self._connection = _BrokerConnection(
            settings,
            _client_id(settings, "desk"),
            password,
            [f"{share}{self.topic_prefix}/units/+/{kind}" for kind in REPORT_KINDS],
            self._received,
            on_state,
        )

    @property
    def connected(self) -> bool:
        return self._connection.connected

    def wait_until_connected(self, timeout: float) -> bool:
        """True once connected and subscribed to the units' reports; False if ``timeout`` ran out first."""
        return self._connection.wait_until_ready(timeout)

    def send(self, message: OutboundMessage) -> Delivery:
        """Publish the deployment to the unit's topic and wait for the broker's PUBACK."""
        check_channel(self.code, message)
        try:
            call_sign = normalise_call_sign(message.recipient)
        except InvalidValue:
            raise SendFailed(
                f"MDT message {message.message_id} was not sent: {message.recipient!r} is not a call sign "
                "(2 to 8 capital letters or digits, starting with a letter, such as G11). Correct the recipient.",
                retryable=False,
            ) from None
        if self._connection.on_network_thread():
            raise RuntimeError("MdtLink.send was called from an on_event callback; send from another thread")
        topic = unit_topic(self.topic_prefix, call_sign, "deployment")
        payload = deployment_payload(message, utc_now())
        self._connection.publish(topic, payload, f"MDT message {message.message_id} to {call_sign}", wait=True)
        return Delivery(provider_reference=topic, accepted_at=utc_now())

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> MdtLink:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _received(self, topic: str, payload: bytes) -> None:
        event = parse_report(self.topic_prefix, topic, payload)
        if isinstance(event, MalformedReport):
            logger.warning("Ignored a malformed MDT report on %s: %s", topic, event.reason)
        try:
            self._on_event(event)
        except Exception:  # a failing consumer must not stop the link
            logger.exception("The MDT event callback failed on %r; the link carries on", event)


# -- The unit's side -------------------------------------------------------------------------------


class FieldUnitClient:
    """A unit's terminal: receives its deployments and reports acknowledgements, status and position.

    For the simulator and the tests. Deployments reach ``on_deployment`` on paho's network thread;
    a deployment that does not parse is logged and skipped. The report methods may be called from
    ``on_deployment`` itself (to acknowledge at once): there they queue the report and return,
    elsewhere they wait for the broker's PUBACK and raise ``SendFailed`` like the desk does.
    """

    def __init__(
        self,
        settings: MqttSettings,
        topic_prefix: str,
        call_sign: str,
        on_deployment: Callable[[DeploymentReceived], None],
        *,
        password: str | None = None,
    ) -> None:
        self.topic_prefix = check_topic_prefix(topic_prefix)
        self.call_sign = normalise_call_sign(call_sign)
        self._on_deployment = on_deployment
        self._deployment_topic = unit_topic(self.topic_prefix, self.call_sign, "deployment")
        self._connection = _BrokerConnection(
            settings, _client_id(settings, f"unit-{self.call_sign.lower()}"), password,
            [self._deployment_topic], self._received, None,
        )

    def wait_until_connected(self, timeout: float) -> bool:
        return self._connection.wait_until_ready(timeout)

    def acknowledge(self, message_id: int, deployment_id: int | None, at: datetime | None = None) -> None:
        self._report("ack", {"message_id": message_id, "deployment_id": deployment_id, "at": iso_utc(at or utc_now())})

    def report_status(self, status: str, deployment_id: int | None, at: datetime | None = None) -> None:
        if status not in STATUSES:
            raise ValueError(f"status {status!r} is not one of {', '.join(STATUSES)}")
        self._report("status", {"deployment_id": deployment_id, "status": status, "at": iso_utc(at or utc_now())})

    def report_position(
        self, lat: float, lon: float, speed_kmh: float | None = None, heading: float | None = None,
        at: datetime | None = None,
    ) -> None:
        document = {"lat": lat, "lon": lon, "speed_kmh": speed_kmh, "heading": heading, "at": iso_utc(at or utc_now())}
        self._report("position", document)

    def close(self) -> None:
        self._connection.close()

    def __enter__(self) -> FieldUnitClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def _report(self, kind: str, document: dict[str, Any]) -> None:
        topic = unit_topic(self.topic_prefix, self.call_sign, kind)
        payload = json.dumps(document).encode("utf-8")
        wait = not self._connection.on_network_thread()
        self._connection.publish(topic, payload, f"{self.call_sign}'s {kind} report", wait=wait)

    def _received(self, topic: str, payload: bytes) -> None:
        if topic != self._deployment_topic:
            return
        try:
            deployment = parse_deployment(self.call_sign, payload)
        except MalformedPayload as exc:
            logger.warning("%s ignored a malformed deployment on %s: %s", self.call_sign, topic, exc)
            return
        self._on_deployment(deployment)
