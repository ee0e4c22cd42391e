"""The field-unit simulator: units that answer the desk, and referrals that keep arriving.

A control room is only alive when its units answer. ``Simulator`` plays every resource of the
database as a crew with a mobile data terminal (``units``), over the MQTT broker exactly as real
terminals do, or without one straight through the services; and, if asked, a partner that refers
incidents (``incidents``). Simulated time can run faster than real time (``clock``), so a demo
shows a busy shift in minutes and a test watches a whole deployment in seconds.

It runs beside the desk and never instead of it: it writes only through the services, as the user
it is given, so everything it does is checked, logged, audited and announced to every desk like a
person's work. It reads the tables to find its fleet and the deployments waiting for it (the
services offer no such read, and a simulator is allowed to see the whole board), and the
deployments called off that did not reach the crew as an MDT stand-down (voice and text, or every
one without a broker): the crew hears of those as it would on the radio, and goes back.

Plain Python, no Qt: ``supervisor-app simulate`` runs it on the command line (``cli_simulate``),
and the tests run it in-process against a real broker and real databases.
"""

from __future__ import annotations

import logging
import random
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Engine, func, select
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from supervisor_app.domain.deployments import DeploymentStatus
from supervisor_app.domain.errors import DomainError, InvalidValue
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.people import Action, Actor, require
from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.pack import OrganisationPack
from supervisor_app.simulation.clock import Roads, Scheduler, SimulatedClock, Timings
from supervisor_app.simulation.incidents import IncidentGenerator
from supervisor_app.simulation.units import (
    POSITION_EVERY_S,
    DatabaseTerminal,
    Fleet,
    Job,
    MqttFleetTerminal,
    Phase,
    SimulatedUnit,
    UnitTerminal,
    read_deployment,
)
from supervisor_app.store.models import Deployment, Incident, Message, Resource, Station

log = logging.getLogger(__name__)

#: The channel whose deployments reach the simulated terminals over the broker; deployments by any
#: other channel (voice, SMS, e-mail) reach the crew another way, so the simulator finds them in
#: the database.
MDT_CHANNEL = "mdt"
BROKER_READY_TIMEOUT_S = 10.0

__all__ = [
    "Broker",
    "SimulationError",
    "SimulationOptions",
    "Simulator",
]


class SimulationError(DomainError):
    """The simulation cannot start: what is missing and what to do about it."""


@dataclass(frozen=True)
class Broker:
    """Where the units' terminals connect, and the organisation's branch of topics on it."""

    host: str
    port: int
    topic_prefix: str


@dataclass(frozen=True)
class SimulationOptions:
    """How the simulation runs. Times are simulated seconds unless they say real.

    ``speed`` runs simulated time that many times faster than real time. ``ack_delay_s`` None
    draws a crew's realistic delay (about 30 s); ``on_scene_s`` None draws the time on scene by
    incident type. ``incidents_per_hour`` (per simulated hour) 0 sends no referrals.
    ``poll_every_s`` is real time between looks at the database for deployments waiting.
    """

    speed: float = 1.0
    ack_delay_s: float | None = None
    on_scene_s: float | None = None
    incidents_per_hour: float = 0.0
    auto_assess: bool = False
    seed: int | None = None
    poll_every_s: float = 1.0
    position_every_s: float = POSITION_EVERY_S

    def __post_init__(self) -> None:
        if not self.incidents_per_hour >= 0:
            raise InvalidValue("incidents per hour", self.incidents_per_hour, "0 or more")
        if not self.poll_every_s > 0:
            raise InvalidValue("database poll interval", self.poll_every_s, "a number of seconds above 0")
        if not self.position_every_s > 0:
            raise InvalidValue("position interval", self.position_every_s, "a number of seconds above 0")


@dataclass(frozen=True)
class FleetMember:
    """A resource as the simulator finds it at the start."""

    call_sign: str
    resource_id: int
    status: ResourceStatus
    station: Coordinate
    station_name: str
    position: Coordinate | None


def read_fleet(session: Session) -> list[FleetMember]:
    """Every resource of the database with its station, by call sign."""
    rows = session.execute(
        select(Resource.call_sign, Resource.id, Resource.status, Station.lat, Station.lon, Station.name,
               Resource.lat, Resource.lon)
        .join(Station, Station.id == Resource.station_id)
        .order_by(Resource.call_sign)
    ).all()
    return [
        FleetMember(call_sign, resource_id, ResourceStatus(status), Coordinate(station_lat, station_lon), name,
                    None if lat is None or lon is None else Coordinate(lat, lon))
        for call_sign, resource_id, status, station_lat, station_lon, name, lat, lon in rows
    ]


def _latest_messages(session: Session, deployment_ids: list[int], *, purpose: str | None = None) -> dict[int, int]:
    """The newest message (of ``purpose``, if given) of each of the deployments, by deployment id."""
    query = (select(Message.deployment_id, func.max(Message.id))
             .where(Message.deployment_id.in_(deployment_ids)).group_by(Message.deployment_id))
    if purpose is not None:
        query = query.where(Message.purpose == purpose)
    return {deployment_id: message_id for deployment_id, message_id in session.execute(query).all()
            if deployment_id is not None}


def read_deployments(
    session: Session,
    pack: OrganisationPack,
    statuses: Iterable[DeploymentStatus],
    *,
    except_channels: Iterable[str] = (),
) -> list[tuple[str, Job, DeploymentStatus]]:
    """Deployments in ``statuses`` (not by ``except_channels``): the unit, the job as its crew has it,
    and where the deployment stands. The job carries the deployment's latest message."""
    rows = session.execute(
        select(Deployment.id, Deployment.status, Resource.call_sign, Incident.reference, Incident.incident_type,
               Incident.lat, Incident.lon, Incident.address)
        .join(Resource, Resource.id == Deployment.resource_id)
        .join(Incident, Incident.id == Deployment.incident_id)
        .where(Deployment.status.in_([status.value for status in statuses]),
               Deployment.channel.not_in(list(except_channels)))
        .order_by(Deployment.id)
    ).all()
    if not rows:
        return []
    latest = _latest_messages(session, [row[0] for row in rows])
    found = []
    for deployment_id, status, call_sign, reference, incident_type, lat, lon, address in rows:
        try:
            category = pack.incident_type(incident_type).category
        except KeyError:
            category = "general"
        job = Job(reference, latest.get(deployment_id), deployment_id, Coordinate(lat, lon), address, category)
        found.append((call_sign, job, DeploymentStatus(status)))
    return found


#: Cancellations committed out of order by up to this long are still found by the next look.
STAND_DOWN_OVERLAP = timedelta(seconds=5)


def read_stand_downs(
    session: Session, since: datetime, *, except_channels: Iterable[str] = ()
) -> list[tuple[str, Job, datetime]]:
    """Deployments called off since ``since`` (not by ``except_channels``): the unit, the stand-down
    as its crew hears it (with the cancellation message, if one was written), and when."""
    rows = session.execute(
        select(Deployment.id, Resource.call_sign, Incident.reference, Deployment.cancelled_at)
        .join(Resource, Resource.id == Deployment.resource_id)
        .join(Incident, Incident.id == Deployment.incident_id)
        .where(Deployment.status == DeploymentStatus.CANCELLED.value, Deployment.cancelled_at > since,
               Deployment.channel.not_in(list(except_channels)))
        .order_by(Deployment.cancelled_at, Deployment.id)
    ).all()
    if not rows:
        return []
    told = _latest_messages(session, [row[0] for row in rows], purpose="cancellation")
    return [(call_sign, Job(reference, told.get(deployment_id), deployment_id, None, stand_down=True), cancelled_at)
            for deployment_id, call_sign, reference, cancelled_at in rows if cancelled_at is not None]


_RESUMED_PHASE = {
    DeploymentStatus.ACKNOWLEDGED: Phase.MOBILISING,
    DeploymentStatus.EN_ROUTE: Phase.EN_ROUTE,
    DeploymentStatus.ON_SCENE: Phase.ON_SCENE,
}


class Simulator:
    """The whole simulation: ``start`` it, let it run, ``stop`` it (or use it as a context manager).

    ``say`` receives one line per event, already stamped with the time of day in the pack's time
    zone ("12:03:05 G11 acknowledged INC-20261123-0042"); it is called from the simulator's threads.
    With ``broker`` None the units report through the services instead of MQTT.
    """

    def __init__(
        self,
        engine: Engine,
        actor: Actor,
        pack: OrganisationPack,
        options: SimulationOptions | None = None,
        *,
        broker: Broker | None,
        say: Callable[[str], None],
    ) -> None:
        self.engine = engine
        self.actor = actor
        self.pack = pack
        self.options = options or SimulationOptions()
        self.broker = broker
        self._say = say
        self._zone = ZoneInfo(pack.timezone)
        self._output = threading.Lock()
        self.clock = SimulatedClock(self.options.speed)
        self.scheduler = Scheduler(self.clock)
        self.fleet: Fleet | None = None
        self.incidents: IncidentGenerator | None = None
        self._mqtt: MqttFleetTerminal | None = None
        self._stop_polling = threading.Event()
        self._poller: threading.Thread | None = None

    def say(self, text: str) -> None:
        with self._output:
            self._say(f"{datetime.now(self._zone):%H:%M:%S} {text}")

    @property
    def description(self) -> str:
        units = len(self.fleet.units) if self.fleet else 0
        how = (f"over MQTT at {self.broker.host}:{self.broker.port} ({self.broker.topic_prefix})" if self.broker
               else "through the database (no broker)")
        return f"{units} units of {self.pack.name} {how}, speed x{self.options.speed:g}"

    def _check_permissions(self) -> None:
        """Refuse at once, naming the permission, rather than on the first unit's report."""
        if self.broker is None:
            require(self.actor, Action.CHANGE_RESOURCE_STATUS)
        if self.options.incidents_per_hour > 0:
            require(self.actor, Action.RECEIVE_REFERRAL)
            if self.options.auto_assess:
                require(self.actor, Action.CREATE_INCIDENT)

    def start(self) -> None:
        """Find the fleet, connect its terminals, carry on jobs under way, and set everything running.

        Raises ``SimulationError`` when the broker cannot be reached and a ``PermissionDenied`` when
        the user may not do what the simulation needs.
        """
        self._check_permissions()
        try:
            self._start()
        except BaseException:
            self.stop()
            raise

    def _start(self) -> None:
        with Session(self.engine) as session:
            members = read_fleet(session)
            under_way = read_deployments(session, self.pack, (
                DeploymentStatus.REQUESTED, *_RESUMED_PHASE))
        seed = self.options.seed
        units = [
            SimulatedUnit(
                member.call_sign, member.station, member.station_name, member.position or member.station,
                random.Random(f"{seed}/{member.call_sign}" if seed is not None else None),
            )
            for member in members
        ]
        terminal = self._terminal({member.call_sign: member.resource_id for member in members})
        timings = Timings(self.options.ack_delay_s, self.options.on_scene_s)
        self.fleet = Fleet(units, terminal, self.scheduler, Roads(self.pack.street_network()), timings, self.say,
                           position_every_s=self.options.position_every_s)
        busy: set[str] = set()
        for call_sign, job, status in under_way:
            busy.add(call_sign)
            if status is DeploymentStatus.REQUESTED:
                self.fleet.deployment_received(call_sign, job)
            else:
                self.fleet.resume(call_sign, job, _RESUMED_PHASE[status])
        for member in members:
            if member.status is ResourceStatus.RETURNING and member.call_sign not in busy:
                self.fleet.return_to_station(member.call_sign)
        if self.options.incidents_per_hour > 0:
            self.incidents = IncidentGenerator(
                self.engine, self.actor, self.pack, self.scheduler, self.say,
                per_hour=self.options.incidents_per_hour, auto_assess=self.options.auto_assess, seed=seed,
            )
            self.incidents.start()
        self.scheduler.start()
        self._poller = threading.Thread(target=self._poll, name="simulator-poll", daemon=True)
        self._poller.start()

    def _terminal(self, resource_ids: dict[str, int]) -> UnitTerminal:
        if self.broker is None:
            return DatabaseTerminal(self.engine, self.actor, resource_ids)
        categories = {incident_type.name: incident_type.category for incident_type in self.pack.incident_types}

        def deployment(call_sign: str, payload: bytes) -> None:
            try:
                job = read_deployment(payload, categories)
            except (ValueError, UnicodeDecodeError) as malformed:
                log.warning("%s ignored a malformed deployment: %s", call_sign, malformed)
                return
            # Through the scheduler, which runs only once the fleet exists: a deployment that
            # arrives while the simulator is still starting waits instead of being lost.
            self.scheduler.soon(lambda: self._fleet().deployment_received(call_sign, job))

        broker = self.broker
        self._mqtt = MqttFleetTerminal(broker.host, broker.port, broker.topic_prefix, deployment)
        if not self._mqtt.wait_until_ready(BROKER_READY_TIMEOUT_S):
            problem = self._mqtt.problem or f"did not answer within {BROKER_READY_TIMEOUT_S:g} s"
            self._mqtt.close()
            self._mqtt = None
            raise SimulationError(
                f"The MQTT broker at {broker.host}:{broker.port} {problem}. "
                "Start the broker (the demo uses Mosquitto on 127.0.0.1:1883), name it with --broker HOST:PORT, "
                "or simulate without one: --no-broker."
            )
        return self._mqtt

    def _fleet(self) -> Fleet:
        assert self.fleet is not None, "the fleet is built before the scheduler starts"
        return self.fleet

    def _poll(self) -> None:
        """Look for deployments waiting for a unit that do not come over the broker (all of them
        without one), until stopped."""
        except_channels = (MDT_CHANNEL,) if self.broker is not None else ()
        since = datetime.now(UTC) - STAND_DOWN_OVERLAP
        heard: dict[int, datetime] = {}  # stand-downs already passed to the crews, and when they were made
        while not self._stop_polling.wait(self.options.poll_every_s):
            try:
                with Session(self.engine) as session:
                    waiting = read_deployments(session, self.pack, (DeploymentStatus.REQUESTED,),
                                               except_channels=except_channels)
                    called_off = read_stand_downs(session, since, except_channels=except_channels)
            except SQLAlchemyError as error:
                log.warning("The simulator could not read the deployments waiting: %s", error)
                continue
            except Exception:  # the poll must outlive any one failure, as the scheduler does
                log.exception("Looking for deployments waiting failed; the simulator looks again")
                continue
            for call_sign, job, _status in waiting:
                self._fleet().deployment_received(call_sign, job)
            for call_sign, order, cancelled_at in called_off:
                if order.deployment_id is not None and order.deployment_id not in heard:
                    heard[order.deployment_id] = cancelled_at
                    self._fleet().deployment_received(call_sign, order)  # only the crew on that job goes back
                since = max(since, cancelled_at - STAND_DOWN_OVERLAP)
            heard = {deployment_id: at for deployment_id, at in heard.items() if at > since}

    def stop(self) -> None:
        """Stop polling, stop the units (their next steps are dropped) and disconnect; idempotent."""
        self._stop_polling.set()
        if self._poller is not None:
            self._poller.join(10)
            self._poller = None
        self.scheduler.stop()
        if self._mqtt is not None:
            self._mqtt.close()
            self._mqtt = None

    def __enter__(self) -> Simulator:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.stop()
