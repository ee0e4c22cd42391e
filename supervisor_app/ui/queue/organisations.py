"""Asking another organisation for help with the selected incident, and recording its answer.

Only what the organisation pack authorises can be chosen: the organisations it lists, the requests
under each one's ``may_request`` and the channels it takes them by, with the contact for the chosen
channel shown (the number to ring, the address a message goes to). Below, the requests already
made about the incident with their answers; a waiting one is answered with their reference
(Alt+Y accepted, Alt+N declined, with what they said in the reason field).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from supervisor_app.domain.external_requests import RequestStatus, request_label
from supervisor_app.domain.people import Action, permitted
from supervisor_app.services.context import DeskContext
from supervisor_app.services.external_requests import (
    ExternalRequestRow,
    RequestMade,
    record_external_answer,
    request_external,
    requests_for_incident,
)
from supervisor_app.ui.runner import Runner
from supervisor_app.ui.session.attempts import change_refused_text

STATUS_MARK = {RequestStatus.REQUESTED: "\u25cb", RequestStatus.ACCEPTED: "\u2713", RequestStatus.DECLINED: "\u2715"}


class OrganisationRequests(QWidget):
    """See the module doc. ``set_incident`` chooses the incident; the view reloads it on changes."""

    #: A request was made (carries RequestMade): a data message waits in the outbox.
    sig_requested = Signal(object)
    #: The requests of the incident were read (carries the list).
    sig_loaded = Signal(object)

    def __init__(self, context: DeskContext, runner: Runner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.context = context
        self.runner = runner
        self._timezone = ZoneInfo(context.pack.timezone)
        self.incident_id: int | None = None
        self.incident_label = QLabel("Select an incident in the queue.", self)
        self.incident_label.setObjectName("ViewHint")
        self.organisation = QComboBox(self)
        self.organisation.setObjectName("xreq-organisation")
        for known in context.pack.external_organisations:
            if known.may_request:
                self.organisation.addItem(known.name, known.code)
        self.request = QComboBox(self)
        self.request.setObjectName("xreq-request")
        self.channel = QComboBox(self)
        self.channel.setObjectName("xreq-channel")
        self.contact = QLabel("", self)
        self.contact.setObjectName("xreq-contact")
        self.contact.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.reason = QLineEdit(self)
        self.reason.setObjectName("xreq-reason")
        self.reason.setPlaceholderText("Why: what they need to know (at least 5 characters)")
        self.ask_button = QPushButton("As&k", self)
        self.ask_button.setObjectName("xreq-ask")
        self.ask_button.clicked.connect(self.ask)
        self.reason.returnPressed.connect(self.ask)
        self.requests = QListWidget(self)
        self.requests.setObjectName("xreq-list")
        self.requests.setWordWrap(True)
        self.their_reference = QLineEdit(self)
        self.their_reference.setObjectName("xreq-their-reference")
        self.their_reference.setPlaceholderText("Their reference")
        self.accepted_button = QPushButton("Accepted (Alt+&Y)", self)
        self.accepted_button.setObjectName("xreq-accepted")
        self.accepted_button.clicked.connect(lambda: self.answer(accepted=True))
        self.declined_button = QPushButton("Declined (Alt+&N)", self)
        self.declined_button.setObjectName("xreq-declined")
        self.declined_button.clicked.connect(lambda: self.answer(accepted=False))
        self.result = QLabel("", self)
        self.result.setObjectName("ViewHint")
        self.result.setWordWrap(True)

        self.organisation.currentIndexChanged.connect(self._organisation_chosen)
        self.channel.currentIndexChanged.connect(self._show_contact)
        self.requests.currentItemChanged.connect(lambda *_: self._update_buttons())

        form = QFormLayout()
        form.setContentsMargins(0, 0, 0, 0)
        form.setHorizontalSpacing(8)
        form.setVerticalSpacing(4)
        form.addRow("&Organisation", self.organisation)
        choose = QHBoxLayout()
        choose.setSpacing(6)
        choose.addWidget(self.request, 3)
        choose.addWidget(self.channel, 2)
        form.addRow(self._label("Re&quest, by", self.request), choose)
        form.addRow("Contact", self.contact)
        ask_row = QHBoxLayout()
        ask_row.setSpacing(6)
        ask_row.addWidget(self.reason, 1)
        ask_row.addWidget(self.ask_button)
        form.addRow(self._label("&Why", self.reason), ask_row)
        answer_row = QHBoxLayout()
        answer_row.setSpacing(6)
        answer_row.addWidget(self.their_reference, 1)
        answer_row.addWidget(self.accepted_button)
        answer_row.addWidget(self.declined_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 8)
        layout.setSpacing(6)
        layout.addWidget(self.incident_label)
        layout.addLayout(form)
        layout.addWidget(self.requests, 1)
        layout.addLayout(answer_row)
        layout.addWidget(self.result)
        self._organisation_chosen()
        self._update_buttons()

    def _label(self, text: str, buddy: QWidget) -> QLabel:
        label = QLabel(text, self)
        label.setBuddy(buddy)
        return label

    # Choosing

    def _organisation_chosen(self) -> None:
        code = self.organisation.currentData()
        self.request.clear()
        self.channel.clear()
        if code is None:
            return
        known = self.context.pack.external_organisation(code)
        for request in known.may_request:
            self.request.addItem(request_label(request), request)
        for channel in known.channels:
            self.channel.addItem(self.context.pack.channel(channel).name, channel)
        self._show_contact()

    def _show_contact(self) -> None:
        code, channel = self.organisation.currentData(), self.channel.currentData()
        if code is None or channel is None:
            self.contact.setText("")
            return
        self.contact.setText(self.context.pack.external_organisation(code).contacts[channel])

    # The incident

    def set_incident(self, incident_id: int | None, label: str = "") -> None:
        changed = incident_id != self.incident_id
        self.incident_id = incident_id
        self.incident_label.setText(label or "Select an incident in the queue.")
        if changed:
            self.result.setText("")
            self.requests.clear()
        self.reload()

    def reload(self) -> None:
        incident_id = self.incident_id
        if incident_id is None:
            self._update_buttons()
            return
        actor, pack = self.context.actor, self.context.pack
        self.runner.run_read(
            lambda session: requests_for_incident(session, actor, incident_id, pack),
            lambda rows: self._loaded(incident_id, rows),
            owner=self,
        )

    def _loaded(self, incident_id: int, rows: list[ExternalRequestRow]) -> None:
        if incident_id != self.incident_id:
            return  # another incident was chosen meanwhile
        keep = self._current_row()
        self.requests.clear()
        for row in rows:
            when = row.requested_at.astimezone(self._timezone)
            item = QListWidgetItem(f"{STATUS_MARK[row.status]} {when:%H:%M} {row.describe()}", self.requests)
            item.setData(Qt.ItemDataRole.UserRole, row)
            item.setToolTip(f"Asked by {row.requested_by} at {row.recipient}: {row.reason}")
            if keep is not None and row.request_id == keep.request_id:
                self.requests.setCurrentItem(item)
        if not rows:
            QListWidgetItem("No request made of another organisation yet.", self.requests).setFlags(
                Qt.ItemFlag.NoItemFlags
            )
        elif self.requests.currentItem() is None:
            waiting = [i for i in range(self.requests.count()) if self._row_at(i).status is RequestStatus.REQUESTED]
            self.requests.setCurrentRow(waiting[-1] if waiting else self.requests.count() - 1)
        self._update_buttons()
        self.sig_loaded.emit(rows)

    def _row_at(self, index: int) -> ExternalRequestRow:
        row = self.requests.item(index).data(Qt.ItemDataRole.UserRole)
        assert isinstance(row, ExternalRequestRow)
        return row

    def _current_row(self) -> ExternalRequestRow | None:
        item = self.requests.currentItem()
        row = item.data(Qt.ItemDataRole.UserRole) if item is not None else None
        return row if isinstance(row, ExternalRequestRow) else None

    def _update_buttons(self) -> None:
        may = permitted(self.context.actor, Action.REQUEST_EXTERNAL)
        has_incident = self.incident_id is not None
        self.ask_button.setEnabled(may and has_incident and self.organisation.count() > 0)
        row = self._current_row()
        waiting = row is not None and row.status is RequestStatus.REQUESTED
        self.accepted_button.setEnabled(may and waiting)
        self.declined_button.setEnabled(may and waiting)
        self.ask_button.setToolTip("" if may else "Requests to other organisations need the supervisor's role.")

    # Acting

    @Slot()
    def ask(self) -> None:
        incident_id = self.incident_id
        organisation, request, channel = (
            self.organisation.currentData(),
            self.request.currentData(),
            self.channel.currentData(),
        )
        if incident_id is None or None in (organisation, request, channel):
            self.result.setText("Select an incident in the queue first.")
            return
        reason = self.reason.text()
        actor, pack = self.context.actor, self.context.pack
        self.ask_button.setEnabled(False)

        def done(made: RequestMade) -> None:
            how = "Say it now, then record their answer." if not made.queued_message_ids else "Message queued."
            self.result.setText(f"Asked {self.organisation.currentText()} at {made.recipient}. {how}")
            self.reason.clear()
            self.sig_requested.emit(made)
            self.reload()

        def failed(error: BaseException) -> None:
            self.result.setText(change_refused_text(error, self.context.database_label))
            self._update_buttons()

        self.runner.run_write(
            lambda session: request_external(
                session,
                actor,
                incident_id,
                organisation=organisation,
                request=request,
                channel=channel,
                reason=reason,
                pack=pack,
            ),
            done,
            failed,
            owner=self,
        )

    def answer(self, *, accepted: bool) -> None:
        row = self._current_row()
        if row is None or row.status is not RequestStatus.REQUESTED:
            self.result.setText("Choose a request waiting for an answer.")
            return
        actor, pack = self.context.actor, self.context.pack
        reference, said = self.their_reference.text(), self.reason.text()

        def done(_changes: object) -> None:
            self.result.setText(f"{row.organisation_name}: {'accepted' if accepted else 'declined'}, recorded.")
            self.their_reference.clear()
            self.reason.clear()
            self.reload()

        def failed(error: BaseException) -> None:
            self.result.setText(change_refused_text(error, self.context.database_label))

        self.runner.run_write(
            lambda session: record_external_answer(
                session, actor, row.request_id, accepted=accepted, their_reference=reference, answer=said, pack=pack
            ),
            done,
            failed,
            owner=self,
        )
