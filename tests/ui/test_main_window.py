"""The main window: what it shows, its shortcuts, its themes, and that it closes cleanly."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot

from supervisor_app.services.context import DeskContext
from supervisor_app.ui.app import create_main_window
from supervisor_app.ui.main_window import MainWindow
from supervisor_app.ui.overview import OverviewView
from supervisor_app.ui.status_bar import ConnectionState
from supervisor_app.ui.theme import load_stylesheet, theme_named

CTRL_SHIFT = Qt.KeyboardModifier.ControlModifier | Qt.KeyboardModifier.ShiftModifier


def test_status_bar_shows_database_desk_user_and_connection(main_window: MainWindow, desk_context: DeskContext) -> None:
    status = main_window.status
    assert status.database.text() == desk_context.database_label
    assert desk_context.database_label.startswith("SQLite ")
    assert status.desk.text() == "Desk: desk-1"
    assert status.user.text() == "Demo Supervisor (Operator, Supervisor)"
    assert status.connection_state is ConnectionState.OK
    assert status.connection.text() == "Connected"
    assert status.connection.icon_name == "connection-ok"


def test_clock_shows_organisation_time(main_window: MainWindow) -> None:
    text = main_window.status.clock.text()
    assert re.search(r"\d\d:\d\d:\d\d EE[S]?T$", text), text  # Europe/Helsinki


def test_window_title_names_organisation_and_desk(main_window: MainWindow, desk_context: DeskContext) -> None:
    title = main_window.windowTitle()
    assert desk_context.pack.name in title
    assert "desk-1" in title


def test_a_supervisor_sees_only_the_views_their_roles_allow(main_window: MainWindow) -> None:
    assert list(main_window.views) == [OverviewView.NAME, "intake", "queue", "accounts", "monitor", "map"]
    visible = [name for name in main_window.views if main_window.actions_by_name[f"view-{name}"].isVisible()]
    assert visible == [OverviewView.NAME, "intake", "queue", "monitor", "map"]  # accounts are for administrators
    assert main_window.current_view() is main_window.views["overview"]
    main_window.show_view("accounts")  # a stray shortcut: nothing happens
    assert main_window.current_view() is main_window.views["overview"]


def test_every_action_has_a_keyboard_shortcut(main_window: MainWindow) -> None:
    missing = [name for name, action in main_window.actions_by_name.items() if action.shortcut().isEmpty()]
    assert missing == []
    shortcuts = [action.shortcut().toString() for action in main_window.actions_by_name.values()]
    assert len(shortcuts) == len(set(shortcuts)), "two actions share a shortcut"


def test_theme_shortcut_switches_the_style_sheet(qtbot: QtBot, qapp: QApplication, main_window: MainWindow) -> None:
    main_window.activateWindow()
    qtbot.waitActive(main_window)
    assert main_window.theme.name == "dark"
    assert qapp.styleSheet() == load_stylesheet(theme_named("dark"))

    qtbot.keyClick(main_window, Qt.Key.Key_T, CTRL_SHIFT)
    assert main_window.theme.name == "high_contrast"
    assert qapp.styleSheet() == load_stylesheet(theme_named("high_contrast"))
    assert main_window.actions_by_name["theme-high_contrast"].isChecked()

    qtbot.keyClick(main_window, Qt.Key.Key_T, CTRL_SHIFT)
    assert main_window.theme.name == "dark"
    assert qapp.styleSheet() == load_stylesheet(theme_named("dark"))


def test_theme_menu_items_choose_a_theme(qapp: QApplication, main_window: MainWindow) -> None:
    main_window.actions_by_name["theme-high_contrast"].trigger()
    assert qapp.styleSheet() == load_stylesheet(theme_named("high_contrast"))
    main_window.actions_by_name["theme-dark"].trigger()
    assert qapp.styleSheet() == load_stylesheet(theme_named("dark"))


def test_f5_refreshes_the_overview(qtbot: QtBot, main_window: MainWindow) -> None:
    main_window.activateWindow()
    qtbot.waitActive(main_window)
    overview = main_window.views["overview"]
    assert isinstance(overview, OverviewView)
    with qtbot.waitSignal(overview.sig_refreshed, timeout=5000):
        qtbot.keyClick(main_window, Qt.Key.Key_F5)


def test_help_windows_do_not_block_the_desk(main_window: MainWindow) -> None:
    main_window.actions_by_name["shortcuts"].trigger()
    main_window.actions_by_name["about"].trigger()
    dialogs = main_window.findChildren(QDialog)
    assert len(dialogs) == 2
    assert all(d.isVisible() and not d.isModal() for d in dialogs)
    shortcuts = next(d for d in dialogs if d.windowTitle() == "Keyboard shortcuts")
    listed = {shortcuts.table.item(row, 0).text() for row in range(shortcuts.table.rowCount())}
    assert {"Refresh", "Switch theme", "Quit", "Desk overview"} <= listed
    about = next(d for d in dialogs if d.windowTitle().startswith("About"))
    assert "0." in about.text.text()  # the version
    for dialog in dialogs:
        dialog.close()


def test_closing_the_window_stops_background_work(qtbot: QtBot, desk_context: DeskContext) -> None:
    window = create_main_window(desk_context)
    window.show()
    window.on_refresh()
    window.close()
    assert window.runner.is_shut_down
    assert window.runner.busy_count == 0
    assert window.runner.run_read(lambda _s: None) is False
    window.deleteLater()


def test_long_work_shows_a_busy_indicator_and_short_work_does_not(qtbot: QtBot, main_window: MainWindow) -> None:
    import threading

    status = main_window.status
    gate = threading.Event()
    results: list[object] = []
    main_window.runner.run_read(lambda _s: 1, results.append)
    qtbot.waitUntil(lambda: bool(results), timeout=5000)
    assert status.busy_text == ""

    main_window.runner.run_read(lambda _s: gate.wait(5), results.append)
    qtbot.waitUntil(lambda: status.busy_text == "Working\u2026", timeout=5000)
    gate.set()
    qtbot.waitUntil(lambda: len(results) == 2, timeout=5000)
    assert status.busy_text == ""
