"""Accounts (administrators only): who may sign in, with which roles; add, set a password,
disable or enable, unlock. Every change goes through the user services, which check the
permission again and audit it; the same is possible from ``supervisor-app users``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import cast
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QHeaderView, QLabel, QPushButton, QTableView, QVBoxLayout, QWidget
from sqlalchemy.orm import Session

from supervisor_app.domain.errors import DomainError
from supervisor_app.domain.people import Action, Actor, Role, permitted
from supervisor_app.services.context import DeskContext
from supervisor_app.services.users import UserSummary, add_user, list_users, set_active, set_password, unlock
from supervisor_app.ui.accounts.dialogs import AddAccountDialog, SetPasswordDialog, Submit
from supervisor_app.ui.accounts.model import AccountColumn, AccountsModel
from supervisor_app.ui.panel import Panel, configure_desk_table, view_header
from supervisor_app.ui.runner import Runner
from supervisor_app.ui.session.attempts import change_refused_text
from supervisor_app.ui.theme import Theme
from supervisor_app.ui.view_base import DeskView

COLUMN_WIDTHS = {
    AccountColumn.USERNAME: 190,
    AccountColumn.NAME: 220,
    AccountColumn.ROLES: 260,
    AccountColumn.STATE: 230,
}


class AccountsView(DeskView):
    NAME = "accounts"
    TITLE = "Accounts"
    REQUIRES = Action.MANAGE_USERS

    #: The list was read (carries the rows), for tests and the status line.
    sig_loaded = Signal(object)
    #: A change went through (carries a sentence saying what was done).
    sig_changed = Signal(str)

    def __init__(self, context: DeskContext, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(context, runner, parent)
        self._timezone = ZoneInfo(context.pack.timezone)
        self.model = AccountsModel(self._timezone, self)
        self.table = QTableView(self)
        self.table.setObjectName("AccountsTable")
        self.table.setModel(self.model)
        configure_desk_table(self.table)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in COLUMN_WIDTHS.items():
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.dialog: AddAccountDialog | SetPasswordDialog | None = None

        self.status_line = QLabel("", self)
        self.status_line.setObjectName("ViewHint")
        self.add_button = self._button("&Add account\u2026", "account-add", self.add_account)
        self.password_button = self._button("Set &password\u2026", "account-password", self.set_password)
        self.active_button = self._button("&Disable", "account-active", self.toggle_active)
        self.unlock_button = self._button("&Unlock", "account-unlock", self.unlock)
        self.refresh_button = self._button("Refresh", "account-refresh", self.on_refresh)
        QShortcut(
            QKeySequence.StandardKey.New, self, self.add_account, context=Qt.ShortcutContext.WidgetWithChildrenShortcut
        )

        top = view_header(
            self,
            self.TITLE,
            "Who may sign in at the desks, and with which roles. Every change is audited.",
            self.status_line,
            self.refresh_button,
        )
        actions = QHBoxLayout()
        actions.setSpacing(8)
        for button in (self.add_button, self.password_button, self.active_button, self.unlock_button):
            actions.addWidget(button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addLayout(actions)
        layout.addWidget(Panel("Accounts", self.table, hint="Select a row to act on it", parent=self), 1)
        self.setFocusProxy(self.table)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self._selection_changed()

    def _button(self, text: str, name: str, slot: Callable[[], None]) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(name)
        button.clicked.connect(slot)
        return button

    @property
    def may_manage(self) -> bool:
        return permitted(self.context.actor, Action.MANAGE_USERS)

    def selected_user(self) -> UserSummary | None:
        rows = self.table.selectionModel().selectedRows()
        return self.model.user_at(rows[0].row()) if rows else None

    # Handlers

    def on_refresh(self) -> None:
        if not self.may_manage:
            self.model.set_rows([])
            return
        actor = self.context.actor
        self.runner.run_read(lambda session: list_users(session, actor), self._loaded, owner=self)

    def on_shown(self) -> None:
        self.on_refresh()

    def on_actor_changed(self, actor: Actor) -> None:
        if self.dialog is not None:  # the last person's half-typed account goes with them
            self.dialog.reject()
            self.dialog = None
        self.model.set_rows([])
        if self.isVisible():
            self.on_refresh()

    def on_theme_changed(self, theme: Theme) -> None:
        super().on_theme_changed(theme)
        self.model.set_theme(theme)

    def _loaded(self, rows: list[UserSummary]) -> None:
        selected = self.selected_user()
        self.model.set_rows(rows)
        if selected is not None and (row := self.model.row_of(selected.username)) >= 0:
            self.table.selectRow(row)
        self.status_line.setText(f"{len(rows)} accounts \u00b7 read {datetime.now(self._timezone):%H:%M:%S}")
        self._selection_changed()
        self.sig_loaded.emit(rows)

    @Slot()
    def _selection_changed(self) -> None:
        user = self.selected_user()
        for button in (self.password_button, self.active_button, self.unlock_button):
            button.setEnabled(user is not None)
        if user is not None:
            self.active_button.setText("&Enable" if not user.active else "&Disable")
            self.unlock_button.setEnabled(user.locked)
            self.active_button.setEnabled(user.username != self.context.actor.username or not user.active)

    # Changes

    def _write(self, fn: Callable[[Session], object], done_text: str, finished: Callable[[str | None], None]) -> None:
        def ok(_result: object) -> None:
            finished(None)
            self.sig_changed.emit(done_text)
            self.status_line.setText(done_text)
            self.on_refresh()

        def failed(error: BaseException) -> None:
            finished(change_refused_text(error, self.context.database_label))

        self.runner.run_write(fn, ok, failed, owner=self)

    def _report(self, error: str | None) -> None:
        if error is not None:
            self.sig_error.emit(DomainError(error))

    @Slot()
    def add_account(self) -> None:
        if not self.may_manage:
            return

        def submit(values: dict[str, object], finished: Callable[[str | None], None]) -> None:
            actor = self.context.actor
            username, name = str(values["username"]), str(values["display_name"])
            roles, password = cast(list[Role], values["roles"]), str(values["password"])
            self._write(
                lambda session: add_user(session, actor, username, name, roles, password),
                f"Added {username}.",
                finished,
            )

        self._open(AddAccountDialog(submit, self))

    @Slot()
    def set_password(self) -> None:
        user = self.selected_user()
        if user is None or not self.may_manage:
            return

        def submit(values: dict[str, object], finished: Callable[[str | None], None]) -> None:
            actor, username, password = self.context.actor, str(values["username"]), str(values["password"])
            self._write(
                lambda session: set_password(session, actor, username, password),
                f"New password set for {username}.",
                finished,
            )

        self._open(SetPasswordDialog(user.username, submit, self))

    @Slot()
    def toggle_active(self) -> None:
        user = self.selected_user()
        if user is None or not self.may_manage:
            return
        actor, username, active = self.context.actor, user.username, not user.active
        self._write(
            lambda session: set_active(session, actor, username, active),
            f"{'Enabled' if active else 'Disabled'} {username}.",
            self._report,
        )

    @Slot()
    def unlock(self) -> None:
        user = self.selected_user()
        if user is None or not self.may_manage:
            return
        actor, username = self.context.actor, user.username
        self._write(lambda session: unlock(session, actor, username), f"Unlocked {username}.", self._report)

    def _open(self, dialog: AddAccountDialog | SetPasswordDialog) -> None:
        self.dialog = dialog
        dialog.finished.connect(lambda _code: setattr(self, "dialog", None))
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open()


__all__ = ["AccountsView", "Submit"]
