"""Failures: logged in full, told to the person plainly in the message bar, and the desk keeps going."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot
from sqlalchemy.exc import OperationalError

from supervisor_app.domain.errors import InvalidTransition
from supervisor_app.services.context import DeskContext
from supervisor_app.ui.error_messages import Severity
from supervisor_app.ui.error_reporting import LOG_FILE_NAME
from supervisor_app.ui.main_window import MainWindow
from supervisor_app.ui.status_bar import ConnectionState


def _log_text(context: DeskContext) -> str:
    return (context.settings.data_dir / "logs" / LOG_FILE_NAME).read_text(encoding="utf-8")


def _bar_text(window: MainWindow) -> str:
    return window.message_bar.headline_text() + "\n" + window.message_bar.advice_text()


def _raise(error: BaseException) -> Any:
    def fail(_session: object) -> None:
        raise error
    return fail


def _database_gone() -> OperationalError:
    return OperationalError("SELECT 1", {}, Exception("unable to open database file"))


def test_a_failing_job_shows_a_clear_message_and_logs_the_trace(
    qtbot: QtBot, main_window: MainWindow, desk_context: DeskContext
) -> None:
    assert main_window.message_bar.isHidden()
    with qtbot.waitSignal(main_window.error_reporter.sig_message, timeout=5000):
        main_window.runner.run_read(_raise(RuntimeError("index out of step with the page")))

    bar = main_window.message_bar
    assert bar.isVisible()
    assert bar.message is not None and bar.message.severity is Severity.ERROR
    shown = _bar_text(main_window)
    assert "Something went wrong in the desk" in shown
    assert "try the action again" in shown and "IT support" in shown
    assert "Traceback" not in shown and "index out of step" not in shown
    logged = _log_text(desk_context)
    assert "Traceback (most recent call last)" in logged
    assert "RuntimeError: index out of step with the page" in logged

    # The desk keeps running: the next operation works and the message can be dismissed by Esc.
    view = main_window.views["overview"]
    with qtbot.waitSignal(view.sig_refreshed, timeout=5000):
        view.on_refresh()
    main_window.activateWindow()
    qtbot.waitActive(main_window)
    qtbot.keyClick(main_window, Qt.Key.Key_Escape)
    assert bar.isHidden()


def test_a_refused_action_shows_its_own_message(qtbot: QtBot, main_window: MainWindow) -> None:
    refusal = InvalidTransition("Resource G11", "off_duty", "assigned", ("available",))
    with qtbot.waitSignal(main_window.error_reporter.sig_message, timeout=5000):
        main_window.runner.run_write(_raise(refusal))
    assert main_window.message_bar.message is not None
    assert main_window.message_bar.message.severity is Severity.WARNING
    assert main_window.message_bar.headline_text() == str(refusal)
    assert main_window.status.connection_state is ConnectionState.OK


def test_a_lost_connection_shows_in_the_status_bar_and_recovers(
    qtbot: QtBot, main_window: MainWindow, desk_context: DeskContext
) -> None:
    status = main_window.status
    with qtbot.waitSignal(status.sig_connection_changed, timeout=5000) as lost:
        main_window.runner.run_read(_raise(_database_gone()))
    assert lost.args == [False]
    assert status.connection_state is ConnectionState.LOST
    assert status.connection.text().startswith("Connection lost since ")
    assert status.connection.icon_name == "connection-lost"
    assert "connection to the database was lost" in main_window.message_bar.headline_text()

    # Repeats during the outage are counted, not stacked, and the log keeps one full trace.
    first_headline = main_window.message_bar.headline_text()
    with qtbot.waitSignal(main_window.error_reporter.sig_message, timeout=5000):
        main_window.runner.run_read(_raise(_database_gone()))
    assert main_window.message_bar.repeats == 2
    assert main_window.message_bar.headline_text().startswith(first_headline)
    assert _log_text(desk_context).count("Traceback") == 1

    with qtbot.waitSignal(status.sig_connection_changed, timeout=5000) as back:
        main_window.views["overview"].on_refresh()
    assert back.args == [True]
    assert status.connection.text() == "Connected"
    assert main_window.message_bar.message is not None
    assert main_window.message_bar.message.severity is Severity.INFO
    assert "is back" in main_window.message_bar.headline_text()


def test_uncaught_exceptions_go_through_the_error_path(main_window: MainWindow, desk_context: DeskContext) -> None:
    reporter = main_window.error_reporter
    reporter.install_excepthook()
    try:
        try:
            raise KeyError("selected row vanished")
        except KeyError as error:
            sys.excepthook(type(error), error, error.__traceback__)
    finally:
        reporter.uninstall_excepthook()
    assert sys.excepthook is not reporter._excepthook
    assert main_window.message_bar.isVisible()
    assert "KeyError" in main_window.message_bar.headline_text()
    assert "selected row vanished" in _log_text(desk_context)


def test_the_log_file_lives_in_the_data_folder(main_window: MainWindow, desk_context: DeskContext) -> None:
    assert main_window.error_reporter.log_file == Path(desk_context.settings.data_dir) / "logs" / LOG_FILE_NAME
