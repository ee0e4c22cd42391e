"""The alert list: breaches and near-breaches of every open incident, to acknowledge.

Alerts are worked out on this desk from the monitor's rows and the pack's targets
(``domain.alerts``), at the moments they fall due: each incident's next change is kept, and a
once-a-second check recomputes only the incidents whose moment has come. Acknowledgements are
shared through the database, so every desk shows who acknowledged an alert and when. Breaches come
first, then near-breaches, soonest due first; an acknowledged alert stays listed, muted and with
who acknowledged it, while its clock still runs late.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import IntEnum
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QFont

from supervisor_app.domain.alerts import Alert, AlertLevel, alerts_at, next_change_at
from supervisor_app.domain.clocks import Clock, IncidentTimes
from supervisor_app.ui.icons import tinted_icon
from supervisor_app.ui.theme import DARK, Theme

Index = QModelIndex | QPersistentModelIndex


@dataclass(frozen=True)
class Acknowledged:
    """Who acknowledged an alert, from which desk, when (database clock)."""

    username: str
    desk: str
    at: datetime


class AlertColumn(IntEnum):
    LEVEL = 0
    INCIDENT = 1
    WHAT = 2
    ACKNOWLEDGED = 3


HEADERS = {
    AlertColumn.LEVEL: "Alert",
    AlertColumn.INCIDENT: "Incident",
    AlertColumn.WHAT: "What",
    AlertColumn.ACKNOWLEDGED: "Acknowledged",
}


class AlertsModel(QAbstractTableModel):
    """The alerts in force, by incident; see the module doc."""

    #: New alerts appeared that nobody has acknowledged (carries the list): a sound may play.
    sig_raised = Signal(object)

    def __init__(self, timezone: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._zone = ZoneInfo(timezone)
        self._by_incident: dict[int, list[Alert]] = {}
        self._next: dict[int, datetime | None] = {}
        self._alerts: list[Alert] = []
        self._acknowledged: dict[str, Acknowledged] = {}
        self._breached: set[int] = set()
        self._theme: Theme = DARK
        self._bold = QFont()
        self._bold.setBold(True)

    # Feeding it

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        if self._alerts:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._alerts) - 1, len(AlertColumn) - 1))

    def set_acknowledged(self, acknowledged: Mapping[str, Acknowledged]) -> None:
        self._acknowledged.update(acknowledged)
        if self._alerts:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._alerts) - 1, len(AlertColumn) - 1))

    def recompute(
        self,
        incidents: Iterable[tuple[IncidentTimes, tuple[Clock, ...]]],
        now: datetime,
        *,
        replace_all: bool = False,
    ) -> None:
        """Work out the alerts of these incidents afresh (all of them with ``replace_all``). The list
        is rebuilt only when some incident's alerts really changed (a row update mostly changes none)."""
        changed = replace_all
        if replace_all:
            self._by_incident.clear()
            self._next.clear()
        for times, clocks in incidents:
            found = alerts_at(times, clocks, now, self._zone) if times.is_open else []
            held = self._by_incident.get(times.incident_id, [])
            if [a.key for a in found] != [a.key for a in held]:
                changed = True
            if found:
                self._by_incident[times.incident_id] = found
            else:
                self._by_incident.pop(times.incident_id, None)
            self._next[times.incident_id] = next_change_at(clocks, now) if times.is_open else None
        if changed:
            self._rebuild()

    def forget(self, incident_ids: Iterable[int]) -> None:
        changed = False
        for incident_id in incident_ids:
            changed = self._by_incident.pop(incident_id, None) is not None or changed
            self._next.pop(incident_id, None)
        if changed:
            self._rebuild()

    def due(self, now: datetime) -> list[int]:
        """The incidents whose alerts change at or before ``now``."""
        return [incident_id for incident_id, moment in self._next.items() if moment is not None and moment <= now]

    def _rebuild(self) -> None:
        before = {alert.key for alert in self._alerts}
        self._breached = {
            incident_id for incident_id, alerts in self._by_incident.items()
            if any(a.level is AlertLevel.BREACH for a in alerts)
        }
        ordered = sorted(
            (alert for alerts in self._by_incident.values() for alert in alerts),
            key=lambda a: (a.level is not AlertLevel.BREACH, a.key in self._acknowledged, a.due_at, a.key),
        )
        if [a.key for a in ordered] != [a.key for a in self._alerts]:
            self.beginResetModel()
            self._alerts = ordered
            self.endResetModel()
        fresh = [a for a in ordered if a.key not in before and a.key not in self._acknowledged]
        if fresh:
            self.sig_raised.emit(fresh)

    # Reading it

    def alerts(self) -> list[Alert]:
        return list(self._alerts)

    def alert_at(self, row: int) -> Alert | None:
        return self._alerts[row] if 0 <= row < len(self._alerts) else None

    def acknowledgement(self, key: str) -> Acknowledged | None:
        return self._acknowledged.get(key)

    def is_breached(self, incident_id: int) -> bool:
        return incident_id in self._breached

    def breached_incidents(self) -> int:
        """How many incidents have a target breached now."""
        return len(self._breached)

    def unacknowledged(self) -> list[Alert]:
        return [alert for alert in self._alerts if alert.key not in self._acknowledged]

    # Qt model interface

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's signature
        return 0 if parent.isValid() else len(self._alerts)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's signature
        return 0 if parent.isValid() else len(AlertColumn)

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole:
            return HEADERS[AlertColumn(section)]
        return None

    def data(self, index: Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        alert = self.alert_at(index.row()) if index.isValid() else None
        if alert is None:
            return None
        column = AlertColumn(index.column())
        acknowledged = self._acknowledged.get(alert.key)
        breach = alert.level is AlertLevel.BREACH
        if role == Qt.ItemDataRole.DisplayRole:
            if column == AlertColumn.LEVEL:
                return "Breach" if breach else "Near"
            if column == AlertColumn.INCIDENT:
                return alert.reference
            if column == AlertColumn.WHAT:
                return alert.text.removeprefix(f"{alert.reference}: ")
            if acknowledged is None:
                return "\u2014"
            return f"{acknowledged.username} {acknowledged.at.astimezone(self._zone):%H:%M}"
        if role == Qt.ItemDataRole.ForegroundRole:
            if acknowledged is not None:
                return QColor(self._theme.text_muted)
            if column == AlertColumn.LEVEL:
                return QColor(self._theme.danger if breach else self._theme.warning)
            return None
        if role == Qt.ItemDataRole.DecorationRole and column == AlertColumn.LEVEL:
            if acknowledged is not None:
                return tinted_icon("message-info", self._theme.text_muted)
            return tinted_icon(
                "message-error" if breach else "message-warning", self._theme.danger if breach else self._theme.warning
            )
        if role == Qt.ItemDataRole.FontRole and acknowledged is None and column == AlertColumn.LEVEL:
            return self._bold
        if role == Qt.ItemDataRole.ToolTipRole and acknowledged is None:
            return alert.text
        if role == Qt.ItemDataRole.ToolTipRole and acknowledged is not None:
            return (
                f"Acknowledged by {acknowledged.username} at desk {acknowledged.desk}, "
                f"{acknowledged.at.astimezone(self._zone):%H:%M:%S}"
            )
        return None


