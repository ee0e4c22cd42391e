"""The database goes away mid-shift: the desk says so at once, keeps the last state on screen, and
when the database is back says so and catches up with what other desks did meanwhile."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.demo import DEFAULT_SEED, seed_demo
from supervisor_app.domain.incidents import OPEN_INCIDENT_STATUSES
from supervisor_app.domain.people import Actor, Role
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.context import DeskContext
from supervisor_app.services.incidents import add_log_entry
from supervisor_app.settings import Settings
from supervisor_app.store import migrate
from supervisor_app.store.engine import make_engine, writer
from supervisor_app.store.models import Incident, LogEntry
from supervisor_app.ui.app import create_main_window
from supervisor_app.ui.error_messages import Severity
from supervisor_app.ui.main_window import MainWindow
from supervisor_app.ui.overview import OverviewView
from supervisor_app.ui.runner import DatabaseUnavailable
from tests.support.pg_cluster import ThrowawayCluster

OPEN_STATUSES = [s.value for s in OPEN_INCIDENT_STATUSES]


@pytest.fixture
def desk_on_cluster(
    qtbot: QtBot, cluster: ThrowawayCluster, pack: OrganisationPack, tmp_path: Path
) -> Iterator[MainWindow]:
    engine = make_engine(cluster.url)
    migrate.upgrade(engine)
    seed_demo(engine, pack, seed=DEFAULT_SEED, days=1)
    settings = Settings(
        data_dir=tmp_path, config_dir=tmp_path, db_url=cluster.url, desk_name="desk-1", user="demo.supervisor"
    )
    actor = Actor.of("demo.supervisor", [Role.SUPERVISOR], "desk-1", display_name="Demo Supervisor")
    window = create_main_window(DeskContext(settings=settings, engine=engine, pack=pack, actor=actor))
    window.show()
    qtbot.waitExposed(window)
    overview = window.views["overview"]
    assert isinstance(overview, OverviewView)
    qtbot.waitUntil(lambda: overview.is_live and not window.runner.busy_count, timeout=15_000)
    yield window
    window.close()
    window.deleteLater()
    engine.dispose()


@pytest.mark.postgres
def test_an_outage_is_shown_at_once_and_the_return_says_what_was_caught_up(
    qtbot: QtBot, desk_on_cluster: MainWindow, cluster: ThrowawayCluster, pack: OrganisationPack
) -> None:
    window = desk_on_cluster
    overview = window.views["overview"]
    assert isinstance(overview, OverviewView)
    rows_before = overview.log_model.entry_ids()

    cluster.take_down()
    qtbot.waitUntil(
        lambda: window.message_bar.message is not None and window.message_bar.message.severity is Severity.ERROR,
        timeout=10_000,
    )
    lost = window.message_bar.message
    assert lost is not None and lost.headline.startswith("The connection to the database was lost at ")
    assert "changes cannot be saved" in lost.advice
    assert "lost" in window.status.connection.label.text().lower()
    assert overview.log_model.entry_ids() == rows_before  # the last known state stays on screen
    assert overview._updated.text().startswith("Not live since ")
    label = window.status.connection.label
    assert label.text().startswith("Connection lost since ")
    assert label.width() >= label.fontMetrics().horizontalAdvance(label.text())  # shown whole, not cut

    refused: list[BaseException] = []
    incident_id_on_screen = overview.log_model.line(0).incident_id
    note = "typed during the outage"

    def write_note(session: Session) -> object:
        return add_log_entry(session, window.context.actor, incident_id_on_screen, "NOTE", note, pack)

    started = time.monotonic()
    window.runner.run_write(write_note, on_error=refused.append)
    qtbot.waitUntil(lambda: bool(refused), timeout=2000)
    assert time.monotonic() - started < 1.0  # refused at once, not after a connection timeout
    assert isinstance(refused[0], DatabaseUnavailable)
    assert str(refused[0]).startswith("Not saved: the database has been unreachable since ")
    assert "Nothing was written" in str(refused[0])

    cluster.bring_back()
    other = Actor.of("aino.virtanen", [Role.SUPERVISOR], "desk-7")
    engine = writer(make_engine(cluster.url))
    with Session(engine) as session:
        incident_id = session.scalars(select(Incident.id).where(Incident.status.in_(OPEN_STATUSES))).first()
    assert incident_id is not None
    for text in ("made while desk-1 was away", "and another"):
        with Session(engine) as session:
            add_log_entry(session, other, incident_id, "NOTE", text, pack)
    engine.dispose()

    qtbot.waitUntil(
        lambda: window.message_bar.message is not None and window.message_bar.message.severity is Severity.INFO,
        timeout=15_000,
    )
    back = window.message_bar.message
    assert back is not None and back.headline.startswith("The connection to the database is back")
    assert "the screen is up to date" in back.advice  # it says what it caught up with (or that nothing changed)
    qtbot.waitUntil(lambda: overview.log_model.line(0).text == "and another", timeout=10_000)
    assert "connected" in window.status.connection.label.text().lower()
    check = make_engine(cluster.url)
    with Session(check) as session:
        assert session.scalar(select(LogEntry.id).where(LogEntry.text == note)) is None  # nothing half-written
    check.dispose()
    saved: list[object] = []
    window.runner.run_write(write_note, saved.append)  # the same action, now the database is back
    qtbot.waitUntil(lambda: bool(saved), timeout=5000)
    qtbot.waitUntil(lambda: overview.log_model.line(0).text == note, timeout=5000)

