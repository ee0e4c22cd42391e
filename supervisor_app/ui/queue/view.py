"""The deployment queue: incidents waiting for resources, the resources to send, and who has not answered.

Left, the queue: most urgent priority first, then the soonest on-scene target, with countdowns
that turn amber and then red. Right, for the selected incident, the recommended resources (the
proposed set ticked) to send, each by its channel; below, deployments not acknowledged in time or
whose message failed, to chase. From the keyboard:

- arrows move through the queue; Enter opens the recommendation and puts the cursor in it;
- Space ticks a resource; M, R, P, S, E choose its channel (MDT, radio, phone, SMS, e-mail);
- Ctrl+D deploys the ticked resources; Escape goes back to the queue;
- Alt+A goes to the list to chase: Enter re-sends by the same channel, R by radio;
- Alt+X asks another organisation for help with the selected incident (only what the pack
  authorises), and records its answer.
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from supervisor_app.domain.people import Action, Actor, permitted
from supervisor_app.services.context import DeskContext
from supervisor_app.services.deployment_queue import DeploymentQueue, load_deployment_queue
from supervisor_app.services.deployments import Deployed, DeploymentOrder, deploy_resources
from supervisor_app.services.outbox import AwaitingAcknowledgement, awaiting_acknowledgement, resend
from supervisor_app.services.recommendations import IncidentRecommendation, recommend_for_incident
from supervisor_app.sync.live_state import Applied, LiveState
from supervisor_app.ui.panel import Panel, configure_desk_table, view_header
from supervisor_app.ui.queue.candidates import CHANNEL_LABELS, CandidateTable
from supervisor_app.ui.queue.model import DeploymentQueueModel, QueueColumn
from supervisor_app.ui.queue.organisations import OrganisationRequests
from supervisor_app.ui.runner import Runner
from supervisor_app.ui.session.attempts import change_refused_text
from supervisor_app.ui.theme import Theme
from supervisor_app.ui.view_base import DeskView

COLUMN_WIDTHS = {
    QueueColumn.PRIORITY: 66,
    QueueColumn.TIME_LEFT: 150,
    QueueColumn.REFERENCE: 164,
    QueueColumn.TYPE: 170,
    QueueColumn.ADDRESS: 160,
    QueueColumn.MISSING: 200,
}
REFRESH_MS = 15_000
TICK_MS = 1_000


class DeploymentQueueView(DeskView):
    NAME = "queue"
    TITLE = "Deployment queue"
    REQUIRES = Action.VIEW_INCIDENTS

    #: The queue was read (carries the DeploymentQueue).
    sig_loaded = Signal(object)
    #: A recommendation was read (carries the IncidentRecommendation).
    sig_recommended = Signal(object)
    #: Resources were deployed (carries Deployed): the desk's dispatcher sends their messages now.
    sig_deployed = Signal(object)
    #: The list of deployments to chase was read (carries the list).
    sig_chase_loaded = Signal(object)

    def __init__(self, context: DeskContext, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(context, runner, parent)
        self._timezone = ZoneInfo(context.pack.timezone)
        self.model = DeploymentQueueModel(self)
        self.model.set_priority_colours({p.code: p.colour for p in context.pack.priorities})
        self.table = QTableView(self)
        self.table.setObjectName("queue-table")
        self.table.setModel(self.model)
        configure_desk_table(self.table)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in COLUMN_WIDTHS.items():
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        self.candidates = CandidateTable(context.pack, self)
        self.incident_label = QLabel("Select an incident in the queue and press Enter.", self)
        self.incident_label.setObjectName("OutcomeTitle")
        self.incident_label.setWordWrap(True)
        self.shortfall_label = QLabel("", self)
        self.shortfall_label.setObjectName("FieldError")
        self.shortfall_label.setWordWrap(True)
        self.result_label = QLabel("", self)
        self.result_label.setObjectName("ViewHint")
        self.result_label.setWordWrap(True)
        self.deploy_button = QPushButton("&Deploy ticked  (Ctrl+D)", self)
        self.deploy_button.setObjectName("queue-deploy")
        self.deploy_button.setDefault(True)
        self.deploy_button.clicked.connect(self.deploy)
        self.chase = QListWidget(self)
        self.chase.setObjectName("queue-chase")
        self.chase.setWordWrap(True)
        self.chase.itemActivated.connect(lambda item: self.resend(item, None))
        self.organisations = OrganisationRequests(context, runner, self)
        self.organisations.sig_requested.connect(self.sig_deployed.emit)
        self.follow_up = QTabWidget(self)
        self.follow_up.setObjectName("queue-follow-up")
        self.follow_up.setDocumentMode(True)
        self.follow_up.addTab(self.chase, "Not acknowledged  (Alt+A)")
        self.follow_up.addTab(self.organisations, "Other organisations  (Alt+X)")
        self.status_line = QLabel("", self)
        self.status_line.setObjectName("ViewHint")
        self.refresh_button = QPushButton("Refresh", self)
        self.refresh_button.clicked.connect(self.on_refresh)
        self.candidates.sig_refused.connect(self.result_label.setText)

        self.table.activated.connect(lambda _index: self.open_recommendation())
        self.table.selectionModel().currentRowChanged.connect(lambda *_: self._selection_moved())
        shortcut = Qt.ShortcutContext.WidgetWithChildrenShortcut
        QShortcut(QKeySequence("Ctrl+D"), self, self.deploy, context=shortcut)
        QShortcut(QKeySequence("Escape"), self.candidates, self.table.setFocus, context=shortcut)
        QShortcut(QKeySequence("Alt+A"), self, self.show_chase, context=shortcut)
        QShortcut(QKeySequence("Alt+X"), self, self.show_organisations, context=shortcut)
        QShortcut(QKeySequence("R"), self.chase, self._resend_by_radio, context=shortcut)

        self._tick = QTimer(self)
        self._tick.setInterval(TICK_MS)
        self._tick.timeout.connect(self.model.tick)
        self._refresh = QTimer(self)
        self._refresh.setInterval(REFRESH_MS)
        self._refresh.timeout.connect(self.on_refresh)
        self._reload_soon = QTimer(self)
        self._reload_soon.setSingleShot(True)
        self._reload_soon.setInterval(250)
        self._reload_soon.timeout.connect(self.on_refresh)
        self._recommended_for: int | None = None

        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(8)
        send_body = QWidget(self)
        send_layout = QVBoxLayout(send_body)
        send_layout.setContentsMargins(10, 6, 10, 10)
        send_layout.addWidget(self.incident_label)
        send_layout.addWidget(self.candidates, 1)
        send_layout.addWidget(self.shortfall_label)
        send_layout.addWidget(self.result_label)
        send_layout.addWidget(self.deploy_button)
        right_layout.addWidget(
            Panel("Send resources", send_body, hint="Space ticks \u00b7 M R P S E channel", parent=self), 3
        )
        right_layout.addWidget(
            Panel("Follow up", self.follow_up, hint="Chase: Enter re-sends \u00b7 R by radio", parent=self), 2
        )
        columns = QHBoxLayout()
        columns.setSpacing(10)
        columns.addWidget(Panel("Waiting for resources", self.table, hint="Enter: recommend", parent=self), 3)
        columns.addWidget(right, 2)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(10)
        layout.addLayout(
            view_header(
                self,
                self.TITLE,
                "Incidents still missing resources, most urgent first.",
                self.status_line,
                self.refresh_button,
            )
        )
        layout.addLayout(columns, 1)
        self.setFocusProxy(self.table)
        self._update_deploy_state()

    # View handlers

    def on_shown(self) -> None:
        self.on_refresh()
        self._tick.start()
        self._refresh.start()

    def on_refresh(self) -> None:
        actor, pack = self.context.actor, self.context.pack
        self.runner.run_read(lambda session: load_deployment_queue(session, actor, pack), self._loaded, owner=self)
        self.runner.run_read(
            lambda session: awaiting_acknowledgement(session, actor, pack), self._chase_loaded, owner=self
        )

    def on_live_applied(self, applied: Applied, state: LiveState) -> None:
        if (applied.incidents or applied.incidents_closed or applied.resources) and self.isVisible():
            self._reload_soon.start()

    def on_actor_changed(self, actor: Actor) -> None:
        self.candidates.show_recommendation(None)
        self._recommended_for = None
        self.result_label.setText("")
        self._update_deploy_state()
        if self.isVisible():
            self.on_refresh()

    def on_theme_changed(self, theme: Theme) -> None:
        super().on_theme_changed(theme)
        self.model.set_theme(theme)

    def on_close(self) -> None:
        for timer in (self._tick, self._refresh, self._reload_soon):
            timer.stop()

    # The queue

    def _loaded(self, queue: DeploymentQueue) -> None:
        current = self.model.row_at(self.table.currentIndex().row())
        self.model.set_queue(queue)
        keep = self.model.row_of(current.incident_id) if current is not None else -1
        if keep < 0 and queue.rows:
            keep = 0
        if keep >= 0:
            self.table.selectRow(keep)
        local = queue.read_at.astimezone(self._timezone)
        self.status_line.setText(f"{len(queue.rows)} waiting \u00b7 read {local:%H:%M:%S}")
        if self._recommended_for is not None and self.model.row_of(self._recommended_for) < 0:
            self.candidates.show_recommendation(None)  # met meanwhile, or closed
            self._recommended_for = None
        elif self._recommended_for is not None:
            self._recommend(self._recommended_for)
        self._update_deploy_state()
        self.organisations.reload()
        self.sig_loaded.emit(queue)

    def show_chase(self) -> None:
        self.follow_up.setCurrentWidget(self.chase)
        self.chase.setFocus()

    def show_organisations(self) -> None:
        self.follow_up.setCurrentWidget(self.organisations)
        self.organisations.organisation.setFocus()

    def _selection_moved(self) -> None:
        row = self.model.row_at(self.table.currentIndex().row())
        if row is not None and row.incident_id != self.organisations.incident_id:
            self.organisations.set_incident(
                row.incident_id, f"{row.reference} \u00b7 {row.priority} \u00b7 {row.type_name} at {row.address}"
            )
        if row is not None and row.incident_id != self._recommended_for:
            self.candidates.show_recommendation(None)
            self._recommended_for = None
            self.incident_label.setText(
                f"{row.reference} \u00b7 {row.priority} \u00b7 {row.type_name} at "
                f"{row.address}\nStill needed: {row.missing_text()}  (Enter: recommend)"
            )
            self.shortfall_label.setText("")
            self._update_deploy_state()

    @Slot()
    def open_recommendation(self) -> None:
        row = self.model.row_at(self.table.currentIndex().row())
        if row is None:
            return
        self._recommend(row.incident_id, focus=True)

    def _recommend(self, incident_id: int, *, focus: bool = False) -> None:
        actor, pack = self.context.actor, self.context.pack

        def shown(found: IncidentRecommendation) -> None:
            self._recommended_for = incident_id
            self.candidates.show_recommendation(found)
            shortfall = [gap.message for gap in found.recommendation.shortfall]
            self.shortfall_label.setText("\n".join(shortfall))
            row = self.model.row_at(self.model.row_of(incident_id))
            what = f"{row.priority} \u00b7 {row.type_name} at {row.address}" if row is not None else ""
            self.incident_label.setText(f"{found.reference} \u00b7 {what}")
            self.incident_label.setToolTip(f"Arrival times {found.recommendation.estimate}")
            if focus:
                self.candidates.setFocus()
            self._update_deploy_state()
            self.sig_recommended.emit(found)

        self.runner.run_read(
            lambda session: recommend_for_incident(session, actor, incident_id, pack), shown, owner=self
        )

    # Deploying

    def _update_deploy_state(self) -> None:
        may = permitted(self.context.actor, Action.ASSIGN_RESOURCE)
        self.deploy_button.setEnabled(may and self._recommended_for is not None)
        self.deploy_button.setToolTip("" if may else "Deploying needs the supervisor's role.")

    @Slot()
    def deploy(self) -> None:
        incident_id = self._recommended_for
        choices = self.candidates.choices()
        if incident_id is None or not choices:
            self.result_label.setText("Tick the resources to send (Space), then Ctrl+D.")
            return
        actor, pack = self.context.actor, self.context.pack
        orders = [DeploymentOrder(choice.resource_id, choice.channel) for choice in choices]
        self.deploy_button.setEnabled(False)

        def done(deployed: Deployed) -> None:
            sent = ", ".join(f"{r.call_sign} ({CHANNEL_LABELS.get(r.channel, r.channel)})" for r in deployed.resources)
            self.result_label.setText(f"Deployed {sent} to {deployed.reference}.")
            self.sig_deployed.emit(deployed)
            self.on_refresh()

        def failed(error: BaseException) -> None:
            self.result_label.setText(change_refused_text(error, self.context.database_label))
            self._recommend(incident_id)  # show who is free now

        self.runner.run_write(
            lambda session: deploy_resources(session, actor, incident_id, orders, pack), done, failed, owner=self
        )

    # Chasing

    def _chase_loaded(self, waiting: list[AwaitingAcknowledgement]) -> None:
        now = self.model.now()
        self.chase.clear()
        for entry in waiting:
            text = entry.describe(now) if now is not None else entry.call_sign
            item = QListWidgetItem(("\u26a0 " if entry.overdue else "\u2715 ") + text, self.chase)
            item.setData(Qt.ItemDataRole.UserRole, entry)
        if not waiting:
            QListWidgetItem("Every deployment is acknowledged or within its time.", self.chase).setFlags(
                Qt.ItemFlag.NoItemFlags
            )
        self.sig_chase_loaded.emit(waiting)

    def _resend_by_radio(self) -> None:
        item = self.chase.currentItem()
        if item is not None:
            self.resend(item, "voice_radio")

    def resend(self, item: QListWidgetItem, channel: str | None) -> None:
        entry = item.data(Qt.ItemDataRole.UserRole)
        if not isinstance(entry, AwaitingAcknowledgement):
            return
        actor, pack = self.context.actor, self.context.pack
        how = CHANNEL_LABELS.get(channel or entry.channel, channel or entry.channel)

        def done(_new_id: int) -> None:
            self.result_label.setText(f"Re-sent to {entry.call_sign} by {how}.")
            self.sig_deployed.emit(None)
            self.on_refresh()

        def failed(error: BaseException) -> None:
            self.result_label.setText(change_refused_text(error, self.context.database_label))

        self.runner.run_write(
            lambda session: resend(session, actor, entry.message_id, pack, channel), done, failed, owner=self
        )
