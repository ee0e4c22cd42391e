"""Every write is announced in its own transaction, in commit order, with no gaps."""

from __future__ import annotations

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from supervisor_app.domain.changes import EntityKind
from supervisor_app.domain.people import Action, Actor
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.incidents import add_log_entry, create_incident
from supervisor_app.services.resources import assign_resource, change_resource_status
from supervisor_app.services.unit_of_work import append_log, transaction
from supervisor_app.store.change_log import changes_after, latest_seq
from supervisor_app.store.engine import make_engine, writer
from supervisor_app.store.models import Incident
from tests.services.conftest import Organisation, make_incident, new_incident, row_counts


def _notices(engine: Engine, after: int = 0):  # type: ignore[no-untyped-def]
    with engine.connect() as connection:
        return changes_after(connection, after)


def test_each_service_announces_exactly_what_it_changed(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    _, resource_id = next(iter(organisation.resource_ids.items()))
    with organisation.session() as session:
        created = create_incident(session, supervisor, new_incident(pack), pack)
    with organisation.session() as session:
        noted = add_log_entry(session, supervisor, created.incident_id, "NOTE", "caller rang back", pack)
    with organisation.session() as session:
        assigned = assign_resource(session, supervisor, created.incident_id, resource_id, pack, channel="voice_radio")
    with organisation.session() as session:
        moved = change_resource_status(session, supervisor, resource_id, "en_route")
    notices = _notices(organisation.engine)
    assert [n.seq for n in notices] == [1, 2, 3, 4]
    assert [n.changes for n in notices] == [created.changes, noted, assigned.changes, moved]
    assert notices[3].changes.ids[EntityKind.RESOURCE] == {resource_id}
    assert all((n.actor, n.desk) == ("sup.one", "desk-1") for n in notices)
    assert [n.committed_at for n in notices] == sorted(n.committed_at for n in notices)


def test_a_refused_action_announces_nothing(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, operator: Actor
) -> None:
    incident_id = make_incident(organisation, pack, supervisor)
    _, resource_id = next(iter(organisation.resource_ids.items()))
    with organisation.session() as session, pytest.raises(Exception, match="may not"):
        assign_resource(session, operator, incident_id, resource_id, pack, channel="voice_radio")
    assert [n.seq for n in _notices(organisation.engine)] == [1]


def test_a_write_without_an_announcement_is_refused_and_rolled_back(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    incident_id = make_incident(organisation, pack, supervisor)
    before = row_counts(organisation.engine)
    with (
        organisation.session() as session,
        pytest.raises(RuntimeError, match="without announce"),
        transaction(session, supervisor, Action.ADD_LOG_ENTRY),
    ):
        append_log(session, supervisor, incident_id, "NOTE", "silent write")
    assert row_counts(organisation.engine) == before


WRITERS, EACH = 8, 15


def test_concurrent_writers_give_a_gapless_sequence_that_readers_see_in_order(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, db_url: str
) -> None:
    """A reader polling while eight desks write never sees a later change before an earlier one."""
    engine = make_engine(db_url, pool_size=WRITERS + 2) if "postgresql" in db_url else make_engine(db_url)
    done = threading.Event()
    observed: list[int] = []
    skipped: list[tuple[int, int]] = []

    def read() -> None:
        position = 0
        while True:
            finished = done.is_set()
            with engine.connect() as connection:
                batch = changes_after(connection, position)
            for notice in batch:
                if notice.seq != position + 1:
                    skipped.append((position, notice.seq))
                position = notice.seq
                observed.append(notice.seq)
            if finished and not batch:
                return

    def write(i: int) -> None:
        desk = Actor.of(f"sup.{i}", supervisor.roles, f"desk-{i}")
        for _ in range(EACH):
            with Session(writer(engine)) as session:
                create_incident(session, desk, new_incident(pack), pack)

    reader = threading.Thread(target=read)
    reader.start()
    with ThreadPoolExecutor(WRITERS) as pool:
        list(pool.map(write, range(WRITERS)))
    done.set()
    reader.join(60)
    with engine.connect() as connection:
        final = latest_seq(connection)
    engine.dispose()
    assert skipped == []
    assert observed == list(range(1, WRITERS * EACH + 1)) == list(range(1, final + 1))
    with Session(organisation.engine) as session:
        assert len(session.scalars(select(Incident.id)).all()) == WRITERS * EACH
