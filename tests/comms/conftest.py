"""Real servers for the channel tests: the MQTT broker, loopback ports, a server that never answers.

The MQTT tests use the broker at ``SUPERVISOR_TEST_MQTT`` (``host:port``, default 127.0.0.1:1883).
Without one they are skipped with the reason, except when ``CI`` is set: there a missing broker is
a failure, so CI can never pass by skipping them (as with PostgreSQL in tests/conftest.py).
"""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Iterator

import pytest

from supervisor_app.comms.channels.config import MqttSettings


@pytest.fixture
def mqtt_settings(mqtt_broker: tuple[str, int]) -> MqttSettings:
    """Settings for the test broker; no session is kept, so tests leave nothing on the broker."""
    host, port = mqtt_broker
    return MqttSettings(host=host, port=port, session_expiry_s=0, publish_timeout_s=5.0)


@pytest.fixture
def topic_prefix() -> str:
    """A prefix of the test's own, so tests running together never hear each other."""
    return f"test/{uuid.uuid4().hex[:12]}"


def free_port() -> int:
    """A loopback port nothing listens on (just now)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def silent_server() -> Iterator[int]:
    """The port of a server that accepts connections and never says or reads anything."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()
    listener.settimeout(0.05)
    stop = threading.Event()
    held: list[socket.socket] = []

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            held.append(connection)

    thread = threading.Thread(target=accept, name="silent-server", daemon=True)
    thread.start()
    try:
        yield int(listener.getsockname()[1])
    finally:
        stop.set()
        thread.join(5)
        listener.close()
        for connection in held:
            connection.close()
    assert not thread.is_alive()
