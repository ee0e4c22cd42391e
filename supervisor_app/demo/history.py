"""The demo history: every referral over the chosen days, its deployments and its log.

Incidents are simulated in the order they arrive, each to its end (which may lie in the future);
whatever would happen after ``now`` is left out, so the last hours are live: incidents waiting for
a resource, resources on their way or on scene, crews returning to base.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from typing import Any

from supervisor_app.demo import wording
from supervisor_app.demo.codes import ADVICE_ONLY, WITHDRAWN, DemoLogCodes
from supervisor_app.demo.demand import Arrival, type_frequency
from supervisor_app.demo.finnish_names import USERS_BY_NAME, Watch, watch_for_shift
from supervisor_app.demo.fleet import LocalClock
from supervisor_app.demo.organisation import IdStart, as_datetime
from supervisor_app.demo.referrals import choose_referrer, needs_of, station_place
from supervisor_app.demo.response import BREACH_SHARE, Dispatcher, UnitPlan, lognormal_seconds
from supervisor_app.domain.deployments import ACTIVE_DEPLOYMENT_STATUSES, DeploymentStatus
from supervisor_app.domain.incidents import IncidentStatus, ResponseRequirement
from supervisor_app.pack import IncidentType, OrganisationPack

Row = dict[str, Any]
UNIX_EPOCH_ORDINAL = date(1970, 1, 1).toordinal()

CANCELLED_EARLY_SHARE = 0.03
ADVICE_SHARE = 0.05
WITHDRAWN_SHARE = 0.015
STAND_DOWN_SHARE = 0.2
PROGRESS_NOTE_SHARE = 0.12

@dataclass(frozen=True)
class ClosedIncident:
    """An attended, closed incident: the kind a complaint or query may later be about."""

    incident_id: int
    reference: str
    category: str
    closed: int


@dataclass
class HistoryBatch:
    incidents: list[Row] = field(default_factory=list)
    deployments: list[Row] = field(default_factory=list)
    log_entries: list[Row] = field(default_factory=list)


@dataclass(frozen=True)
class LiveUnit:
    """A deployment that holds its resource at ``now``, and where the incident is."""

    plan: UnitPlan
    lat: float
    lon: float


@dataclass
class _Incident:
    """One incident while it is simulated; becomes rows at the end."""

    id: int
    created: int
    incident_type: IncidentType
    priority: str
    target: int
    lat: float
    lon: float
    events: list[tuple[int, str, str, str]] = field(default_factory=list)  # time, code, author, text
    units: list[UnitPlan] = field(default_factory=list)
    closed: int | None = None
    disposition: str | None = None
    cancelled: bool = False
    assessed: int = 0
    advice_at: int | None = None
    waiting: bool = False  # assessed, and no resource sent yet

    def log(self, at: int, code: str, author: str, text: str) -> None:
        self.events.append((at, code, author, text))


class HistorySimulator:
    def __init__(
        self,
        pack: OrganisationPack,
        dispatcher: Dispatcher,
        rng: random.Random,
        clock: LocalClock,
        *,
        now: int,
        ids: IdStart,
    ) -> None:
        self.pack = pack
        self.dispatcher = dispatcher
        self.rng = rng
        self.clock = clock
        self.now = now
        self.codes = DemoLogCodes(pack)
        self.next_incident_id = ids.incident
        self.next_deployment_id = ids.deployment
        self.next_log_id = ids.log_entry
        self.counters: dict[str, int] = {}
        self.closed_incidents: list[ClosedIncident] = []
        self.live_units: dict[int, LiveUnit] = {}
        self._priority_codes = [priority.code for priority in pack.priorities]
        self._types_by_category: dict[str, tuple[list[IncidentType], list[float]]] = {}
        for incident_type in pack.incident_types:
            types, weights = self._types_by_category.setdefault(incident_type.category, ([], []))
            types.append(incident_type)
            weights.append(type_frequency(incident_type.code))
        self._required = {
            t.code: [
                ResponseRequirement(r.resource_type, r.count, tuple(r.capabilities)).as_dict()
                for r in t.required_response
            ]
            for t in pack.incident_types
        }
        self._needs = {t.code: needs_of(t, pack) for t in pack.incident_types}
        self._places = pack.gazetteer() or [station_place(station) for station in pack.stations]
        self._partners = [o.name for o in pack.external_organisations] or ["Partner agency"]
        self._watch_at = lru_cache(maxsize=100_000)(self._watch_for_hour)

    # --- the people on duty -------------------------------------------------------------------

    def _watch_for_hour(self, utc_hour: int) -> Watch:
        moment = utc_hour * 3600
        hour, _ = self.clock.hour_and_weekday(moment)
        day = self.local_day(moment).toordinal()
        if hour < 7:
            return watch_for_shift(day - 1, True)
        return watch_for_shift(day, hour >= 19)

    def watch(self, moment: int) -> Watch:
        return self._watch_at(moment // 3600)

    def local_day(self, moment: int) -> date:
        return date.fromordinal(UNIX_EPOCH_ORDINAL + (moment + self.clock.utc_offset(moment)) // 86400)

    # --- the run ---------------------------------------------------------------------------------

    def run(self, arrivals: list[Arrival], batch_size: int) -> Iterator[HistoryBatch]:
        batch = HistoryBatch()
        for arrival in arrivals:
            self._simulate(arrival, batch)
            if len(batch.incidents) >= batch_size:
                yield batch
                batch = HistoryBatch()
        if batch.incidents:
            yield batch

    def _simulate(self, arrival: Arrival, batch: HistoryBatch) -> None:
        rng = self.rng
        incident_type = self._choose_type(arrival)
        rank = self._priority_codes.index(incident_type.default_priority)
        priority_reason = ""
        draw = rng.random()
        if arrival.live_state is not None:
            pass  # keep the type's own priority: it decides whether the incident waits
        elif draw < 0.06 and rank > 0:
            rank, priority_reason = rank - 1, "vulnerable resident in the household"
        elif draw < 0.09 and rank + 2 < len(self._priority_codes):
            rank, priority_reason = rank + 1, "no risk to people or property on further questioning"
        priority = self._priority_codes[rank]
        place = rng.choice(self._places)
        created = arrival.at
        incident = _Incident(
            id=self.next_incident_id,
            created=created,
            incident_type=incident_type,
            priority=priority,
            target=incident_type.targets(self.pack.priority(priority)).on_scene,
            lat=place.lat,
            lon=place.lon,
        )
        self.next_incident_id += 1
        category = incident_type.category
        summary = wording.incident_summary(rng, incident_type.code, category, place.street)
        source, contact_name, contact_phone, organisation = choose_referrer(
            rng, incident_type.code, category, partners=self._partners, own_organisation=self.pack.name
        )
        watch = self.watch(created)
        operator = rng.choice(watch.operators)
        incident.log(created, self.codes.referral, operator, f"{source.value}: {summary}")
        assess = self.dispatcher.assess_seconds(rank)
        incident.assessed = created + int(assess * 0.6)
        outcome = rng.random()
        if arrival.live_state is IncidentStatus.AWAITING_RESOURCE:
            self._assess(incident, operator, category, priority_reason)
            incident.waiting = True
        elif arrival.live_state is not None:
            self._assess(incident, operator, category, priority_reason)
            self._respond(incident, assess, category, withdrawn=False, breach=False)
        elif outcome < CANCELLED_EARLY_SHARE:
            self._cancel_early(incident, operator)
        elif outcome < CANCELLED_EARLY_SHARE + ADVICE_SHARE and rank > 0:
            self._resolve_by_advice(incident, operator, category)
        else:
            self._assess(incident, operator, category, priority_reason)
            withdrawn = outcome > 1 - WITHDRAWN_SHARE
            self._respond(incident, assess, category, withdrawn=withdrawn, breach=rng.random() < BREACH_SHARE)
        day = self.local_day(created)
        scope = f"INC-{day:%Y%m%d}"
        number = self.counters.get(scope, 0) + 1
        self.counters[scope] = number
        reference = f"{scope}-{number:04d}"
        self._emit(incident, batch, reference, {
            "summary": summary,
            "address": place.label,
            "source": source.value,
            "contact_name": contact_name,
            "contact_phone": contact_phone,
            "contact_organisation": organisation,
            "created_by": operator,
            "desk": USERS_BY_NAME[operator].desk,
        })

    # --- outcomes --------------------------------------------------------------------------------

    def _cancel_early(self, incident: _Incident, operator: str) -> None:
        reason, disposition = self.rng.choice(wording.CANCELLATIONS)
        at = incident.created + self.rng.randint(90, 900)
        incident.log(at, self.codes.closed, operator, f"Cancelled: {reason}.")
        incident.closed, incident.disposition, incident.cancelled = at, disposition, True

    def _resolve_by_advice(self, incident: _Incident, operator: str, category: str) -> None:
        rng = self.rng
        advised = incident.created + rng.randint(180, 1200)
        incident.advice_at = advised
        advice = rng.choice(wording.for_category(wording.ASSESSMENT_NOTES, category))
        incident.log(advised, self.codes.advice, operator, advice)
        closed = advised + rng.randint(60, 900)
        incident.log(closed, self.codes.closed, operator, f"Closed: {rng.choice(wording.ADVICE_RESOLUTIONS)}")
        incident.closed, incident.disposition = closed, ADVICE_ONLY

    def _assess(self, incident: _Incident, operator: str, category: str, priority_reason: str) -> None:
        note = self.rng.choice(wording.for_category(wording.ASSESSMENT_NOTES, category))
        incident.log(incident.assessed, self.codes.assessed, operator, note)
        if priority_reason:
            incident.log(incident.assessed + 20, self.codes.priority_changed, operator, priority_reason)

    def _choose_type(self, arrival: Arrival) -> IncidentType:
        types, weights = self._types_by_category[arrival.category]
        if arrival.live_state is not None:
            urgent = arrival.live_state is not IncidentStatus.AWAITING_RESOURCE
            suited = [t for t in types if (t.default_priority == self._priority_codes[0]) == urgent] or types
            return self.rng.choice(suited)
        return self.rng.choices(types, weights=weights)[0] if len(types) > 1 else types[0]

    def _respond(self, incident: _Incident, assess: int, category: str, *, withdrawn: bool, breach: bool) -> None:
        rng = self.rng
        units = self.dispatcher.dispatch(
            self._needs[incident.incident_type.code],
            created=incident.created, assess=assess, target=incident.target, breach=breach,
            category=category, lat=incident.lat, lon=incident.lon,
        )
        incident.units = units
        if not units:  # nobody able could be found: the day service takes it on
            self._resolve_by_advice(incident, self.watch(incident.created).operators[0], category)
            return
        first_arrival = min(u.on_scene for u in units if u.on_scene is not None)
        if withdrawn:
            at = units[0].requested + rng.randint(120, 900)
            if at < first_arrival:
                self._withdraw(incident, at)
                return
        if len(units) > 1 and rng.random() < STAND_DOWN_SHARE:
            last = units[-1]
            at = first_arrival + rng.randint(60, 420)
            if last.on_scene is not None and last.requested + 30 < at < last.on_scene:
                last.stand_down(at)
                self._log_unit_stood_down(incident, last, wording.NOT_REQUIRED_REASON)
        finished = [self._log_unit(incident, unit, category) for unit in units if unit.cancelled is None]
        if first_arrival > incident.created + incident.target:
            self._log_breach(incident, first_arrival)
        if rng.random() < PROGRESS_NOTE_SHARE and first_arrival - units[0].requested > 120:
            at = rng.randint(units[0].requested + 60, first_arrival - 30)
            incident.log(at, self.codes.note, self.watch(at).operators[0], rng.choice(wording.ROUTINE_NOTES))
        if not finished:
            return
        last_clear, result, disposition = max(finished)
        closed = last_clear + lognormal_seconds(rng, 600, 0.6, 60, 7200)
        incident.log(closed, self.codes.closed, self.watch(closed).supervisor, f"Closed: {result}.")
        incident.closed, incident.disposition = closed, disposition

    def _withdraw(self, incident: _Incident, at: int) -> None:
        """The caller no longer needs help: stand down whoever was sent, forget who was not yet."""
        sent = []
        for unit in incident.units:
            if unit.requested < at:
                unit.stand_down(at)
                self._log_unit_stood_down(incident, unit, wording.WITHDRAWAL_REASON)
                sent.append(unit)
            else:
                unit.resource.bookings.release(unit.requested)
        incident.units = sent
        closed = at + self.rng.randint(60, 300)
        supervisor = self.watch(closed).supervisor
        incident.log(closed, self.codes.closed, supervisor, f"Cancelled: {wording.WITHDRAWAL_REASON}.")
        incident.closed, incident.disposition, incident.cancelled = closed, WITHDRAWN, True

    def _log_unit_start(self, incident: _Incident, unit: UnitPlan) -> None:
        call_sign = unit.resource.call_sign
        supervisor = self.watch(unit.requested).supervisor
        assigned = f"{call_sign} assigned by {unit.channel}: {unit.need.label}"
        incident.log(unit.requested, self.codes.deployed, supervisor, assigned)
        steps = ((DeploymentStatus.ACKNOWLEDGED, unit.acknowledged), (DeploymentStatus.EN_ROUTE, unit.en_route))
        for status, at in steps:
            if at is not None:
                text = f"{call_sign} {status.value.replace('_', ' ')}"
                incident.log(at, self.codes.for_status[status], supervisor, text)

    def _log_unit_stood_down(self, incident: _Incident, unit: UnitPlan, reason: str) -> None:
        self._log_unit_start(incident, unit)
        assert unit.cancelled is not None
        supervisor = self.watch(unit.cancelled).supervisor
        code = self.codes.for_status[DeploymentStatus.CANCELLED]
        incident.log(unit.cancelled, code, supervisor, f"{unit.resource.call_sign} cancelled: {reason}")

    def _log_unit(self, incident: _Incident, unit: UnitPlan, category: str) -> tuple[int, str, str]:
        """Log a deployment that went to the end; return when it cleared, its result and disposition."""
        rng = self.rng
        self._log_unit_start(incident, unit)
        assert unit.on_scene is not None
        assert unit.cleared is not None
        call_sign = unit.resource.call_sign
        supervisor = self.watch(unit.on_scene).supervisor
        on_scene_code = self.codes.for_status[DeploymentStatus.ON_SCENE]
        incident.log(unit.on_scene, on_scene_code, supervisor, f"{call_sign} on scene")
        interval = self.pack.priority(incident.priority).targets.update_interval
        at = unit.on_scene + int(interval * rng.uniform(0.5, 0.9))
        updates = 0
        while at < unit.cleared and updates < 3:
            text = f"{call_sign}: {rng.choice(wording.for_category(wording.ON_SCENE_UPDATES, category))}"
            incident.log(at, self.codes.update, self.watch(at).supervisor, text)
            at += int(interval * rng.uniform(0.5, 0.9))
            updates += 1
        result, disposition = rng.choice(wording.for_category(wording.CLEAR_RESULTS, category))
        clear_code = self.codes.for_status[DeploymentStatus.CLEARED]
        incident.log(unit.cleared, clear_code, self.watch(unit.cleared).supervisor, f"{call_sign} cleared: {result}")
        return unit.cleared, result, disposition

    def _log_breach(self, incident: _Incident, first_arrival: int) -> None:
        due = incident.created + incident.target
        minutes_late = (first_arrival - due + 59) // 60
        local = as_datetime(due).astimezone(self.clock.zone)
        supervisor = self.watch(first_arrival).supervisor
        text = f"On-scene target ({local:%H:%M}) missed by {minutes_late} min."
        incident.log(first_arrival + 30, self.codes.late, supervisor, text)
        if incident.priority == self._priority_codes[0] and first_arrival > due + 120:
            incident.log(due + 60, self.codes.escalated, self.watch(due).supervisor,
                         "no resource on scene at the target time; duty manager informed")

    # --- rows ------------------------------------------------------------------------------------

    def _status(self, incident: _Incident) -> IncidentStatus:
        now = self.now
        if incident.closed is not None and incident.closed <= now:
            return IncidentStatus.CANCELLED if incident.cancelled else IncidentStatus.CLOSED
        if incident.advice_at is not None:
            return IncidentStatus.RESOLVED if incident.advice_at <= now else IncidentStatus.NEW
        states = [unit.status_at(now) for unit in incident.units]
        if DeploymentStatus.ON_SCENE in states:
            return IncidentStatus.IN_PROGRESS
        if any(state in ACTIVE_DEPLOYMENT_STATUSES for state in states):
            return IncidentStatus.RESOURCE_ASSIGNED
        if incident.assessed > now:
            return IncidentStatus.NEW
        if not incident.units:
            return IncidentStatus.AWAITING_RESOURCE if incident.waiting else IncidentStatus.NEW
        if DeploymentStatus.CLEARED in states and None not in states:
            return IncidentStatus.RESOLVED
        return IncidentStatus.AWAITING_RESOURCE

    def _emit(self, incident: _Incident, batch: HistoryBatch, reference: str, details: Row) -> None:
        now = self.now
        rng = self.rng
        status = self._status(incident)
        events = sorted((event for event in incident.events if event[0] <= now), key=lambda event: event[0])
        for at, code, author, text in events:
            batch.log_entries.append({
                "id": self.next_log_id,
                "incident_id": incident.id,
                "occurred_at": as_datetime(at),
                "recorded_at": as_datetime(min(now, at + rng.randint(0, 25))),
                "author": author,
                "desk": USERS_BY_NAME[author].desk,
                "code": code,
                "text": text,
            })
            self.next_log_id += 1
        for unit in incident.units:
            self._emit_unit(incident, unit, batch)
        closed = incident.closed if incident.closed is not None and incident.closed <= now else None
        batch.incidents.append({
            "id": incident.id,
            "reference": reference,
            "incident_type": incident.incident_type.code,
            "priority": incident.priority,
            "status": status.value,
            "lat": incident.lat,
            "lon": incident.lon,
            "required_response": self._required[incident.incident_type.code],
            "pack_version": self.pack.version,
            "created_at": as_datetime(incident.created),
            "updated_at": as_datetime(events[-1][0]),
            "closed_at": as_datetime(closed) if closed is not None else None,
            "disposition_code": incident.disposition if closed is not None else None,
            "version": len(events),
            **details,
        })
        if status is IncidentStatus.CLOSED and incident.units and closed is not None:
            category = incident.incident_type.category
            self.closed_incidents.append(ClosedIncident(incident.id, reference, category, closed))

    def _emit_unit(self, incident: _Incident, unit: UnitPlan, batch: HistoryBatch) -> None:
        now = self.now
        status = unit.status_at(now)
        if status is None:
            return
        if unit.requested <= now < unit.busy_end:
            self.live_units[unit.resource.id] = LiveUnit(unit, incident.lat, incident.lon)
        stamps = {
            "acknowledged_at": unit.acknowledged,
            "en_route_at": unit.en_route,
            "on_scene_at": unit.on_scene,
            "cleared_at": unit.cleared,
            "cancelled_at": unit.cancelled,
        }
        row: Row = {
            "id": self.next_deployment_id,
            "incident_id": incident.id,
            "resource_id": unit.resource.id,
            "required_response": unit.need.label,
            "channel": unit.channel,
            "status": status.value,
            "requested_at": as_datetime(unit.requested),
            "requested_by": self.watch(unit.requested).supervisor,
            "desk": USERS_BY_NAME[self.watch(unit.requested).supervisor].desk,
            "version": 1,
        }
        for name, at in stamps.items():
            happened = at is not None and at <= now
            row[name] = as_datetime(at) if happened and at is not None else None
            row["version"] += happened
        batch.deployments.append(row)
        self.next_deployment_id += 1
