"""The incident monitor as a table model: ids and a row cache, updated one row at a time.

The model keeps a cache of ``MonitorRow`` by incident id and, in display order, the ids that pass
the supervisor's filter (``MonitorFilter``), sorted by the chosen column. It sorts and filters
itself rather than through a proxy model, because a change from the live feed then costs one
binary search: ``apply_rows`` replaces the row, and it stays where it is (``dataChanged`` for that
row), moves (``beginMoveRows``), appears or leaves. Each row's clocks against the pack's targets
and its cell texts are worked out once when the row arrives; the two columns that move with time
(age and the next target) are worked out at most once a second per row while they are painted.

Painting asks for every role of a cell in one call (``multiData``), so a repaint of the visible
table makes about two calls into Python per cell. Nothing is emitted as time passes: the view
repaints its visible rows once a second.

In history mode the same model browses closed incidents a page at a time: ``canFetchMore`` /
``fetchMore`` ask the view for the next page (read on a reader thread), and ``append_rows`` adds it.

Times are the database's clock when the rows were read plus this desk's monotonic clock since, as
in the deployment queue, so every desk shows the same countdowns whatever its wall clock says.
Colour is never the only signal: each state also has an icon and words.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from enum import IntEnum
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont, QIcon

from supervisor_app.domain.clocks import Clock, ClockState, TargetKind, TargetTimes, incident_clocks, worst_clock
from supervisor_app.services.monitor import MonitorRow
from supervisor_app.ui.icons import tinted_icon
from supervisor_app.ui.queue.model import describe_left
from supervisor_app.ui.theme import DARK, Theme

Index = QModelIndex | QPersistentModelIndex
MonotonicClock = Callable[[], float]
TargetsOf = Callable[[MonitorRow], TargetTimes]

#: Role giving the MonitorRow itself.
ROW_ROLE = Qt.ItemDataRole.UserRole + 2
_DISPLAY = Qt.ItemDataRole.DisplayRole
_DECORATION = Qt.ItemDataRole.DecorationRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_FONT = Qt.ItemDataRole.FontRole
_TOOLTIP = Qt.ItemDataRole.ToolTipRole


class MonitorColumn(IntEnum):
    PRIORITY = 0
    REFERENCE = 1
    TO_TARGET = 2
    STATUS = 3
    TYPE = 4
    LOCATION = 5
    RESOURCES = 6
    AGE = 7
    LAST_UPDATE = 8
    CLAIMED = 9


COLUMN_COUNT = len(MonitorColumn)
HEADERS = {
    MonitorColumn.PRIORITY: "Pri",
    MonitorColumn.REFERENCE: "Incident",
    MonitorColumn.TO_TARGET: "Next target",
    MonitorColumn.STATUS: "Status",
    MonitorColumn.TYPE: "Type",
    MonitorColumn.LOCATION: "Location",
    MonitorColumn.RESOURCES: "Resources",
    MonitorColumn.AGE: "Age",
    MonitorColumn.LAST_UPDATE: "Last update",
    MonitorColumn.CLAIMED: "Claimed by",
}

TARGET_WORDS = {
    TargetKind.ACKNOWLEDGE: "Ack",
    TargetKind.ON_SCENE: "On scene",
    TargetKind.UPDATE: "Update",
    TargetKind.RESOLUTION: "Resolve",
}

STATUS_ICONS = {
    "new": "message-info",
    "awaiting_resource": "status-unavailable",
    "resource_assigned": "status-assigned",
    "in_progress": "status-on-scene",
    "on_hold": "status-off-duty",
    "resolved": "status-available",
    "closed": "status-available",
    "cancelled": "status-off-duty",
}



def status_words(status: str) -> str:
    return status.replace("_", " ").capitalize()


def describe_age(age: timedelta) -> str:
    minutes = max(0, int(age.total_seconds() // 60))
    if minutes < 60:
        return f"{minutes} min"
    if minutes < 48 * 60:
        return f"{minutes // 60} h {minutes % 60:02d}"
    return f"{minutes // 1440} d {minutes % 1440 // 60} h"


@dataclass(frozen=True)
class MonitorFilter:
    """What the supervisor asked to see; empty sets mean everything."""

    priorities: frozenset[str] = field(default_factory=frozenset)
    incident_types: frozenset[str] = field(default_factory=frozenset)
    statuses: frozenset[str] = field(default_factory=frozenset)
    sectors: frozenset[str] = field(default_factory=frozenset)
    breached_only: bool = False
    mine_only: bool = False
    text: str = ""

    def with_(self, **changes: Any) -> MonitorFilter:
        return replace(self, **changes)


@dataclass
class _Cached:
    """What a row shows that does not move with time, worked out once when the row arrives."""

    row: MonitorRow
    clocks: tuple[Clock, ...]
    next_due: float
    texts: list[str]
    haystack: str
    # Worked out at most once a second while painted: (second, age text, target text, clock, state).
    timed_at: int = -1
    age: str = ""
    target: str = ""
    clock: Clock | None = None
    state: ClockState | None = None
    # Each cell's values by role, made when first painted (the two timed cells again each second).
    cells: list[dict[int, Any] | None] = field(default_factory=lambda: [None] * COLUMN_COUNT)


class IncidentMonitorModel(QAbstractTableModel):
    """See the module doc."""

    def __init__(
        self,
        targets_of: TargetsOf,
        timezone: str,
        parent: QObject | None = None,
        *,
        clock: MonotonicClock = time.monotonic,
    ) -> None:
        super().__init__(parent)
        self._targets_of = targets_of
        self._zone = ZoneInfo(timezone)
        self._clock = clock
        self._cache: dict[int, _Cached] = {}
        self._loaded: list[int] = []  # every row held, in the order read
        self._visible: list[int] = []  # those passing the filter, in display order
        self._position: dict[int, int] = {}
        self._filter = MonitorFilter()
        self._sort_column = MonitorColumn.TO_TARGET
        self._descending = False
        self._read_at: datetime | None = None
        self._read_clock = 0.0
        self._theme: Theme = DARK
        self._bold = QFont()
        self._bold.setBold(True)
        self._icons: dict[tuple[str, str], QIcon] = {}
        self._colours: dict[str, QColor] = {}
        self._priority_colours: dict[str, str] = {}
        self._priority_rank: dict[str, int] = {}
        self._me: str | None = None
        self._breached: Callable[[int], bool] = lambda _incident_id: False
        self._fetch_more: Callable[[], None] | None = None
        self._more_available = False
        self._fetching = False

    # Settings

    def set_priorities(self, codes_and_colours: Sequence[tuple[str, str]]) -> None:
        self._priority_colours = dict(codes_and_colours)
        self._priority_rank = {code: rank for rank, (code, _colour) in enumerate(codes_and_colours)}

    def set_me(self, username: str) -> None:
        self._me = username

    def set_breached(self, breached: Callable[[int], bool]) -> None:
        """Where the "breached" filter asks (the alert list, which knows the moment each breach began)."""
        self._breached = breached

    def set_theme(self, theme: Theme) -> None:
        self._theme = theme
        self._colours.clear()
        for cached in self._cache.values():
            cached.cells = [None] * COLUMN_COUNT
        if self._visible:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._visible) - 1, COLUMN_COUNT - 1))

    # Feeding it

    def set_rows(self, rows: Iterable[MonitorRow], read_at: datetime) -> None:
        """Replace everything (the first load, a refresh, the start of history)."""
        self.beginResetModel()
        self._cache.clear()
        self._loaded = []
        for row in rows:
            self._cache[row.incident_id] = self._cached(row)
            self._loaded.append(row.incident_id)
        self._set_time(read_at)
        self._more_available = False
        self._rebuild_visible()
        self.endResetModel()

    def apply_rows(self, rows: Iterable[MonitorRow], gone_ids: Iterable[int], read_at: datetime) -> None:
        """Changed rows replace the ones held (not by an older version); new ones are added; ``gone_ids``
        leave. Each visible change is one row's signal: changed, moved, inserted or removed."""
        self._set_time(read_at)
        for row in rows:
            held = self._cache.get(row.incident_id)
            if held is not None and row.version < held.row.version:
                continue  # an older read arriving late
            if held is None:
                self._loaded.append(row.incident_id)
            self._cache[row.incident_id] = self._cached(row)
            self._place(row.incident_id)
        for incident_id in gone_ids:
            if incident_id in self._cache:
                self._hide(incident_id)  # while its row can still be read, as Qt may during the removal
                del self._cache[incident_id]
                self._loaded.remove(incident_id)

    def append_rows(self, rows: Sequence[MonitorRow], read_at: datetime, *, more: bool) -> None:
        """A further page of history, placed by the sort like any other row."""
        self._fetching = False
        self._more_available = more
        self._set_time(read_at)
        fresh = [row for row in rows if row.incident_id not in self._cache]
        if not fresh:
            return
        for row in fresh:
            self._cache[row.incident_id] = self._cached(row)
            self._loaded.append(row.incident_id)
        if len(fresh) > 50:
            self.beginResetModel()
            self._rebuild_visible()
            self.endResetModel()
            return
        for row in fresh:
            self._place(row.incident_id)

    def set_fetcher(self, fetch_more: Callable[[], None] | None, *, more: bool) -> None:
        """History mode: ``fetch_more`` asks for the next page; it ends by calling ``append_rows``."""
        self._fetch_more = fetch_more
        self._more_available = more
        self._fetching = False

    def fetch_failed(self) -> None:
        self._fetching = False

    def refilter(self) -> None:
        """Apply the filter afresh (the breaches it depends on move with time)."""
        self.layoutAboutToBeChanged.emit()
        before = self.persistentIndexList()
        held = [(self._visible[i.row()] if 0 <= i.row() < len(self._visible) else None, i.column()) for i in before]
        self._rebuild_visible()
        after = [self.index(self._position[iid], column) if iid in self._position else QModelIndex()
                 for iid, column in held]
        self.changePersistentIndexList(before, after)
        self.layoutChanged.emit()

    def set_filter(self, chosen: MonitorFilter) -> None:
        if chosen != self._filter:
            self._filter = chosen
            self.refilter()

    @property
    def current_filter(self) -> MonitorFilter:
        return self._filter

    def sort(self, column: int, order: Qt.SortOrder = Qt.SortOrder.AscendingOrder) -> None:
        self._sort_column = MonitorColumn(column)
        self._descending = order == Qt.SortOrder.DescendingOrder
        self.refilter()

    # Placing rows

    def _cached(self, row: MonitorRow) -> _Cached:
        clocks = incident_clocks(row.times, self._targets_of(row))
        # The next target to fall due, as a sort key that does not move with the clock: the running
        # clock with least time left is always the one due first (a clock stops only when the row
        # is read again), so the order never has to be redone as time passes.
        running = [clock.due_at.timestamp() for clock in clocks if clock.stopped_at is None]
        location = f"{row.address} \u00b7 {row.sector}" if row.sector else row.address
        resources = ", ".join(f"{sign} {status.replace('_', ' ')}" for sign, status in row.resources) or "\u2014"
        claimed = "" if row.claimed_by is None else f"{row.claimed_by[0]} ({row.claimed_by[1]})"
        texts = [
            row.priority, row.reference, "", status_words(row.status), row.type_name, location, resources, "",
            row.last_update_at.astimezone(self._zone).strftime("%H:%M"), claimed,
        ]
        haystack = f"{row.reference} {row.address} {row.type_name}".casefold()
        return _Cached(row, clocks, min(running, default=float("inf")), texts, haystack)

    def _key(self, incident_id: int) -> tuple[Any, int]:
        cached = self._cache[incident_id]
        row, column = cached.row, self._sort_column
        key: Any
        if column == MonitorColumn.PRIORITY:
            key = (self._priority_rank.get(row.priority, 99), cached.next_due)
        elif column == MonitorColumn.TO_TARGET:
            key = cached.next_due
        elif column == MonitorColumn.AGE:
            key = -row.created_at.timestamp()  # the youngest first, as ages go up
        elif column == MonitorColumn.LAST_UPDATE:
            key = row.last_update_at.timestamp()
        else:
            key = cached.texts[column].casefold()
        return key, incident_id

    def _before(self, a: tuple[Any, int], b: tuple[Any, int]) -> bool:
        return a > b if self._descending else a < b

    def _search(self, key: tuple[Any, int], skip: int | None = None) -> int:
        """Where a row with ``key`` belongs among the visible rows, by binary search; with ``skip``,
        among them without the row at that position (the row being placed again)."""
        count = len(self._visible) - (0 if skip is None else 1)
        low, high = 0, count
        while low < high:
            middle = (low + high) // 2
            actual = middle if skip is None or middle < skip else middle + 1
            if self._before(self._key(self._visible[actual]), key):
                low = middle + 1
            else:
                high = middle
        return low

    def _rebuild_visible(self) -> None:
        shown = [iid for iid in self._loaded if self._accepts(self._cache[iid])]
        shown.sort(key=self._key, reverse=self._descending)
        self._visible = shown
        self._position = {iid: position for position, iid in enumerate(shown)}

    def _reindex(self, start: int, end: int) -> None:
        for position in range(start, min(end, len(self._visible))):
            self._position[self._visible[position]] = position

    def _place(self, incident_id: int) -> None:
        """Show the row where it now belongs, or hide it if the filter no longer takes it."""
        cached = self._cache[incident_id]
        if not self._accepts(cached):
            self._hide(incident_id)
            return
        key = self._key(incident_id)
        current = self._position.get(incident_id)
        if current is None:
            position = self._search(key)
            self.beginInsertRows(QModelIndex(), position, position)
            self._visible.insert(position, incident_id)
            self._reindex(position, len(self._visible))
            self.endInsertRows()
            return
        final = self._search(key, skip=current)
        if final != current:
            # Qt names the row before which it goes, counted before the move.
            self.beginMoveRows(QModelIndex(), current, current, QModelIndex(), final if final < current else final + 1)
            del self._visible[current]
            self._visible.insert(final, incident_id)
            self._reindex(min(current, final), max(current, final) + 1)
            self.endMoveRows()
        self.dataChanged.emit(self.index(final, 0), self.index(final, COLUMN_COUNT - 1))

    def _hide(self, incident_id: int) -> None:
        position = self._position.pop(incident_id, None)
        if position is None:
            return
        self.beginRemoveRows(QModelIndex(), position, position)
        del self._visible[position]
        self._reindex(position, len(self._visible))
        self.endRemoveRows()

    def _accepts(self, cached: _Cached) -> bool:
        chosen, row = self._filter, cached.row
        if chosen.priorities and row.priority not in chosen.priorities:
            return False
        if chosen.incident_types and row.incident_type not in chosen.incident_types:
            return False
        if chosen.statuses and row.status not in chosen.statuses:
            return False
        if chosen.sectors and row.sector not in chosen.sectors:
            return False
        if chosen.mine_only and not self.is_mine(row):
            return False
        if chosen.breached_only and not self._breached(row.incident_id):
            return False
        return not chosen.text or chosen.text.casefold() in cached.haystack

    def _set_time(self, read_at: datetime) -> None:
        """Count from the newest database reading seen (an older read arriving late changes nothing)."""
        if self._read_at is None or read_at > self._read_at:
            self._read_at = read_at
            self._read_clock = self._clock()

    # Reading it

    def now(self) -> datetime | None:
        """The database's time now, as far as this desk can tell."""
        if self._read_at is None:
            return None
        return self._read_at + timedelta(seconds=self._clock() - self._read_clock)

    def now_or(self, default: datetime) -> datetime:
        now = self.now()
        return default if now is None else now

    def row_at(self, position: int) -> MonitorRow | None:
        return self._cache[self._visible[position]].row if 0 <= position < len(self._visible) else None

    def row_of(self, incident_id: int) -> int:
        """Where the incident is shown, or -1 (not held, or filtered out)."""
        return self._position.get(incident_id, -1)

    def held(self, incident_id: int) -> MonitorRow | None:
        cached = self._cache.get(incident_id)
        return None if cached is None else cached.row

    def rows(self) -> list[MonitorRow]:
        """Every row held, shown or filtered out, in the order read."""
        return [self._cache[iid].row for iid in self._loaded]

    def held_count(self) -> int:
        return len(self._loaded)

    def clocks_of(self, incident_id: int) -> tuple[Clock, ...]:
        cached = self._cache.get(incident_id)
        return () if cached is None else cached.clocks

    def next_clock(self, incident_id: int) -> Clock | None:
        now = self.now()
        return None if now is None else worst_clock(self.clocks_of(incident_id), now)

    def is_mine(self, row: MonitorRow) -> bool:
        return self._me is not None and row.claimed_by is not None and row.claimed_by[0] == self._me

    # Qt model interface

    def rowCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's signature
        return 0 if parent.isValid() else len(self._visible)

    def columnCount(self, parent: Index = QModelIndex()) -> int:  # noqa: B008, N802 - Qt's signature
        return 0 if parent.isValid() else COLUMN_COUNT

    def canFetchMore(self, parent: Index) -> bool:  # noqa: N802 - Qt's name
        return not parent.isValid() and self._fetch_more is not None and self._more_available and not self._fetching

    def fetchMore(self, parent: Index) -> None:  # noqa: N802 - Qt's name
        if self.canFetchMore(parent) and self._fetch_more is not None:
            self._fetching = True
            self._fetch_more()

    def headerData(self, section: int, orientation: Qt.Orientation, role: int = _DISPLAY) -> Any:  # noqa: N802
        if orientation == Qt.Orientation.Horizontal and role == _DISPLAY:
            return HEADERS[MonitorColumn(section)]
        return None

    def multiData(self, index: Index, span: Any) -> None:  # noqa: N802 - Qt's name
        """Every role the painter asks for, in one call per cell, from the cell's values by role."""
        position = index.row()
        if not 0 <= position < len(self._visible):
            return
        values = self._cell(self._cache[self._visible[position]], index.column())
        for role_data in span:
            value = values.get(role_data.role())
            if value is None:
                role_data.clearData()  # the painter reuses the span: nothing may stay from another cell
            else:
                role_data.setData(value)

    def cell_at(self, position: int, column: int) -> dict[int, Any] | None:
        """The values by role of a cell, as ``multiData`` gives them (for the monitor's delegate)."""
        if not 0 <= position < len(self._visible):
            return None
        return self._cell(self._cache[self._visible[position]], column)

    def data(self, index: Index, role: int = _DISPLAY) -> Any:
        position = index.row() if index.isValid() else -1
        if not 0 <= position < len(self._visible):
            return None
        cached = self._cache[self._visible[position]]
        if role == ROW_ROLE:
            return cached.row
        if role == _TOOLTIP:
            return self._tooltip(cached, index.column())
        return self._cell(cached, index.column()).get(role)

    def _cell(self, cached: _Cached, column: int) -> dict[int, Any]:
        """The cell's values by role (tooltips aside, which are asked for one at a time)."""
        if column == MonitorColumn.TO_TARGET or column == MonitorColumn.AGE:
            self._time(cached)
        values = cached.cells[column]
        if values is not None:
            return values
        values = {_DISPLAY: cached.texts[column]}
        row = cached.row
        if column == MonitorColumn.PRIORITY:
            colour = self._priority_colours.get(row.priority)
            if colour is not None:
                values[_DECORATION] = self._icon("shape-square", colour)
            values[_FONT] = self._bold
        elif column == MonitorColumn.STATUS:
            values[_DECORATION] = self._icon(STATUS_ICONS.get(row.status, "message-info"), self._theme.text_muted)
        elif column == MonitorColumn.CLAIMED and self.is_mine(row):
            values[_FONT] = self._bold
        elif column == MonitorColumn.AGE:
            values[_DISPLAY] = cached.age
        elif column == MonitorColumn.TO_TARGET:
            values[_DISPLAY] = cached.target
            state = cached.state
            if state is ClockState.NEAR:
                values[_FOREGROUND] = self._colour("warning")
                values[_DECORATION] = self._icon("message-warning", self._theme.warning)
                values[_FONT] = self._bold
            elif state is ClockState.BREACHED:
                values[_FOREGROUND] = self._colour("danger")
                values[_DECORATION] = self._icon("message-error", self._theme.danger)
                values[_FONT] = self._bold
            elif state is not None:
                values[_DECORATION] = self._icon("clock", self._theme.text_muted)
        cached.cells[column] = values
        return values

    def _time(self, cached: _Cached) -> None:
        """The age and the next target as of this second (worked out once a second per row)."""
        now = self.now()
        if now is None:
            return
        second = int(now.timestamp())
        if cached.timed_at == second:
            return
        cached.timed_at = second
        cached.cells[MonitorColumn.TO_TARGET] = cached.cells[MonitorColumn.AGE] = None
        row = cached.row
        cached.age = describe_age((row.closed_at or now) - row.created_at)
        clock = worst_clock(cached.clocks, now)
        cached.clock = clock
        if clock is None:
            cached.state, cached.target = None, "\u2014"
        else:
            cached.state = clock.state(now)
            cached.target = f"{TARGET_WORDS[clock.kind]}: {describe_left(clock.remaining(now))}"

    def _icon(self, name: str, colour: str) -> QIcon:
        icon = self._icons.get((name, colour))
        if icon is None:
            icon = self._icons[(name, colour)] = tinted_icon(name, colour)
        return icon

    def _colour(self, name: str) -> QColor:
        colour = self._colours.get(name)
        if colour is None:
            colour = self._colours[name] = QColor(getattr(self._theme, name))
        return colour

    def _tooltip(self, cached: _Cached, column: int) -> str | None:
        row = cached.row
        if column in (MonitorColumn.TYPE, MonitorColumn.LOCATION, MonitorColumn.REFERENCE):
            return f"{row.reference}: {row.type_name} at {row.address}"
        if column == MonitorColumn.LAST_UPDATE:
            return row.last_update_at.astimezone(self._zone).strftime("Last log entry %d %b %H:%M:%S")
        if column == MonitorColumn.AGE:
            return row.created_at.astimezone(self._zone).strftime("Received %d %b %H:%M:%S")
        if column == MonitorColumn.TO_TARGET and cached.clock is not None:
            now = self.now_or(cached.clock.due_at)
            due = cached.clock.due_at.astimezone(self._zone)
            return f"{cached.clock.describe()}: due {due:%H:%M} ({describe_left(cached.clock.remaining(now))})"
        if column == MonitorColumn.RESOURCES:
            return cached.texts[column]
        return None
