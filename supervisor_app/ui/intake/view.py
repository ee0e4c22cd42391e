"""Intake: a referred incident assessed through the organisation's procedure, and saved.

Three columns: the assessment queue (referrals from partner systems), the referral with the
guided script, and the outcome with what to read, confirm and decide. Everything is reachable
from the keyboard:

- Ctrl+N starts a new referral (the form is cleared, the cursor is in Source);
- Alt+Q goes to the queue: arrows, Enter takes a referral into the form;
- Tab moves through the form; choosing the incident type starts its procedure, and Tab from the
  summary (or Ctrl+Enter from anywhere) goes to its current question;
- the next question is always in focus: Y/N, 1-9, or type and Enter; Alt+K skips one that may be;
- when the outcome is reached the cursor moves to "Advice read"; Space ticks, Tab moves on;
  Alt+O overrides the priority, Alt+L flags a hoax, test or duplicate, Alt+D goes to duplicates;
- Ctrl+S saves: the incident, its assessment, its log and its links in one transaction.

A location picked on the resource map (Alt+P there) fills the coordinates, and the nearest known
address when none is typed yet.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from supervisor_app.domain.errors import DomainError, InvalidValue
from supervisor_app.domain.geo import Coordinate
from supervisor_app.domain.intake import complete_intake
from supervisor_app.domain.people import Action, Actor, permitted
from supervisor_app.domain.procedures import Assessment
from supervisor_app.services.context import DeskContext
from supervisor_app.services.intake import AssessedIncidentSaved, PossibleDuplicate, find_possible_duplicates
from supervisor_app.services.intake import save_assessed_incident as save_service
from supervisor_app.services.referrals import WaitingReferral, waiting_referrals
from supervisor_app.sync.live_state import Applied, LiveState
from supervisor_app.ui.intake.outcome_panel import OutcomePanel
from supervisor_app.ui.intake.referral_form import ReferralForm
from supervisor_app.ui.intake.script import GuidedScript
from supervisor_app.ui.panel import Panel, view_header
from supervisor_app.ui.runner import Runner
from supervisor_app.ui.session.attempts import change_refused_text
from supervisor_app.ui.view_base import DeskView

QUEUE_REFRESH_MS = 15_000  # new referrals; assessed ones also leave when a desk records an incident
DUPLICATE_SEARCH_DELAY_MS = 300


class IntakeView(DeskView):
    NAME = "intake"
    TITLE = "Intake"
    REQUIRES = Action.CREATE_INCIDENT

    #: The incident was saved (carries ``AssessedIncidentSaved``).
    sig_saved = Signal(object)
    #: The assessment queue was read (carries the waiting referrals).
    sig_queue_loaded = Signal(object)
    #: Possible duplicates were looked up (carries them).
    sig_duplicates_loaded = Signal(object)

    def __init__(self, context: DeskContext, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(context, runner, parent)
        self._timezone = ZoneInfo(context.pack.timezone)
        self.referral_id: int | None = None
        self.saving = False

        self.queue = QListWidget(self)
        self.queue.setObjectName("intake-queue")
        self.queue.setWordWrap(True)
        self.queue.itemActivated.connect(self._take_referral)
        self.form = ReferralForm(context.pack, self)
        self.script = GuidedScript(self)
        self.outcome = OutcomePanel(context.pack, self)
        self.save_button = QPushButton("&Save incident  (Ctrl+S)", self)
        self.save_button.setObjectName("intake-save")
        self.save_button.setDefault(True)
        self.save_button.clicked.connect(self.save)
        self.new_button = QPushButton("&New referral  (Ctrl+N)", self)
        self.new_button.setObjectName("intake-new")
        self.new_button.clicked.connect(self.new_referral)
        self.save_hint = QLabel("", self)
        self.save_hint.setObjectName("FieldError")
        self.save_hint.setWordWrap(True)
        self.status_line = QLabel("", self)
        self.status_line.setObjectName("ViewHint")

        self.form.sig_type_changed.connect(self._type_changed)
        self.form.sig_place_changed.connect(self._schedule_duplicates)
        self.script.sig_assessment_changed.connect(self._assessment_changed)
        self.script.sig_completed.connect(self._completed)
        self.outcome.sig_changed.connect(self._update_save_state)
        self._duplicate_timer = QTimer(self)
        self._duplicate_timer.setSingleShot(True)
        self._duplicate_timer.setInterval(DUPLICATE_SEARCH_DELAY_MS)
        self._duplicate_timer.timeout.connect(self._look_for_duplicates)
        self._queue_timer = QTimer(self)
        self._queue_timer.setInterval(QUEUE_REFRESH_MS)
        self._queue_timer.timeout.connect(self._load_queue)

        shortcut = Qt.ShortcutContext.WidgetWithChildrenShortcut
        QShortcut(QKeySequence.StandardKey.Save, self, self.save, context=shortcut)
        QShortcut(QKeySequence.StandardKey.New, self, self.new_referral, context=shortcut)
        QShortcut(QKeySequence("Alt+Q"), self, lambda: self.queue.setFocus(), context=shortcut)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.script.take_focus, context=shortcut)
        self.form.summary.installEventFilter(self)  # Tab from the summary goes on to the current question

        top = view_header(
            self,
            self.TITLE,
            "Assess a referred incident through the organisation's procedure, then save it.",
            self.status_line,
            self.new_button,
        )

        middle = QWidget(self)
        middle_layout = QVBoxLayout(middle)
        middle_layout.setContentsMargins(0, 0, 0, 0)
        middle_layout.setSpacing(10)
        self.referral_panel = Panel("Referral", self.form, hint="New referral", parent=self)
        self.referral_label = self.referral_panel.hint
        self.script_panel = Panel("Procedure", self.script, hint="Choose the incident type to begin", parent=self)
        middle_layout.addWidget(self.referral_panel)
        middle_layout.addWidget(self.script_panel, 1)

        right = QWidget(self)
        right_layout = QVBoxLayout(right)
        right_layout.setContentsMargins(0, 0, 0, 0)
        right_layout.setSpacing(8)
        right_layout.addWidget(Panel("Outcome", self.outcome, hint="Read, confirm, decide", parent=self), 1)
        right_layout.addWidget(self.save_hint)
        right_layout.addWidget(self.save_button)

        columns = QHBoxLayout()
        columns.setSpacing(10)
        queue_panel = Panel("Queue", self.queue, hint="Alt+Q \u00b7 Enter takes one", parent=self)
        queue_panel.setMinimumWidth(250)
        queue_panel.setMaximumWidth(330)
        columns.addWidget(queue_panel, 2)
        columns.addWidget(middle, 5)
        columns.addWidget(right, 4)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(10)
        layout.addLayout(top)
        layout.addLayout(columns, 1)
        self.setFocusProxy(self.form.source)
        self._update_save_state()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (
            watched is self.form.summary
            and isinstance(event, QKeyEvent)
            and event.type() == QEvent.Type.KeyPress
            and event.key() == Qt.Key.Key_Tab
            and not event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            and self.script.editor is not None
        ):
            self.script.take_focus()
            return True
        return super().eventFilter(watched, event)

    # View handlers

    def on_shown(self) -> None:
        self._load_queue()
        self._queue_timer.start()

    def on_refresh(self) -> None:
        self._load_queue()

    def on_live_applied(self, applied: Applied, state: LiveState) -> None:
        """A desk recorded or changed incidents: a referral may have been taken from the queue, and
        a new incident may be a duplicate of the one being assessed."""
        if applied.incidents and self.isVisible():
            self._load_queue()
            self._schedule_duplicates()

    def on_actor_changed(self, actor: Actor) -> None:
        """Someone else took the desk: the half-made assessment was theirs, and goes with them."""
        self.new_referral()
        self.queue.clear()
        if self.isVisible():
            self._load_queue()

    def on_close(self) -> None:
        self._queue_timer.stop()
        self._duplicate_timer.stop()

    # The queue

    def _load_queue(self) -> None:
        if not permitted(self.context.actor, Action.VIEW_INCIDENTS):
            return
        actor = self.context.actor
        self.runner.run_read(lambda session: waiting_referrals(session, actor), self._queue_loaded, owner=self)

    def _queue_loaded(self, referrals: list[WaitingReferral]) -> None:
        current = self.queue.currentItem()
        keep = current.data(Qt.ItemDataRole.UserRole).referral_id if current is not None else None
        self.queue.clear()
        for referral in referrals:
            received = referral.received_at.astimezone(self._timezone)
            kind = self._type_name(referral.incident_type)
            text = f"{received:%H:%M}  {referral.label}\n{kind}\n{referral.summary}"
            item = QListWidgetItem(text, self.queue)
            item.setData(Qt.ItemDataRole.UserRole, referral)
            item.setToolTip(f"{referral.address}\n{referral.summary}")
            if referral.referral_id == keep:
                self.queue.setCurrentItem(item)
        self.status_line.setText(f"{len(referrals)} waiting \u00b7 read {datetime.now(self._timezone):%H:%M:%S}")
        self.sig_queue_loaded.emit(referrals)

    def _type_name(self, code: str | None) -> str:
        if not code:
            return "Type not given: choose it"
        try:
            return self.context.pack.incident_type(code).name
        except KeyError:
            return code

    @Slot(QListWidgetItem)
    def _take_referral(self, item: QListWidgetItem) -> None:
        referral: WaitingReferral = item.data(Qt.ItemDataRole.UserRole)
        self.new_referral()
        self.referral_id = referral.referral_id
        self.referral_label.setText(f"From the queue: {referral.label} ({referral.source.value.replace('_', ' ')})")
        self.form.fill(
            source=referral.source,
            incident_type=referral.incident_type,
            contact=referral.contact,
            address=referral.address,
            point=referral.point,
            summary=referral.summary,
        )
        if referral.incident_type:
            self.script.take_focus()
        else:
            self.form.incident_type.setFocus()

    # The assessment

    @Slot()
    def new_referral(self) -> None:
        self.referral_id = None
        self.referral_label.setText("New referral")
        self.form.clear()
        self.outcome.clear()
        self.script.set_procedure(None)
        self.save_hint.setText("")
        self.form.source.setFocus()

    def use_location(self, lat: float, lon: float) -> None:
        """A location picked on the map goes into the referral on the form (its coordinates replaced)."""
        try:
            point = Coordinate(lat, lon)
        except InvalidValue as refused:
            self.form.show_error(str(refused))
            return
        self.form.use_point(point)
        self.form.summary.setFocus()

    def _type_changed(self, code: str) -> None:
        self.script.set_procedure(self.context.pack.procedure(code) if code else None)
        if code:
            procedure = self.context.pack.procedure(code)
            self.script_panel.hint.setText(f"{procedure.title} \u00b7 version {procedure.version}")
        else:
            self.script_panel.hint.setText("Choose the incident type to begin")

    def _assessment_changed(self, assessment: Assessment | None) -> None:
        self.outcome.set_assessment(self.form.incident_type_code, assessment)
        self._update_save_state()

    def _completed(self, _assessment: Assessment) -> None:
        self.outcome.first_focus().setFocus(Qt.FocusReason.OtherFocusReason)

    def _schedule_duplicates(self) -> None:
        self._duplicate_timer.start()

    def _look_for_duplicates(self) -> None:
        code, point = self.form.incident_type_code, self.form.point()
        if not code or point is None:
            self.outcome.set_duplicates([])
            return
        actor = self.context.actor
        self.runner.run_read(
            lambda session: find_possible_duplicates(session, actor, code, point), self._duplicates_loaded, owner=self
        )

    def _duplicates_loaded(self, found: list[PossibleDuplicate]) -> None:
        self.outcome.set_duplicates(found)
        self.sig_duplicates_loaded.emit(found)

    def _update_save_state(self) -> None:
        assessment = self.script.assessment
        ready = assessment is not None and assessment.complete and not self.saving
        self.save_button.setEnabled(ready)

    # Saving

    @Slot()
    def save(self) -> None:
        """Check everything the domain requires, then save in one transaction on the writer thread."""
        assessment = self.script.assessment
        if self.saving or assessment is None or not assessment.complete or self.script.procedure is None:
            self.save_hint.setText("Answer the procedure's questions first.")
            return
        try:
            details = self.form.details()
            intake = complete_intake(
                details,
                self.script.procedure,
                assessment,
                checks_confirmed=self.outcome.checks_confirmed(),
                advice_given=self.outcome.advice_given.isChecked(),
                override=self.outcome.override_choice(),
                validity=self.outcome.validity_flag(),
                links=self.outcome.links(),
                referral_id=self.referral_id,
            )
        except DomainError as refused:
            self.save_hint.setText(str(refused))
            return
        self.saving = True
        self.save_hint.setText("")
        self._update_save_state()
        actor, pack = self.context.actor, self.context.pack
        self.runner.run_write(
            lambda session: save_service(session, actor, intake, pack), self._saved, self._save_failed, owner=self
        )

    def _saved(self, saved: AssessedIncidentSaved) -> None:
        self.saving = False
        assessment = self.script.assessment
        priority = assessment.outcome.priority if assessment is not None and assessment.outcome is not None else ""
        self.new_referral()
        self.status_line.setText(
            f"Saved {saved.reference} at {saved.created_at.astimezone(self._timezone):%H:%M:%S}"
            f"{' (' + priority + ')' if priority else ''}"
        )
        self._load_queue()
        self.sig_saved.emit(saved)

    def _save_failed(self, error: BaseException) -> None:
        self.saving = False
        self._update_save_state()
        self.save_hint.setText(change_refused_text(error, self.context.database_label) + " Nothing was saved.")
