"""The deployment queue as a table: one row per incident still missing resources, with countdowns.

The time left before the on-scene target is counted from the database's clock at the moment the
queue was read, plus the time elapsed on this desk's monotonic clock since then, so a desk whose
wall clock drifts still shows the same countdown as the others. Only the countdown column is
redrawn each second. Its state is given three ways: colour (amber when less than a third of the
target is left, red when past), an icon (clock, warning, error) and words ("12 min left",
"4 min late").
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import datetime, timedelta
from enum import IntEnum, StrEnum
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from supervisor_app.services.deployment_queue import DeploymentQueue, QueueRow
from supervisor_app.ui.icons import tinted_icon
from supervisor_app.ui.theme import DARK, Theme

Index = QModelIndex | QPersistentModelIndex
Clock = Callable[[], float]

#: Amber once less than this share of the on-scene target is left.
AMBER_SHARE = 1 / 3


class QueueColumn(IntEnum):
    PRIORITY = 0
    TIME_LEFT = 1
    REFERENCE = 2
    TYPE = 3
    ADDRESS = 4
    MISSING = 5
    DEPLOYED = 6


HEADERS = {
    QueueColumn.PRIORITY: "Priority",
    QueueColumn.TIME_LEFT: "On scene by",
    QueueColumn.REFERENCE: "Incident",
    QueueColumn.TYPE: "Type",
    QueueColumn.ADDRESS: "Address",
    QueueColumn.MISSING: "Still needed",
    QueueColumn.DEPLOYED: "Deployed",
}


class Urgency(StrEnum):
    IN_TIME = "in_time"
    CLOSE = "close"
    LATE = "late"


def urgency(left: timedelta, target: timedelta) -> Urgency:
    if left <= timedelta(0):
        return Urgency.LATE
    if left < target * AMBER_SHARE:
        return Urgency.CLOSE
    return Urgency.IN_TIME


def describe_left(left: timedelta) -> str:
    """``"12 min left"``, ``"45 s left"``, ``"4 min late"``, ``"1 h 05 min left"``."""
    seconds = int(left.total_seconds())
    late = seconds <= 0
    seconds = abs(seconds)
    if seconds < 60 and not late:
        return f"{seconds} s left"
    minutes = seconds // 60
    text = f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"
    return f"{text} late" if late else f"{text} left"


class DeploymentQueueModel(QAbstractTableModel):
    """Rows of the queue by incident id; ``tick`` redraws the countdowns."""

    def __init__(self, parent: QObject | None = None, *, clock: Clock = time.monotonic) -> None:
        super().__init__(parent)
        self._rows: list[QueueRow] = []
        self._read_at: datetime | None = None
        self._read_clock = 0.0
        self._clock = clock
        self._theme: Theme = DARK
        self._bold = QFont()
        self._bold.setBold(True)
        self._colours: dict[str, str] = {}

    # Feeding it

    def set_queue(self, queue: DeploymentQueue) -> None:
        self.beginResetModel()
        self._rows = list(queue.rows)
        self._read_at = queue.read_at
        self._read_clock = self._clock()
        self.endResetModel()

    def set_priority_colours(self, colours: dict[str, str]) -> None:
        self._colours = dict(colours)

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, len(QueueColumn) - 1))

    def tick(self) -> None:
        """Redraw the countdown column (once a second)."""
        if self._rows:
            column = QueueColumn.TIME_LEFT
            self.dataChanged.emit(self.index(0, column), self.index(len(self._rows) - 1, column))

    # Reading it

    def now(self) -> datetime | None:
        """The database's time now, as far as this desk can tell."""
        if self._read_at is None:
            return None
        return self._read_at + timedelta(seconds=self._clock() - self._read_clock)

    def row_at(self, row: int) -> QueueRow | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def row_of(self, incident_id: int) -> int:
        return next((i for i, row in enumerate(self._rows) if row.incident_id == incident_id), -1)

    def time_left(self, row: QueueRow) -> timedelta:
        now = self.now()
        return row.on_scene_due - now if now is not None else row.on_scene_target

    # Qt model interface

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's signature
        return 0 if parent.isValid() else len(QueueColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[QueueColumn(section)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        row = self.row_at(index.row()) if index.isValid() else None
        if row is None:
            return None
        column = QueueColumn(index.column())
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(row, column)
        if column == QueueColumn.TIME_LEFT:
            state = urgency(self.time_left(row), row.on_scene_target)
            if role == Qt.ItemDataRole.ForegroundRole:
                return QColor(
                    {
                        Urgency.IN_TIME: self._theme.text,
                        Urgency.CLOSE: self._theme.warning,
                        Urgency.LATE: self._theme.danger,
                    }[state]
                )
            if role == Qt.ItemDataRole.DecorationRole:
                name = {Urgency.IN_TIME: "clock", Urgency.CLOSE: "message-warning", Urgency.LATE: "message-error"}
                colour = {
                    Urgency.IN_TIME: self._theme.text_muted,
                    Urgency.CLOSE: self._theme.warning,
                    Urgency.LATE: self._theme.danger,
                }[state]
                return tinted_icon(name[state], colour)
            if role == Qt.ItemDataRole.FontRole and state is not Urgency.IN_TIME:
                return self._bold
            if role == Qt.ItemDataRole.ToolTipRole:
                minutes = int(row.on_scene_target.total_seconds() // 60)
                return f"On scene within {minutes} min of the referral"
        if column == QueueColumn.PRIORITY:
            if role == Qt.ItemDataRole.DecorationRole and row.priority in self._colours:
                return tinted_icon("shape-square", self._colours[row.priority])
            if role == Qt.ItemDataRole.FontRole:
                return self._bold
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == QueueColumn.MISSING:
                return row.missing_text()
            if column in (QueueColumn.TYPE, QueueColumn.ADDRESS):
                return f"{row.type_name} at {row.address}\n{row.summary}"
        return None

    def _text(self, row: QueueRow, column: QueueColumn) -> str:
        if column == QueueColumn.PRIORITY:
            return row.priority
        if column == QueueColumn.TIME_LEFT:
            return describe_left(self.time_left(row))
        if column == QueueColumn.REFERENCE:
            return row.reference
        if column == QueueColumn.TYPE:
            return row.type_name
        if column == QueueColumn.ADDRESS:
            return row.address
        if column == QueueColumn.MISSING:
            return row.missing_text()
        deployed = ", ".join(f"{unit.call_sign} ({unit.deployment_status.replace('_', ' ')})" for unit in row.deployed)
        return deployed or "\u2014"
