"""Render the desk at 1600x900 with the demo organisation, in both themes.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/take.py [output folder]

Opens a fresh SQLite desk in a temporary folder exactly as a first run does (schema, then the demo
organisation with 30 days of history), waits until the overview has loaded, and saves
``desk-dark.png`` and ``desk-high-contrast.png`` next to this script (or in the folder given).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from supervisor_app.bootstrap import open_desk
from supervisor_app.settings import Settings
from supervisor_app.ui.app import create_main_window
from supervisor_app.ui.main_window import MainWindow

SIZE = (1600, 900)
SHOTS = {"dark": "desk-dark.png", "high_contrast": "desk-high-contrast.png"}
LOAD_TIMEOUT_S = 30.0


def settle(app: QApplication, seconds: float) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        time.sleep(0.01)


def wait_for_overview(app: QApplication, window: MainWindow) -> None:
    overview = window.views["overview"]
    deadline = time.monotonic() + LOAD_TIMEOUT_S
    while (getattr(overview, "snapshot", None) is None or not getattr(overview, "is_live", False)
           or window.runner.busy_count):
        if time.monotonic() > deadline:
            raise SystemExit("The overview did not load within 30 s.")
        app.processEvents()
        time.sleep(0.01)


def take(output: Path) -> list[Path]:
    output.mkdir(parents=True, exist_ok=True)
    app = QApplication.instance() or QApplication(sys.argv[:1])
    assert isinstance(app, QApplication)
    saved = []
    with tempfile.TemporaryDirectory(prefix="desk-screenshots-") as folder:
        data = Path(folder)
        settings = Settings(
            data_dir=data, config_dir=data, db_url=f"sqlite:///{data / 'desk.db'}",
            desk_name="desk-1", user="demo.supervisor", theme="dark",
        )
        context = open_desk(settings, progress=print)
        window = create_main_window(context)
        try:
            window.resize(*SIZE)
            window.show()
            wait_for_overview(app, window)
            for theme, file_name in SHOTS.items():
                window.set_theme(theme)
                settle(app, 0.3)
                path = output / file_name
                window.grab().save(str(path))
                saved.append(path)
                print(f"saved {path}")
        finally:
            window.close()
            context.engine.dispose()
    return saved


if __name__ == "__main__":
    take(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
