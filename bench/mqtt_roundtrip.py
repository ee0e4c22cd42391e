"""Benchmark: MDT round trip on loopback: deployment published -> unit acknowledges -> desk hears it.

The desk's ``MdtLink`` sends N deployments one after another to a ``FieldUnitClient`` that
acknowledges each from its deployment callback; the round trip runs from the start of ``send``
to the moment the desk's callback receives the acknowledgement (target p95 under 100 ms). Also
reported: how long ``send`` waits for the broker's PUBACK.

Run as ``.venv/bin/python bench/mqtt_roundtrip.py [--messages 500] [--broker 127.0.0.1:1883]``
with an MQTT broker running there.
"""

from __future__ import annotations

import argparse
import threading
import time
import uuid
from typing import Any

from report import percentile, print_table, write_result

from supervisor_app.comms.channels import (
    AcknowledgementReceived,
    DeploymentReceived,
    FieldUnitClient,
    InboundEvent,
    MdtLink,
    MqttSettings,
    OutboundMessage,
)

TARGET_P95_MS = 100.0
ACK_WAIT_S = 5.0


def run(host: str, port: int, messages: int) -> dict[str, Any]:
    settings = MqttSettings(host=host, port=port, session_expiry_s=0)
    prefix = f"bench/{uuid.uuid4().hex[:12]}"
    acknowledged: dict[int, float] = {}
    arrived = threading.Condition()

    def on_event(event: InboundEvent) -> None:
        if isinstance(event, AcknowledgementReceived):
            now = time.perf_counter()
            with arrived:
                acknowledged.setdefault(event.message_id, now)
                arrived.notify_all()

    def on_deployment(deployment: DeploymentReceived) -> None:
        unit.acknowledge(deployment.message_id, deployment.deployment_id)

    link = MdtLink(settings, prefix, on_event)
    unit = FieldUnitClient(settings, prefix, "G11", on_deployment)
    round_trips: list[float] = []
    pubacks: list[float] = []
    try:
        if not (link.wait_until_connected(5) and unit.wait_until_connected(5)):
            raise SystemExit(f"No MQTT broker answered at {host}:{port}; start one (mosquitto) and run again.")
        started_all = time.perf_counter()
        for message_id in range(1, messages + 1):
            message = OutboundMessage(
                message_id, "mdt", "G11", "Water main burst",
                "INC-20261123-0042 | Water main burst | Mannerheimintie 5 | Close the road", "INC-20261123-0042",
                1000 + message_id,
            )
            started = time.perf_counter()
            link.send(message)
            pubacks.append(time.perf_counter() - started)
            with arrived:
                if not arrived.wait_for(lambda: message_id in acknowledged, timeout=ACK_WAIT_S):  # noqa: B023
                    raise SystemExit(f"Message {message_id} was not acknowledged within {ACK_WAIT_S} s")
                round_trips.append(acknowledged[message_id] - started)
        elapsed = time.perf_counter() - started_all
    finally:
        unit.close()
        link.close()
    round_trips.sort()
    pubacks.sort()
    p95 = percentile(round_trips, 0.95) * 1000
    return {
        "messages": messages,
        "broker": f"{host}:{port}",
        "roundtrip_p50_ms": round(percentile(round_trips, 0.5) * 1000, 2),
        "roundtrip_p95_ms": round(p95, 2),
        "roundtrip_max_ms": round(round_trips[-1] * 1000, 2),
        "puback_p50_ms": round(percentile(pubacks, 0.5) * 1000, 2),
        "puback_p95_ms": round(percentile(pubacks, 0.95) * 1000, 2),
        "messages_per_s": round(messages / elapsed, 1),
        "target_p95_ms": TARGET_P95_MS,
        "target_met": p95 < TARGET_P95_MS,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=500)
    parser.add_argument("--broker", default="127.0.0.1:1883", help="host:port of the MQTT broker")
    args = parser.parse_args()
    host, _, port = args.broker.rpartition(":")
    figures = run(host, int(port), args.messages)
    print_table("MDT round trip over MQTT (publish -> unit ack -> desk)", ["figure", "value"], list(figures.items()))
    write_result("mqtt_roundtrip", figures)


if __name__ == "__main__":
    main()
