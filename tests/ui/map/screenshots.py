"""Screenshots of the resource map with the demo organisation: the whole area and one street, in both themes.

    QT_QPA_PLATFORM=offscreen .venv/bin/python -m tests.ui.map.screenshots [output folder]

Seeds a fresh SQLite desk in a temporary folder (schema, then the demo organisation with a day of
history), loads the live state as a desk does, and saves ``map-city-dark.png``,
``map-street-dark.png``, ``map-city-high-contrast.png`` and ``map-street-high-contrast.png`` (1600x900)
into ``docs/screenshots/`` (or the folder given). The street view selects an incident waiting for
resources, so the routes of the recommended resources show.
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from supervisor_app.ui.map.web_engine import prepare_web_engine

prepare_web_engine()

from PySide6.QtWidgets import QApplication  # noqa: E402

from supervisor_app.demo import DEFAULT_SEED, seed_demo  # noqa: E402
from supervisor_app.domain.people import Actor, Role  # noqa: E402
from supervisor_app.pack import default_pack_dir, load_pack  # noqa: E402
from supervisor_app.services.context import DeskContext  # noqa: E402
from supervisor_app.services.live_rows import load_snapshot  # noqa: E402
from supervisor_app.settings import Settings  # noqa: E402
from supervisor_app.store import migrate  # noqa: E402
from supervisor_app.store.engine import make_engine  # noqa: E402
from supervisor_app.sync.live_state import LiveState  # noqa: E402
from supervisor_app.ui.map.probe import evaluate, wait_until  # noqa: E402
from supervisor_app.ui.map.sources import MapSources  # noqa: E402
from supervisor_app.ui.map.view import MapView  # noqa: E402
from supervisor_app.ui.theme import THEMES, Theme, apply_theme  # noqa: E402
from tests.ui.map.support import close_map, open_map, routed_incident  # noqa: E402

DEFAULT_FOLDER = Path(__file__).resolve().parents[3] / "docs" / "screenshots"
SIZE = (1600, 900)
STREET_ZOOM = 17


def demo_desk(folder: Path) -> DeskContext:
    url = f"sqlite:///{folder / 'desk.db'}"
    engine = make_engine(url)
    migrate.upgrade(engine)
    pack = load_pack(default_pack_dir())
    seed_demo(engine, pack, seed=DEFAULT_SEED, days=1)
    settings = Settings(data_dir=folder, config_dir=folder, db_url=url, desk_name="desk-1", mdt_broker="")
    actor = Actor.of("demo.supervisor", [Role.SUPERVISOR, Role.OPERATOR], "desk-1", display_name="Demo Supervisor")
    return DeskContext(settings=settings, engine=engine, pack=pack, actor=actor)


def take(folder: Path = DEFAULT_FOLDER) -> list[Path]:
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    folder.mkdir(parents=True, exist_ok=True)
    saved: list[Path] = []
    with tempfile.TemporaryDirectory(prefix="map-shots-") as scratch:
        context = demo_desk(Path(scratch))
        with context.read_session() as session:
            state = LiveState(load_snapshot(session, context.actor), 30)
            incident_id = routed_incident(session, context.actor, context.pack)
        for theme in THEMES.values():
            apply_theme(app, theme)
            loaded = open_map(context, state, MapSources(), size=SIZE)
            try:
                saved += shoot(loaded.view, theme, incident_id, folder)
            finally:
                close_map(loaded)
        context.engine.dispose()
    return saved


def shoot(view: MapView, theme: Theme, incident_id: int | None, folder: Path) -> list[Path]:
    view.on_theme_changed(theme)
    suffix = theme.name.replace("_", "-")
    wait_until(lambda: evaluate(view, "deskMap.counts().resources") > 0, 10, "the resources")
    view.fit_area()
    city = grab(view, folder / f"map-city-{suffix}.png")
    if incident_id is None:
        evaluate(view, f"deskMap.setView(60.1702, 24.9446, {STREET_ZOOM})")
    else:  # centred on it, close enough to name the streets, with its routes
        view.on_select_incident(incident_id)
        wait_until(lambda: evaluate(view, "deskMap.counts().routes") > 0, 15, "the routes")
        evaluate(view, "(function () { var m = deskMap.map(); m.setZoom(16, {animate: false}); return true; })()")
    return [city, grab(view, folder / f"map-street-{suffix}.png")]


def grab(view: MapView, path: Path, settle_s: float = 0.8) -> Path:
    """Let the page draw (labels, clusters, a few frames), then save the view as it looks."""
    deadline = time.monotonic() + settle_s
    wait_until(lambda: time.monotonic() >= deadline, settle_s + 5, "the page to settle")
    view.grab().save(str(path))
    return path


if __name__ == "__main__":
    for shot in take(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT_FOLDER):
        print(shot)
