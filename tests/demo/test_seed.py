"""The demo seeder: deterministic, internally consistent, plausible, and never run twice."""

from __future__ import annotations

import hashlib
import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import Engine, func, select
from sqlalchemy.orm import Session

from supervisor_app.demo import DEFAULT_SEED, SeedRefused, has_organisation, seed_demo
from supervisor_app.domain.complaints import CaseKind
from supervisor_app.domain.deployments import (
    ACTIVE_DEPLOYMENT_STATUSES,
    RESOURCE_STATUS_FOR_DEPLOYMENT,
    DeploymentStatus,
)
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.incidents import (
    REFERENCE_PATTERN,
    IncidentLocation,
    IncidentStatus,
    NewIncident,
    ReferralSource,
    parse_incident_reference,
)
from supervisor_app.domain.resources import COMMITTED_STATUSES, ResourceStatus
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.accounts import actor_for
from supervisor_app.services.incidents import create_incident
from supervisor_app.store import migrate
from supervisor_app.store.base import Base
from supervisor_app.store.engine import make_engine
from supervisor_app.store.models import AuditEvent, Case, Deployment, Incident, ReferenceCounter, Resource, Shift

#: A Friday evening in Helsinki (20:30 local): a busy moment for the live part of the history.
FRIDAY_EVENING = datetime(2026, 11, 20, 18, 30, tzinfo=UTC)
HELSINKI = ZoneInfo("Europe/Helsinki")

#: Every table the seeder fills (the audit event is compared by its detail: its time is the clock's).
DIGEST_TABLES = (
    "stations", "resources", "users", "user_roles", "shifts", "incidents", "deployments", "incident_log", "cases",
    "reference_counters",
)


def _normalised(value: object) -> object:
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    if isinstance(value, float):
        return round(value, 6)
    return value


def content_digest(engine: Engine) -> str:
    """A hash of every seeded row, comparable across databases (SQLite and PostgreSQL alike)."""
    digest = hashlib.sha256()
    with Session(engine) as session:
        for name in DIGEST_TABLES:
            table = Base.metadata.tables[name]
            columns = sorted(table.columns.keys())
            for row in session.execute(select(table).order_by(*table.primary_key.columns)).mappings():
                digest.update(repr([(c, _normalised(row[c])) for c in columns]).encode())
        detail = session.scalars(select(AuditEvent.detail).where(AuditEvent.action == "demo.seed")).one()
        digest.update(repr(sorted(detail.items())).encode())
    return digest.hexdigest()


def fresh_sqlite(path: Path) -> Engine:
    engine = make_engine(f"sqlite:///{path}")
    migrate.upgrade(engine)
    return engine


@pytest.fixture
def seeded(engine: Engine, pack: OrganisationPack) -> Engine:
    """Three days of demo history ending on a Friday evening, on both databases."""
    seed_demo(engine, pack, seed=DEFAULT_SEED, days=3, now=FRIDAY_EVENING)
    return engine


@pytest.fixture
def sqlite_engine(sqlite_url: str) -> Iterator[Engine]:
    engine = make_engine(sqlite_url)
    yield engine
    engine.dispose()


def test_same_seed_and_time_give_the_same_rows_on_any_database(
    seeded: Engine, pack: OrganisationPack, tmp_path: Path
) -> None:
    twin = fresh_sqlite(tmp_path / "twin.db")
    other = fresh_sqlite(tmp_path / "other.db")
    try:
        seed_demo(twin, pack, seed=DEFAULT_SEED, days=3, now=FRIDAY_EVENING)
        seed_demo(other, pack, seed=DEFAULT_SEED + 1, days=3, now=FRIDAY_EVENING)
        assert content_digest(seeded) == content_digest(twin)
        assert content_digest(other) != content_digest(twin)
    finally:
        twin.dispose()
        other.dispose()


def test_report_counts_match_the_rows(engine: Engine, pack: OrganisationPack) -> None:
    report = seed_demo(engine, pack, seed=7, days=2, now=FRIDAY_EVENING, total_incidents=321)
    with Session(engine) as session:
        assert session.scalar(select(func.count()).select_from(Incident)) == report.incidents == 321
        assert session.scalar(select(func.count()).select_from(Deployment)) == report.deployments
        resources = session.scalar(select(func.count()).select_from(Resource))
        assert resources == report.resources == len(pack.all_resources())
        assert session.scalar(select(func.count()).select_from(Shift)) == report.shifts
        audit = session.scalars(select(AuditEvent)).one()
    assert (audit.actor, audit.desk, audit.action) == ("system", "seed", "demo.seed")
    assert audit.detail["seed"] == 7 and audit.detail["incidents"] == 321
    assert "321 incidents" in report.summary()


def test_each_resource_has_at_most_one_live_deployment_and_the_status_it_implies(seeded: Engine) -> None:
    with Session(seeded) as session:
        active = session.execute(
            select(Deployment.resource_id, Deployment.status).where(
                Deployment.status.in_([s.value for s in ACTIVE_DEPLOYMENT_STATUSES])
            )
        ).all()
        resources = {r.id: r.status for r in session.scalars(select(Resource))}
    per_resource = Counter(resource_id for resource_id, _ in active)
    assert active, "the live part of the history has deployments under way"
    assert max(per_resource.values()) == 1
    for resource_id, status in active:
        assert resources[resource_id] == RESOURCE_STATUS_FOR_DEPLOYMENT[DeploymentStatus(status)].value
    deployed = {resource_id for resource_id, _ in active}
    for resource_id, status in resources.items():
        if resource_id not in deployed:
            assert ResourceStatus(status) not in COMMITTED_STATUSES
    assert ResourceStatus.AVAILABLE.value in resources.values()


def test_deployment_times_are_in_order_and_a_resource_is_never_in_two_places(seeded: Engine) -> None:
    with Session(seeded) as session:
        deployments = session.scalars(select(Deployment).order_by(Deployment.requested_at)).all()
        incidents = {i.id: i for i in session.scalars(select(Incident))}
    busy_until: dict[int, datetime] = {}
    for deployment in deployments:
        steps = [deployment.requested_at, deployment.acknowledged_at, deployment.en_route_at, deployment.on_scene_at,
                 deployment.cleared_at]
        present = [step for step in steps if step is not None]
        assert present == sorted(present), deployment.id
        assert all(step <= FRIDAY_EVENING for step in present)
        assert deployment.requested_at >= incidents[deployment.incident_id].created_at
        if deployment.cancelled_at is not None:
            assert deployment.status == DeploymentStatus.CANCELLED.value
            assert deployment.on_scene_at is None and deployment.cancelled_at >= deployment.requested_at
        if deployment.status == DeploymentStatus.CLEARED.value:
            assert deployment.cleared_at is not None
        previous_end = busy_until.get(deployment.resource_id)
        assert previous_end is None or previous_end <= deployment.requested_at, deployment.id
        end = deployment.cleared_at or deployment.cancelled_at or FRIDAY_EVENING + timedelta(days=1)
        busy_until[deployment.resource_id] = end


def test_incidents_in_every_live_state_and_closed_ones_have_a_disposition(seeded: Engine) -> None:
    with Session(seeded) as session:
        incidents = session.scalars(select(Incident)).all()
    statuses = Counter(IncidentStatus(i.status) for i in incidents)
    for live in (IncidentStatus.AWAITING_RESOURCE, IncidentStatus.RESOURCE_ASSIGNED, IncidentStatus.IN_PROGRESS):
        assert statuses[live] > 0, live
    assert statuses[IncidentStatus.CANCELLED] > 0
    assert statuses[IncidentStatus.CLOSED] > len(incidents) * 0.8
    for incident in incidents:
        finished = incident.status in (IncidentStatus.CLOSED, IncidentStatus.CANCELLED)
        assert (incident.closed_at is not None) == finished
        assert (incident.disposition_code is not None) == finished
        assert FRIDAY_EVENING - timedelta(days=3) <= incident.created_at <= FRIDAY_EVENING


def test_references_are_unique_numbered_by_local_day_and_continue_after_seeding(
    engine: Engine, pack: OrganisationPack
) -> None:
    seed_demo(engine, pack, seed=3, days=2)
    with Session(engine) as session:
        rows = session.execute(select(Incident.reference, Incident.created_at).order_by(Incident.id)).all()
        counters = {c.scope: c.last_value for c in session.scalars(select(ReferenceCounter))}
    references = [reference for reference, _ in rows]
    assert len(set(references)) == len(references)
    numbers_by_day: dict[str, list[int]] = defaultdict(list)
    for reference, created_at in rows:
        assert REFERENCE_PATTERN.match(reference)
        day, number = parse_incident_reference(reference)
        assert day == created_at.astimezone(HELSINKI).date()
        numbers_by_day[f"INC-{day:%Y%m%d}"].append(number)
    for scope, numbers in numbers_by_day.items():
        assert numbers == list(range(1, len(numbers) + 1)), scope
        assert counters[scope] == len(numbers)

    place = pack.gazetteer()[0]
    draft = NewIncident(
        incident_type=pack.incident_types[0].code,
        priority=pack.incident_types[0].default_priority,
        location=IncidentLocation(Coordinate(place.lat, place.lon), place.label),
        source=ReferralSource.PHONE,
        summary="Smell of gas in the stairwell",
    )
    with Session(engine) as session:
        actor = actor_for(session, "demo.operator", "desk-test")
    with Session(engine) as session:
        created = create_incident(session, actor, draft, pack)
    day, number = parse_incident_reference(created.reference)
    assert number == counters.get(f"INC-{day:%Y%m%d}", 0) + 1


def test_breaches_of_the_on_scene_target_exist_but_are_a_minority(
    sqlite_engine: Engine, pack: OrganisationPack
) -> None:
    seed_demo(sqlite_engine, pack, seed=DEFAULT_SEED, days=10, now=FRIDAY_EVENING)
    with Session(sqlite_engine) as session:
        rows = session.execute(
            select(Incident.incident_type, Incident.priority, Incident.created_at, func.min(Deployment.on_scene_at))
            .join(Deployment, Deployment.incident_id == Incident.id)
            .where(Deployment.on_scene_at.is_not(None))
            .group_by(Incident.id)
        ).all()
    late = 0
    for incident_type, priority, created_at, first_on_scene in rows:
        target = pack.incident_type(incident_type).targets(pack.priority(priority)).on_scene
        assert first_on_scene is not None
        late += (first_on_scene - created_at).total_seconds() > target
    assert len(rows) > 1000
    assert 0.02 < late / len(rows) < 0.15


def test_complaints_and_queries_have_deadlines_after_receipt(sqlite_engine: Engine, pack: OrganisationPack) -> None:
    seed_demo(sqlite_engine, pack, seed=DEFAULT_SEED, days=30, now=FRIDAY_EVENING)
    with Session(sqlite_engine) as session:
        cases = session.scalars(select(Case)).all()
        incidents = session.scalar(select(func.count()).select_from(Incident)) or 0
    assert 0.002 * incidents < len(cases) < 0.02 * incidents
    assert {c.kind for c in cases} == {CaseKind.COMPLAINT.value, CaseKind.QUERY.value}
    assert len({c.status for c in cases}) >= 3
    overdue = 0
    for case in cases:
        assert re.fullmatch(r"(CMP|QRY)-\d{8}-\d{3}", case.reference)
        assert case.received_at < case.acknowledge_by <= case.respond_by
        assert (case.statutory_by is not None) == (case.kind == CaseKind.COMPLAINT.value)
        assert case.received_at <= FRIDAY_EVENING
        overdue += case.responded_at is None and case.respond_by < FRIDAY_EVENING
    assert overdue > 0


def test_fewer_referrals_in_the_small_hours_than_in_the_early_evening(
    sqlite_engine: Engine, pack: OrganisationPack
) -> None:
    seed_demo(sqlite_engine, pack, seed=DEFAULT_SEED, days=14, now=FRIDAY_EVENING)
    with Session(sqlite_engine) as session:
        created = session.scalars(select(Incident.created_at)).all()
    by_hour = Counter(moment.astimezone(HELSINKI).hour for moment in created)
    small_hours = sum(by_hour[h] for h in (3, 4, 5)) / 3
    evening = sum(by_hour[h] for h in (17, 18, 19, 20)) / 4
    assert small_hours < evening / 2


def test_shifts_are_twelve_hours_local_and_each_has_a_lead(seeded: Engine) -> None:
    with Session(seeded) as session:
        shifts = session.scalars(select(Shift).order_by(Shift.starts_at)).all()
    assert shifts[0].starts_at <= FRIDAY_EVENING - timedelta(days=3)
    assert shifts[-1].starts_at <= FRIDAY_EVENING < shifts[-1].ends_at
    for shift, following in itertools.pairwise(shifts):
        assert shift.ends_at == following.starts_at
    for shift in shifts:
        assert shift.lead
        assert shift.starts_at.astimezone(HELSINKI).hour == (7 if shift.name == "day" else 19)


def test_a_second_seed_is_refused_and_changes_nothing(seeded: Engine, pack: OrganisationPack) -> None:
    before = content_digest(seeded)
    with Session(seeded) as session:
        assert has_organisation(session)
    with pytest.raises(SeedRefused, match="already has an organisation"):
        seed_demo(seeded, pack, seed=DEFAULT_SEED, days=3, now=FRIDAY_EVENING)
    assert content_digest(seeded) == before


def test_an_empty_database_has_no_organisation(sqlite_engine: Engine) -> None:
    with Session(sqlite_engine) as session:
        assert not has_organisation(session)
