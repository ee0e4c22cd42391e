"""The table model of resources by station (rows) and status (columns), with a total row."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QIcon

from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.services.desk_overview import StationStatusCounts
from supervisor_app.ui.centred_icon_header import HEADER_ICON_ROLE
from supervisor_app.ui.icons import tinted_icon
from supervisor_app.ui.theme import DARK, Theme

Index = QModelIndex | QPersistentModelIndex

STATUS_COLUMNS: tuple[ResourceStatus, ...] = tuple(ResourceStatus)
STATUS_ICON = {status: f"status-{status.value.replace('_', '-')}" for status in ResourceStatus}
STATUS_TIPS = {
    ResourceStatus.AVAILABLE: "On duty and free to be sent",
    ResourceStatus.ASSIGNED: "Given a job, not yet moving",
    ResourceStatus.EN_ROUTE: "Travelling to a job",
    ResourceStatus.ON_SCENE: "At a job",
    ResourceStatus.RETURNING: "Job cleared, returning (can be re-tasked)",
    ResourceStatus.OFF_DUTY: "Not on shift",
    ResourceStatus.UNAVAILABLE: "On duty but cannot be sent (break, defect, training)",
}
EMPTY_CELL = "\u00b7"  # a quiet dot instead of a wall of zeros


def status_label(status: ResourceStatus) -> str:
    return status.value.replace("_", " ").capitalize()


class StationStatusModel(QAbstractTableModel):
    """Counts of resources per station and status; the last row sums every station."""

    STATION_COLUMN = 0
    TOTAL_LABEL = "All stations"

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._stations: list[StationStatusCounts] = []
        self._theme: Theme = DARK
        self._bold = QFont()
        self._bold.setBold(True)

    # Qt model interface

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's signature
        if parent.isValid() or not self._stations:
            return 0
        return len(self._stations) + 1

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's signature
        return 0 if parent.isValid() else len(STATUS_COLUMNS) + 2

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < self.rowCount():
            return None
        row, column = index.row(), index.column()
        is_total = row == len(self._stations)
        if role == Qt.ItemDataRole.DisplayRole:
            if column == self.STATION_COLUMN:
                return self.TOTAL_LABEL if is_total else self._stations[row].station_name
            count = self.count(row, column)
            return str(count) if count else EMPTY_CELL
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if column == self.STATION_COLUMN:
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == Qt.ItemDataRole.FontRole and (is_total or column == len(STATUS_COLUMNS) + 1):
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole and column != self.STATION_COLUMN and not self.count(row, column):
            return QColor(self._theme.text_muted)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(row, column, is_total)
        return None

    def headerData(  # noqa: N802 - Qt's signature
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < self.columnCount():
            return None
        status = self._status_of(section)
        if role == Qt.ItemDataRole.DisplayRole:
            if section == self.STATION_COLUMN:
                return "Station"
            return status_label(status) if status else "Total"
        if role == Qt.ItemDataRole.TextAlignmentRole:
            if section == self.STATION_COLUMN:
                return int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            return int(Qt.AlignmentFlag.AlignCenter)
        if role == HEADER_ICON_ROLE and status is not None:
            return self.status_icon(status)
        if role == Qt.ItemDataRole.ToolTipRole and status is not None:
            return STATUS_TIPS[status]
        return None

    def flags(self, index: Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # Our interface

    def set_stations(self, stations: Sequence[StationStatusCounts]) -> None:
        new = list(stations)
        if [s.station_code for s in new] != [s.station_code for s in self._stations]:
            self.beginResetModel()
            self._stations = new
            self.endResetModel()
            return
        changed = [row for row, (old, fresh) in enumerate(zip(self._stations, new, strict=True)) if old != fresh]
        self._stations = new
        if changed:
            last_column = self.columnCount() - 1
            self.dataChanged.emit(self.index(min(changed), 0), self.index(len(new), last_column))

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self.headerDataChanged.emit(Qt.Orientation.Horizontal, 0, self.columnCount() - 1)
        if self.rowCount():
            self.dataChanged.emit(self.index(0, 0), self.index(self.rowCount() - 1, self.columnCount() - 1))

    def status_icon(self, status: ResourceStatus) -> QIcon:
        return tinted_icon(STATUS_ICON[status], self._theme.status_colour(status))

    def count(self, row: int, column: int) -> int:
        """The number in cell (``row``, ``column``); the total row and column add up the others."""
        stations = self._stations if row == len(self._stations) else [self._stations[row]]
        status = self._status_of(column)
        if status is not None:
            return sum(s.count(status) for s in stations)
        return sum(s.total for s in stations)

    def _status_of(self, column: int) -> ResourceStatus | None:
        if 1 <= column <= len(STATUS_COLUMNS):
            return STATUS_COLUMNS[column - 1]
        return None

    def _tooltip(self, row: int, column: int, is_total: bool) -> str | None:
        where = "all stations" if is_total else self._stations[row].station_name
        if column == self.STATION_COLUMN:
            return None if is_total else f"{self._stations[row].station_name} ({self._stations[row].station_code})"
        status = self._status_of(column)
        what = status_label(status).lower() if status else "in total"
        return f"{self.count(row, column)} resources {what} at {where}"
