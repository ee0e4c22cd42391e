"""``supervisor-app simulate``: field units that answer the desk, and partner referrals that keep coming.

Runs ``supervisor_app.simulation.Simulator`` until Ctrl+C, SIGTERM or ``--duration`` (real seconds)
runs out. Every resource of the database becomes a simulated crew. With a broker (the default,
127.0.0.1:1883, the demo's Mosquitto) the whole fleet speaks the MDT protocol on one MQTT
connection, on the organisation's topics: ``supervisor/<pack short name>`` as the desk's own MDT
link computes it, or ``--topic-prefix``. With ``--no-broker`` the units find their deployments in
the database every second and report through the services.

It acts as ``--user`` without a password, like the other service commands: by default
``demo.operator``, not the desk's own configured user, because the simulator plays the units and
the partners, not the supervisor. That user needs ``resource.status`` (without a broker),
``referral.receive`` (with ``--incidents-per-hour``) and ``incident.create`` (with
``--auto-assess``); operators hold all three. Its writes are recorded from the desk named
``simulator`` unless ``--desk`` names another.

One line per event goes to standard output ("12:03:05 G11 acknowledged INC-20261123-0042");
progress and problems go to standard error. Exit status: 0 when stopped, 1 when the database,
the broker or the account cannot be used, 2 for bad arguments.
"""

from __future__ import annotations

import argparse
import math
import signal
import sys
import threading
import time

from supervisor_app.cli_referrals import service_actor
from supervisor_app.cli_secrets import open_command_engine
from supervisor_app.comms.channels.config import check_topic_prefix, default_topic_prefix
from supervisor_app.domain.errors import InvalidValue
from supervisor_app.settings import Settings
from supervisor_app.simulation import Broker, SimulationOptions, Simulator

DEFAULT_USER = "demo.operator"
DEFAULT_DESK = "simulator"
DEFAULT_BROKER = "127.0.0.1:1883"


def _say(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _line(message: str) -> None:
    print(message, flush=True)


def _number(text: str, *, low: float, above: bool, example: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < low or (above and value == low):
        bound = f"above {low:g}" if above else f"{low:g} or more"
        raise argparse.ArgumentTypeError(f"expected a number {bound}, such as {example}; got {text!r}")
    return value


def _positive(text: str) -> float:
    return _number(text, low=0, above=True, example="10 or 0.5")


def _not_negative(text: str) -> float:
    return _number(text, low=0, above=False, example="0 or 30")


def _broker(text: str) -> tuple[str, int]:
    host, _, port = text.rpartition(":")
    host = host.strip("[]")
    if not host or not port.isdigit() or not 1 <= int(port) <= 65535:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, such as {DEFAULT_BROKER}; got {text!r}")
    return host, int(port)


def _topic_prefix(text: str) -> str:
    try:
        return check_topic_prefix(text)
    except InvalidValue as refused:
        raise argparse.ArgumentTypeError(str(refused)) from None


def add_simulate_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    parser = commands.add_parser(
        "simulate",
        help="simulated field units that answer deployments, and partner referrals",
        description="Play every resource of the database as a field unit: acknowledge deployments, drive to the "
        "incident over the street network reporting positions, work, clear and drive home. Optionally refer "
        "incidents as a partner, and assess them too. Stop with Ctrl+C.",
    )
    link = parser.add_mutually_exclusive_group()
    link.add_argument("--broker", type=_broker, metavar="HOST:PORT",
                      help=f"the MQTT broker the units' terminals use (default {DEFAULT_BROKER})")
    link.add_argument("--no-broker", action="store_true",
                      help="no MQTT: find deployments in the database and report through the services")
    parser.add_argument("--topic-prefix", type=_topic_prefix, metavar="PREFIX",
                        help="the MQTT topic prefix (default: supervisor/<the pack's short name>, as the desk)")
    parser.add_argument("--speed", type=_positive, default=1.0, metavar="X",
                        help="run simulated time X times faster than real time (default 1)")
    ack = parser.add_mutually_exclusive_group()
    ack.add_argument("--ack-delay", type=_not_negative, metavar="SECONDS",
                     help="acknowledge deployments after this many simulated seconds (default: a crew's "
                     "realistic delay, about 30 s)")
    ack.add_argument("--ack-at-once", action="store_true", help="acknowledge deployments at once")
    parser.add_argument("--on-scene-minutes", type=_not_negative, metavar="MINUTES",
                        help="time on scene (default: realistic by incident type, 10 minutes to hours)")
    parser.add_argument("--incidents-per-hour", type=_not_negative, default=0.0, metavar="N",
                        help="partner referrals per simulated hour, at random times (default 0: none)")
    parser.add_argument("--auto-assess", action="store_true",
                        help="assess the referrals too (a random walk of each procedure) and save the incidents")
    parser.add_argument("--seed", type=int, metavar="N", help="random seed, for the same run again")
    parser.add_argument("--duration", type=_positive, metavar="SECONDS", help="stop after this many real seconds")
    # The main options may also follow the command; given here, they win.
    parser.add_argument("--user", default=argparse.SUPPRESS, metavar="USERNAME",
                        help=f"the user the simulator acts as (default {DEFAULT_USER})")
    parser.add_argument("--db", default=argparse.SUPPRESS, metavar="URL", help="database URL")
    parser.add_argument("--pack", default=argparse.SUPPRESS, metavar="DIR", help="organisation pack folder")
    return parser


def _options(args: argparse.Namespace) -> SimulationOptions:
    return SimulationOptions(
        speed=args.speed,
        ack_delay_s=0.0 if args.ack_at_once else args.ack_delay,
        on_scene_s=None if args.on_scene_minutes is None else args.on_scene_minutes * 60,
        incidents_per_hour=args.incidents_per_hour,
        auto_assess=args.auto_assess,
        seed=args.seed,
    )


def run_simulate_command(settings: Settings, args: argparse.Namespace) -> int:
    from supervisor_app.bootstrap import load_organisation

    if args.auto_assess and not args.incidents_per_hour:
        _say("supervisor-app: --auto-assess assesses the simulated referrals; add --incidents-per-hour N.")
        return 2
    if args.topic_prefix and args.no_broker:
        _say("supervisor-app: --topic-prefix applies only with a broker; leave out --no-broker or --topic-prefix.")
        return 2
    pack = load_organisation(settings)
    broker = None
    if not args.no_broker:
        host, port = args.broker or _broker(DEFAULT_BROKER)
        prefix = args.topic_prefix or default_topic_prefix(pack.organisation.short_name)
        broker = Broker(host, port, prefix)
    engine = open_command_engine(settings)
    try:
        actor = service_actor(engine, args.user or DEFAULT_USER, args.desk or DEFAULT_DESK)
        simulator = Simulator(engine, actor, pack, _options(args), broker=broker, say=_line)
        return _run(simulator, args.duration)
    finally:
        engine.dispose()


def _run(simulator: Simulator, duration: float | None) -> int:
    """Start the simulator and run it until stopped; SIGTERM is heard from before the first event."""
    stopping = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda _signal, _frame: stopping.set())
    try:
        simulator.start()
    except BaseException:
        signal.signal(signal.SIGTERM, previous)
        raise
    ends = None if duration is None else time.monotonic() + duration
    _say(f"Simulating {simulator.description}; stop with Ctrl+C.")
    try:
        while not stopping.is_set():
            left = 0.5 if ends is None else min(0.5, ends - time.monotonic())
            if left <= 0:
                break
            stopping.wait(left)  # short waits, so Ctrl+C is seen on Windows too
    except KeyboardInterrupt:
        pass
    finally:
        simulator.stop()
        signal.signal(signal.SIGTERM, previous)
    simulated = simulator.clock.now()
    referrals = simulator.incidents
    extra = f"; {referrals.received} referrals, {referrals.assessed} assessed" if referrals else ""
    _say(f"Stopped the simulation after {simulated / 60:.1f} simulated minutes{extra}.")
    return 0
