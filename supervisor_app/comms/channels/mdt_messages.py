"""The MDT messages: topics, the events units' reports stand for, and the JSON both sides write.

Kept apart from the connection (``mqtt``) so the format can be read, parsed and tested without a
broker. The topic layout and every message are described in ``mqtt``'s docstring and, with
examples, in docs/MDT_PROTOCOL.md.

Parsing never raises on a unit's report: ``parse_report`` turns anything it cannot read into a
``MalformedReport`` with the reason, because one faulty terminal must not stop the desk hearing
the others.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from supervisor_app.comms.channels.base import OutboundMessage
from supervisor_app.comms.channels.config import check_topic_prefix
from supervisor_app.domain.errors import InvalidValue

STATUSES = ("acknowledged", "en_route", "on_scene", "cleared", "available", "unavailable")
REPORT_KINDS = ("ack", "status", "position")
MAXIMUM_PAYLOAD_BYTES = 16 * 1024  # a report is a few hundred bytes; anything far larger is not one
EXCERPT_CHARACTERS = 200
_CALL_SIGN_LEVEL = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")


# -- Events ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class AcknowledgementReceived:
    """A unit's terminal confirmed it shows the message ``message_id``."""

    call_sign: str
    message_id: int
    deployment_id: int | None
    at: datetime


@dataclass(frozen=True)
class StatusReported:
    call_sign: str
    deployment_id: int | None
    status: str
    at: datetime


@dataclass(frozen=True)
class PositionReported:
    call_sign: str
    lat: float
    lon: float
    speed_kmh: float | None
    heading: float | None
    at: datetime


@dataclass(frozen=True)
class MalformedReport:
    """Something arrived on a unit topic that is not a report the desk understands."""

    topic: str
    payload_excerpt: str
    reason: str


InboundEvent = AcknowledgementReceived | StatusReported | PositionReported | MalformedReport


@dataclass(frozen=True)
class DeploymentReceived:
    """A deployment as the unit's terminal receives it (``FieldUnitClient``)."""

    call_sign: str
    message_id: int
    deployment_id: int | None
    incident: str
    sent_at: datetime
    subject: str
    text: str
    location: tuple[float, float] | None = None
    address: str = ""
    kind: str = "deployment"
    """``deployment``, or ``stand_down``: the deployment ``deployment_id`` is called off."""


# -- Topics and payloads ---------------------------------------------------------------------------


def unit_topic(prefix: str, call_sign: str, kind: str) -> str:
    """``{prefix}/units/{call_sign}/{kind}``, refusing anything that could widen the topic."""
    check_topic_prefix(prefix)
    if not _CALL_SIGN_LEVEL.match(call_sign):
        raise InvalidValue("call sign", call_sign, "2 to 8 capital letters or digits, starting with a letter")
    if kind not in (*REPORT_KINDS, "deployment"):
        raise InvalidValue("topic kind", kind, "deployment, ack, status or position")
    return f"{prefix}/units/{call_sign}/{kind}"


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds")


#: The ``type`` of a message to a unit, by what the outbox stored it for: a stand-down must never
#: read as a deployment on the terminal.
MESSAGE_TYPES = {"deployment": "deployment", "cancellation": "stand_down"}


def deployment_payload(message: OutboundMessage, sent_at: datetime) -> bytes:
    document = {
        "type": MESSAGE_TYPES.get(message.purpose, "deployment"),
        "message_id": message.message_id,
        "deployment_id": message.deployment_id,
        "incident": message.incident_reference,
        "sent_at": iso_utc(sent_at),
        "subject": message.subject,
        "text": message.body,
    }
    if message.location is not None:
        lat, lon = message.location
        document["location"] = {"lat": round(lat, 6), "lon": round(lon, 6), "address": message.address}
    return json.dumps(document, ensure_ascii=False).encode("utf-8")


class MalformedPayload(ValueError):
    """Why a payload is not a report or deployment; becomes ``MalformedReport.reason``."""


def _refuse_constant(name: str) -> object:
    raise MalformedPayload(f"{name} is not a number a report may carry")


def _json_object(payload: bytes) -> dict[str, Any]:
    if len(payload) > MAXIMUM_PAYLOAD_BYTES:
        raise MalformedPayload(f"{len(payload)} bytes, more than the {MAXIMUM_PAYLOAD_BYTES} a report may have")
    try:
        text = payload.decode("utf-8")
    except UnicodeDecodeError:
        raise MalformedPayload("not UTF-8 text") from None
    try:
        value = json.loads(text, parse_constant=_refuse_constant)
    except json.JSONDecodeError as exc:
        raise MalformedPayload(f"not JSON ({exc.msg} at line {exc.lineno} column {exc.colno})") from None
    if not isinstance(value, dict):
        raise MalformedPayload(f"a JSON {type(value).__name__} where an object {{...}} was expected")
    return value


def _present(document: Mapping[str, Any], key: str) -> Any:
    if key not in document:
        raise MalformedPayload(f"the field {key!r} is missing")
    return document[key]


def _identifier(document: Mapping[str, Any], key: str, *, optional: bool) -> int | None:
    value = document.get(key) if optional else _present(document, key)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise MalformedPayload(f"{key} is {value!r}; expected a whole number from 1 up")
    return value


def _number(document: Mapping[str, Any], key: str, low: float, high: float, *, optional: bool) -> float | None:
    value = document.get(key) if optional else _present(document, key)
    if value is None and optional:
        return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise MalformedPayload(f"{key} is {value!r}; expected a number from {low:g} to {high:g}")
    if not low <= value <= high:
        raise MalformedPayload(f"{key} is {value!r}, outside {low:g} to {high:g}")
    return float(value)


def _text(document: Mapping[str, Any], key: str) -> str:
    value = _present(document, key)
    if not isinstance(value, str):
        raise MalformedPayload(f"{key} is {value!r}; expected text")
    return value


def _time(document: Mapping[str, Any], key: str) -> datetime:
    value = _text(document, key)
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise MalformedPayload(f"{key} is {value!r}; expected an ISO 8601 time such as 2026-11-23T21:04:05+00:00") \
            from None
    if moment.utcoffset() is None:
        raise MalformedPayload(f"{key} is {value!r}, which has no UTC offset; add one, such as +00:00")
    return moment.astimezone(UTC)


def _excerpt(payload: bytes) -> str:
    return payload[: EXCERPT_CHARACTERS * 4].decode("utf-8", errors="replace")[:EXCERPT_CHARACTERS]


def parse_report(prefix: str, topic: str, payload: bytes) -> InboundEvent:
    """The event a unit's report stands for; a ``MalformedReport`` saying why when it is not one."""
    try:
        return _parse_report(prefix, topic, payload)
    except MalformedPayload as exc:
        return MalformedReport(topic=topic, payload_excerpt=_excerpt(payload), reason=str(exc))


def _parse_report(prefix: str, topic: str, payload: bytes) -> InboundEvent:
    head = f"{prefix}/units/"
    levels = topic.removeprefix(head).split("/") if topic.startswith(head) else []
    if len(levels) != 2 or levels[1] not in REPORT_KINDS:
        raise MalformedPayload(f"not a unit report topic; expected {head}<call sign>/ack, /status or /position")
    call_sign, kind = levels
    if not _CALL_SIGN_LEVEL.match(call_sign):
        raise MalformedPayload(
            f"{call_sign!r} is not a call sign (2 to 8 capital letters or digits, starting with a letter)"
        )
    document = _json_object(payload)
    if kind == "ack":
        message_id = _identifier(document, "message_id", optional=False)
        assert message_id is not None
        return AcknowledgementReceived(
            call_sign, message_id, _identifier(document, "deployment_id", optional=True), _time(document, "at")
        )
    if kind == "status":
        status = _text(document, "status")
        if status not in STATUSES:
            raise MalformedPayload(f"status {status!r} is not one of {', '.join(STATUSES)}")
        deployment_id = _identifier(document, "deployment_id", optional=True)
        return StatusReported(call_sign, deployment_id, status, _time(document, "at"))
    lat = _number(document, "lat", -90, 90, optional=False)
    lon = _number(document, "lon", -180, 180, optional=False)
    assert lat is not None
    assert lon is not None
    speed = _number(document, "speed_kmh", 0, 1000, optional=True)
    heading = _number(document, "heading", 0, 360, optional=True)
    return PositionReported(call_sign, lat, lon, speed, heading, _time(document, "at"))


def parse_deployment(call_sign: str, payload: bytes) -> DeploymentReceived:
    """A deployment as the unit reads it; raises ``MalformedPayload`` saying what is wrong with it."""
    document = _json_object(payload)
    kind = document.get("type")
    if kind not in MESSAGE_TYPES.values():
        raise MalformedPayload(f"type is {kind!r}; expected one of {', '.join(sorted(MESSAGE_TYPES.values()))}")
    message_id = _identifier(document, "message_id", optional=False)
    assert message_id is not None
    return DeploymentReceived(
        kind=str(kind),
        call_sign=call_sign,
        message_id=message_id,
        deployment_id=_identifier(document, "deployment_id", optional=True),
        incident=_text(document, "incident"),
        sent_at=_time(document, "sent_at"),
        subject=_text(document, "subject"),
        text=_text(document, "text"),
        **_location(document),
    )


def _location(document: dict[str, Any]) -> dict[str, Any]:
    """The incident's place, if the deployment carries one (``{"lat", "lon", "address"}``)."""
    place = document.get("location")
    if place is None:
        return {}
    if not isinstance(place, dict):
        raise MalformedPayload("location is not an object with lat, lon and address")
    lat = _number(place, "lat", -90, 90, optional=False)
    lon = _number(place, "lon", -180, 180, optional=False)
    address = place.get("address", "")
    if not isinstance(address, str):
        raise MalformedPayload("location.address is not text")
    return {"location": (lat, lon), "address": address}
