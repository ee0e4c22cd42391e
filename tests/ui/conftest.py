"""Fixtures for the user interface: a seeded desk, its main window, and a guard against stray threads.

Every test here runs offscreen (``QT_QPA_PLATFORM=offscreen`` is set before Qt starts).
"""

from __future__ import annotations

import os
import traceback
import weakref
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import pytest
from PySide6.QtCore import QThread, QThreadPool
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from supervisor_app.demo import DEFAULT_SEED, seed_demo
from supervisor_app.domain.people import Actor, Role
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.context import DeskContext
from supervisor_app.settings import Settings
from supervisor_app.store.engine import make_engine
from supervisor_app.ui.app import create_main_window
from supervisor_app.ui.main_window import MainWindow
from supervisor_app.ui.map.web_engine import prepare_web_engine

# Qt WebEngine (the resource map) is set up before pytest-qt creates the application, as the desk does.
prepare_web_engine()

DEMO_DAYS = 2
DESK = "desk-1"
USER = "demo.supervisor"


def _started_at() -> str:
    """Where a thread was started, for the failure message (skipping this file and Qt's frames)."""
    frames = [f for f in traceback.extract_stack()[:-2] if "conftest" not in f.filename]
    return "".join(traceback.format_list(frames[-4:]))


@pytest.fixture(autouse=True)
def _dangling_qthreads(monkeypatch: pytest.MonkeyPatch, qtbot: QtBot) -> Iterator[None]:
    """Fail any test that leaves a QThread running or a thread pool busy (napari's guard).

    A thread that outlives its test reports to widgets that no longer exist, which crashes the
    test run somewhere else, later. Shut the runner down (close the window) in every fixture.
    """
    started: weakref.WeakKeyDictionary[QThread, str] = weakref.WeakKeyDictionary()
    pools: weakref.WeakSet[QThreadPool] = weakref.WeakSet()
    thread_start = QThread.start
    pool_start = QThreadPool.start

    def recording_thread_start(self: QThread, *args: object) -> None:
        started[self] = _started_at()
        thread_start(self, *args)

    def recording_pool_start(self: QThreadPool, *args: object) -> None:
        pools.add(self)
        pool_start(self, *args)

    monkeypatch.setattr(QThread, "start", recording_thread_start)
    monkeypatch.setattr(QThreadPool, "start", recording_pool_start)
    yield

    dangling = []
    for thread, where in list(started.items()):
        with suppress(RuntimeError):  # the C++ object is already gone: it cannot be running
            if thread.isRunning():
                dangling.append((thread, where))
    busy_pools = []
    for pool in list(pools):
        with suppress(RuntimeError):
            if pool.activeThreadCount():
                busy_pools.append(pool)
    for thread, _where in dangling:
        with suppress(RuntimeError):
            thread.quit()  # ends threads with an event loop; others are reported all the same
            thread.wait(2000)
    for pool in busy_pools:
        with suppress(RuntimeError):
            pool.waitForDone(2000)
    if dangling or busy_pools:
        details = "\n".join(f"QThread {t.objectName() or t!r} started at:\n{w}" for t, w in dangling)
        details += "".join(f"\nQThreadPool {p.objectName() or p!r} still busy" for p in busy_pools)
        pytest.fail(f"The test left background threads running; shut the runner down.\n{details}")


@pytest.fixture(autouse=True)
def _map_loads_when_shown(monkeypatch: pytest.MonkeyPatch) -> None:
    """Main windows under test load the map's web page only if a test shows the map (or asks):
    Chromium starting beside every window would only slow the tests that never look at it."""
    monkeypatch.setattr(MainWindow, "map_after_ms", None)


@pytest.fixture(autouse=True)
def _restore_application_look(qapp: QApplication) -> Iterator[None]:
    """Themes style the whole application; put it back so tests do not depend on their order."""
    style_sheet, palette, font = qapp.styleSheet(), QPalette(qapp.palette()), qapp.font()
    yield
    qapp.setStyleSheet(style_sheet)
    qapp.setPalette(palette)
    qapp.setFont(font)


@pytest.fixture
def desk_settings(sqlite_url: str, tmp_path: Path) -> Settings:
    # No MDT link unless a test asks for one (tests/ui/test_queue.py talks to the broker itself).
    return Settings(
        data_dir=tmp_path, config_dir=tmp_path, db_url=sqlite_url, desk_name=DESK, user=USER, mdt_broker=""
    )


@pytest.fixture
def desk_context(desk_settings: Settings, pack: OrganisationPack) -> Iterator[DeskContext]:
    """A desk on a migrated SQLite database holding the demo organisation and two days of history."""
    engine = make_engine(desk_settings.db_url)
    seed_demo(engine, pack, seed=DEFAULT_SEED, days=DEMO_DAYS)
    actor = Actor.of(USER, [Role.SUPERVISOR, Role.OPERATOR], DESK, display_name="Demo Supervisor")
    yield DeskContext(settings=desk_settings, engine=engine, pack=pack, actor=actor)
    engine.dispose()


@pytest.fixture
def main_window(qtbot: QtBot, desk_context: DeskContext) -> Iterator[MainWindow]:
    """The shown main window, its overview loaded and live; closed (runner and feed stopped) after."""
    window = create_main_window(desk_context)
    window.show()
    qtbot.waitExposed(window)
    overview = window.views["overview"]
    qtbot.waitUntil(
        lambda: getattr(overview, "snapshot", None) is not None and overview.is_live and not window.runner.busy_count,
        timeout=10_000,
    )
    yield window
    window.close()
    window.deleteLater()
