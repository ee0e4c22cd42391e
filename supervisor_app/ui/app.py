"""Start the desk: the Qt application, the theme, the error path, the main window, the event loop."""

from __future__ import annotations

import logging

from PySide6.QtWidgets import QApplication

import supervisor_app
from supervisor_app.services.context import DeskContext
from supervisor_app.settings import APP_NAME
from supervisor_app.ui.main_window import APP_TITLE, MainWindow
from supervisor_app.ui.theme import apply_theme, theme_named

log = logging.getLogger(__name__)

DEFAULT_WINDOW_SIZE = (1600, 900)


def _application(argv: list[str], context: DeskContext) -> QApplication:
    existing = QApplication.instance()
    if existing is not None and not isinstance(existing, QApplication):
        raise RuntimeError("A Qt application without widgets is already running; the desk needs QApplication.")
    app = existing if isinstance(existing, QApplication) else QApplication(argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    app.setApplicationVersion(supervisor_app.__version__)
    app.setOrganizationName(context.pack.name)
    app.setDesktopFileName(APP_NAME)
    app.setQuitOnLastWindowClosed(True)  # closing the desk window ends the desk
    return app


def create_main_window(context: DeskContext) -> MainWindow:
    """The main window with everything wired (for ``run_desk`` and for tests); not yet shown.

    A QApplication must exist. The caller closes the window (or calls ``shutdown()``) to stop
    its background work.
    """
    app = QApplication.instance()
    if isinstance(app, QApplication):
        apply_theme(app, theme_named(context.settings.theme))
    window = MainWindow(context)
    window.resize(*DEFAULT_WINDOW_SIZE)
    return window


def run_desk(context: DeskContext, argv: list[str]) -> int:
    """Run the desk until the window closes; returns the exit code for the process."""
    app = _application(argv, context)
    window = create_main_window(context)
    window.error_reporter.install_excepthook()
    app.aboutToQuit.connect(window.shutdown)
    log.info("Desk %s opened on %s as %s", context.settings.desk_name, context.database_label, context.actor.username)
    window.show()
    try:
        code = app.exec()
        log.info("Desk %s closed (exit code %s)", context.settings.desk_name, code)
    finally:
        window.shutdown()
    return int(code)
