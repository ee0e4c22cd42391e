"""The simulated field units: what a crew does with a deployment, and the terminals it reports by.

``Fleet`` plays every unit's life cycle on the scheduler's thread. On a deployment a unit
acknowledges (after a crew's delay), mobilises, reports en route, drives the fastest road route to
the incident reporting its position every few seconds, reports on scene, works, reports cleared,
drives back to its station and reports available. A message it has already had (the same
``message_id``, or the same deployment found twice) is shown once and acknowledged once, as the
MDT protocol asks of a terminal. The desk only deploys a free unit (its conditional update sees to
that); a deployment that reaches a busy unit all the same (a crew re-tasked on its way back)
replaces the job in hand, and the unit says so.

A unit reports through a ``UnitTerminal``, of which there are two:

- ``MqttFleetTerminal``: the MDT protocol over MQTT (docs/MDT_PROTOCOL.md), the whole fleet on one
  connection: it subscribes to ``{prefix}/units/+/deployment`` and publishes each unit's
  acknowledgements, status and positions on that unit's own topics. It is written from the
  documented protocol rather than with the desk's own MQTT code, so the simulator also checks that
  the protocol as written is enough for a terminal, and a fault shared by both sides cannot hide.
- ``DatabaseTerminal``: without a broker, the same reports go straight through the services
  (``record_acknowledgement``, ``change_resource_status``, ``report_position``), which also tell
  the unit when the desk refuses one (a unit stood down meanwhile): the unit then drives home.
"""

from __future__ import annotations

import enum
import json
import logging
import random
import re
import socket
import threading
import uuid
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol

import paho.mqtt.client as paho
from paho.mqtt.enums import CallbackAPIVersion, MQTTErrorCode
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties
from paho.mqtt.reasoncodes import ReasonCode
from sqlalchemy import Engine, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from supervisor_app.domain.errors import DomainError, InvalidValue
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.people import Actor
from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.services.outbox import record_acknowledgement
from supervisor_app.services.resources import change_resource_status, report_position
from supervisor_app.simulation.clock import Drive, Roads, Scheduler, Timings
from supervisor_app.store.engine import writer
from supervisor_app.store.models import Resource

log = logging.getLogger(__name__)

#: A moving unit reports where it is this often (simulated seconds), as real terminals do.
POSITION_EVERY_S = 5.0
#: A report the desk could not be reached for is tried again after this long (simulated seconds).
RETRY_AFTER_S = 10.0
#: The reason the desk's log gives for a status a unit reported itself.
REPORTED_BY_TERMINAL = "reported by the unit's terminal"
_CALL_SIGN = re.compile(r"^[A-Z][A-Z0-9]{1,7}$")


class UnitStatus(enum.StrEnum):
    """The statuses a unit reports (the MDT protocol's words)."""

    EN_ROUTE = "en_route"
    ON_SCENE = "on_scene"
    CLEARED = "cleared"
    AVAILABLE = "available"


#: The resource status each report means to the desk (as the desk's own unit reports map them).
RESOURCE_STATUS_FOR_REPORT: dict[UnitStatus, ResourceStatus] = {
    UnitStatus.EN_ROUTE: ResourceStatus.EN_ROUTE,
    UnitStatus.ON_SCENE: ResourceStatus.ON_SCENE,
    UnitStatus.CLEARED: ResourceStatus.RETURNING,
    UnitStatus.AVAILABLE: ResourceStatus.AVAILABLE,
}


class ReportNotDelivered(Exception):
    """A unit's report did not reach the desk, or the desk refused it (``refused``), and why."""

    def __init__(self, reason: str, *, refused: bool) -> None:
        super().__init__(reason)
        self.reason = reason
        self.refused = refused


class UnitTerminal(Protocol):
    """How a unit tells the desk what it does; each method raises ``ReportNotDelivered``."""

    def acknowledge(self, call_sign: str, message_id: int | None, deployment_id: int | None) -> None: ...

    def report_status(self, call_sign: str, status: UnitStatus, deployment_id: int | None) -> None: ...

    def report_position(
        self, call_sign: str, point: Coordinate, speed_kmh: float | None, heading: float | None
    ) -> None: ...


@dataclass(frozen=True)
class Job:
    """A deployment as the crew reads it: which message, which deployment, where and what."""

    incident: str
    message_id: int | None
    deployment_id: int | None
    destination: Coordinate | None
    address: str = ""
    category: str = "general"
    stand_down: bool = False  # the deployment is called off: the crew stops and goes back


class Phase(enum.Enum):
    AVAILABLE = "available"
    ALERTED = "alerted"  # the terminal shows the deployment; not yet acknowledged
    MOBILISING = "mobilising"
    EN_ROUTE = "en route"
    ON_SCENE = "on scene"
    RETURNING = "returning"


@dataclass
class SimulatedUnit:
    """One crew and its vehicle; changed only on the scheduler's thread."""

    call_sign: str
    station: Coordinate
    station_name: str
    position: Coordinate
    rng: random.Random
    phase: Phase = Phase.AVAILABLE
    job: Job | None = None
    drive: Drive | None = None
    generation: int = 0  # bumped when the job changes, so steps planned for the old one fall away
    messages_seen: set[int] = field(default_factory=set)
    deployments_seen: set[int] = field(default_factory=set)


Say = Callable[[str], None]


class Fleet:
    """Every unit's life cycle, step by step on the scheduler (see the module doc)."""

    def __init__(
        self,
        units: Iterable[SimulatedUnit],
        terminal: UnitTerminal,
        scheduler: Scheduler,
        roads: Roads,
        timings: Timings,
        say: Say,
        *,
        position_every_s: float = POSITION_EVERY_S,
    ) -> None:
        self.units = {unit.call_sign: unit for unit in units}
        self.terminal = terminal
        self.scheduler = scheduler
        self.roads = roads
        self.timings = timings
        self.say = say
        self.position_every_s = position_every_s

    # Handed over from any thread -----------------------------------------------------------------

    def deployment_received(self, call_sign: str, job: Job) -> None:
        """A deployment reached ``call_sign``'s terminal (MQTT, or found in the database)."""
        unit = self.units.get(call_sign)
        if unit is None:
            log.info("A deployment for %s, which is not in the simulated fleet, was ignored", call_sign)
            return
        self.scheduler.soon(lambda: self._alert(unit, job))

    def resume(self, call_sign: str, job: Job, phase: Phase) -> None:
        """Carry on a job the unit was already doing when the simulation started."""
        unit = self.units.get(call_sign)
        if unit is not None:
            self.scheduler.soon(lambda: self._resume(unit, job, phase))

    def return_to_station(self, call_sign: str) -> None:
        """A unit that was on its way back when the simulation started drives on home."""
        unit = self.units.get(call_sign)
        if unit is not None:
            self.scheduler.soon(lambda: self._return(unit))

    def _return(self, unit: SimulatedUnit) -> None:
        self.say(f"{unit.call_sign} carries on back to {unit.station_name}")
        self._go_home(unit)

    # The life cycle, on the scheduler's thread ---------------------------------------------------

    def _later(self, unit: SimulatedUnit, delay: float, step: Callable[[SimulatedUnit], None]) -> None:
        generation = unit.generation

        def run() -> None:
            if unit.generation == generation:
                step(unit)

        self.scheduler.after(delay, run)

    def _alert(self, unit: SimulatedUnit, job: Job) -> None:
        if job.message_id is not None:
            if job.message_id in unit.messages_seen:
                log.debug("%s already shows message %s about %s", unit.call_sign, job.message_id, job.incident)
                return
            unit.messages_seen.add(job.message_id)
        if job.stand_down:
            self._stand_down(unit, job)
            return
        if job.deployment_id is None or job.destination is None or job.deployment_id in unit.deployments_seen:
            # A message about no deployment or place (an update request), or another message about
            # the deployment in hand (a resend): read and acknowledged, and the job goes on.
            if job.message_id is not None:
                self.scheduler.after(self.timings.acknowledge(unit.rng), lambda: self._acknowledge_message(unit, job))
            return
        unit.deployments_seen.add(job.deployment_id)
        if unit.job is not None and unit.phase not in (Phase.AVAILABLE, Phase.RETURNING):
            log.warning("%s was deployed to %s while %s on %s", unit.call_sign, job.incident, unit.phase.value,
                        unit.job.incident)
            self.say(f"{unit.call_sign} deployed to {job.incident} while {unit.phase.value} on "
                     f"{unit.job.incident}; the new deployment replaces it")
        self._take_job(unit, job, Phase.ALERTED)
        self._later(unit, self.timings.acknowledge(unit.rng), self._acknowledge)

    def _stand_down(self, unit: SimulatedUnit, order: Job) -> None:
        """Read the stand-down, acknowledge it, and, if it calls off the job in hand, go back."""
        if order.message_id is not None:
            self.scheduler.after(self.timings.acknowledge(unit.rng), lambda: self._acknowledge_message(unit, order))
        if unit.job is None or unit.job.deployment_id != order.deployment_id:
            return  # about a job it no longer has
        self.say(f"{unit.call_sign} stood down from {order.incident}")
        unit.generation += 1  # the steps planned for the job are dropped
        self._stop_where_it_is(unit)
        unit.job = None
        self._go_home(unit)

    def _take_job(self, unit: SimulatedUnit, job: Job, phase: Phase) -> None:
        self._stop_where_it_is(unit)
        unit.generation += 1
        unit.job = job
        unit.phase = phase

    def _stop_where_it_is(self, unit: SimulatedUnit) -> None:
        if unit.drive is not None:
            unit.position = unit.drive.at(self.scheduler.clock.now()).point
            unit.drive = None

    def _resume(self, unit: SimulatedUnit, job: Job, phase: Phase) -> None:
        if job.deployment_id is not None:
            unit.deployments_seen.add(job.deployment_id)
        if job.message_id is not None:
            unit.messages_seen.add(job.message_id)
        self._take_job(unit, job, phase)
        doing = {Phase.MOBILISING: "getting ready for", Phase.EN_ROUTE: "driving to", Phase.ON_SCENE: "working at"}
        self.say(f"{unit.call_sign} carries on {doing.get(phase, 'with')} {job.incident}")
        if phase is Phase.MOBILISING:
            self._later(unit, self.timings.mobilise(unit.rng), self._set_off)
        elif phase is Phase.EN_ROUTE and job.destination is not None:
            self._drive(unit, job.destination, self._arrive)
        elif phase is Phase.ON_SCENE:
            share = unit.rng.uniform(0.2, 1.0)  # some of the work is done already
            self._later(unit, share * self.timings.on_scene(unit.rng, job.category), self._clear)

    def _deliver(self, unit: SimulatedUnit, report: Callable[[], None], what: str,
                 retry: Callable[[SimulatedUnit], None]) -> bool:
        """Send one report; False when it did not go through (a retry or the way home is planned)."""
        try:
            report()
        except ReportNotDelivered as failed:
            if failed.refused:
                self._refused(unit, what, failed.reason)
            else:
                log.warning("%s could not report %s: %s; trying again", unit.call_sign, what, failed.reason)
                self._later(unit, RETRY_AFTER_S, retry)
            return False
        return True

    def _refused(self, unit: SimulatedUnit, what: str, reason: str) -> None:
        """The desk will not have it (stood down meanwhile, most likely): give the job up and go home."""
        incident = unit.job.incident if unit.job is not None else "no incident"
        self.say(f"{unit.call_sign}'s {what} report for {incident} was refused ({reason}); "
                 f"back to {unit.station_name}")
        unit.generation += 1
        self._go_home(unit)

    def _acknowledge(self, unit: SimulatedUnit) -> None:
        job = unit.job
        assert job is not None
        try:
            self.terminal.acknowledge(unit.call_sign, job.message_id, job.deployment_id)
        except ReportNotDelivered as failed:
            if not failed.refused:
                log.warning("%s could not acknowledge %s: %s; trying again", unit.call_sign, job.incident,
                            failed.reason)
                self._later(unit, RETRY_AFTER_S, self._acknowledge)
                return
            # Acknowledged already (by voice, say) or stood down: the en-route report will tell.
            log.info("%s's acknowledgement of %s was not recorded: %s", unit.call_sign, job.incident, failed.reason)
        else:
            self.say(f"{unit.call_sign} acknowledged {job.incident}")
        unit.phase = Phase.MOBILISING
        self._later(unit, self.timings.mobilise(unit.rng), self._set_off)

    def _acknowledge_message(self, unit: SimulatedUnit, message: Job) -> None:
        try:
            self.terminal.acknowledge(unit.call_sign, message.message_id, message.deployment_id)
        except ReportNotDelivered as failed:
            log.warning("%s could not acknowledge message %s: %s", unit.call_sign, message.message_id, failed.reason)
            if not failed.refused and message.message_id is not None:
                unit.messages_seen.discard(message.message_id)  # a repeat of it will be acknowledged
            return
        self.say(f"{unit.call_sign} acknowledged message {message.message_id} about {message.incident}")

    def _set_off(self, unit: SimulatedUnit) -> None:
        job = unit.job
        assert job is not None
        assert job.destination is not None
        if not self._deliver(
            unit, lambda: self.terminal.report_status(unit.call_sign, UnitStatus.EN_ROUTE, job.deployment_id),
            "en route", self._set_off,
        ):
            return
        unit.phase = Phase.EN_ROUTE
        drive = self._drive(unit, job.destination, self._arrive)
        how = "" if drive.by_road else " (straight line)"
        self.say(f"{unit.call_sign} en route to {job.incident}, {drive.minutes} min{how}")

    def _drive(self, unit: SimulatedUnit, destination: Coordinate,
               then: Callable[[SimulatedUnit], None]) -> Drive:
        drive = self.roads.drive(unit.position, destination, self.scheduler.clock.now())
        unit.drive = drive
        self._later(unit, 0.0, lambda moving: self._move(moving, then))
        return drive

    def _move(self, unit: SimulatedUnit, then: Callable[[SimulatedUnit], None]) -> None:
        drive = unit.drive
        assert drive is not None
        now = self.scheduler.clock.now()
        where = drive.at(now)
        unit.position = where.point
        try:
            self.terminal.report_position(unit.call_sign, where.point, where.speed_kmh, where.heading)
        except ReportNotDelivered as failed:  # telemetry: the next one follows in a few seconds
            log.debug("%s's position was not delivered: %s", unit.call_sign, failed.reason)
        if now >= drive.arrives:
            unit.drive = None
            then(unit)
            return
        self._later(unit, min(self.position_every_s, drive.arrives - now), lambda moving: self._move(moving, then))

    def _arrive(self, unit: SimulatedUnit) -> None:
        job = unit.job
        assert job is not None
        if not self._deliver(
            unit, lambda: self.terminal.report_status(unit.call_sign, UnitStatus.ON_SCENE, job.deployment_id),
            "on scene", self._arrive,
        ):
            return
        unit.phase = Phase.ON_SCENE
        self.say(f"{unit.call_sign} on scene at {job.incident}{', ' + job.address if job.address else ''}")
        self._later(unit, self.timings.on_scene(unit.rng, job.category), self._clear)

    def _clear(self, unit: SimulatedUnit) -> None:
        job = unit.job
        assert job is not None
        if not self._deliver(
            unit, lambda: self.terminal.report_status(unit.call_sign, UnitStatus.CLEARED, job.deployment_id),
            "cleared", self._clear,
        ):
            return
        self.say(f"{unit.call_sign} cleared {job.incident}, returning to {unit.station_name}")
        self._go_home(unit)

    def _go_home(self, unit: SimulatedUnit) -> None:
        unit.phase = Phase.RETURNING
        if unit.position == unit.station:
            self._home(unit)
            return
        self._drive(unit, unit.station, self._home)

    def _home(self, unit: SimulatedUnit) -> None:
        try:
            self.terminal.report_status(unit.call_sign, UnitStatus.AVAILABLE, None)
        except ReportNotDelivered as failed:
            if not failed.refused:
                log.warning("%s could not report available: %s; trying again", unit.call_sign, failed.reason)
                self._later(unit, RETRY_AFTER_S, self._home)
                return
            log.info("%s's available report was not applied: %s", unit.call_sign, failed.reason)
        unit.phase = Phase.AVAILABLE
        unit.job = None
        self.say(f"{unit.call_sign} available at {unit.station_name}")


# -- The MDT protocol over MQTT --------------------------------------------------------------------


def _iso_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def read_deployment(payload: bytes, categories: Mapping[str, str]) -> Job:
    """A deployment message (docs/MDT_PROTOCOL.md) as the crew reads it; ``ValueError`` if it is not one.

    ``categories`` maps incident type names to their category: the terminal shows the type's name in
    the text, and the crew knows from it what sort of job (and how long) it is.
    """
    document = json.loads(payload.decode("utf-8"))
    if not isinstance(document, dict) or document.get("type") not in ("deployment", "stand_down"):
        raise ValueError("not a deployment or a stand-down (type is neither 'deployment' nor 'stand_down')")
    message_id = document.get("message_id")
    deployment_id = document.get("deployment_id")
    if isinstance(message_id, bool) or not isinstance(message_id, int) or message_id < 1:
        raise ValueError(f"message_id {message_id!r} is not a whole number from 1 up")
    if deployment_id is not None and (isinstance(deployment_id, bool) or not isinstance(deployment_id, int)):
        raise ValueError(f"deployment_id {deployment_id!r} is not a whole number")
    incident, text = document.get("incident"), f"{document.get('subject', '')} {document.get('text', '')}"
    if not isinstance(incident, str):
        raise ValueError("incident is missing")
    destination, address = None, ""
    place = document.get("location")
    if place is not None:
        if not isinstance(place, dict):
            raise ValueError("location is not an object with lat, lon and address")
        try:
            destination = Coordinate(place.get("lat"), place.get("lon"))  # type: ignore[arg-type]
        except InvalidValue as error:
            raise ValueError(str(error)) from None
        address = str(place.get("address") or "")
    named = [name for name in categories if name and name in text]
    category = categories[max(named, key=len)] if named else "general"
    return Job(incident, message_id, deployment_id, destination, address, category,
               stand_down=document.get("type") == "stand_down")


def _no_delay(client: paho.Client, userdata: Any, sock: Any) -> None:
    """Send each small report at once (Nagle's algorithm would hold it for the peer's delayed ACK)."""
    try:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    except (AttributeError, OSError):
        log.debug("TCP_NODELAY could not be set on the simulator's MQTT socket", exc_info=True)


class MqttFleetTerminal:
    """Every unit's mobile data terminal on one MQTT 5 connection (see the module doc).

    Deployments arrive on paho's network thread and go to ``on_deployment(call_sign, payload)``,
    which must only hand them on. Acknowledgements and status reports wait for the broker's PUBACK
    (QoS 1), so one that fails is known and retried; positions are queued without waiting, as the
    next one follows in seconds. The broker keeps the session ``session_expiry_s`` across a dropped
    connection, so deployments sent meanwhile still arrive.
    """

    def __init__(
        self,
        host: str,
        port: int,
        topic_prefix: str,
        on_deployment: Callable[[str, bytes], None],
        *,
        publish_timeout_s: float = 5.0,
        keepalive_s: int = 30,
        session_expiry_s: int = 300,
    ) -> None:
        self.where = f"mqtt://{host}:{port}"
        self.topic_prefix = topic_prefix
        self._on_deployment = on_deployment
        self._publish_timeout_s = publish_timeout_s
        self._session_expiry_s = session_expiry_s
        self._ready = threading.Event()
        self._settled = threading.Event()  # ready, or the first attempt failed: no point waiting longer
        self._problem = ""
        self._closed = False
        client = paho.Client(
            CallbackAPIVersion.VERSION2, client_id=f"supervisor-simulator-{uuid.uuid4().hex[:12]}",
            protocol=paho.MQTTv5,
        )
        client.reconnect_delay_set(1, 30)
        client.on_connect = self._connected
        client.on_connect_fail = self._connect_failed
        client.on_disconnect = self._disconnected
        client.on_subscribe = self._subscribed
        client.on_message = self._message
        client.on_socket_open = _no_delay
        properties = None
        if session_expiry_s:
            properties = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
            properties.SessionExpiryInterval = session_expiry_s
        client.connect_async(host, port, keepalive_s, clean_start=paho.MQTT_CLEAN_START_FIRST_ONLY,
                             properties=properties)
        self._client = client
        client.loop_start()

    @property
    def problem(self) -> str:
        """Why the broker cannot be used just now ("" when nothing is known to be wrong)."""
        return self._problem

    def wait_until_ready(self, timeout: float) -> bool:
        """True once connected and subscribed to the fleet's deployments; False when ``timeout`` ran
        out first or the broker refused or could not be reached (``problem`` says which)."""
        self._settled.wait(timeout)
        return self._ready.is_set()

    def _connected(self, client: paho.Client, userdata: Any, flags: Any, reason: ReasonCode, props: Any) -> None:
        if reason.is_failure:
            self._problem = f"refused the connection ({reason})"
            self._settled.set()
            return
        self._problem = ""
        client.subscribe(f"{self.topic_prefix}/units/+/deployment", qos=1)

    def _connect_failed(self, client: paho.Client, userdata: Any) -> None:
        self._problem = "could not be reached (nothing answered, or it refused the connection)"
        self._settled.set()

    def _disconnected(self, client: paho.Client, userdata: Any, flags: Any, reason: ReasonCode, props: Any) -> None:
        self._ready.clear()
        if not self._closed:
            self._problem = f"dropped the connection ({reason})"

    def _subscribed(self, client: paho.Client, userdata: Any, mid: int, reasons: list[ReasonCode], props: Any) -> None:
        refused = [str(reason) for reason in reasons if reason.is_failure]
        if refused:
            self._problem = f"refused the subscription to the fleet's deployments ({', '.join(refused)})"
            log.error("The MQTT broker at %s %s; check its access rules", self.where, self._problem)
            self._settled.set()
            return
        self._ready.set()
        self._settled.set()

    def _message(self, client: paho.Client, userdata: Any, message: paho.MQTTMessage) -> None:
        head = f"{self.topic_prefix}/units/"
        levels = message.topic.removeprefix(head).split("/")
        if not message.topic.startswith(head) or len(levels) != 2 or levels[1] != "deployment":
            return
        try:
            self._on_deployment(levels[0], bytes(message.payload))
        except Exception:  # nothing may stop the network thread
            log.exception("A deployment on %s could not be handled", message.topic)

    def _topic(self, call_sign: str, kind: str) -> str:
        if not _CALL_SIGN.match(call_sign):
            raise ReportNotDelivered(f"{call_sign!r} is not a call sign that can be a topic level", refused=True)
        return f"{self.topic_prefix}/units/{call_sign}/{kind}"

    def _publish(self, topic: str, document: dict[str, Any], *, wait: bool) -> None:
        if self._closed:
            raise ReportNotDelivered(f"the MQTT link to {self.where} is closed", refused=False)
        if not self._ready.is_set():
            raise ReportNotDelivered(f"the MQTT broker at {self.where} {self._problem or 'is not connected'}",
                                     refused=False)
        info = self._client.publish(topic, json.dumps(document).encode("utf-8"), qos=1)
        if info.rc != MQTTErrorCode.MQTT_ERR_SUCCESS:
            raise ReportNotDelivered(f"the MQTT link could not take it ({paho.error_string(info.rc)})", refused=False)
        if not wait:
            return
        try:
            info.wait_for_publish(self._publish_timeout_s)
        except (RuntimeError, ValueError) as error:
            raise ReportNotDelivered(f"the MQTT link failed while sending ({error})", refused=False) from None
        if not info.is_published():
            raise ReportNotDelivered(
                f"the broker at {self.where} did not confirm it within {self._publish_timeout_s:g} s", refused=False
            )

    def acknowledge(self, call_sign: str, message_id: int | None, deployment_id: int | None) -> None:
        if message_id is None:  # a deployment found without its message: acknowledge it by status
            document: dict[str, Any] = {"deployment_id": deployment_id, "status": "acknowledged", "at": _iso_now()}
            self._publish(self._topic(call_sign, "status"), document, wait=True)
            return
        document = {"message_id": message_id, "deployment_id": deployment_id, "at": _iso_now()}
        self._publish(self._topic(call_sign, "ack"), document, wait=True)

    def report_status(self, call_sign: str, status: UnitStatus, deployment_id: int | None) -> None:
        document = {"deployment_id": deployment_id, "status": status.value, "at": _iso_now()}
        self._publish(self._topic(call_sign, "status"), document, wait=True)

    def report_position(
        self, call_sign: str, point: Coordinate, speed_kmh: float | None, heading: float | None
    ) -> None:
        document = {
            "lat": round(point.lat, 6),
            "lon": round(point.lon, 6),
            "speed_kmh": None if speed_kmh is None else round(speed_kmh, 1),
            "heading": None if heading is None else round(heading) % 360,
            "at": _iso_now(),
        }
        self._publish(self._topic(call_sign, "position"), document, wait=False)

    def close(self) -> None:
        """Disconnect, ending the broker's session for the fleet, and stop the network thread."""
        if self._closed:
            return
        self._closed = True
        ending = None
        if self._session_expiry_s:
            ending = Properties(PacketTypes.DISCONNECT)  # type: ignore[no-untyped-call]
            ending.SessionExpiryInterval = 0
        self._client.disconnect(properties=ending)
        self._client.loop_stop()


# -- Through the services, without a broker ------------------------------------------------------


class DatabaseTerminal:
    """Reports applied through the services, as the desk applies its units' MDT reports.

    A refusal by the services (a deployment stood down, a move the resource's life cycle does not
    allow) is ``ReportNotDelivered(refused=True)``; a database that cannot be reached is
    ``refused=False``, and the unit tries again.
    """

    def __init__(self, engine: Engine, actor: Actor, resource_ids: Mapping[str, int]) -> None:
        self.engine = writer(engine)
        self.actor = actor
        self.resource_ids = dict(resource_ids)

    def _session(self) -> Session:
        return Session(self.engine, expire_on_commit=False)

    def acknowledge(self, call_sign: str, message_id: int | None, deployment_id: int | None) -> None:
        try:
            with self._session() as session:
                recorded = record_acknowledgement(
                    session, self.actor, call_sign=call_sign, deployment_id=deployment_id, message_id=message_id,
                    at=datetime.now(UTC),
                )
        except DomainError as refused:
            raise ReportNotDelivered(str(refused), refused=True) from None
        except SQLAlchemyError as error:
            raise ReportNotDelivered(f"the database could not be written ({error.__class__.__name__})",
                                     refused=False) from None
        if not recorded.matched:
            raise ReportNotDelivered(recorded.reason, refused=True)

    def report_status(self, call_sign: str, status: UnitStatus, deployment_id: int | None) -> None:
        """Apply a status report; "available" only to a unit still returning, at the version read.

        Available cancels a resource's live deployment, so a unit reaching its station just as the
        desk re-tasks it must not stand itself down from the new job: the report is applied only if
        the resource is still returning, and the version check refuses it if the desk got there in
        between.
        """
        resource_id = self.resource_ids[call_sign]
        try:
            with self._session() as session:
                expected = None
                if status is UnitStatus.AVAILABLE:
                    now, expected = session.execute(
                        select(Resource.status, Resource.version).where(Resource.id == resource_id)
                    ).one()
                    session.rollback()  # the service runs its own transaction
                    if now != ResourceStatus.RETURNING.value:
                        raise ReportNotDelivered(f"{call_sign} is {now.replace('_', ' ')}, not returning",
                                                 refused=True)
                change_resource_status(
                    session, self.actor, resource_id, RESOURCE_STATUS_FOR_REPORT[status],
                    expected_version=expected, reason=REPORTED_BY_TERMINAL,
                )
        except DomainError as refused:
            raise ReportNotDelivered(str(refused), refused=True) from None
        except SQLAlchemyError as error:
            raise ReportNotDelivered(f"the database could not be written ({error.__class__.__name__})",
                                     refused=False) from None

    def report_position(
        self, call_sign: str, point: Coordinate, speed_kmh: float | None, heading: float | None
    ) -> None:
        try:
            with self._session() as session:
                report_position(session, self.actor, call_sign, point.lat, point.lon)
        except DomainError as refused:
            raise ReportNotDelivered(str(refused), refused=True) from None
        except SQLAlchemyError as error:
            raise ReportNotDelivered(f"the database could not be written ({error.__class__.__name__})",
                                     refused=False) from None

