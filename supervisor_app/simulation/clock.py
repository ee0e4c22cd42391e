"""Simulated time and motion: the clock, the one scheduler thread, how long things take, and where a
moving unit is at any moment.

Simulated time runs ``speed`` times faster than real time, so a demo can show a whole shift in an
hour and a test can watch a unit drive across the city in a second. Everything the fleet does is a
step due at a simulated moment on one ``Scheduler`` thread: sixty units or five thousand cost one
thread and one heap, not a thread (or a timer) each, and because only that thread touches the
units' state, the units need no locks.

A ``Drive`` is a route with the simulated moment each point is passed, so a unit's position is
worked out for the moment it is asked for. If the scheduler falls behind (a slow database, a
very high speed), the next position report is simply where the unit is by then: lateness never
piles up into a backlog of stale positions.
"""

from __future__ import annotations

import heapq
import itertools
import logging
import math
import random
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.street_network import SNAP_SPEED_KMH, StreetNetwork

log = logging.getLogger(__name__)

#: Where the network offers no road (no network, or an end far from every street), units drive the
#: straight line at this speed: the desk's own straight-line estimate assumes it too.
STRAIGHT_LINE_KMH = 30.0

#: The scheduler never sleeps longer than this, so a stop is seen at once even with nothing due.
_LONGEST_WAIT_S = 0.5


class SimulatedClock:
    """Seconds of simulated time since the simulation started, running ``speed`` times real time."""

    def __init__(self, speed: float = 1.0, *, monotonic: Callable[[], float] = time.monotonic) -> None:
        if isinstance(speed, bool) or not isinstance(speed, int | float) or not 0 < speed < math.inf:
            raise InvalidValue("simulation speed", speed, "a number above 0, such as 1 (real time) or 10")
        self.speed = float(speed)
        self._monotonic = monotonic
        self._started = monotonic()

    def now(self) -> float:
        return (self._monotonic() - self._started) * self.speed

    def real_seconds(self, simulated: float) -> float:
        """How long ``simulated`` seconds take in real time."""
        return simulated / self.speed


class Scheduler:
    """Runs each step at its simulated moment, one at a time, on a thread of its own.

    ``at``, ``after`` and ``soon`` may be called from any thread (the MQTT network thread hands
    deployments over with ``soon``); steps due at the same moment run in the order they were
    given. A step that raises is logged and the scheduler carries on: one unit's failed report
    must not stop the rest of the fleet.
    """

    def __init__(self, clock: SimulatedClock, *, name: str = "simulator") -> None:
        self.clock = clock
        self.name = name
        self._due: list[tuple[float, int, Callable[[], None]]] = []
        self._order = itertools.count()
        self._condition = threading.Condition()
        self._stopping = False
        self._thread: threading.Thread | None = None

    def at(self, moment: float, step: Callable[[], None]) -> None:
        with self._condition:
            heapq.heappush(self._due, (moment, next(self._order), step))
            self._condition.notify()

    def after(self, delay: float, step: Callable[[], None]) -> None:
        """Run ``step`` ``delay`` simulated seconds from now."""
        self.at(self.clock.now() + max(0.0, delay), step)

    def soon(self, step: Callable[[], None]) -> None:
        """Run ``step`` on the scheduler's thread as soon as it is free."""
        self.after(0.0, step)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def on_own_thread(self) -> bool:
        return self._thread is not None and threading.current_thread() is self._thread

    def start(self) -> None:
        if self._thread is not None:
            return
        self._thread = threading.Thread(target=self._run, name=self.name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Stop after the step under way; steps still due are dropped."""
        with self._condition:
            self._stopping = True
            self._condition.notify_all()
        if self._thread is not None and not self.on_own_thread():
            self._thread.join(timeout)

    def _next_step(self) -> Callable[[], None] | None:
        with self._condition:
            while not self._stopping:
                if self._due:
                    wait = self.clock.real_seconds(self._due[0][0] - self.clock.now())
                    if wait <= 0:
                        return heapq.heappop(self._due)[2]
                else:
                    wait = _LONGEST_WAIT_S
                self._condition.wait(min(wait, _LONGEST_WAIT_S))
            return None

    def _run(self) -> None:
        while (step := self._next_step()) is not None:
            try:
                step()
            except Exception:  # one failed step must not stop the fleet
                log.exception("A simulation step failed; the simulation carries on")


# -- How long things take ----------------------------------------------------------------------------


def lognormal_seconds(rng: random.Random, median: float, sigma: float, low: float, high: float) -> float:
    """A duration spread as people's are: mostly near ``median``, now and then much longer."""
    return max(low, min(high, rng.lognormvariate(math.log(median), sigma)))


#: Median minutes on scene by the pack's incident category (log-normally spread), as the demo
#: history has them: a lift release is quick, a burst main is not.
ON_SCENE_MINUTES: dict[str, float] = {
    "gas": 45, "water": 80, "power": 55, "lifts": 30, "highways": 45,
    "housing": 45, "welfare": 40, "alarms": 25, "general": 60,
}


@dataclass(frozen=True)
class Timings:
    """How long a crew takes to acknowledge, to set off and to do the job, in simulated seconds.

    ``ack_delay_s`` None draws a realistic delay (a crew finishes what it is doing and reads the
    terminal: about 30 s, sometimes minutes); 0 acknowledges at once. ``on_scene_s`` None draws the
    time on scene by incident category; a fixed value makes a quick demonstration.
    """

    ack_delay_s: float | None = None
    on_scene_s: float | None = None

    def __post_init__(self) -> None:
        for name, value in (("acknowledgement delay", self.ack_delay_s), ("time on scene", self.on_scene_s)):
            if value is not None and not 0 <= value < math.inf:
                raise InvalidValue(name, value, "a number of seconds, 0 or more")

    def acknowledge(self, rng: random.Random) -> float:
        if self.ack_delay_s is not None:
            return self.ack_delay_s
        return lognormal_seconds(rng, 30, 0.6, 4, 600)

    def mobilise(self, rng: random.Random) -> float:
        """From acknowledging to driving off: finding the kit, walking to the van."""
        return lognormal_seconds(rng, 90, 0.5, 20, 900)

    def on_scene(self, rng: random.Random, category: str) -> float:
        if self.on_scene_s is not None:
            return self.on_scene_s
        median = ON_SCENE_MINUTES.get(category, ON_SCENE_MINUTES["general"]) * 60
        return lognormal_seconds(rng, median, 0.45, 10 * 60, 3 * 3600)


# -- Driving -----------------------------------------------------------------------------------------


def bearing(start: Coordinate, end: Coordinate) -> float:
    """Degrees clockwise from north, from ``start`` towards ``end`` (0 to below 360)."""
    p1, p2 = math.radians(start.lat), math.radians(end.lat)
    dl = math.radians(end.lon - start.lon)
    x = math.sin(dl) * math.cos(p2)
    y = math.cos(p1) * math.sin(p2) - math.sin(p1) * math.cos(p2) * math.cos(dl)
    return math.degrees(math.atan2(x, y)) % 360.0


@dataclass(frozen=True)
class Whereabouts:
    """Where a driving unit is, how fast it goes and which way (None while standing)."""

    point: Coordinate
    speed_kmh: float | None
    heading: float | None


@dataclass(frozen=True)
class Drive:
    """A way to drive: its points and the simulated moment each is passed (the same length)."""

    points: tuple[Coordinate, ...]
    moments: tuple[float, ...]
    by_road: bool

    def __post_init__(self) -> None:
        if not self.points or len(self.points) != len(self.moments):
            raise ValueError("a drive has at least one point and one moment for each point")

    @property
    def departs(self) -> float:
        return self.moments[0]

    @property
    def arrives(self) -> float:
        return self.moments[-1]

    @property
    def destination(self) -> Coordinate:
        return self.points[-1]

    @property
    def minutes(self) -> int:
        """The drive's length in whole minutes, rounded up (what a crew would tell control)."""
        return max(1, math.ceil((self.arrives - self.departs) / 60))

    def at(self, moment: float) -> Whereabouts:
        """Where the unit is at ``moment``: before the start at the first point, after it at the last."""
        if moment >= self.arrives:
            return Whereabouts(self.destination, 0.0, None)
        if moment <= self.departs:
            return Whereabouts(self.points[0], 0.0, None)
        index = next(i for i in range(1, len(self.moments)) if self.moments[i] > moment)
        start, end = self.points[index - 1], self.points[index]
        began, ends = self.moments[index - 1], self.moments[index]
        share = (moment - began) / (ends - began)
        point = Coordinate(start.lat + (end.lat - start.lat) * share, start.lon + (end.lon - start.lon) * share)
        speed = min(1000.0, start.distance_m(end) / (ends - began) * 3.6)
        return Whereabouts(point, speed, bearing(start, end))


class Roads:
    """Plans drives over the pack's street network, at its road speeds.

    The network's ``route`` gives the junctions of the fastest way; each link between two of them
    takes its time from the network (the road speeds the desk's recommendations use), and the
    stretch from a point to its nearest junction the network's slow snap speed, as the desk's
    travel-time estimate counts them: a unit arrives when the recommendation said it would (to a
    few milliseconds). Where there is no road route, the straight line at ``STRAIGHT_LINE_KMH``.
    """

    def __init__(self, network: StreetNetwork | None) -> None:
        self.network = network
        self._links: dict[tuple[Coordinate, Coordinate], float] = {}
        if network is not None:
            for start, end, seconds in network.edges:
                pair = (network.positions[start], network.positions[end])
                self._links[pair] = min(seconds, self._links.get(pair, math.inf))

    def drive(self, origin: Coordinate, destination: Coordinate, departs: float) -> Drive:
        route = self.network.route(origin, destination) if self.network is not None else []
        if route:
            return Drive(tuple(route), self._moments(route, departs), by_road=True)
        seconds = origin.distance_m(destination) / (STRAIGHT_LINE_KMH / 3.6)
        if seconds == 0:
            return Drive((destination,), (departs,), by_road=False)
        return Drive((origin, destination), (departs, departs + seconds), by_road=False)

    def _moments(self, route: Sequence[Coordinate], departs: float) -> tuple[float, ...]:
        moments = [departs]
        for start, end in itertools.pairwise(route):
            seconds = self._links.get((start, end))
            if seconds is None:  # the stretch between a point and its junction
                seconds = start.distance_m(end) / (SNAP_SPEED_KMH / 3.6)
            moments.append(moments[-1] + max(seconds, 0.001))
        return tuple(moments)
