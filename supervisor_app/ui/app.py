"""Start the desk: the Qt application, the theme, the error path, the main window, the event loop."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtWidgets import QApplication, QDialog

import supervisor_app
from supervisor_app.services.context import DeskContext, OpenedDatabase
from supervisor_app.settings import APP_NAME
from supervisor_app.ui.error_messages import PersonMessage, Severity
from supervisor_app.ui.main_window import APP_TITLE, MainWindow
from supervisor_app.ui.map import prepare_web_engine
from supervisor_app.ui.session import SignInDialog
from supervisor_app.ui.theme import apply_theme, theme_named

log = logging.getLogger(__name__)

DEFAULT_WINDOW_SIZE = (1600, 900)


def _application(argv: list[str], context: OpenedDatabase) -> QApplication:
    existing = QApplication.instance()
    if existing is not None and not isinstance(existing, QApplication):
        raise RuntimeError("A Qt application without widgets is already running; the desk needs QApplication.")
    if existing is None:
        prepare_web_engine()  # the map's web engine must be set up before the application exists
    app = existing if isinstance(existing, QApplication) else QApplication(argv)
    app.setApplicationName(APP_NAME)
    app.setApplicationDisplayName(APP_TITLE)
    app.setApplicationVersion(supervisor_app.__version__)
    app.setOrganizationName(context.pack.name)
    app.setDesktopFileName(APP_NAME)
    app.setQuitOnLastWindowClosed(True)  # closing the desk window ends the desk
    return app


def create_main_window(context: DeskContext, **options: Any) -> MainWindow:
    """The main window with everything wired (for ``run_desk`` and for tests); not yet shown.

    A QApplication must exist. The caller closes the window (or calls ``shutdown()``) to stop
    its background work.
    """
    app = QApplication.instance()
    if isinstance(app, QApplication):
        apply_theme(app, theme_named(context.settings.theme))
    window = MainWindow(context, **options)
    window.resize(*DEFAULT_WINDOW_SIZE)
    return window


def sign_in_first(database: OpenedDatabase) -> DeskContext | None:
    """Ask who is at the desk; None if they quit instead. A QApplication must exist."""
    app = QApplication.instance()
    if isinstance(app, QApplication):
        apply_theme(app, theme_named(database.settings.theme))
    dialog = SignInDialog(database)
    dialog.resize(640, 520)
    accepted = dialog.exec() == QDialog.DialogCode.Accepted and dialog.actor is not None
    actor = dialog.actor
    dialog.deleteLater()
    return database.signed_in(actor) if accepted and actor is not None else None


def run_desk(database: OpenedDatabase, argv: list[str]) -> int:
    """Sign in, then run the desk until the window closes; returns the exit code for the process."""
    app = _application(argv, database)
    app.setQuitOnLastWindowClosed(False)  # closing the sign-in dialog must not end the desk about to open
    context = sign_in_first(database)
    if context is None:
        log.info("Desk %s closed at sign-in", database.settings.desk_name)
        database.engine.dispose()
        return 0
    window = create_main_window(context)
    window.error_reporter.install_excepthook()
    if database.secrets_note:
        window.message_bar.show_message(
            PersonMessage(
                Severity.WARNING,
                database.secrets_note,
                "The desk works as usual. To use the keyring instead, ask IT to set up a keyring service "
                "for this account, then store the secrets again with \u201csupervisor-app secrets\u201d.",
                key="secrets-store",
            )
        )
    app.aboutToQuit.connect(window.shutdown)
    log.info("Desk %s opened on %s as %s", context.settings.desk_name, context.database_label, context.actor.username)
    window.show()
    app.setQuitOnLastWindowClosed(True)
    try:
        code = app.exec()
        log.info("Desk %s closed (exit code %s)", context.settings.desk_name, code)
    finally:
        window.shutdown()
    return int(code)
