"""Sixteen desk processes racing to deploy the same five resources on PostgreSQL: none is sent twice."""

from __future__ import annotations

import multiprocessing
import random

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from supervisor_app.domain.people import Actor, Role
from supervisor_app.pack import OrganisationPack
from tests.services.conftest import build_organisation, make_incident

PROCESSES = 16
CONTESTED = 5


def _desk(index: int, url: str, incident_id: int, resource_ids: list[int], start: object, results: object) -> None:
    """One desk in its own process: its own engine, released at the start line with the others."""
    from supervisor_app.pack import default_pack_dir, load_pack
    from supervisor_app.services.deployments import DeploymentOrder, deploy_resources
    from supervisor_app.services.errors import Conflict
    from supervisor_app.store.engine import make_engine, writer

    pack = load_pack(default_pack_dir())
    engine = make_engine(url)
    actor = Actor.of(f"sup.{index}", [Role.SUPERVISOR], f"desk-{index}")
    order = list(resource_ids)
    random.Random(index).shuffle(order)  # each desk goes for the five in its own order
    won, lost = [], 0
    try:
        with Session(writer(engine)) as session:
            session.connection()
            session.rollback()
        start.wait(timeout=60)  # type: ignore[attr-defined]
        for resource_id in order:
            with Session(writer(engine)) as session:
                try:
                    deploy_resources(session, actor, incident_id, [DeploymentOrder(resource_id, "mdt")], pack)
                except Conflict:
                    lost += 1
                else:
                    won.append(resource_id)
    finally:
        engine.dispose()
    results.put((index, won, lost))  # type: ignore[attr-defined]


@pytest.mark.slow
@pytest.mark.postgres
def test_sixteen_processes_racing_for_five_resources_deploy_each_exactly_once(
    pg_url: str, pack: OrganisationPack, supervisor: Actor
) -> None:
    from supervisor_app.store.engine import make_engine
    from supervisor_app.store.models import Deployment
    engine = make_engine(pg_url)
    try:
        organisation = build_organisation(engine, pack)
        contested = list(organisation.resource_ids.values())[:CONTESTED]
        incidents = [make_incident(organisation, pack, supervisor) for _ in range(PROCESSES)]
    finally:
        engine.dispose()
    context = multiprocessing.get_context("spawn")
    start = context.Barrier(PROCESSES)
    results = context.Queue()
    desks = [
        context.Process(target=_desk, args=(i, pg_url, incidents[i], contested, start, results))
        for i in range(PROCESSES)
    ]
    for desk in desks:
        desk.start()
    outcomes = [results.get(timeout=120) for _ in desks]
    for desk in desks:
        desk.join(timeout=30)
        assert desk.exitcode == 0
    won = [resource for _, wins, _ in outcomes for resource in wins]
    assert sorted(won) == sorted(contested), "every resource deployed exactly once"
    assert sum(lost for _, _, lost in outcomes) == PROCESSES * CONTESTED - CONTESTED
    engine = make_engine(pg_url)
    try:
        with Session(engine) as session:
            per_resource = dict(session.execute(
                select(Deployment.resource_id, func.count()).group_by(Deployment.resource_id)).all())
    finally:
        engine.dispose()
    assert per_resource == {resource: 1 for resource in contested}
