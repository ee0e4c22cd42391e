"""Fixtures for the resource map: a real QWebEngineView offscreen, with the network blocked.

Qt WebEngine must be prepared before the QApplication exists: pytest imports this file while it
collects the tests, before its ``qapp`` fixture creates the application, so the map's URL scheme
is registered here (``prepare_web_engine``), and Chromium's environment is set (no sandbox as root,
no GPU offscreen). One map page is loaded per test module and shared by its tests.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from supervisor_app.ui.map.web_engine import prepare_web_engine

# Sets QTWEBENGINE_DISABLE_SANDBOX=1 (as root) and QTWEBENGINE_CHROMIUM_FLAGS=--disable-gpu
# (offscreen) before Chromium starts, and registers the deskmap: scheme before the application exists.
prepare_web_engine()

import shutil  # noqa: E402
from collections.abc import Iterator  # noqa: E402
from pathlib import Path  # noqa: E402

import pytest  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from supervisor_app.domain.people import Actor, Role  # noqa: E402
from supervisor_app.pack import OrganisationPack  # noqa: E402
from supervisor_app.services.context import DeskContext  # noqa: E402
from supervisor_app.settings import Settings  # noqa: E402
from supervisor_app.store.engine import make_engine  # noqa: E402
from supervisor_app.ui.map.sources import MapSources  # noqa: E402
from tests.ui.map.support import LoadedMap, close_map, demo_live_state, open_map  # noqa: E402


@pytest.fixture(scope="module")
def map_context(
    sqlite_template: Path, pack: OrganisationPack, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[DeskContext]:
    """A desk on an empty migrated database: the map tests feed the live state themselves."""
    folder = tmp_path_factory.mktemp("map-desk")
    shutil.copyfile(sqlite_template, folder / "desk.db")
    url = f"sqlite:///{folder / 'desk.db'}"
    settings = Settings(data_dir=folder, config_dir=folder, db_url=url, desk_name="desk-1", mdt_broker="")
    engine = make_engine(url)
    actor = Actor.of("demo.supervisor", [Role.SUPERVISOR, Role.OPERATOR], "desk-1", display_name="Demo Supervisor")
    yield DeskContext(settings=settings, engine=engine, pack=pack, actor=actor)
    engine.dispose()


@pytest.fixture(scope="module")
def loaded_map(qapp: QApplication, map_context: DeskContext) -> Iterator[LoadedMap]:
    """One map page per module, loaded with every http(s) request blocked, showing the demo state."""
    loaded = open_map(map_context, demo_live_state(map_context.pack), MapSources())
    yield loaded
    close_map(loaded)
