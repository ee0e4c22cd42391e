"""Which resources to send: those able to go now, soonest there first, as a set that meets the response.

An incident's required response has several lines (``2 x WATER_CREW with valve_operation``,
``1 x HWY_CREW``). For each line ``recommend`` keeps only the resources that can take the job now
(a deployable status, the line's type and every capability it asks for, a known position, and a
shift that does not end within the margin after they would arrive), ranks them by estimated time of
arrival and then by how many jobs they have had this shift, and explains each one in the words the
supervisor reads ("6 min by road, 2 jobs this shift"). It also proposes one set of resources that
fills every line at once, never the same resource twice, and says exactly what is missing when the
fleet cannot fill a line, and why.

Ranking compares arrival times to the whole minute, as they are shown: estimates are not accurate
to the second, and between two crews both "6 min" away the one with fewer jobs should go. The exact
time, then the call sign, then the resource id break the remaining ties, so the order is stable.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NamedTuple

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.incidents import ResponseRequirement
from supervisor_app.domain.resources import COMMITTED_STATUSES, DEPLOYABLE_STATUSES, ResourceStatus
from supervisor_app.domain.street_network import StraightLine, TravelEstimate, TravelEstimator

#: Reasons a candidate is left out of a line (capabilities read ``lacking <capability>``).
WRONG_TYPE = "wrong type"
BUSY = "busy"
OFF_DUTY = "off duty"
UNAVAILABLE = "unavailable"
NO_POSITION = "no position"
GOING_OFF_SHIFT = "going off shift"
NO_ESTIMATE = "no travel estimate"

#: Used for a resource the street network cannot place (or when a pack has no network at all).
DEFAULT_FALLBACK = StraightLine()


@dataclass(frozen=True, slots=True)
class Candidate:
    """A resource as the recommendation sees it: what it is, where it is, and how its shift stands."""

    resource_id: int
    call_sign: str
    resource_type: str
    capabilities: frozenset[str]
    status: ResourceStatus
    position: Coordinate | None
    shift_ends_at: datetime | None
    jobs_this_shift: int = 0

    def __post_init__(self) -> None:
        if self.shift_ends_at is not None and self.shift_ends_at.tzinfo is None:
            raise InvalidValue("shift end", self.shift_ends_at, "a time with a time zone")
        if isinstance(self.jobs_this_shift, bool) or not isinstance(self.jobs_this_shift, int) \
                or self.jobs_this_shift < 0:
            raise InvalidValue("jobs this shift", self.jobs_this_shift, "a whole number, 0 or more")


@dataclass(frozen=True, slots=True)
class RankedCandidate:
    """An eligible candidate with its estimated arrival and the sentence that explains its place."""

    candidate: Candidate
    eta_s: float
    method: str
    explanation: str

    @property
    def eta_minutes(self) -> int:
        """The arrival time as shown and as ranked: whole minutes, at least 1."""
        return shown_minutes(self.eta_s)


@dataclass(frozen=True, slots=True)
class RecommendationLine:
    """One line of the required response: its best candidates and why the others were left out."""

    requirement: ResponseRequirement
    ranked: tuple[RankedCandidate, ...]
    eligible: int
    excluded: tuple[tuple[str, int], ...]
    """(reason, how many candidates), most frequent first; ``wrong type`` counts all other types."""

    def excluded_count(self, reason: str) -> int:
        return dict(self.excluded).get(reason, 0)

    def explain_exclusions(self, *, include_wrong_type: bool = False) -> str:
        """``"4 busy, 2 going off shift, 1 lacking valve_operation"``; empty when nobody was left out."""
        return ", ".join(
            f"{count} {reason}" for reason, count in self.excluded if include_wrong_type or reason != WRONG_TYPE)


@dataclass(frozen=True, slots=True)
class ProposedResource:
    """A resource proposed for line ``line`` (an index into ``Recommendation.lines``)."""

    line: int
    ranked: RankedCandidate


@dataclass(frozen=True, slots=True)
class Shortfall:
    """A line the fleet cannot fill now: how many are missing, and a sentence saying why."""

    line: int
    requirement: ResponseRequirement
    missing: int
    eligible: int
    message: str


@dataclass(frozen=True, slots=True)
class Recommendation:
    """Ranked candidates per line, one proposed set that fills the lines, and what is missing."""

    incident_point: Coordinate
    estimate: str
    lines: tuple[RecommendationLine, ...]
    proposed: tuple[ProposedResource, ...]
    shortfall: tuple[Shortfall, ...]

    @property
    def complete(self) -> bool:
        """True when the proposed set meets every line's count."""
        return not self.shortfall

    def proposed_for(self, line: int) -> tuple[RankedCandidate, ...]:
        return tuple(p.ranked for p in self.proposed if p.line == line)


class _Eligible(NamedTuple):
    minutes: int
    jobs: int
    eta_s: float
    call_sign: str
    resource_id: int
    candidate: Candidate
    estimate: TravelEstimate


def _rank_key(entry: _Eligible) -> tuple[int, int, float, str, int]:
    return entry.minutes, entry.jobs, entry.eta_s, entry.call_sign, entry.resource_id


def shown_minutes(eta_s: float) -> int:
    """Seconds to whole minutes as a supervisor reads them (nearest minute, never 0)."""
    return max(1, math.floor(eta_s / 60 + 0.5))


def _jobs_wording(jobs: int) -> str:
    if jobs == 0:
        return "no jobs this shift"
    return f"{jobs} job this shift" if jobs == 1 else f"{jobs} jobs this shift"


def _ranked(entry: _Eligible) -> RankedCandidate:
    explanation = f"{entry.minutes} min {entry.estimate.phrase}, {_jobs_wording(entry.jobs)}"
    return RankedCandidate(entry.candidate, entry.eta_s, entry.estimate.method, explanation)


def _status_reason(status: ResourceStatus) -> str:
    if status in COMMITTED_STATUSES:
        return BUSY
    if status is ResourceStatus.OFF_DUTY:
        return OFF_DUTY
    return UNAVAILABLE


class _Estimates:
    """Arrival estimates per resource, worked out once even when a resource fits several lines.

    Seconds are kept as plain floats (infinity for none) and the few resources placed by the
    fallback in a set, so that thousands of candidates allocate no tuples on the way.
    """

    def __init__(self, primary: TravelEstimate, fallback: TravelEstimate | None) -> None:
        self.primary = primary
        self.fallback = fallback
        self.fell_back: set[int] = set()
        self._known: dict[int, float] = {}

    def seconds(self, resource_id: int, position: Coordinate) -> float:
        known = self._known.get(resource_id)
        if known is not None:
            return known
        seconds = self.primary.seconds_from(position)
        if seconds is None and self.fallback is not None:
            seconds = self.fallback.seconds_from(position)
            if seconds is not None:
                self.fell_back.add(resource_id)
        found = math.inf if seconds is None else seconds
        self._known[resource_id] = found
        return found

    def used_for(self, resource_id: int) -> TravelEstimate:
        return self.fallback if self.fallback is not None and resource_id in self.fell_back else self.primary


def recommend(
    required: Sequence[ResponseRequirement],
    candidates: Iterable[Candidate],
    incident_point: Coordinate,
    *,
    now: datetime,
    estimator: TravelEstimator,
    fallback: TravelEstimator | None = DEFAULT_FALLBACK,
    off_shift_margin: timedelta = timedelta(minutes=30),
    per_line: int = 5,
) -> Recommendation:
    """Rank the candidates for each line of ``required`` and propose one set that fills them all.

    ``estimator`` is asked once for the times to ``incident_point`` (with a street network, that is
    the one search); a resource it cannot place gets ``fallback``'s estimate instead. Each line
    shows its best ``per_line`` candidates, or as many as it needs if that is more.
    """
    if now.tzinfo is None:
        raise InvalidValue("now", now, "a time with a time zone")
    if isinstance(per_line, bool) or not isinstance(per_line, int) or per_line < 1:
        raise InvalidValue("candidates per line", per_line, "a whole number, 1 or more")
    if off_shift_margin < timedelta(0):
        raise InvalidValue("off-shift margin", off_shift_margin, "a duration of 0 or more")
    requirements = tuple(required)
    by_type: dict[str, list[Candidate]] = {}
    seen: set[int] = set()
    for candidate in candidates:
        if candidate.resource_id in seen:
            raise InvalidValue("candidates", candidate.resource_id, "each resource once")
        seen.add(candidate.resource_id)
        by_type.setdefault(candidate.resource_type, []).append(candidate)
    primary = estimator.travel_times_to(incident_point)
    backup = fallback.travel_times_to(incident_point) if fallback is not None else None
    estimates = _Estimates(primary, backup)
    margin_s = off_shift_margin.total_seconds()

    eligible_per_line: list[list[_Eligible]] = []
    exclusions: list[Counter[str]] = []
    for requirement in requirements:
        eligible, left_out = _eligible_for(requirement, by_type, len(seen), estimates, now, margin_s)
        eligible_per_line.append(eligible)
        exclusions.append(left_out)

    assigned = _propose(requirements, eligible_per_line)

    lines: list[RecommendationLine] = []
    proposed: list[ProposedResource] = []
    shortfall: list[Shortfall] = []
    for index, requirement in enumerate(requirements):
        eligible = eligible_per_line[index]
        shown = max(per_line, requirement.count)
        excluded = tuple(sorted(exclusions[index].items(), key=lambda item: (-item[1], item[0])))
        line = RecommendationLine(requirement, tuple(_ranked(e) for e in eligible[:shown]), len(eligible), excluded)
        lines.append(line)
        proposed.extend(ProposedResource(index, _ranked(entry)) for entry in sorted(assigned[index], key=_rank_key))
        missing = requirement.count - len(assigned[index])
        if missing > 0:
            shortfall.append(Shortfall(index, requirement, missing, len(eligible),
                                       _shortfall_message(line, len(assigned[index]))))
    return Recommendation(
        incident_point, estimator.description, tuple(lines), tuple(proposed), tuple(shortfall))


def _eligible_for(
    requirement: ResponseRequirement,
    by_type: dict[str, list[Candidate]],
    total: int,
    estimates: _Estimates,
    now: datetime,
    margin_s: float,
) -> tuple[list[_Eligible], Counter[str]]:
    """The line's eligible candidates in ranked order, and the count of each reason for the rest."""
    excluded: Counter[str] = Counter()
    group = by_type.get(requirement.resource_type, [])
    if total > len(group):
        excluded[WRONG_TYPE] = total - len(group)
    needs = frozenset(requirement.capabilities)
    eligible: list[_Eligible] = []
    for candidate in group:
        if candidate.status not in DEPLOYABLE_STATUSES:
            excluded[_status_reason(candidate.status)] += 1
            continue
        if not needs <= candidate.capabilities:
            lacking = next(c for c in requirement.capabilities if c not in candidate.capabilities)
            excluded[f"lacking {lacking}"] += 1
            continue
        position = candidate.position
        if position is None:
            excluded[NO_POSITION] += 1
            continue
        eta_s = estimates.seconds(candidate.resource_id, position)
        if eta_s == math.inf:
            excluded[NO_ESTIMATE] += 1
            continue
        ends = candidate.shift_ends_at
        if ends is not None and (ends - now).total_seconds() < eta_s + margin_s:
            excluded[GOING_OFF_SHIFT] += 1
            continue
        minutes = max(1, math.floor(eta_s / 60 + 0.5))  # shown_minutes, inlined in this busy loop
        eligible.append(_Eligible(minutes, candidate.jobs_this_shift, eta_s, candidate.call_sign,
                                  candidate.resource_id, candidate, estimates.used_for(candidate.resource_id)))
    eligible.sort()  # by the fields in order; resource ids are unique, so the candidate is never compared
    return eligible, excluded


def _propose(
    requirements: Sequence[ResponseRequirement], eligible_per_line: Sequence[list[_Eligible]]
) -> list[list[_Eligible]]:
    """Fill the lines: greedily by rank, scarcest line first, then repaired to fill as many as possible.

    The greedy pass gives each line its soonest free resources, starting with the lines that have
    the fewest candidates, since they have the least room to choose. Where that leaves a line short
    although a resource it needs went to another line that could have used someone else, an
    augmenting path (as in bipartite matching) moves resources along until the line is filled; one
    pass over the lines reaches the largest set the fleet allows, so any shortfall left is real.
    """
    order = sorted(range(len(requirements)), key=lambda i: (len(eligible_per_line[i]), i))
    holder: dict[int, int] = {}
    assigned: list[list[_Eligible]] = [[] for _ in requirements]
    for index in order:
        wanted = requirements[index].count
        for entry in eligible_per_line[index]:
            if len(assigned[index]) == wanted:
                break
            if entry.resource_id not in holder:
                holder[entry.resource_id] = index
                assigned[index].append(entry)

    def augment(line: int, visited: set[int]) -> bool:
        for entry in eligible_per_line[line]:
            resource = entry.resource_id
            current = holder.get(resource)
            if resource in visited or current == line:
                continue
            visited.add(resource)
            if current is None or augment(current, visited):
                if current is not None:
                    assigned[current] = [e for e in assigned[current] if e.resource_id != resource]
                holder[resource] = line
                assigned[line].append(entry)
                return True
        return False

    for index in order:
        while len(assigned[index]) < requirements[index].count and augment(index, set()):
            pass
    return assigned


def _shortfall_message(line: RecommendationLine, filled: int) -> str:
    requirement = line.requirement
    wanted = f"{requirement.count} x {requirement.resource_type}"
    if requirement.capabilities:
        wanted += " with " + ", ".join(requirement.capabilities)
    message = f"needs {wanted}; {line.eligible} available now"
    taken = line.eligible - filled
    if taken > 0:
        message += f", {taken} of them proposed for other lines"
    why = line.explain_exclusions()
    return f"{message} ({why})" if why else message
