"""Writers lock an incident before its deployments and resources, so closing an incident while its
unit reports in makes one wait for the other and never deadlocks (PostgreSQL: SQLite has one writer).

Each test holds the incident as closing does, starts the unit's report in a thread and, while that
report waits, checks from a third connection that it holds neither the unit nor its deployment: had
it taken either first, closing would wait for it while it waits for the incident.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from sqlalchemy import Connection, text
from sqlalchemy.exc import OperationalError

from supervisor_app.domain.people import Actor
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.outbox import record_acknowledgement
from supervisor_app.services.resources import change_resource_status
from supervisor_app.store.models import Deployment, Resource
from tests.services.conftest import Organisation, deploy, stored_incident

pytestmark = pytest.mark.parametrize(
    "db_url", [pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True
)


def _lockable_now(connection: Connection, table: str, row_id: int) -> bool:
    """Whether the row can be locked at once (nobody else holds it)."""
    try:
        with connection.begin():
            connection.execute(text(f"SELECT id FROM {table} WHERE id = :id FOR UPDATE NOWAIT"), {"id": row_id})
        return True
    except OperationalError as refused:
        if "could not obtain lock" not in str(refused):
            raise
        return False


def _while_the_incident_is_held(org: Organisation, incident_id: int, report: Callable[[], object]) -> dict[str, bool]:
    """Hold the incident locked, run ``report`` in a thread, and say which rows it left free while waiting."""
    failures: list[BaseException] = []

    def run() -> None:
        try:
            report()
        except Exception as error:  # noqa: BLE001 - handed to the assertion below, in the test's thread
            failures.append(error)

    with org.engine.connect() as holder, org.engine.connect() as probe:
        holding = holder.begin()
        holder.execute(text("SELECT id FROM incidents WHERE id = :id FOR UPDATE"), {"id": incident_id})
        worker = threading.Thread(target=run)
        worker.start()
        waiting = False
        for _ in range(100):  # until the report is seen waiting for the incident
            waiting = bool(probe.execute(text(
                "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND datname = current_database()"
            )).scalar())
            probe.rollback()
            if waiting:
                break
            time.sleep(0.02)
        free = {
            "waits for the incident": waiting,
            "unit free": _lockable_now(probe, "resources", org.resource_ids["G11"]),
            "deployment free": _lockable_now(probe, "deployments", _deployment_id(probe)),
        }
        holding.commit()
        worker.join(timeout=10)
    assert not worker.is_alive() and not failures, failures
    return free


def _deployment_id(connection: Connection) -> int:
    with connection.begin():
        return int(connection.execute(text("SELECT max(id) FROM deployments")).scalar_one())


def test_a_status_report_waits_for_the_incident_before_taking_its_unit(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    deploy(organisation, pack, supervisor, incident_id, "G11")

    def en_route() -> None:
        with organisation.session() as session:
            change_resource_status(session, supervisor, organisation.resource_ids["G11"], "en_route")

    free = _while_the_incident_is_held(organisation, incident_id, en_route)
    assert free == {"waits for the incident": True, "unit free": True, "deployment free": True}
    with organisation.session() as session:
        assert session.get(Resource, organisation.resource_ids["G11"]).status == "en_route"  # type: ignore[union-attr]
    assert stored_incident(organisation, incident_id).status == "resource_assigned"


def test_an_acknowledgement_waits_for_the_incident_before_taking_its_deployment(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, incident_id: int
) -> None:
    deployment_id = deploy(organisation, pack, supervisor, incident_id, "G11")

    def acknowledge() -> None:
        with organisation.session() as session:
            record_acknowledgement(session, supervisor, call_sign="G11", deployment_id=deployment_id)

    free = _while_the_incident_is_held(organisation, incident_id, acknowledge)
    assert free == {"waits for the incident": True, "unit free": True, "deployment free": True}
    with organisation.session() as session:
        assert session.get(Deployment, deployment_id).status == "acknowledged"  # type: ignore[union-attr]
