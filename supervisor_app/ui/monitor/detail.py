"""One incident in full: its clocks, its log as a timeline, resources and messages, decision path,
escalation, and closing.

The detail is read on a reader thread (``services.incident_detail.load_incident_detail``) and
shown in tabs; every action goes through a service on the writer thread and the detail reloads
when it is done (and when the live feed says the incident changed). Keyboard:

- Ctrl+G writes a log entry (code, then text, Enter);
- Ctrl+E escalates (a proposed rule's reason is filled in; Enter sends), or records an answer;
- Ctrl+Shift+C changes the status or closes the incident with a disposition. A close with a
  deployment still live is refused with the reason; give one in "Not cleared because" to stand
  them down and close anyway.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from supervisor_app.domain.clocks import Clock, ClockState
from supervisor_app.domain.external_requests import RequestStatus
from supervisor_app.domain.incidents import INCIDENT_LIFECYCLE, IncidentStatus
from supervisor_app.domain.people import Action, permitted
from supervisor_app.services.context import DeskContext
from supervisor_app.services.escalations import (
    EscalationRow,
    escalate_incident,
    escalation_target,
    record_escalation_answer,
)
from supervisor_app.services.incident_detail import IncidentDetail, load_incident_detail
from supervisor_app.services.incident_lifecycle import change_incident_status, close_incident
from supervisor_app.services.incidents import add_log_entry
from supervisor_app.ui.monitor.model import TARGET_WORDS, status_words
from supervisor_app.ui.monitor.records import RecordColumn, RecordsModel
from supervisor_app.ui.panel import configure_desk_table
from supervisor_app.ui.queue.model import describe_left
from supervisor_app.ui.runner import Runner
from supervisor_app.ui.session.attempts import change_refused_text
from supervisor_app.ui.theme import DARK, Theme

#: Log codes a person writes by hand here (the others are written by the desk itself).
HAND_CODES = ("NOTE", "UPD", "HAZARD", "SAFEGUARD", "HANDOVER")
STATE_MARK = {
    ClockState.RUNNING: "\u25cb",
    ClockState.NEAR: "\u26a0",
    ClockState.BREACHED: "\u2716",
    ClockState.MET: "\u2713",
    ClockState.MISSED: "\u2716",
}


def _hhmm(moment: object, zone: ZoneInfo) -> str:
    return moment.astimezone(zone).strftime("%H:%M:%S") if isinstance(moment, datetime) else ""


class IncidentDetailPanel(QWidget):
    """See the module doc."""

    #: Something was changed from here (carries the incident id): the monitor reloads its row.
    sig_changed = Signal(int)
    #: The detail was read and shown (carries the IncidentDetail).
    sig_loaded = Signal(object)
    #: An action was refused or failed (carries the message shown).
    sig_refused = Signal(str)

    def __init__(self, context: DeskContext, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.runner = runner
        self.zone = ZoneInfo(context.pack.timezone)
        self.theme: Theme = DARK
        self.incident_id: int | None = None
        self.detail: IncidentDetail | None = None

        self.title = QLabel("Select an incident.", self)
        self.title.setObjectName("OutcomeTitle")
        self.title.setWordWrap(True)
        self.facts = QLabel("", self)
        self.facts.setObjectName("ViewHint")
        self.facts.setWordWrap(True)
        self.facts.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.clocks = QLabel("", self)
        self.clocks.setObjectName("monitor-clocks")
        self.clocks.setWordWrap(True)
        self.result = QLabel("", self)
        self.result.setObjectName("FieldError")
        self.result.setWordWrap(True)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("monitor-detail-tabs")
        self.tabs.setDocumentMode(True)
        for build, title, tip in (
            (self._log_tab, "Log", "The incident log; Ctrl+G writes an entry"),
            (self._resources_tab, "Resources", "Deployments and messages with their delivery states"),
            (self._decision_tab, "Decision path", "Whether the procedure's required steps were done"),
            (self._escalation_tab, "Escalate", "Ctrl+E: escalate, or record the answer to an escalation"),
            (self._close_tab, "Close", "Ctrl+Shift+C: change the status, or close with a disposition"),
        ):
            self.tabs.setTabToolTip(self.tabs.addTab(build(), title), tip)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 8)
        layout.setSpacing(6)
        layout.addWidget(self.title)
        layout.addWidget(self.facts)
        layout.addWidget(self.clocks)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.result)

        self._enable(False)

    def add_shortcuts(self, owner: QWidget) -> None:
        """Ctrl+G, Ctrl+E and Ctrl+Shift+C anywhere in ``owner`` (the monitor), table included."""
        shortcut = Qt.ShortcutContext.WidgetWithChildrenShortcut
        QShortcut(QKeySequence("Ctrl+G"), owner, self.start_log_entry, context=shortcut)
        QShortcut(QKeySequence("Ctrl+E"), owner, self.start_escalation, context=shortcut)
        QShortcut(QKeySequence("Ctrl+Shift+C"), owner, self.start_closing, context=shortcut)

    # Building the tabs

    def _table(self, name: str, model: RecordsModel[object], widths: list[int]) -> QTableView:
        table = QTableView(self)
        table.setObjectName(name)
        table.setModel(model)
        configure_desk_table(table)
        header = table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate(widths):
            header.resizeSection(column, width)
        header.setStretchLastSection(True)
        return table

    def _log_tab(self) -> QWidget:
        zone = self.zone
        self.log_model: RecordsModel[object] = RecordsModel(
            [
                RecordColumn("Occurred", lambda e: _hhmm(e.occurred_at, zone),
                             lambda e: f"Occurred {_hhmm(e.occurred_at, zone)}, recorded {_hhmm(e.recorded_at, zone)}"),
                RecordColumn("Recorded", lambda e: _hhmm(e.recorded_at, zone)),
                RecordColumn("By", lambda e: f"{e.author} \u00b7 {e.desk}"),
                RecordColumn("Code", lambda e: e.code, lambda e: e.label),
                RecordColumn("Entry", lambda e: e.text.replace("\n", " "), lambda e: e.text),
            ],
            self,
        )
        self.log_table = self._table("monitor-log", self.log_model, [86, 86, 150, 70])
        self.log_code = QComboBox(self)
        self.log_code.setObjectName("monitor-log-code")
        known = {code.code: code.label for code in self.context.pack.log_codes}
        for code in HAND_CODES:
            if code in known:
                self.log_code.addItem(f"{code} \u00b7 {known[code]}", code)
        self.log_text = QLineEdit(self)
        self.log_text.setObjectName("monitor-log-text")
        self.log_text.setPlaceholderText("Log entry: what happened, in the organisation's words; Enter adds it")
        self.log_text.returnPressed.connect(self.add_log)
        row = QHBoxLayout()
        row.setSpacing(6)
        row.addWidget(self.log_code)
        row.addWidget(self.log_text, 1)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.log_table, 1)
        layout.addLayout(row)
        return body

    def _resources_tab(self) -> QWidget:
        zone = self.zone
        self.deployment_model: RecordsModel[object] = RecordsModel(
            [
                RecordColumn("Unit", lambda d: d.call_sign, lambda d: d.required_response),
                RecordColumn("Status", lambda d: status_words(d.status)),
                RecordColumn("By", lambda d: d.channel.replace("_", " ")),
                RecordColumn("Sent", lambda d: _hhmm(d.requested_at, zone)),
                RecordColumn("Ack", lambda d: _hhmm(d.acknowledged_at, zone)),
                RecordColumn("En route", lambda d: _hhmm(d.en_route_at, zone)),
                RecordColumn("On scene", lambda d: _hhmm(d.on_scene_at, zone)),
                RecordColumn("Clear", lambda d: _hhmm(d.cleared_at or d.cancelled_at, zone)),
            ],
            self,
        )
        self.message_model: RecordsModel[object] = RecordsModel(
            [
                RecordColumn("Message", lambda m: m.about),
                RecordColumn("To", lambda m: f"{m.recipient} ({m.channel.replace('_', ' ')})"),
                RecordColumn("State", lambda m: m.status + (f" \u00b7 {m.last_error}" if m.last_error else ""),
                             lambda m: m.last_error or f"{m.status} after {m.attempts} tries"),
                RecordColumn("Sent", lambda m: _hhmm(m.sent_at or m.created_at, zone)),
            ],
            self,
        )
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self._table("monitor-deployments", self.deployment_model, [64, 100, 90, 70, 70, 70, 70]), 3)
        layout.addWidget(self._table("monitor-messages", self.message_model, [120, 200, 140]), 2)
        return body

    def _decision_tab(self) -> QWidget:
        self.decision_summary = QLabel("", self)
        self.decision_summary.setObjectName("OutcomeTitle")
        self.decision_summary.setWordWrap(True)
        self.decision_steps = QListWidget(self)
        self.decision_steps.setObjectName("monitor-decision-steps")
        self.decision_steps.setWordWrap(True)
        self.decision_answers = QListWidget(self)
        self.decision_answers.setObjectName("monitor-decision-answers")
        self.decision_answers.setWordWrap(True)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(self.decision_summary)
        layout.addWidget(self.decision_steps, 2)
        layout.addWidget(QLabel("Questions asked and answers given", self))
        layout.addWidget(self.decision_answers, 2)
        return body

    def _escalation_tab(self) -> QWidget:
        self.proposals = QListWidget(self)
        self.proposals.setObjectName("monitor-escalation-proposals")
        self.proposals.setWordWrap(True)
        self.proposals.currentItemChanged.connect(lambda *_: self._proposal_chosen())
        self.escalation_target = QComboBox(self)
        self.escalation_target.setObjectName("monitor-escalation-target")
        self.escalation_target.addItem(self.context.pack.policies.duty_manager.name, "duty_manager")
        for organisation in self.context.pack.external_organisations:
            self.escalation_target.addItem(organisation.name, organisation.code)
        self.escalation_channel = QComboBox(self)
        self.escalation_channel.setObjectName("monitor-escalation-channel")
        self.escalation_contact = QLabel("", self)
        self.escalation_target.currentIndexChanged.connect(self._target_chosen)
        self.escalation_channel.currentIndexChanged.connect(self._show_contact)
        self.escalation_reason = QLineEdit(self)
        self.escalation_reason.setObjectName("monitor-escalation-reason")
        self.escalation_reason.setPlaceholderText("Why (at least 10 characters); Enter escalates")
        self.escalation_reason.returnPressed.connect(self.escalate)
        self.escalate_button = QPushButton("Escalate", self)
        self.escalate_button.setObjectName("monitor-escalate")
        self.escalate_button.clicked.connect(self.escalate)
        self.escalations = QListWidget(self)
        self.escalations.setObjectName("monitor-escalations")
        self.escalations.setWordWrap(True)
        self.answer_name = QLineEdit(self)
        self.answer_name.setObjectName("monitor-escalation-answer-name")
        self.answer_name.setPlaceholderText("Who answered")
        self.answer_accept = QPushButton("Accepted", self)
        self.answer_accept.setObjectName("monitor-escalation-accepted")
        self.answer_accept.clicked.connect(lambda: self.answer_escalation(accepted=True))
        self.answer_decline = QPushButton("Declined", self)
        self.answer_decline.clicked.connect(lambda: self.answer_escalation(accepted=False))
        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setVerticalSpacing(4)
        target_row = QHBoxLayout()
        target_row.addWidget(self.escalation_target, 3)
        target_row.addWidget(self.escalation_channel, 2)
        form.addRow("To, by", target_row)
        form.addRow("Contact", self.escalation_contact)
        reason_row = QHBoxLayout()
        reason_row.addWidget(self.escalation_reason, 1)
        reason_row.addWidget(self.escalate_button)
        form.addRow("Why", reason_row)
        answer_row = QHBoxLayout()
        answer_row.addWidget(self.answer_name, 1)
        answer_row.addWidget(self.answer_accept)
        answer_row.addWidget(self.answer_decline)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(0, 6, 0, 0)
        layout.addWidget(QLabel("Proposed by the organisation's rules", self))
        layout.addWidget(self.proposals, 1)
        layout.addLayout(form)
        layout.addWidget(QLabel("Escalations made", self))
        layout.addWidget(self.escalations, 1)
        layout.addLayout(answer_row)
        self._target_chosen()
        return body

    def _close_tab(self) -> QWidget:
        self.status_choice = QComboBox(self)
        self.status_choice.setObjectName("monitor-status-choice")
        self.status_reason = QLineEdit(self)
        self.status_reason.setObjectName("monitor-status-reason")
        self.status_reason.setPlaceholderText("Why (on hold needs a reason)")
        self.status_button = QPushButton("Change status", self)
        self.status_button.setObjectName("monitor-change-status")
        self.status_button.clicked.connect(self.change_status)
        self.disposition = QComboBox(self)
        self.disposition.setObjectName("monitor-disposition")
        for disposition in self.context.pack.dispositions:
            self.disposition.addItem(disposition.name, disposition.code)
            self.disposition.setItemData(self.disposition.count() - 1, disposition.description,
                                         Qt.ItemDataRole.ToolTipRole)
        self.close_note = QLineEdit(self)
        self.close_note.setObjectName("monitor-close-note")
        self.close_note.setPlaceholderText("Closing note: what was done")
        self.uncleared_reason = QLineEdit(self)
        self.uncleared_reason.setObjectName("monitor-uncleared-reason")
        self.uncleared_reason.setPlaceholderText("Only if a resource is still deployed: why close now")
        self.close_button = QPushButton("Close incident", self)
        self.close_button.setObjectName("monitor-close")
        self.close_button.clicked.connect(self.close_incident)
        form = QFormLayout()
        form.setContentsMargins(0, 6, 0, 0)
        form.setVerticalSpacing(6)
        status_row = QHBoxLayout()
        status_row.addWidget(self.status_choice, 1)
        status_row.addWidget(self.status_button)
        form.addRow("Status", status_row)
        form.addRow("Why", self.status_reason)
        form.addRow(QLabel("", self))
        form.addRow("Disposition", self.disposition)
        form.addRow("Note", self.close_note)
        form.addRow("Not cleared because", self.uncleared_reason)
        form.addRow("", self.close_button)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.addLayout(form)
        layout.addStretch(1)
        return body

    # Showing an incident

    def show_incident(self, incident_id: int | None) -> None:
        if incident_id != self.incident_id:
            self.result.setText("")
        self.incident_id = incident_id
        if incident_id is None:
            self.detail = None
            self.title.setText("Select an incident.")
            for label in (self.facts, self.clocks):
                label.setText("")
            for model in (self.log_model, self.deployment_model, self.message_model):
                model.set_records([])
            self._enable(False)
            return
        self.reload()

    def reload(self) -> None:
        incident_id = self.incident_id
        if incident_id is None:
            return
        actor, pack = self.context.actor, self.context.pack
        self.runner.run_read(
            lambda session: load_incident_detail(session, actor, incident_id, pack),
            lambda detail: self._loaded(incident_id, detail),
            lambda error: self._refused(error),
            owner=self,
        )

    def _loaded(self, incident_id: int, detail: IncidentDetail) -> None:
        if incident_id != self.incident_id:
            return
        self.detail = detail
        incident = detail.incident
        self.title.setText(f"{incident.reference} \u00b7 {incident.priority} \u00b7 {incident.type_name}")
        contact = " ".join(p for p in (incident.contact_name, incident.contact_phone) if p) or "no contact"
        links = ", ".join(link.reference for link in detail.links)
        self.facts.setText(
            f"{status_words(incident.status)} \u00b7 {incident.address}"
            + (f" \u00b7 {incident.sector}" if incident.sector else "")
            + f"\nReceived {_hhmm(incident.created_at, self.zone)} by {incident.created_by} \u00b7 {contact}"
            + (f"\nLinked: {links}" if links else "")
            + f"\n{incident.summary}"
        )
        self.clocks.setText(self._clock_words(detail.clocks, detail))
        self.log_model.set_records(detail.timeline)
        self.log_table.scrollToBottom()
        self.deployment_model.set_records(detail.deployments)
        self.message_model.set_records(detail.messages)
        self._show_decision_path(detail)
        self._show_escalations(detail)
        self._show_statuses(incident.status)
        self._enable(incident.status not in ("closed", "cancelled"))
        self.sig_loaded.emit(detail)

    def _clock_words(self, clocks: tuple[Clock, ...], detail: IncidentDetail) -> str:
        now = detail.read_at
        words = []
        for clock in clocks:
            state = clock.state(now)
            who = f" {clock.call_sign}" if clock.call_sign else ""
            if state.stopped:
                text = f"{'met' if state is ClockState.MET else 'missed'} {_hhmm(clock.stopped_at, self.zone)[:5]}"
            else:
                text = describe_left(clock.remaining(now))
            words.append(f"{STATE_MARK[state]} {TARGET_WORDS[clock.kind]}{who}: {text}")
        return "   ".join(words) or "No targets apply."

    def _show_decision_path(self, detail: IncidentDetail) -> None:
        report = detail.decision_path
        self.decision_steps.clear()
        self.decision_answers.clear()
        if not report.assessed:
            summary = "Not assessed by procedure."
        elif report.followed:
            summary = "\u2713 The procedure's required steps were followed."
        else:
            summary = f"\u2716 {len(report.skipped)} required step(s) not done."
        if report.overridden:
            summary += f"\nOverridden: {report.override_reason}"
        self.decision_summary.setText(summary)
        for step in report.steps:
            mark = "\u2713" if step.done else ("\u2716" if step.required else "\u25cb")
            needed = "" if step.required else " (not required)"
            QListWidgetItem(f"{mark} {step.label}{needed}: {step.detail}", self.decision_steps)
        if detail.assessment is not None:
            for answered in detail.assessment.questions:
                QListWidgetItem(f"{answered.question} \u2192 {answered.answer}", self.decision_answers)
            QListWidgetItem(f"Outcome: {detail.assessment.outcome}", self.decision_answers)

    def _show_escalations(self, detail: IncidentDetail) -> None:
        self.proposals.clear()
        for proposal in detail.escalation_proposals:
            item = QListWidgetItem(f"\u26a0 {proposal.rule_code}: {proposal.reason}", self.proposals)
            item.setData(Qt.ItemDataRole.UserRole, proposal)
        if not detail.escalation_proposals:
            QListWidgetItem("No rule calls for escalation now.", self.proposals).setFlags(Qt.ItemFlag.NoItemFlags)
        self.escalations.clear()
        for row in detail.escalations:
            answered = ""
            if row.status is not RequestStatus.REQUESTED:
                answered = f", {row.status.value} by {row.answered_name or row.answered_by}"
            else:
                answered = ", waiting for acceptance"
            item = QListWidgetItem(
                f"{_hhmm(row.requested_at, self.zone)[:5]} {row.target_name} by {row.channel.replace('_', ' ')}"
                f"{answered}: {row.reason}",
                self.escalations,
            )
            item.setData(Qt.ItemDataRole.UserRole, row)
        count = self.escalations.count()
        waiting = [i for i in range(count) if self._escalation_at(i).status is RequestStatus.REQUESTED]
        if waiting:
            self.escalations.setCurrentRow(waiting[-1])

    def _escalation_at(self, index: int) -> EscalationRow:
        row = self.escalations.item(index).data(Qt.ItemDataRole.UserRole)
        assert isinstance(row, EscalationRow)
        return row

    def _show_statuses(self, status: str) -> None:
        self.status_choice.clear()
        try:
            current = IncidentStatus(status)
        except ValueError:
            return
        for allowed in INCIDENT_LIFECYCLE.allowed_from(current):
            if allowed not in (IncidentStatus.CLOSED, IncidentStatus.CANCELLED):
                self.status_choice.addItem(status_words(allowed.value), allowed.value)

    def _enable(self, open_incident: bool) -> None:
        actor = self.context.actor
        manage = open_incident and permitted(actor, Action.MANAGE_INCIDENT)
        escalate = open_incident and permitted(actor, Action.ESCALATE_INCIDENT)
        log = self.incident_id is not None and permitted(actor, Action.ADD_LOG_ENTRY)
        for widget in (self.status_button, self.close_button, self.status_choice):
            widget.setEnabled(manage)
        self.escalate_button.setEnabled(escalate)
        self.log_text.setEnabled(log)
        answering = self.escalations.currentItem() is not None and permitted(actor, Action.ESCALATE_INCIDENT)
        self.answer_accept.setEnabled(answering)
        self.answer_decline.setEnabled(answering)

    # Escalation choices

    def _target_chosen(self) -> None:
        target = self.escalation_target.currentData()
        self.escalation_channel.clear()
        if target is None:
            return
        found = escalation_target(self.context.pack, target)
        for channel in found.channels:
            self.escalation_channel.addItem(self.context.pack.channel(channel).name, channel)
        self._show_contact()

    def _show_contact(self) -> None:
        target, channel = self.escalation_target.currentData(), self.escalation_channel.currentData()
        if target is None or channel is None:
            self.escalation_contact.setText("")
            return
        self.escalation_contact.setText(escalation_target(self.context.pack, target).contacts[channel])

    def _proposal_chosen(self) -> None:
        item = self.proposals.currentItem()
        proposal = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if proposal is None:
            return
        index = self.escalation_target.findData(proposal.target)
        if index >= 0:
            self.escalation_target.setCurrentIndex(index)
        self.escalation_reason.setText(proposal.reason)

    # Acting

    def start_log_entry(self) -> None:
        if self.isVisible() and self.incident_id is not None:
            self.tabs.setCurrentIndex(0)
            self.log_text.setFocus()

    def start_escalation(self) -> None:
        if self.isVisible() and self.incident_id is not None:
            self.tabs.setCurrentIndex(3)
            if self.proposals.count() and self.proposals.item(0).flags() & Qt.ItemFlag.ItemIsEnabled:
                self.proposals.setCurrentRow(0)
            self.escalation_reason.setFocus()

    def start_closing(self) -> None:
        if self.isVisible() and self.incident_id is not None:
            self.tabs.setCurrentIndex(4)
            self.disposition.setFocus()

    def _run(self, call, done_text: str) -> None:  # type: ignore[no-untyped-def]
        incident_id = self.incident_id
        if incident_id is None:
            return

        def done(_result: object) -> None:
            self.result.setText(done_text)
            self.sig_changed.emit(incident_id)
            self.reload()

        self.runner.run_write(call, done, self._refused, owner=self)

    def _refused(self, error: BaseException) -> None:
        text = change_refused_text(error, self.context.database_label)
        self.result.setText(text)
        self.sig_refused.emit(text)

    @Slot()
    def add_log(self) -> None:
        incident_id, code, text = self.incident_id, self.log_code.currentData(), self.log_text.text()
        if incident_id is None or not text.strip():
            return
        actor, pack = self.context.actor, self.context.pack
        self.log_text.clear()
        self._run(lambda session: add_log_entry(session, actor, incident_id, code, text, pack), "Log entry added.")

    @Slot()
    def escalate(self) -> None:
        incident_id = self.incident_id
        target, channel = self.escalation_target.currentData(), self.escalation_channel.currentData()
        if incident_id is None or target is None or channel is None:
            return
        item = self.proposals.currentItem()
        proposal = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        rule = proposal.rule_code if proposal is not None and proposal.target == target else None
        reason = self.escalation_reason.text()
        actor, pack = self.context.actor, self.context.pack
        name = self.escalation_target.currentText()
        self.escalation_reason.clear()
        self._run(
            lambda session: escalate_incident(
                session, actor, incident_id, target=target, reason=reason, channel=channel, rule_code=rule, pack=pack
            ),
            f"Escalated to {name}; record their answer below when it comes.",
        )

    def answer_escalation(self, *, accepted: bool) -> None:
        item = self.escalations.currentItem()
        row = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        if not isinstance(row, EscalationRow):
            return
        actor, pack, name = self.context.actor, self.context.pack, self.answer_name.text()
        self.answer_name.clear()
        self._run(
            lambda session: record_escalation_answer(
                session, actor, row.escalation_id, accepted=accepted, answered_name=name,
                answer="" if accepted else self.escalation_reason.text(), pack=pack,
            ),
            f"Escalation to {row.target_name} recorded as {'accepted' if accepted else 'declined'}.",
        )

    @Slot()
    def change_status(self) -> None:
        incident_id, status = self.incident_id, self.status_choice.currentData()
        if incident_id is None or status is None or self.detail is None:
            return
        actor, pack, reason = self.context.actor, self.context.pack, self.status_reason.text()
        version = self.detail.incident.version
        self.status_reason.clear()
        self._run(
            lambda session: change_incident_status(
                session, actor, incident_id, status, reason, pack, expected_version=version
            ),
            f"Status changed to {status_words(status).lower()}.",
        )

    @Slot()
    def close_incident(self) -> None:
        incident_id, disposition = self.incident_id, self.disposition.currentData()
        if incident_id is None or disposition is None:
            return
        actor, pack = self.context.actor, self.context.pack
        note, uncleared = self.close_note.text(), self.uncleared_reason.text()
        self._run(
            lambda session: close_incident(
                session, actor, incident_id, disposition, note, pack, uncleared_reason=uncleared
            ),
            f"Closed as {self.disposition.currentText().lower()}.",
        )

    # Handlers from the view

    def on_theme_changed(self, theme: Theme) -> None:
        self.theme = theme

    def on_close(self) -> None:
        """Nothing runs on its own here; the runner drops results for a closed window."""
