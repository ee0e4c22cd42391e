"""Render the desk at 1600x900 with the demo organisation, in both themes: the desk, the sign-in,
the locked desk and (as the demo administrator) the accounts view.

    QT_QPA_PLATFORM=offscreen .venv/bin/python docs/screenshots/take.py [output folder]

Opens a fresh SQLite desk in a temporary folder exactly as a first run does (schema, then the demo
organisation with 30 days of history), waits until the overview has loaded, and saves
``desk-dark.png``, ``desk-high-contrast.png`` and the others named in ``SHOTS`` and
``SESSION_SHOTS`` next to this script (or in the folder given).
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtWidgets import QApplication

from supervisor_app.bootstrap import prepare_desk
from supervisor_app.services.context import OpenedDatabase
from supervisor_app.demo.organisation import DEMO_PASSWORD
from supervisor_app.services.sign_in import sign_in
from supervisor_app.settings import Settings
from supervisor_app.ui.app import create_main_window
from supervisor_app.ui.main_window import MainWindow
from supervisor_app.ui.session import SignInDialog

SIZE = (1600, 900)
SHOTS = {"dark": "desk-dark.png", "high_contrast": "desk-high-contrast.png"}
SESSION_SHOTS = {
    "dark": ("sign-in-dark.png", "locked-dark.png", "accounts-dark.png"),
    "high_contrast": ("sign-in-high-contrast.png", "locked-high-contrast.png", "accounts-high-contrast.png"),
}
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
        database = prepare_desk(settings, progress=print)
        with database.write_session() as session:
            actor = sign_in(session, "demo.supervisor", DEMO_PASSWORD, "desk-1", timezone=database.pack.timezone)
        context = database.signed_in(actor)
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
            saved += _session_shots(app, window, database, output)
        finally:
            window.close()
            context.engine.dispose()
    return saved


def _session_shots(app: QApplication, window: MainWindow, database: OpenedDatabase, output: Path) -> list[Path]:
    """The sign-in dialog, the locked desk, and the accounts view as the demo administrator."""
    saved = []
    for theme, (sign_in_file, locked_file, _accounts) in SESSION_SHOTS.items():
        window.set_theme(theme)
        dialog = SignInDialog(database)
        dialog.resize(640, 520)
        dialog.show()
        settle(app, 0.3)
        path = output / sign_in_file
        dialog.grab().save(str(path))
        dialog.close()
        saved.append(path)
        window.session.lock("Locked at 14:32 after 15 minutes without use.", reason="idle")
        settle(app, 0.4)
        path = output / locked_file
        window.grab().save(str(path))
        saved.append(path)
        window.session._unlocked()
    with window.context.write_session() as session:
        admin = sign_in(session, "demo.admin", DEMO_PASSWORD, "desk-1", timezone=window.context.pack.timezone)
    window.context.hand_over(admin)
    window.on_actor_changed(admin)
    window.show_view("accounts")
    settle(app, 1.0)
    for theme, (_sign_in, _locked, accounts_file) in SESSION_SHOTS.items():
        window.set_theme(theme)
        settle(app, 0.3)
        path = output / accounts_file
        window.grab().save(str(path))
        saved.append(path)
    for path in saved:
        print(f"saved {path}")
    return saved


if __name__ == "__main__":
    take(Path(sys.argv[1]) if len(sys.argv) > 1 else Path(__file__).resolve().parent)
