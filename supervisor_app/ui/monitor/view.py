"""The incident monitor: every open incident with its resources and clocks, alerts, and the detail.

Left, the table of open incidents (or, with Ctrl+H, closed ones from months of history, a page at
a time), sortable by any column and filtered by priority, type, status, sector, breached and
mine. Right, the alerts to acknowledge and the selected incident's detail: its log as a timeline,
its deployments and messages, the decision path, escalation and closing.

Rows are read on reader threads: all open incidents once, then only those the live feed names
(an incident whose row, log, deployment or resource changed), each applied as one row update.

Keyboard: Ctrl+F filters; arrows move; Enter opens the detail; Alt+L goes to the alerts and
Ctrl+K acknowledges the one selected; Ctrl+H switches between open incidents and history.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QCheckBox,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QSplitter,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from supervisor_app.domain.clocks import TargetTimes
from supervisor_app.domain.people import Actor
from supervisor_app.services.alerts import acknowledge_alert, acknowledgements_for
from supervisor_app.services.context import DeskContext
from supervisor_app.services.monitor import (
    HistoryFilters,
    HistoryKey,
    HistoryPage,
    MonitorRow,
    MonitorRows,
    MonitorSnapshot,
    history_page,
    load_open_rows,
    load_rows,
)
from supervisor_app.sync.live_state import Applied, LiveState
from supervisor_app.ui.monitor.alerts import Acknowledged, AlertColumn, AlertsModel
from supervisor_app.ui.monitor.delegate import MonitorCellDelegate
from supervisor_app.ui.monitor.detail import IncidentDetailPanel
from supervisor_app.ui.monitor.model import IncidentMonitorModel, MonitorColumn, MonitorFilter
from supervisor_app.ui.panel import Panel, configure_desk_table, view_header
from supervisor_app.ui.runner import Runner
from supervisor_app.ui.session.attempts import change_refused_text
from supervisor_app.ui.theme import Theme
from supervisor_app.ui.view_base import DeskView

COLUMN_WIDTHS = {
    MonitorColumn.PRIORITY: 66,
    MonitorColumn.REFERENCE: 156,
    MonitorColumn.TO_TARGET: 226,
    MonitorColumn.STATUS: 158,
    MonitorColumn.TYPE: 140,
    MonitorColumn.LOCATION: 180,
    MonitorColumn.RESOURCES: 150,
    MonitorColumn.AGE: 70,
    MonitorColumn.LAST_UPDATE: 90,
    MonitorColumn.CLAIMED: 120,
}
TICK_MS = 1_000
HISTORY_PAGE = 200
ALL = ""


class IncidentMonitorView(DeskView):
    NAME = "monitor"
    TITLE = "Incident monitor"

    #: The open incidents were read and shown (carries the MonitorSnapshot).
    sig_loaded = Signal(object)
    #: Rows from the live feed were applied (carries the MonitorRows).
    sig_rows_applied = Signal(object)
    #: A page of history was appended (carries the HistoryPage).
    sig_history_loaded = Signal(object)
    #: An alert was acknowledged (carries its key).
    sig_alert_acknowledged = Signal(str)
    #: The selected incident changed (carries its id): other views may follow it.
    sig_incident_selected = Signal(int)

    def __init__(self, context: DeskContext, runner: Runner, parent: QWidget | None = None, *, clock=None) -> None:  # type: ignore[no-untyped-def]
        super().__init__(context, runner, parent)
        pack = context.pack
        extra = {} if clock is None else {"clock": clock}
        self.model = IncidentMonitorModel(self._targets_of, pack.timezone, self, **extra)
        self.model.set_priorities([(p.code, p.colour) for p in pack.priorities])
        self.model.set_me(context.actor.username)
        self.history = False
        self._history_key: HistoryKey | None = None
        self._history_generation = 0
        self.alerts = AlertsModel(pack.timezone, self)
        self.alerts.sig_raised.connect(self._alerts_raised)
        self.model.set_breached(self.alerts.is_breached)

        self.table = QTableView(self)
        self.table.setObjectName("monitor-table")
        self.table.setModel(self.model)
        configure_desk_table(self.table)
        self.cells = MonitorCellDelegate(self.model, self.table)  # a repaint each second stays cheap
        self.table.setItemDelegate(self.cells)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(MonitorColumn.TO_TARGET, Qt.SortOrder.AscendingOrder)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in COLUMN_WIDTHS.items():
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selection_moved())
        self.table.activated.connect(lambda _index: self.detail.setFocus())

        self.filter_text = QLineEdit(self)
        self.filter_text.setObjectName("monitor-filter-text")
        self.filter_text.setPlaceholderText("Filter: reference, address or type (Ctrl+F)")
        self.filter_text.setClearButtonEnabled(True)
        self.filter_priority = self._combo("monitor-filter-priority", "All priorities",
                                           [(p.code, p.code) for p in pack.priorities])
        self.filter_type = self._combo("monitor-filter-type", "All types",
                                       [(t.name, t.code) for t in pack.incident_types])
        self.filter_status = self._combo("monitor-filter-status", "All statuses", [])
        self.filter_sector = self._combo("monitor-filter-sector", "All sectors",
                                         [(s.name, s.name) for s in pack.sectors])
        self.filter_breached = QCheckBox("&Breached", self)
        self.filter_breached.setObjectName("monitor-filter-breached")
        self.filter_mine = QCheckBox("&Mine", self)
        self.filter_mine.setObjectName("monitor-filter-mine")
        for combo in (self.filter_priority, self.filter_type, self.filter_status, self.filter_sector):
            combo.currentIndexChanged.connect(self._filters_changed)
        for box in (self.filter_breached, self.filter_mine):
            box.toggled.connect(self._filters_changed)
        self.filter_text.textChanged.connect(self._filters_changed)
        self._set_status_choices()

        self.alert_table = QTableView(self)
        self.alert_table.setObjectName("monitor-alerts")
        self.alert_table.setModel(self.alerts)
        configure_desk_table(self.alert_table)
        self.alert_table.setMinimumHeight(150)
        alert_header = self.alert_table.horizontalHeader()
        alert_header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in {AlertColumn.LEVEL: 100, AlertColumn.INCIDENT: 156, AlertColumn.WHAT: 250}.items():
            alert_header.resizeSection(column, width)
        alert_header.setStretchLastSection(True)
        self.alert_table.activated.connect(lambda index: self.select_incident(self._alert_incident(index.row())))
        self.alert_note = QLineEdit(self)
        self.alert_note.setObjectName("monitor-alert-note")
        self.alert_note.setPlaceholderText("Note (optional): what you are doing about it")
        self.acknowledge_button = QPushButton("Acknowledge  (Ctrl+K)", self)
        self.acknowledge_button.setObjectName("monitor-acknowledge")
        self.acknowledge_button.clicked.connect(self.acknowledge_selected_alert)
        self.sound = QCheckBox("Sound", self)
        self.sound.setObjectName("monitor-alert-sound")
        self.sound.setToolTip("Beep when a new alert appears")
        self.alert_result = QLabel("", self)
        self.alert_result.setObjectName("ViewHint")
        self.alert_result.setWordWrap(True)

        self.detail = IncidentDetailPanel(context, runner, self)
        self.detail.sig_changed.connect(lambda incident_id: self._reload_ids([incident_id]))

        self.status_line = QLabel("", self)
        self.status_line.setObjectName("ViewHint")
        self.mode_button = QPushButton("History  (Ctrl+H)", self)
        self.mode_button.setObjectName("monitor-mode")
        self.mode_button.setCheckable(True)
        self.mode_button.toggled.connect(self.set_history)
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.clicked.connect(self.on_refresh)

        shortcut = Qt.ShortcutContext.WidgetWithChildrenShortcut
        QShortcut(QKeySequence("Ctrl+F"), self, self.filter_text.setFocus, context=shortcut)
        QShortcut(QKeySequence("Alt+L"), self, self.alert_table.setFocus, context=shortcut)
        QShortcut(QKeySequence("Ctrl+K"), self, self.acknowledge_selected_alert, context=shortcut)
        QShortcut(QKeySequence("Ctrl+H"), self, self.mode_button.toggle, context=shortcut)
        QShortcut(QKeySequence("Escape"), self.detail, self.table.setFocus, context=shortcut)
        self.detail.add_shortcuts(self)

        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self.tick)
        self._build_layout()
        self.setFocusProxy(self.table)

    def _combo(self, name: str, everything: str, choices: Iterable[tuple[str, str]]) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.addItem(everything, ALL)
        for label, value in choices:
            combo.addItem(label, value)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(8)
        return combo

    def _set_status_choices(self) -> None:
        self.filter_status.blockSignals(True)
        self.filter_status.clear()
        self.filter_status.addItem("All statuses", ALL)
        open_ones = ["new", "awaiting_resource", "resource_assigned", "in_progress", "on_hold", "resolved"]
        for status in ["closed", "cancelled"] if self.history else open_ones:
            self.filter_status.addItem(status.replace("_", " ").capitalize(), status)
        self.filter_status.blockSignals(False)

    def _build_layout(self) -> None:
        filters = QHBoxLayout()
        filters.setSpacing(6)
        filters.addWidget(self.filter_text, 3)
        for widget in (self.filter_priority, self.filter_type, self.filter_status, self.filter_sector):
            filters.addWidget(widget, 1)
        filters.addWidget(self.filter_breached)
        filters.addWidget(self.filter_mine)
        table_body = QWidget(self)
        table_layout = QVBoxLayout(table_body)
        table_layout.setContentsMargins(8, 4, 8, 8)
        table_layout.setSpacing(6)
        table_layout.addLayout(filters)
        table_layout.addWidget(self.table, 1)

        alert_body = QWidget(self)
        alert_layout = QVBoxLayout(alert_body)
        alert_layout.setContentsMargins(8, 4, 8, 8)
        alert_layout.setSpacing(6)
        alert_layout.addWidget(self.alert_table, 1)
        acknowledge_row = QHBoxLayout()
        acknowledge_row.setSpacing(6)
        acknowledge_row.addWidget(self.alert_note, 1)
        acknowledge_row.addWidget(self.acknowledge_button)
        acknowledge_row.addWidget(self.sound)
        alert_layout.addLayout(acknowledge_row)
        alert_layout.addWidget(self.alert_result)

        right = QSplitter(Qt.Orientation.Vertical, self)
        right.setChildrenCollapsible(False)
        right.addWidget(Panel("Alerts", alert_body, hint="Alt+L \u00b7 Ctrl+K acknowledge", parent=self))
        hint = "Ctrl+G log \u00b7 Ctrl+E escalate \u00b7 Ctrl+Shift+C close"
        right.addWidget(Panel("Incident", self.detail, hint=hint, parent=self))
        right.setStretchFactor(0, 2)
        right.setStretchFactor(1, 5)
        right.setSizes([320, 600])
        columns = QSplitter(Qt.Orientation.Horizontal, self)
        columns.setChildrenCollapsible(False)
        columns.addWidget(Panel("Incidents", table_body, hint="Ctrl+F filter \u00b7 Enter detail", parent=self))
        columns.addWidget(right)
        columns.setStretchFactor(0, 3)
        columns.setStretchFactor(1, 2)
        columns.setSizes([900, 620])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(10)
        layout.addLayout(
            view_header(
                self,
                self.TITLE,
                "Every live incident, who is on it and what is late.",
                self.status_line,
                self.mode_button,
                self.refresh_button,
            )
        )
        layout.addWidget(columns, 1)

    # Targets

    def _targets_of(self, row: MonitorRow) -> TargetTimes:
        targets = self.context.pack.targets_for(row.incident_type, row.priority)
        return TargetTimes.from_seconds(targets.acknowledge, targets.on_scene, targets.update_interval,
                                        targets.resolution)

    # View handlers

    def on_shown(self) -> None:
        if self.model.rowCount() == 0:
            self.on_refresh()
        self._tick.start()

    def on_refresh(self) -> None:
        if self.history:
            self._start_history()
            return
        actor, pack = self.context.actor, self.context.pack
        self.runner.run_read(lambda session: self._read_open(session, actor, pack), self._loaded, owner=self)

    @staticmethod
    def _read_open(session, actor: Actor, pack) -> tuple[MonitorSnapshot, dict[str, Acknowledged]]:  # type: ignore[no-untyped-def]
        snapshot = load_open_rows(session, actor, pack)
        acknowledged = acknowledgements_for(session, actor, [row.incident_id for row in snapshot.rows])
        return snapshot, _acknowledged(acknowledged)

    def on_live_applied(self, applied: Applied, state: LiveState) -> None:
        ids = {row.id for row in applied.incidents} | set(applied.incidents_closed)
        ids |= {line.incident_id for line in applied.log_lines}
        if applied.resources:
            changed = {row.call_sign for row in applied.resources}
            ids |= {row.incident_id for row in self.model.rows() if any(c in changed for c, _s in row.resources)}
        if ids:
            self._reload_ids(ids)

    def on_actor_changed(self, actor: Actor) -> None:
        self.model.set_me(actor.username)
        self.detail.show_incident(None)
        self.on_refresh()

    def on_theme_changed(self, theme: Theme) -> None:
        super().on_theme_changed(theme)
        self.cells.reset()
        self.model.set_theme(theme)
        self.alerts.set_theme(theme)
        self.detail.on_theme_changed(theme)

    def on_close(self) -> None:
        self._tick.stop()
        self.detail.on_close()

    # Loading

    def _loaded(self, loaded: tuple[MonitorSnapshot, dict[str, Acknowledged]]) -> None:
        if self.history:
            return
        snapshot, acknowledged = loaded
        current = self._current_id() or self.detail.incident_id  # chosen on the map before the rows came
        self.model.set_rows(snapshot.rows, snapshot.read_at)
        self.alerts.set_acknowledged(acknowledged)
        self._recompute_alerts(replace_all=True)
        self._reselect(current)
        self._show_counts()
        self.sig_loaded.emit(snapshot)

    def _reload_ids(self, ids: Iterable[int]) -> None:
        if self.history:
            return
        wanted = sorted(set(ids))
        actor, pack = self.context.actor, self.context.pack

        def read(session):  # type: ignore[no-untyped-def]
            rows = load_rows(session, actor, wanted, pack)
            return rows, _acknowledged(acknowledgements_for(session, actor, wanted))

        self.runner.run_read(read, self._rows_read, owner=self)

    def _rows_read(self, loaded: tuple[MonitorRows, dict[str, Acknowledged]]) -> None:
        if self.history:
            return
        rows, acknowledged = loaded
        self.apply_rows(rows)
        self.alerts.set_acknowledged(acknowledged)
        shown = self.detail.incident_id
        if shown is not None and (shown in {row.incident_id for row in rows.rows} or shown in rows.gone_ids):
            self.detail.reload()
        self.sig_rows_applied.emit(rows)

    def apply_rows(self, rows: MonitorRows) -> None:
        """Apply rows read for the live feed: the UI-thread part, kept to one row's work per row."""
        self.model.apply_rows(rows.rows, rows.gone_ids, rows.read_at)
        now = self.model.now()
        if now is not None:
            self.alerts.forget(rows.gone_ids)
            self.alerts.recompute(
                ((row.times, self.model.clocks_of(row.incident_id)) for row in rows.rows), now
            )
        self._show_counts()

    # History

    @Slot(bool)
    def set_history(self, history: bool) -> None:
        if history == self.history:
            return
        self.history = history
        self.mode_button.setText("Open incidents  (Ctrl+H)" if history else "History  (Ctrl+H)")
        self._set_status_choices()
        self.detail.show_incident(None)
        if history:  # newest first, as a history reads; the open incidents by the next target
            self.table.sortByColumn(MonitorColumn.AGE, Qt.SortOrder.AscendingOrder)
            self._start_history()
        else:
            self.model.set_fetcher(None, more=False)
            self.table.sortByColumn(MonitorColumn.TO_TARGET, Qt.SortOrder.AscendingOrder)
            self.on_refresh()

    def _history_filters(self) -> HistoryFilters:
        chosen = self.model.current_filter
        return HistoryFilters(
            priorities=chosen.priorities,
            incident_types=chosen.incident_types,
            statuses=chosen.statuses,
            text=chosen.text,
        )

    def _start_history(self) -> None:
        self._history_generation += 1
        self._history_key = None
        self.model.set_rows([], self.model.now_or(datetime.now().astimezone()))
        self.model.set_fetcher(self._fetch_history, more=True)
        self.status_line.setText("History: reading\u2026")
        self.model.fetchMore(QModelIndex())

    def _fetch_history(self) -> None:
        actor, pack = self.context.actor, self.context.pack
        filters, before, generation = self._history_filters(), self._history_key, self._history_generation

        def read(session):  # type: ignore[no-untyped-def]
            return history_page(session, actor, pack, filters=filters, before=before, limit=HISTORY_PAGE)

        def done(page: HistoryPage) -> None:
            if generation != self._history_generation or not self.history:
                return
            self._history_key = page.next_key
            self.model.append_rows(page.rows, page.read_at, more=page.next_key is not None)
            shown = self.model.rowCount()
            self.status_line.setText(f"History: {shown:,} closed incidents shown" + (
                ", scroll for more" if page.next_key is not None else ", all of them"))
            self.sig_history_loaded.emit(page)

        def failed(error: BaseException) -> None:
            self.model.fetch_failed()
            self.sig_error.emit(error)

        self.runner.run_read(read, done, failed, owner=self)

    # Filters

    def _filters_changed(self) -> None:
        def chosen(combo: QComboBox) -> frozenset[str]:
            value = combo.currentData()
            return frozenset({value}) if value else frozenset()

        wanted = MonitorFilter(
            priorities=chosen(self.filter_priority),
            incident_types=chosen(self.filter_type),
            statuses=chosen(self.filter_status),
            sectors=chosen(self.filter_sector),
            breached_only=self.filter_breached.isChecked(),
            mine_only=self.filter_mine.isChecked(),
            text=self.filter_text.text().strip(),
        )
        self.model.set_filter(wanted)
        if self.history:
            self._start_history()
        self._show_counts()

    # Time

    @Slot()
    def tick(self) -> None:
        """Once a second: repaint the visible rows (their countdowns), and raise the alerts now due."""
        self.table.viewport().update()
        now = self.model.now()
        if now is None or self.history:
            return
        due = self.alerts.due(now)
        if due:
            self._recompute_alerts(ids=due)
            if self.model.current_filter.breached_only:
                self.model.refilter()
            self._show_counts()

    def _recompute_alerts(self, *, ids: Iterable[int] | None = None, replace_all: bool = False) -> None:
        now = self.model.now()
        if now is None:
            return
        if ids is None:
            rows = self.model.rows()
        else:
            rows = [row for incident_id in ids if (row := self._row(incident_id)) is not None]
        self.alerts.recompute(((row.times, self.model.clocks_of(row.incident_id)) for row in rows), now,
                              replace_all=replace_all)

    def _row(self, incident_id: int) -> MonitorRow | None:
        return self.model.held(incident_id)

    def _alerts_raised(self, fresh: list[object]) -> None:
        if self.sound.isChecked() and fresh:
            QApplication.beep()

    # Alerts

    def _alert_incident(self, row: int) -> int | None:
        alert = self.alerts.alert_at(row)
        return None if alert is None else alert.incident_id

    @Slot()
    def acknowledge_selected_alert(self) -> None:
        alert = self.alerts.alert_at(self.alert_table.currentIndex().row())
        if alert is None:
            self.alert_result.setText("Select an alert (Alt+L, arrows), then Ctrl+K.")
            return
        if self.alerts.acknowledgement(alert.key) is not None:
            self.alert_result.setText(f"Already acknowledged: {alert.text}")
            return
        actor, pack, note = self.context.actor, self.context.pack, self.alert_note.text().strip()

        def done(_changes: object) -> None:
            self.alert_result.setText(f"Acknowledged: {alert.reference} \u00b7 {alert.text}")
            self.alert_note.clear()
            self._reload_ids([alert.incident_id])
            self.sig_alert_acknowledged.emit(alert.key)

        def failed(error: BaseException) -> None:
            self.alert_result.setText(change_refused_text(error, self.context.database_label))
            self._reload_ids([alert.incident_id])

        self.runner.run_write(
            lambda session: acknowledge_alert(session, actor, alert.incident_id, alert.key, note, pack),
            done,
            failed,
            owner=self,
        )

    # Selection

    def _current_id(self) -> int | None:
        row = self.model.row_at(self.table.currentIndex().row())
        return None if row is None else row.incident_id

    def _reselect(self, incident_id: int | None) -> None:
        if incident_id is None:
            return
        position = self.model.row_of(incident_id)
        if position >= 0:
            self.table.selectRow(position)

    def select_incident(self, incident_id: int | None) -> None:
        """Select the incident in the table (when shown) and open its detail."""
        if incident_id is None:
            return
        position = self.model.row_of(incident_id)
        if position >= 0:
            self.table.selectRow(position)
            self.table.scrollTo(self.model.index(position, 0))
        else:
            self.detail.show_incident(incident_id)

    def on_select_incident(self, incident_id: int) -> None:
        """Another view (the map) selected an incident."""
        self.select_incident(incident_id)

    def _selection_moved(self) -> None:
        incident_id = self._current_id()
        if incident_id is not None and incident_id != self.detail.incident_id:
            self.detail.show_incident(incident_id)
            self.sig_incident_selected.emit(incident_id)

    def _show_counts(self) -> None:
        if self.history:
            return
        total = self.model.held_count()
        shown = self.model.rowCount()
        breached = self.alerts.breached_incidents()
        now = self.model.now()
        when = f" \u00b7 read {now.astimezone(self.detail.zone):%H:%M:%S}" if now is not None else ""
        filtered = "" if shown == total else f" \u00b7 {shown:,} shown"
        self.status_line.setText(f"{total:,} open \u00b7 {breached:,} breached{filtered}{when}")


def _acknowledged(found: object) -> dict[str, Acknowledged]:
    """The service's acknowledgements as the alert list keeps them."""
    result: dict[str, Acknowledged] = {}
    for key, ack in dict(found).items():  # type: ignore[call-overload]
        result[key] = Acknowledged(ack.acknowledged_by, ack.desk, ack.acknowledged_at)
    return result
