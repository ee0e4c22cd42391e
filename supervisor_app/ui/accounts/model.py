"""The accounts table: one row per person, with roles and whether they can sign in now."""

from __future__ import annotations

from enum import IntEnum
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor

from supervisor_app.services.users import UserSummary
from supervisor_app.ui.theme import DARK, Theme

Index = QModelIndex | QPersistentModelIndex


class AccountColumn(IntEnum):
    USERNAME = 0
    NAME = 1
    ROLES = 2
    STATE = 3
    PASSWORD = 4


HEADERS = {
    AccountColumn.USERNAME: "Username",
    AccountColumn.NAME: "Name",
    AccountColumn.ROLES: "Roles",
    AccountColumn.STATE: "Can sign in",
    AccountColumn.PASSWORD: "Password",
}


def state_text(user: UserSummary, timezone: ZoneInfo) -> str:
    if not user.active:
        return "No \u2014 disabled"
    if user.locked and user.locked_until is not None:
        return f"No \u2014 locked until {user.locked_until.astimezone(timezone):%H:%M}"
    if not user.has_password:
        return "No \u2014 no password set"
    return "Yes"


class AccountsModel(QAbstractTableModel):
    def __init__(self, timezone: ZoneInfo, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timezone = timezone
        self._rows: list[UserSummary] = []
        self._theme = DARK

    def set_rows(self, rows: list[UserSummary]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(AccountColumn) - 1))

    def user_at(self, row: int) -> UserSummary | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, username: str) -> int:
        return next((i for i, user in enumerate(self._rows) if user.username == username), -1)

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: N802, B008 - Qt's signature
        return 0 if parent.isValid() else len(AccountColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[AccountColumn(section)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        user = self.user_at(index.row()) if index.isValid() else None
        if user is None:
            return None
        column = AccountColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(user, column)
        if role == Qt.ItemDataRole.ForegroundRole and column is AccountColumn.STATE:
            return QColor(self._theme.ok if state_text(user, self._timezone) == "Yes" else self._theme.warning)
        if role == Qt.ItemDataRole.ToolTipRole and column is AccountColumn.STATE and user.locked:
            return "Locked after repeated failed sign-ins; Unlock lets the person try again now."
        return None

    def _text(self, user: UserSummary, column: AccountColumn) -> str:
        if column is AccountColumn.USERNAME:
            return user.username
        if column is AccountColumn.NAME:
            return user.display_name
        if column is AccountColumn.ROLES:
            return ", ".join(role.replace("_", " ") for role in user.roles)
        if column is AccountColumn.STATE:
            return state_text(user, self._timezone)
        return "Set" if user.has_password else "Not set"
