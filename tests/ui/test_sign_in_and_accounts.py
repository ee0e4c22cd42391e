"""Signing in at the desk, the views each role sees, and administrators managing accounts."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QDialog
from pytestqt.qtbot import QtBot
from sqlalchemy import select
from sqlalchemy.orm import Session

from supervisor_app.demo.organisation import DEMO_PASSWORD
from supervisor_app.domain.people import Actor, Role, permitted
from supervisor_app.services.context import DeskContext
from supervisor_app.services.sign_in import NOT_RECOGNISED, SignInRefused, sign_in
from supervisor_app.store.models import AuditEvent, User
from supervisor_app.ui.accounts import AccountsView
from supervisor_app.ui.accounts.dialogs import AddAccountDialog
from supervisor_app.ui.app import create_main_window
from supervisor_app.ui.main_window import MainWindow
from supervisor_app.ui.session import SignInDialog


def submit(qtbot: QtBot, dialog: SignInDialog, username: str, password: str) -> None:
    form = dialog.form
    form.username.clear()
    qtbot.keyClicks(form.username, username)
    qtbot.keyClick(form.username, Qt.Key.Key_Return)
    qtbot.keyClicks(form.password, password)
    qtbot.keyClick(form.password, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not form.busy or dialog.result() == QDialog.DialogCode.Accepted, timeout=5000)


@pytest.fixture
def dialog(qtbot: QtBot, desk_context: DeskContext) -> Iterator[SignInDialog]:
    dialog = SignInDialog(desk_context.database)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    yield dialog
    dialog.close()


def test_sign_in_refuses_a_wrong_password_and_accepts_the_right_one(qtbot: QtBot, dialog: SignInDialog) -> None:
    assert dialog.focusWidget() is dialog.form.password  # the username is offered; the password is next
    submit(qtbot, dialog, "demo.supervisor", "certainly not it")
    assert dialog.isVisible() and dialog.actor is None
    assert dialog.form.message.text() == NOT_RECOGNISED
    assert dialog.form.password.text() == ""

    submit(qtbot, dialog, "nobody.here", "whatever it is")
    assert dialog.form.message.text() == NOT_RECOGNISED  # unknown users are told the same

    with qtbot.waitSignal(dialog.accepted, timeout=5000):
        submit(qtbot, dialog, "demo.supervisor", DEMO_PASSWORD)
    assert dialog.actor is not None
    assert dialog.actor.username == "demo.supervisor"
    assert dialog.actor.roles == {Role.SUPERVISOR, Role.OPERATOR}
    assert dialog.actor.user_id is not None
    assert dialog.runner.is_shut_down


def test_quitting_at_sign_in_opens_nothing(qtbot: QtBot, dialog: SignInDialog) -> None:
    with qtbot.waitSignal(dialog.rejected, timeout=2000):
        qtbot.mouseClick(dialog.quit_button, Qt.MouseButton.LeftButton)
    assert dialog.actor is None


@pytest.mark.parametrize("role", list(Role))
def test_each_role_sees_only_the_views_it_may_use(main_window: MainWindow, role: Role) -> None:
    actor = Actor.of(f"someone.{role.value}", [role], "desk-1")
    main_window.context.hand_over(actor)
    main_window.on_actor_changed(actor)
    for name, view in main_window.views.items():
        shown = main_window.actions_by_name[f"view-{name}"].isVisible()
        assert shown == permitted(actor, view.REQUIRES), (role, name)
    current = main_window.current_view()
    assert current is not None and permitted(actor, current.REQUIRES)


def signed_in(context: DeskContext, username: str) -> Actor:
    with context.write_session() as session:
        return sign_in(session, username, DEMO_PASSWORD, context.settings.desk_name, timezone=context.pack.timezone)


@pytest.fixture
def admin_window(qtbot: QtBot, desk_context: DeskContext) -> Iterator[MainWindow]:
    desk_context.hand_over(signed_in(desk_context, "demo.admin"))
    window = create_main_window(desk_context)
    window.show()
    qtbot.waitExposed(window)
    qtbot.waitUntil(lambda: window.views["overview"].is_live and not window.runner.busy_count, timeout=10_000)
    yield window
    window.close()
    window.deleteLater()


def accounts_of(window: MainWindow, qtbot: QtBot) -> AccountsView:
    view = window.views["accounts"]
    assert isinstance(view, AccountsView)
    if window.current_view() is not view:
        with qtbot.waitSignal(view.sig_loaded, timeout=5000):
            qtbot.keyClick(window, Qt.Key.Key_4, Qt.KeyboardModifier.ControlModifier)
    return view


def open_add_dialog(qtbot: QtBot, qapp: QApplication, view: AccountsView) -> AddAccountDialog:
    view.table.setFocus()
    qtbot.keyClick(view.table, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: isinstance(view.dialog, AddAccountDialog) and view.dialog.isVisible(), timeout=2000)
    assert isinstance(view.dialog, AddAccountDialog)
    return view.dialog


def test_an_administrator_adds_an_account_by_keyboard_who_can_then_sign_in(
    qtbot: QtBot, qapp: QApplication, admin_window: MainWindow, desk_context: DeskContext
) -> None:
    view = accounts_of(admin_window, qtbot)
    assert view.model.row_of("demo.supervisor") >= 0
    dialog = open_add_dialog(qtbot, qapp, view)
    qtbot.keyClicks(dialog.username, "ville.nurmi")
    qtbot.keyClicks(dialog.display_name, "Ville Nurmi")
    dialog.roles[Role.SUPERVISOR].setChecked(True)
    qtbot.keyClicks(dialog.password, "short")
    qtbot.keyClicks(dialog.confirm, "short")
    qtbot.keyClick(dialog.confirm, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.message.isVisible() and dialog.buttons.isEnabled(), timeout=5000)
    assert "at least 12 characters" in dialog.message.text()
    assert dialog.isVisible()  # corrected here, not typed again
    with Session(desk_context.engine) as session:
        assert session.scalar(select(User.id).where(User.username == "ville.nurmi")) is None

    password = "the tram stops at Hakaniemi"
    for field in (dialog.password, dialog.confirm):
        field.clear()
        qtbot.keyClicks(field, password)
    with qtbot.waitSignal(view.sig_loaded, timeout=5000):
        qtbot.keyClick(dialog.confirm, Qt.Key.Key_Return)
    assert view.model.row_of("ville.nurmi") >= 0
    assert view.dialog is None
    with desk_context.write_session() as session:
        ville = sign_in(session, "ville.nurmi", password, "desk-4", timezone=desk_context.pack.timezone)
    assert ville.roles == {Role.SUPERVISOR}
    with Session(desk_context.engine) as session:
        added = session.execute(
            select(AuditEvent.actor, AuditEvent.detail).where(AuditEvent.action == "user.manage")
        ).all()
    assert [(a, d["event"], d["username"]) for a, d in added] == [("demo.admin", "added", "ville.nurmi")]


def test_an_administrator_unlocks_a_locked_account(
    qtbot: QtBot, admin_window: MainWindow, desk_context: DeskContext
) -> None:
    for _ in range(5):
        with desk_context.write_session() as session, pytest.raises(SignInRefused):
            sign_in(session, "demo.lead", "a wrong guess again", "desk-3", timezone=desk_context.pack.timezone)
    view = accounts_of(admin_window, qtbot)
    row = view.model.row_of("demo.lead")
    assert view.model.user_at(row) is not None and view.model.user_at(row).locked  # type: ignore[union-attr]
    view.table.selectRow(row)
    assert view.unlock_button.isEnabled()
    with qtbot.waitSignal(view.sig_loaded, timeout=5000):
        qtbot.mouseClick(view.unlock_button, Qt.MouseButton.LeftButton)
    assert not view.model.user_at(view.model.row_of("demo.lead")).locked  # type: ignore[union-attr]
    assert not view.unlock_button.isEnabled()
    signed_in(desk_context, "demo.lead")  # can sign in again at once


def test_an_administrator_cannot_disable_their_own_account(qtbot: QtBot, admin_window: MainWindow) -> None:
    view = accounts_of(admin_window, qtbot)
    view.table.selectRow(view.model.row_of("demo.admin"))
    assert not view.active_button.isEnabled()
    view.table.selectRow(view.model.row_of("demo.operator"))
    assert view.active_button.isEnabled() and view.active_button.text() == "&Disable"
