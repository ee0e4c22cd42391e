"""The monitor's reads: open incidents as rows in four queries, rows for a change, and the history by keyset."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import Engine, event, select
from sqlalchemy.orm import Session

from supervisor_app.domain.errors import InvalidValue
from supervisor_app.domain.people import Actor
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.incident_lifecycle import close_incident
from supervisor_app.services.monitor import (
    HistoryFilters,
    HistoryKey,
    MonitorRow,
    history_page,
    load_open_rows,
    load_rows,
    page_query,
)
from supervisor_app.services.presence import claim_incident, register_desk
from supervisor_app.store.engine import make_engine
from supervisor_app.store.models import DeskPresence, Incident
from tests.services.conftest import Organisation, deploy, make_incident

START = datetime(2026, 11, 2, 8, 0, tzinfo=UTC)


@contextmanager
def counted_selects(engine: Engine) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        if statement.lstrip().upper().startswith("SELECT"):
            statements.append(statement)

    event.listen(engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", count)


@pytest.fixture
def three(organisation: Organisation, pack: OrganisationPack, supervisor: Actor) -> tuple[int, int, int]:
    """Two open incidents (the first with G11 on scene and W11 stood down), and one closed after G12 attended."""
    first, second, closed = (make_incident(organisation, pack, supervisor) for _ in range(3))
    deploy(organisation, pack, supervisor, first, "G11", "en_route", "on_scene")
    deploy(organisation, pack, supervisor, first, "W11", "available")
    deploy(organisation, pack, supervisor, closed, "G12", "en_route", "on_scene")
    with organisation.session() as session:
        close_incident(session, supervisor, closed, "REPAIRED", "", pack, uncleared_reason="Fixed and left site")
    return first, second, closed


def test_every_open_incident_is_read_in_four_queries_with_its_resources_and_claim(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, three: tuple[int, int, int]
) -> None:
    first, second, _closed = three
    with organisation.session() as session:
        register_desk(session, supervisor)
    with organisation.session() as session:
        claim_incident(session, supervisor, first, timezone=pack.timezone)
    with organisation.session() as session, counted_selects(organisation.engine) as selects:
        snapshot = load_open_rows(session, supervisor, pack)
    assert len(selects) == 4
    assert [row.incident_id for row in snapshot.rows] == [first, second]
    row = snapshot.rows[0]
    assert (row.type_name, row.priority, row.status, row.sector, row.resources, row.claimed_by) == (
        "Gas escape inside a building", "P1", "in_progress", "Kamppi and Punavuori", (("G11", "on_scene"),),
        ("sup.one", "desk-1"))
    assert [d.call_sign for d in row.times.deployments] == ["G11", "W11"]
    assert row.times.attendance_required and row.required_response[0].resource_type == "GAS_ENG"
    assert row.last_update_at == row.times.last_update_at > row.created_at
    assert snapshot.rows[1].resources == () and snapshot.rows[1].claimed_by is None
    assert snapshot.read_at >= row.last_update_at


def test_a_claim_lapses_when_its_desk_goes_silent(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, three: tuple[int, int, int]
) -> None:
    with organisation.session() as session:
        register_desk(session, supervisor)
    with organisation.session() as session:
        claim_incident(session, supervisor, three[0], timezone=pack.timezone)
    with organisation.session() as session, session.begin():
        for desk in session.scalars(select(DeskPresence)):
            desk.heartbeat_at -= timedelta(minutes=1)
    with organisation.session() as session:
        rows = load_open_rows(session, supervisor, pack).rows
    assert [row.claimed_by for row in rows] == [None, None]


def test_no_open_incidents_reads_an_empty_table_with_the_clock(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    with organisation.session() as session:
        snapshot = load_open_rows(session, supervisor, pack)
    assert snapshot.rows == () and abs(snapshot.read_at - datetime.now(UTC)) < timedelta(minutes=1)


def test_rows_for_a_change_list_those_no_longer_open_as_gone(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, three: tuple[int, int, int]
) -> None:
    first, _second, closed = three
    with organisation.session() as session:
        changed = load_rows(session, supervisor, [closed, first, 999_999], pack)
    assert [row.incident_id for row in changed.rows] == [first]
    assert changed.gone_ids == frozenset({closed, 999_999})
    with organisation.session() as session:
        everything = load_rows(session, supervisor, [closed, first, 999_999], pack, open_only=False)
    assert [row.incident_id for row in everything.rows] == [first, closed]
    assert everything.gone_ids == frozenset({999_999})
    closed_row = everything.rows[1]
    assert (closed_row.status, closed_row.disposition_code, closed_row.resources) == (
        "closed", "REPAIRED", (("G12", "cleared"),))
    assert closed_row.closed_at is not None and closed_row.times.ended_at == closed_row.closed_at


def _history(org: Organisation, pack: OrganisationPack, actor: Actor, specs: list[dict[str, object]]) -> list[int]:
    """Closed incidents made directly (the history is read, not written, here); their ids in order made."""
    ids = []
    with org.session() as session, session.begin():
        for number, spec in enumerate(specs, start=1):
            created = spec.pop("created_at")
            assert isinstance(created, datetime)
            values: dict[str, object] = {
                "reference": f"INC-{created:%Y%m%d}-{number:04d}", "incident_type": "GAS_ESCAPE_INTERNAL",
                "priority": "P2", "status": "closed", "lat": 60.1660, "lon": 24.9400,
                "address": f"Testikatu {number}, Helsinki", "source": "phone", "summary": "s",
                "required_response": [], "pack_version": pack.version, "created_at": created, "updated_at": created,
                "closed_at": created + timedelta(hours=1), "created_by": actor.username, "desk": actor.desk,
                "disposition_code": "REPAIRED", **spec,
            }
            incident = Incident(**values)
            session.add(incident)
            session.flush()
            ids.append(incident.id)
    return ids


def _all_pages(org: Organisation, pack: OrganisationPack, actor: Actor, filters: HistoryFilters,
               limit: int) -> list[list[MonitorRow]]:
    pages: list[list[MonitorRow]] = []
    before: HistoryKey | None = None
    while True:
        with org.session() as session:
            page = history_page(session, actor, pack, filters=filters, before=before, limit=limit)
        pages.append(list(page.rows))
        if page.next_key is None:
            return pages
        assert page.next_key == HistoryKey(page.rows[-1].created_at, page.rows[-1].incident_id)
        before = page.next_key


def test_the_history_pages_newest_first_without_duplicates_or_gaps(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor
) -> None:
    # 23 closed incidents, several received in the same microsecond: the id breaks the tie.
    moments = [START + timedelta(minutes=n // 3) for n in range(23)]
    ids = _history(organisation, pack, supervisor, [{"created_at": at} for at in moments])
    make_incident(organisation, pack, supervisor)  # open: never in the history
    pages = _all_pages(organisation, pack, supervisor, HistoryFilters(), limit=5)
    assert [len(page) for page in pages] == [5, 5, 5, 5, 3]
    listed = [row.incident_id for page in pages for row in page]
    expected = [i for _at, i in sorted(zip(moments, ids, strict=True), reverse=True)]
    assert listed == expected
    exact = _all_pages(organisation, pack, supervisor, HistoryFilters(), limit=23)
    assert [len(page) for page in exact] == [23]


def test_the_history_filters(organisation: Organisation, pack: OrganisationPack, supervisor: Actor) -> None:
    ids = _history(organisation, pack, supervisor, [
        {"created_at": START, "priority": "P1"},
        {"created_at": START + timedelta(hours=1), "incident_type": "LIFT_ENTRAPMENT"},
        {"created_at": START + timedelta(hours=2), "status": "cancelled", "disposition_code": "HOAX"},
        {"created_at": START + timedelta(days=1), "address": "Mannerheimintie 100% Street"},
        {"created_at": START + timedelta(days=2), "reference": "INC-20261104-0777"},
    ])

    def listed(**given: object) -> list[int]:
        pages = _all_pages(organisation, pack, supervisor, HistoryFilters(**given), limit=200)  # type: ignore[arg-type]
        return [row.incident_id for page in pages for row in page]

    assert listed() == ids[::-1]
    assert listed(priorities={"P1"}) == [ids[0]]
    assert listed(incident_types={"LIFT_ENTRAPMENT"}) == [ids[1]]
    assert listed(statuses={"cancelled"}) == [ids[2]]
    assert listed(statuses={"closed"}) == [ids[4], ids[3], ids[1], ids[0]]
    assert listed(text="mannerheimintie 100%") == [ids[3]]
    assert listed(text="100_") == []
    assert listed(text="inc-20261104-07") == [ids[4]]
    assert listed(since=START + timedelta(hours=1), until=START + timedelta(days=1)) == [ids[2], ids[1]]
    with pytest.raises(InvalidValue, match="closed or cancelled"):
        HistoryFilters(statuses=frozenset({"in_progress"}))


def test_the_history_reads_its_own_index_on_sqlite(sqlite_url: str) -> None:
    """SQLite uses a partial index only when the query states its condition; the history does."""
    engine = make_engine(sqlite_url)
    try:
        for filters in (HistoryFilters(), HistoryFilters(statuses=frozenset({"closed"}), priorities=frozenset({"P1"}))):
            query = page_query(filters, HistoryKey(START, 10), 200)
            sql = str(query.compile(engine, compile_kwargs={"literal_binds": True}))
            with engine.connect() as connection:
                plan = " ".join(str(row[-1]) for row in connection.exec_driver_sql("EXPLAIN QUERY PLAN " + sql))
            assert "USING INDEX ix_incidents_history" in plan, plan
    finally:
        engine.dispose()


def test_a_history_row_carries_its_ended_clocks(
    organisation: Organisation, pack: OrganisationPack, supervisor: Actor, three: tuple[int, int, int]
) -> None:
    with organisation.session() as session:
        page = history_page(session, supervisor, pack, filters=HistoryFilters())
    (row,) = page.rows
    assert (row.incident_id, row.resources, page.next_key) == (three[2], (("G12", "cleared"),), None)
    assert not row.times.is_open and row.times.deployments[0].on_scene_at is not None
    with Session(organisation.engine) as session:
        assert row.version == session.get(Incident, three[2]).version  # type: ignore[union-attr]
