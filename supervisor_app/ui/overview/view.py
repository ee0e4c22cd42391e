"""The desk overview: open incidents by priority, resources by station and status, the latest log.

Everything shown comes from the desk's live state: loaded once off the UI thread, then kept
current by the change feed, so a change at any desk appears here within moments, applied as row
inserts and cell changes rather than a reload. F5 reads the database afresh. Until live updates
have started (or while they cannot), the view reads the database every 15 seconds instead.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QHeaderView, QLabel, QPushButton, QSplitter, QTableView, QVBoxLayout, QWidget

from supervisor_app.pack import UnknownCodeError
from supervisor_app.services.context import DeskContext
from supervisor_app.services.desk_overview import LATEST_LOG_LIMIT, OverviewSnapshot, load_overview, overview_from
from supervisor_app.sync.live_state import Applied, LiveState
from supervisor_app.ui.centred_icon_header import CentredIconHeader
from supervisor_app.ui.icons import tinted_icon
from supervisor_app.ui.overview.log_model import LatestLogModel, LogColumn
from supervisor_app.ui.overview.priority_panel import PriorityPanel, priority_styles
from supervisor_app.ui.overview.resource_model import StationStatusModel
from supervisor_app.ui.panel import Panel, configure_desk_table, fit_height_to_rows, view_header
from supervisor_app.ui.runner import Runner
from supervisor_app.ui.theme import Theme
from supervisor_app.ui.view_base import DeskView

REFRESH_INTERVAL_MS = 15_000
REFRESH_HINT = (
    "Live: changes made at any desk appear as they are committed. F5 reads the database afresh. "
    "Without a live connection the view reads the database every 15 seconds."
)
LOG_COLUMN_WIDTHS = {
    LogColumn.TIME: 96,
    LogColumn.REFERENCE: 170,
    LogColumn.CODE: 78,
    LogColumn.AUTHOR: 150,
    LogColumn.DESK: 110,
}


class OverviewView(DeskView):
    """The desk overview (see module doc)."""

    NAME = "overview"
    TITLE = "Desk overview"

    #: A snapshot was loaded and shown; carries the database time it was read at.
    sig_refreshed = Signal(object)

    def __init__(self, context: DeskContext, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(context, runner, parent)
        self._timezone = ZoneInfo(context.pack.timezone)
        self._loading = False
        self.snapshot: OverviewSnapshot | None = None

        self.priority_panel = PriorityPanel(
            priority_styles([(p.code, p.name, p.colour) for p in context.pack.priorities]), self
        )
        self.station_model = StationStatusModel(self)
        self.station_table = QTableView(self)
        self.station_table.setObjectName("StationStatusTable")
        self.station_table.setHorizontalHeader(CentredIconHeader(self.station_table))
        self.station_table.setModel(self.station_model)
        configure_desk_table(self.station_table)
        self.log_model = LatestLogModel(self._timezone, self._code_label, self)
        self.log_table = QTableView(self)
        self.log_table.setObjectName("LatestLogTable")
        self.log_table.setModel(self.log_model)
        configure_desk_table(self.log_table)

        self._updated = QLabel("Loading\u2026", self)
        self._updated.setObjectName("ViewHint")
        self._updated.setToolTip(REFRESH_HINT)
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.setToolTip(f"Reload now (F5). {REFRESH_HINT}")
        self.refresh_button.clicked.connect(self.on_refresh)
        self._build_layout()
        self._size_columns()

        self.setFocusProxy(self.log_table)
        self._live = False
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_INTERVAL_MS)
        self._timer.timeout.connect(self.on_refresh)
        self._timer.start()
        self.on_refresh()

    def _build_layout(self) -> None:
        header = view_header(self, self.TITLE, self.context.pack.name, self._updated, self.refresh_button)

        self.station_panel = Panel(
            "Resources by station and status",
            self.station_table,
            hint="Counts of resources; \u00b7 means none",
            parent=self,
        )
        self.log_panel = Panel(
            f"Latest {LATEST_LOG_LIMIT} log entries, all incidents",
            self.log_table,
            hint="Newest first \u00b7 organisation time",
            parent=self,
        )
        splitter = QSplitter(Qt.Orientation.Vertical, self)
        splitter.setChildrenCollapsible(False)
        splitter.addWidget(self.station_panel)
        splitter.addWidget(self.log_panel)
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        self.splitter = splitter

        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(10)
        layout.addLayout(header)
        layout.addWidget(self.priority_panel)
        layout.addWidget(splitter, 1)

    def _size_columns(self) -> None:
        header = self.log_table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in LOG_COLUMN_WIDTHS.items():
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        stations = self.station_table.horizontalHeader()
        stations.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        stations.setSectionResizeMode(0, QHeaderView.ResizeMode.Interactive)
        stations.resizeSection(0, 180)
        self._fit_station_table()

    def _fit_station_table(self) -> None:
        """The station table shows every station without scrolling (a handful of rows)."""
        rows = self.station_model.rowCount() or len(self.context.pack.stations) + 1
        fit_height_to_rows(self.station_table, rows)

    def _code_label(self, code: str) -> str:
        try:
            return self.context.pack.code(code).label
        except UnknownCodeError:
            return "not a code of the organisation pack"

    # Handlers

    @Slot()
    def on_refresh(self) -> None:
        """Reload the overview in the background (skipped while a load is still running)."""
        if self._loading:
            return
        self._loading = True
        actor = self.context.actor
        started = self.runner.run_read(
            lambda session: load_overview(session, actor), self._on_loaded, self._on_load_failed, owner=self
        )
        if not started:
            self._loading = False

    def on_theme_changed(self, theme: Theme) -> None:
        super().on_theme_changed(theme)
        self.priority_panel.on_theme_changed(theme)
        self.station_model.set_theme(theme)
        self.station_table.ensurePolished()
        self._fit_station_table()
        self.refresh_button.setIcon(tinted_icon("refresh", theme.text))

    def on_close(self) -> None:
        self._timer.stop()

    def on_connection_changed(self, connected: bool) -> None:
        if not connected:
            since = datetime.now(self._timezone)
            self._updated.setText(f"Not live since {since:%H:%M:%S} \u00b7 showing the state as it was then")
            return
        super().on_connection_changed(connected)

    @property
    def is_live(self) -> bool:
        """Kept current by the change feed (rather than read every 15 seconds)."""
        return self._live

    def on_live_started(self, state: LiveState) -> None:
        self._live = True
        self._timer.stop()  # the feed keeps the view current from now on
        self._show_live(state)

    def on_live_applied(self, applied: Applied, state: LiveState) -> None:
        self._show_live(state)

    def _show_live(self, state: LiveState) -> None:
        """Show the live state; the models turn the differences into precise row and cell updates."""
        self._on_loaded(
            overview_from(state.stations, state.incidents(), state.resources(), state.log_lines(), state.as_of)
        )

    def _on_loaded(self, snapshot: OverviewSnapshot) -> None:
        self._loading = False
        self.snapshot = snapshot
        self.priority_panel.set_counts(snapshot.priorities)
        self.station_model.set_stations(snapshot.stations)
        self._fit_station_table()
        self.log_model.set_lines(snapshot.latest_log, snapshot.as_of)
        shown_at = snapshot.as_of.astimezone(self._timezone)
        cadence = "live" if self._live else "every 15 s"
        self._updated.setText(f"Updated {shown_at:%H:%M:%S} \u00b7 {cadence} \u00b7 F5 to refresh now")
        self.sig_refreshed.emit(snapshot.as_of)

    def _on_load_failed(self, error: BaseException) -> None:
        self._loading = False
        self._updated.setText(f"Not updated since {self._last_update_text()} \u00b7 retrying every 15 s")
        self.sig_error.emit(error)

    def _last_update_text(self) -> str:
        if self.snapshot is None:
            return "opening"
        return f"{self.snapshot.as_of.astimezone(self._timezone):%H:%M:%S}"
