"""The field-unit simulator against a real broker and real databases: the desk deploys, the units
answer, drive, work and come home; referrals arrive and are assessed; the command line runs it.

The desk side is the real one (``Dispatcher`` sending the outbox through an ``MdtLink``, and
``UnitReports`` applying what the units report), so these tests also show that the MDT protocol as
documented is enough for a terminal written from it.
"""

from __future__ import annotations

import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from supervisor_app.comms.channels import AcknowledgementReceived, InboundEvent, MdtLink, MqttSettings, OutboundMessage
from supervisor_app.comms.dispatcher import Dispatcher, UnitReports
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.incidents import IncidentLocation, NewIncident, ReferralSource, ResponseRequirement
from supervisor_app.domain.people import Actor
from supervisor_app.domain.procedures import DecisionPath, replay
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.deployments import DeploymentOrder, deploy_resources
from supervisor_app.services.incidents import create_incident
from supervisor_app.services.referrals import waiting_referrals
from supervisor_app.simulation import Broker, SimulationOptions, Simulator
from supervisor_app.simulation.clock import Roads
from supervisor_app.simulation.incidents import PARTNER, referral_plan
from supervisor_app.store.engine import make_engine, writer
from supervisor_app.store.models import Deployment, Incident, LogEntry, Message, Referral, Resource
from tests.services.conftest import Organisation, build_organisation
from tests.support.cli import cli_environment, run_cli

#: Fast enough that a whole job (mobilise, a kilometre's drive, a minute on scene, the drive home)
#: takes a few seconds, slow enough that a poll every 10 ms sees the unit move.
SPEED = 300.0
DEADLINE_S = 30.0


pytestmark = pytest.mark.usefixtures("no_new_threads")


@pytest.fixture
def broker(mqtt_broker: tuple[str, int]) -> Broker:
    """The broker, with a topic prefix of the test's own so tests running together never meet."""
    host, port = mqtt_broker
    return Broker(host, port, f"test/{uuid.uuid4().hex[:12]}")


class Lines:
    """What the simulator says, kept for the test (it is called from the simulator's threads)."""

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._lock = threading.Lock()

    def __call__(self, line: str) -> None:
        with self._lock:
            self._lines.append(line)

    def matching(self, pattern: str) -> list[str]:
        with self._lock:
            return [line for line in self._lines if re.search(pattern, line)]


def wait_for(condition: Callable[[], bool], what: str, timeout: float = DEADLINE_S) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return
        time.sleep(0.02)
    pytest.fail(f"{what} did not happen within {timeout:g} s")


@dataclass(frozen=True)
class Job:
    incident_id: int
    reference: str
    resource_id: int
    call_sign: str
    deployment_id: int
    destination: Coordinate
    station: Coordinate


def deploy_far_away(org: Organisation, pack: OrganisationPack, supervisor: Actor, metres: float = 1000) -> Job:
    """An incident at the gazetteer address nearest ``metres`` from the first station, and the
    station's first resource deployed there by MDT."""
    station = pack.stations[0]
    home = Coordinate(station.lat, station.lon)
    place = min(pack.gazetteer(), key=lambda p: abs(p.location.distance_m(home) - metres))
    resource = station.resources[0]
    draft = NewIncident(
        incident_type=pack.incident_types[0].code,
        priority=pack.incident_types[0].default_priority,
        location=IncidentLocation(place.location, place.label),
        source=ReferralSource.PHONE,
        summary="Strong smell of gas in the stairwell",
        required_response=(ResponseRequirement(resource.type, 1),),
    )
    with org.session() as session:
        incident_id = create_incident(session, supervisor, draft, pack).incident_id
    resource_id = org.resource_ids[resource.call_sign]
    with org.session() as session:
        deployed = deploy_resources(session, supervisor, incident_id, [DeploymentOrder(resource_id, "mdt")], pack)
    return Job(incident_id, deployed.reference, resource_id, resource.call_sign,
               deployed.resources[0].deployment_id, place.location, home)


@dataclass(frozen=True)
class Sample:
    resource_status: str
    deployment_status: str
    position: Coordinate | None


def follow(engine: Engine, job: Job) -> list[Sample]:
    """Every distinct state of the resource and its deployment, polled until the unit is back."""
    samples: list[Sample] = []
    deadline = time.monotonic() + DEADLINE_S
    while time.monotonic() < deadline:
        with Session(engine) as session:
            resource = session.get(Resource, job.resource_id)
            deployment = session.get(Deployment, job.deployment_id)
            assert resource is not None
            assert deployment is not None
            position = None if resource.lat is None or resource.lon is None else Coordinate(resource.lat, resource.lon)
            sample = Sample(resource.status, deployment.status, position)
        if not samples or samples[-1] != sample:
            samples.append(sample)
        if sample.resource_status == "available" and sample.deployment_status == "cleared":
            return samples
        time.sleep(0.01)
    pytest.fail(f"{job.call_sign} did not come back within {DEADLINE_S:g} s; last seen {samples[-3:]}")


def check_the_whole_job(engine: Engine, job: Job, samples: list[Sample], lines: Lines | None) -> None:
    """Acknowledged, en route moving towards the incident, on scene there, cleared, home and available."""
    en_route = [s.position for s in samples if s.deployment_status == "en_route" and s.position is not None]
    assert len(set(en_route)) >= 3, f"too few positions seen while en route: {en_route}"
    assert en_route[-1].distance_m(job.destination) < en_route[0].distance_m(job.destination)
    on_scene = [s.position for s in samples if s.deployment_status == "on_scene" and s.position is not None]
    assert any(point.distance_m(job.destination) < 5 for point in on_scene), on_scene
    final = samples[-1]
    assert final.position is not None
    assert final.position.distance_m(job.station) < 5
    with Session(engine) as session:
        deployment = session.get(Deployment, job.deployment_id)
        assert deployment is not None
        stamps = [deployment.acknowledged_at, deployment.en_route_at, deployment.on_scene_at, deployment.cleared_at]
        assert None not in stamps
        assert stamps == sorted(stamps)  # type: ignore[type-var]
        codes = session.scalars(
            select(LogEntry.code).where(LogEntry.incident_id == job.incident_id).order_by(LogEntry.id)
        ).all()
    assert [code for code in codes if code in ("ACK", "ENRT", "ONSC", "CLR")] == ["ACK", "ENRT", "ONSC", "CLR"]
    if lines is None:
        return
    said = lines.matching(rf"^\d\d:\d\d:\d\d {job.call_sign} ")
    assert [line.split(" ", 2)[2].split(" ")[0] for line in said] == [
        "acknowledged", "en", "on", "cleared", "available"
    ], said
    assert re.search(rf"en route to {job.reference}, \d+ min$", said[1]), "a road route, with its minutes"


def options(**changes: object) -> SimulationOptions:
    base: dict[str, object] = {"speed": SPEED, "ack_delay_s": 0.0, "on_scene_s": 60.0, "seed": 7}
    base.update(changes)
    return SimulationOptions(**base)  # type: ignore[arg-type]


def test_a_unit_answers_a_deployment_over_mqtt_and_comes_home(
    engine: Engine, pack: OrganisationPack, broker: Broker, supervisor: Actor, operator: Actor
) -> None:
    org = build_organisation(engine, pack)
    lines = Lines()
    reports = UnitReports(engine, supervisor)
    link = MdtLink(MqttSettings(host=broker.host, port=broker.port, session_expiry_s=0), broker.topic_prefix, reports)
    dispatcher = Dispatcher(engine, supervisor, {"mdt": link}, interval_s=0.1)
    simulator = Simulator(engine, operator, pack, options(), broker=broker, say=lines)
    try:
        assert link.wait_until_connected(10)
        simulator.start()
        dispatcher.start()
        job = deploy_far_away(org, pack, supervisor)
        dispatcher.wake()
        samples = follow(engine, job)
    finally:
        simulator.stop()
        dispatcher.stop()  # closes the link
        reports.stop()
    check_the_whole_job(engine, job, samples, lines)
    with Session(engine) as session:  # the deployment went out as an MDT message
        statuses = session.scalars(select(Message.status).where(Message.deployment_id == job.deployment_id)).all()
        assert len(statuses) == 1
        assert statuses[0] in ("sent", "acknowledged")


def test_without_a_broker_the_units_find_deployments_in_the_database(
    engine: Engine, pack: OrganisationPack, supervisor: Actor, operator: Actor
) -> None:
    org = build_organisation(engine, pack)
    lines = Lines()
    simulator = Simulator(engine, operator, pack, options(poll_every_s=0.1), broker=None, say=lines)
    try:
        simulator.start()
        job = deploy_far_away(org, pack, supervisor)
        samples = follow(engine, job)
    finally:
        simulator.stop()
    check_the_whole_job(engine, job, samples, lines)
    with Session(engine) as session:  # written as the simulator's user, through the services
        authors = set(session.scalars(
            select(LogEntry.author).where(LogEntry.incident_id == job.incident_id, LogEntry.code != "DEPLOY")
            .where(LogEntry.code.in_(["ACK", "ENRT", "ONSC", "CLR"]))
        ))
    assert authors == {operator.username}


def test_a_deployment_delivered_twice_is_shown_and_acknowledged_once(
    sqlite_url: str, pack: OrganisationPack, broker: Broker, operator: Actor
) -> None:
    engine = make_engine(sqlite_url)
    org = build_organisation(engine, pack)
    call_sign = next(iter(org.resource_ids))
    heard: list[InboundEvent] = []
    lines = Lines()
    link = MdtLink(MqttSettings(host=broker.host, port=broker.port, session_expiry_s=0), broker.topic_prefix,
                   heard.append)
    simulator = Simulator(engine, operator, pack, options(speed=1.0), broker=broker, say=lines)
    message = OutboundMessage(
        message_id=42, channel="mdt", recipient=call_sign, subject="Gas escape", body="INC-20261123-0042 | Gas escape",
        incident_reference="INC-20261123-0042", deployment_id=7, location=(60.1702, 24.9387),
        address="Mannerheimintie 5",
    )
    try:
        assert link.wait_until_connected(10)
        simulator.start()
        link.send(message)
        link.send(message)  # a retry after a lost confirmation: the same message id again
        wait_for(lambda: any(isinstance(event, AcknowledgementReceived) for event in heard), "an acknowledgement")
        time.sleep(0.5)  # time enough for a second one to arrive, if it were sent
    finally:
        simulator.stop()
        link.close()
        engine.dispose()
    acknowledgements = [event for event in heard if isinstance(event, AcknowledgementReceived)]
    assert [(a.call_sign, a.message_id, a.deployment_id) for a in acknowledgements] == [(call_sign, 42, 7)]
    assert len(lines.matching(rf"{call_sign} acknowledged INC-20261123-0042$")) == 1


def test_referrals_arrive_as_planned_by_the_seed(
    engine: Engine, pack: OrganisationPack, operator: Actor
) -> None:
    build_organisation(engine, pack)
    per_hour, horizon_s = 120.0, 900.0
    plan = referral_plan(random.Random("11/referrals"), pack, per_hour)
    expected = []
    for planned in plan:
        if planned.at_s > horizon_s:
            break
        expected.append(planned)
    assert len(expected) >= 10
    lines = Lines()
    simulator = Simulator(engine, operator, pack, options(speed=1500, incidents_per_hour=per_hour, seed=11),
                          broker=None, say=lines)

    def arrived() -> list[Referral]:
        with Session(engine) as session:
            return list(session.scalars(select(Referral).order_by(Referral.id)))

    try:
        simulator.start()
        wait_for(lambda: len(arrived()) >= len(expected), f"{len(expected)} referrals")
        reached_at = simulator.clock.now()
    finally:
        simulator.stop()
    assert reached_at >= expected[-1].at_s  # none came early
    got = arrived()[: len(expected)]
    assert [(r.partner, r.incident_type, r.address, r.summary) for r in got] == [
        (PARTNER, p.incident_type, p.address, p.summary) for p in expected
    ]
    assert [r.external_reference.rsplit("-", 1)[1] for r in got] == [f"{p.number:04d}" for p in expected]
    with Session(writer(engine)) as session:  # in the desk's assessment queue
        queue = {w.external_reference for w in waiting_referrals(session, operator)}
    assert {r.external_reference for r in got} <= queue
    assert len(lines.matching(f"{PARTNER} SIM-.* referred: ")) >= len(expected)


def test_auto_assessed_referrals_become_incidents_whose_decision_paths_replay(
    engine: Engine, pack: OrganisationPack, operator: Actor
) -> None:
    build_organisation(engine, pack)
    simulator = Simulator(engine, operator, pack, options(incidents_per_hour=600, auto_assess=True, seed=5),
                          broker=None, say=Lines())

    def incidents() -> list[Incident]:
        with Session(engine) as session:
            return list(session.scalars(select(Incident).order_by(Incident.id)))

    try:
        simulator.start()
        wait_for(lambda: len(incidents()) >= 5, "five assessed incidents")
    finally:
        simulator.stop()
    with Session(engine) as session:
        for incident in incidents():
            record = incident.assessment
            assert record is not None
            procedure = pack.procedure(incident.incident_type)
            replayed = replay(procedure, DecisionPath.from_dict(record["path"]))
            assert replayed.outcome is not None
            assert replayed.outcome.id == record["outcome"]["id"]
            assert all(check["confirmed"] for check in record["checks"])
            assert record["advice"]["given"] is True
            referral = session.scalars(select(Referral).where(Referral.incident_id == incident.id)).one()
            assert (referral.status, referral.partner) == ("assessed", PARTNER)
            first = session.scalars(
                select(LogEntry.code).where(LogEntry.incident_id == incident.id).order_by(LogEntry.id)
            ).first()
            assert first == "REF"


def test_a_unit_re_tasked_on_its_way_back_takes_the_new_job(
    sqlite_url: str, pack: OrganisationPack, supervisor: Actor, operator: Actor
) -> None:
    engine = make_engine(sqlite_url)
    org = build_organisation(engine, pack)
    lines = Lines()
    simulator = Simulator(engine, operator, pack, options(speed=200, on_scene_s=30, poll_every_s=0.05),
                          broker=None, say=lines)
    try:
        simulator.start()
        first = deploy_far_away(org, pack, supervisor)

        def status() -> str:
            with Session(engine) as session:
                resource = session.get(Resource, first.resource_id)
                assert resource is not None
                return resource.status

        wait_for(lambda: status() == "returning", f"{first.call_sign} clearing the first job")
        second = deploy_far_away(org, pack, supervisor, 2000)  # returning units may be re-tasked
        samples = follow(engine, second)
    finally:
        simulator.stop()
    check_the_whole_job(engine, second, samples, None)
    with Session(engine) as session:
        done = session.get(Deployment, first.deployment_id)
        assert done is not None
        assert done.status == "cleared"
    said = lines.matching(rf"{first.call_sign} (en route|available)")
    assert [line.split(" ", 1)[1].split(",")[0] for line in said] == [
        f"{first.call_sign} en route to {first.reference}",
        f"{first.call_sign} en route to {second.reference}",
        f"{first.call_sign} available at {pack.stations[0].name}",
    ]  # not home in between: the way back was given up for the new job
    engine.dispose()


def test_a_unit_drives_as_long_as_the_desk_estimates(pack: OrganisationPack) -> None:
    network = pack.street_network()
    assert network is not None
    roads = Roads(network)
    station = pack.stations[0]
    home = Coordinate(station.lat, station.lon)
    for place in pack.gazetteer()[::97]:
        drive = roads.drive(home, place.location, 100.0)
        expected = network.travel_times_to(place.location).seconds_from(home)
        if expected is None:
            assert not drive.by_road
            continue
        assert drive.by_road
        assert drive.arrives - drive.departs == pytest.approx(expected, abs=0.1)  # snap stretches to the mm
        assert drive.at(drive.arrives).point == place.location
        halfway = drive.at((drive.departs + drive.arrives) / 2)
        assert halfway.speed_kmh is not None and 0 < halfway.speed_kmh < 80
        assert halfway.heading is not None and 0 <= halfway.heading < 360


# The command line


@pytest.fixture(scope="module")
def seeded_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A demo database seeded once by the command line (a day of history and jobs under way)."""
    folder = tmp_path_factory.mktemp("seeded")
    seeded = run_cli("--db", f"sqlite:///{folder}/demo.db", "seed", "--days", "1", "--seed", "3",
                     data_dir=folder / "data", config_dir=folder / "config")
    assert seeded.returncode == 0, seeded.stderr
    return folder / "demo.db"


@pytest.fixture
def seeded_demo(seeded_template: Path, tmp_path: Path) -> tuple[str, Path, Path]:
    """A copy of the seeded demo for one test, with its data and config folders."""
    shutil.copyfile(seeded_template, tmp_path / "demo.db")
    return f"sqlite:///{tmp_path}/demo.db", tmp_path / "data", tmp_path / "config"


def test_the_command_runs_for_its_duration_and_prints_a_line_per_event(seeded_demo: tuple[str, Path, Path]) -> None:
    url, data, config = seeded_demo
    result = run_cli("--db", url, "simulate", "--no-broker", "--duration", "2", "--speed", "60",
                     "--incidents-per-hour", "600", "--seed", "1", data_dir=data, config_dir=config, timeout=60)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines
    assert all(re.match(r"^\d\d:\d\d:\d\d \S", line) for line in lines), lines
    assert any(" carries on " in line for line in lines)  # the demo's jobs under way go on
    assert any(f"{PARTNER} SIM-" in line and " referred: " in line for line in lines)
    assert "Simulating 60 units of" in result.stderr
    assert "Stopped the simulation" in result.stderr
    assert "Traceback" not in result.stderr


def test_the_command_stops_cleanly_on_sigterm(seeded_demo: tuple[str, Path, Path]) -> None:
    url, data, config = seeded_demo
    process = subprocess.Popen(
        [sys.executable, "-m", "supervisor_app", "--db", url, "simulate", "--no-broker", "--speed", "60"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=cli_environment(data, config),
        start_new_session=True,
    )
    try:
        assert process.stdout is not None
        first = process.stdout.readline()  # the simulation is running
        assert re.match(r"^\d\d:\d\d:\d\d \S", first), first
        process.send_signal(signal.SIGTERM)
        _out, err = process.communicate(timeout=20)
    finally:
        if process.poll() is None:
            process.kill()
            process.communicate()
    assert process.returncode == 0, err
    assert "Stopped the simulation" in err


def test_an_unreachable_broker_is_one_clear_line(seeded_demo: tuple[str, Path, Path]) -> None:
    url, data, config = seeded_demo
    with socket.socket() as probe:  # a loopback port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_cli("--db", url, "simulate", "--broker", f"127.0.0.1:{port}", "--duration", "1",
                     data_dir=data, config_dir=config, timeout=60)
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("supervisor-app: The MQTT broker at 127.0.0.1:"), result.stderr
    assert "--no-broker" in lines[0]


def test_closing_an_incident_stands_its_unit_down_over_mqtt_and_the_unit_goes_home(
    engine: Engine, pack: OrganisationPack, broker: Broker, supervisor: Actor, operator: Actor
) -> None:
    """The stand-down goes by the unit's MDT as a ``stand_down`` message (never read as a new job):
    the crew acknowledges it, stops where it is, and drives back to its station."""
    from supervisor_app.services.incident_lifecycle import close_incident

    org = build_organisation(engine, pack)
    lines = Lines()
    reports = UnitReports(engine, supervisor)
    link = MdtLink(MqttSettings(host=broker.host, port=broker.port, session_expiry_s=0), broker.topic_prefix, reports)
    dispatcher = Dispatcher(engine, supervisor, {"mdt": link}, interval_s=0.1)
    simulator = Simulator(engine, operator, pack, options(speed=20, on_scene_s=600), broker=broker, say=lines)
    try:
        assert link.wait_until_connected(10)
        simulator.start()
        dispatcher.start()
        job = deploy_far_away(org, pack, supervisor, 2000)
        dispatcher.wake()
        wait_for(lambda: bool(lines.matching(rf"{job.call_sign} en route")), f"{job.call_sign} setting off")
        with org.session() as session:
            closed = close_incident(session, supervisor, job.incident_id, "FALSE_ALARM", "Nothing found by the caller",
                                    pack, uncleared_reason="Caller rang back: the smell was paint")
        assert closed.stood_down == (job.call_sign,)
        dispatcher.wake()
        wait_for(lambda: bool(lines.matching(rf"{job.call_sign} stood down from {job.reference}")),
                 f"{job.call_sign} reading the stand-down")

        def told() -> Message | None:
            with Session(engine) as session:
                return session.scalars(select(Message).where(Message.purpose == "cancellation")).one_or_none()

        wait_for(lambda: (m := told()) is not None and m.status == "acknowledged", "the stand-down acknowledged")
        wait_for(lambda: bool(lines.matching(rf"{job.call_sign} available at")), f"{job.call_sign} back home")
    finally:
        simulator.stop()
        dispatcher.stop()
        reports.stop()
    with Session(engine) as session:
        deployment = session.get(Deployment, job.deployment_id)
        assert deployment is not None and deployment.status == "cancelled"
    assert not lines.matching(rf"{job.call_sign} on scene"), "the crew never reached the scene of a called-off job"


def test_without_a_broker_a_crew_stood_down_hears_it_and_goes_home(
    engine: Engine, pack: OrganisationPack, supervisor: Actor, operator: Actor
) -> None:
    """No MDT stand-down can reach a crew without a broker: the simulator finds the deployment
    called off in the database, as a crew would hear it on the radio, stops and drives back."""
    from supervisor_app.services.incident_lifecycle import close_incident

    org = build_organisation(engine, pack)
    lines = Lines()
    simulator = Simulator(engine, operator, pack, options(speed=20, on_scene_s=600, poll_every_s=0.1), broker=None,
                          say=lines)
    try:
        simulator.start()
        job = deploy_far_away(org, pack, supervisor, 2000)
        wait_for(lambda: bool(lines.matching(rf"{job.call_sign} en route")), f"{job.call_sign} setting off")
        with org.session() as session:
            close_incident(session, supervisor, job.incident_id, "FALSE_ALARM", "Nothing found by the caller",
                           pack, uncleared_reason="Caller rang back: the smell was paint")
        wait_for(lambda: bool(lines.matching(rf"{job.call_sign} stood down from {job.reference}")),
                 f"{job.call_sign} hearing the stand-down")
        wait_for(lambda: bool(lines.matching(rf"{job.call_sign} available at")), f"{job.call_sign} back home")
    finally:
        simulator.stop()
    assert len(lines.matching(rf"{job.call_sign} stood down")) == 1, "the crew heard it once"
    assert not lines.matching(rf"{job.call_sign} on scene"), "the crew never reached the scene of a called-off job"
    with Session(engine) as session:
        told = session.scalars(select(Message).where(Message.purpose == "cancellation")).one()
        assert told.status == "acknowledged"  # read on the terminal, through the database
