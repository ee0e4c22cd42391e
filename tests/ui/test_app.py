"""run_desk: asks who is signing in, reuses the application, installs the error path, runs until
the window closes."""

from __future__ import annotations

import sys
from typing import Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from supervisor_app.demo.organisation import DEMO_PASSWORD
from supervisor_app.services.context import DeskContext
from supervisor_app.ui.app import run_desk
from supervisor_app.ui.main_window import MainWindow
from supervisor_app.ui.session import SignInDialog


def _sign_in_when_asked(qapp: QApplication, qtbot: QtBot, password: str, seen: dict[str, Any]) -> None:
    dialogs = [w for w in qapp.topLevelWidgets() if isinstance(w, SignInDialog) and w.isVisible()]
    if not dialogs:
        QTimer.singleShot(50, lambda: _sign_in_when_asked(qapp, qtbot, password, seen))
        return
    form = dialogs[0].form
    seen["username offered"] = form.username.text()
    seen["focus on password"] = dialogs[0].focusWidget() is form.password
    qtbot.keyClicks(form.password, password)
    qtbot.keyClick(form.password, Qt.Key.Key_Return)


def test_run_desk_runs_until_the_window_closes(qtbot: QtBot, qapp: QApplication, desk_context: DeskContext) -> None:
    seen: dict[str, Any] = {}
    hook_before = sys.excepthook

    def close_the_desk() -> None:
        windows = [w for w in qapp.topLevelWidgets() if isinstance(w, MainWindow) and w.isVisible()]
        if len(windows) != 1 or windows[0].views["overview"].snapshot is None:
            QTimer.singleShot(50, close_the_desk)
            return
        window = windows[0]
        seen["title"] = window.windowTitle()
        seen["hook installed"] = sys.excepthook == window.error_reporter._excepthook
        seen["runner"] = window.runner
        window.actions_by_name["shortcuts"].trigger()  # an open help window must not keep the desk alive
        window.close()  # the last window closed ends the event loop; no second quit

    QTimer.singleShot(0, lambda: _sign_in_when_asked(qapp, qtbot, DEMO_PASSWORD, seen))
    QTimer.singleShot(50, close_the_desk)
    fallback = QTimer()
    fallback.setSingleShot(True)
    fallback.timeout.connect(qapp.quit)
    fallback.start(15_000)
    try:
        assert run_desk(desk_context.database, ["supervisor-app"]) == 0
        assert fallback.isActive(), "the desk did not end when its window closed"
    finally:
        fallback.stop()
    assert seen["username offered"] == desk_context.settings.user
    assert seen["focus on password"]
    assert desk_context.pack.name in seen["title"]
    assert seen["hook installed"]
    assert seen["runner"].is_shut_down
    assert sys.excepthook == hook_before
    assert qapp.applicationDisplayName() == "Incident Supervisor"
    assert qapp.organizationName() == desk_context.pack.name
