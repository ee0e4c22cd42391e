"""The table model of the latest incident log entries.

Display strings are prepared once per row when the data arrives, so ``data()`` stays a lookup.
A refresh that only brings newer entries inserts them at the top and removes the oldest at the
bottom (precise row signals keep the selection and scroll position); anything else resets.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from supervisor_app.services.desk_overview import LogLine

Index = QModelIndex | QPersistentModelIndex

#: The role that gives a row's incident id (for opening the incident from the overview).
INCIDENT_ID_ROLE = Qt.ItemDataRole.UserRole + 1


class LogColumn(IntEnum):
    TIME = 0
    REFERENCE = 1
    CODE = 2
    AUTHOR = 3
    DESK = 4
    TEXT = 5


HEADERS = {
    LogColumn.TIME: "Time",
    LogColumn.REFERENCE: "Incident",
    LogColumn.CODE: "Code",
    LogColumn.AUTHOR: "Author",
    LogColumn.DESK: "Desk",
    LogColumn.TEXT: "Entry",
}
HEADER_TIPS = {
    LogColumn.TIME: "When it happened (organisation time); the tooltip also shows when it was recorded",
    LogColumn.CODE: "The organisation's standard log code; the tooltip gives its meaning",
}


@dataclass(frozen=True)
class _Row:
    line: LogLine
    cells: tuple[str, ...]
    tips: tuple[str, ...]


def _one_line(text: str) -> str:
    return " \u21b5 ".join(part.strip() for part in text.splitlines() if part.strip())


class LatestLogModel(QAbstractTableModel):
    """Rows of :class:`LogLine`, newest first, with times in the organisation's timezone."""

    def __init__(
        self,
        timezone: ZoneInfo,
        code_label: Callable[[str], str] = lambda code: code,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._timezone = timezone
        self._code_label = code_label
        self._rows: list[_Row] = []

    # Qt model interface

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's signature
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's signature
        return 0 if parent.isValid() else len(LogColumn)

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        column = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            return row.cells[column]
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.tips[column] or None
        if role == INCIDENT_ID_ROLE:
            return row.line.incident_id
        if role == Qt.ItemDataRole.TextAlignmentRole:
            return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        return None

    def headerData(  # noqa: N802 - Qt's signature
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(LogColumn):
            return None
        if role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[LogColumn(section)]
        if role == Qt.ItemDataRole.ToolTipRole:
            return HEADER_TIPS.get(LogColumn(section))
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # Our interface

    def line(self, row: int) -> LogLine:
        return self._rows[row].line

    def entry_ids(self) -> list[int]:
        return [row.line.entry_id for row in self._rows]

    def set_lines(self, lines: Sequence[LogLine], as_of: datetime) -> None:
        """Show ``lines`` (newest first); ``as_of`` decides which times are 'today'."""
        today = as_of.astimezone(self._timezone).date()
        new_rows = [self._prepare(line, today) for line in lines]
        old_ids = self.entry_ids()
        new_ids = [row.line.entry_id for row in new_rows]
        if new_ids == old_ids:
            self._replace_changed_rows(new_rows)
            return
        fresh = self._count_new_at_top(old_ids, new_ids)
        if fresh is None:
            self.beginResetModel()
            self._rows = new_rows
            self.endResetModel()
            return
        if fresh:
            self.beginInsertRows(QModelIndex(), 0, fresh - 1)
            self._rows[0:0] = new_rows[:fresh]
            self.endInsertRows()
        surplus = len(self._rows) - len(new_rows)
        if surplus > 0:
            first = len(new_rows)
            self.beginRemoveRows(QModelIndex(), first, first + surplus - 1)
            del self._rows[first:]
            self.endRemoveRows()
        self._replace_changed_rows(new_rows)

    @staticmethod
    def _count_new_at_top(old_ids: list[int], new_ids: list[int]) -> int | None:
        """How many of ``new_ids`` are new entries on top of (a prefix of) ``old_ids``, else None."""
        if not old_ids:
            return None
        try:
            fresh = new_ids.index(old_ids[0])
        except ValueError:
            return None
        kept = new_ids[fresh:]
        return fresh if old_ids[: len(kept)] == kept else None

    def _replace_changed_rows(self, new_rows: list[_Row]) -> None:
        """Same entries in the same places: update cells whose text changed (e.g. 'today' passed)."""
        last = len(LogColumn) - 1
        for number, (old, new) in enumerate(zip(self._rows, new_rows, strict=True)):
            if old != new:
                self._rows[number] = new
                self.dataChanged.emit(self.index(number, 0), self.index(number, last))

    def _prepare(self, line: LogLine, today: Any) -> _Row:
        occurred = line.occurred_at.astimezone(self._timezone)
        recorded = line.recorded_at.astimezone(self._timezone)
        time_text = f"{occurred:%H:%M:%S}" if occurred.date() == today else f"{occurred:%d %b %H:%M}"
        text = _one_line(line.text)
        cells = (time_text, line.reference, line.code, line.author, line.desk, text)
        tips = (
            f"Happened {occurred:%a %d %b %Y %H:%M:%S %Z}\nRecorded {recorded:%a %d %b %Y %H:%M:%S %Z}",
            f"Incident {line.reference}",
            f"{line.code}: {self._code_label(line.code)}",
            "",
            "",
            line.text if len(text) > 60 or text != line.text else "",
        )
        return _Row(line, cells, tips)
