"""The resources recommended for the selected incident, to tick and send, each by its own channel.

One row per candidate, grouped by the line of the required response it serves, best first; the
proposed set comes ticked. From the keyboard: arrows move, Space ticks or unticks, and a letter
chooses the row's channel: M (MDT), R (radio), P (phone), S (text message), E (e-mail). A channel
the resource cannot be reached by (no phone or e-mail in the pack) is refused with the reason.
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableWidget, QTableWidgetItem, QWidget

from supervisor_app.domain.recommendation import RankedCandidate
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.recommendations import IncidentRecommendation
from supervisor_app.ui.panel import configure_desk_table

#: The letter that chooses each channel, and how the column shows it.
CHANNEL_KEYS = {"M": "mdt", "R": "voice_radio", "P": "voice_phone", "S": "sms", "E": "email"}
CHANNEL_LABELS = {"mdt": "MDT", "voice_radio": "Radio", "voice_phone": "Phone", "sms": "SMS", "email": "E-mail"}
DEFAULT_CHANNEL = "mdt"


@dataclass(frozen=True)
class Choice:
    resource_id: int
    call_sign: str
    channel: str


class CandidateTable(QTableWidget):
    """Candidates with a tick and a channel each; ``choices()`` gives what to deploy."""

    #: A sentence about a refused key (a channel the resource has no address for).
    sig_refused = Signal(str)
    COLUMNS = ("Send", "Unit", "Arrives", "Channel")

    def __init__(self, pack: OrganisationPack, parent: QWidget | None = None) -> None:
        super().__init__(0, len(self.COLUMNS), parent)
        self.pack = pack
        self.setObjectName("queue-candidates")
        self.setHorizontalHeaderLabels(list(self.COLUMNS))
        configure_desk_table(self)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
        for column, width in enumerate((54, 70, 0, 74)):
            if width:
                header.resizeSection(column, width)
        header.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)
        self._candidates: list[RankedCandidate | None] = []
        self._channels: list[str] = []
        self.installEventFilter(self)

    def show_recommendation(self, found: IncidentRecommendation | None) -> None:
        self.setRowCount(0)
        self._candidates, self._channels = [], []
        if found is None:
            return
        proposed = {p.ranked.candidate.resource_id for p in found.recommendation.proposed}
        for line in found.recommendation.lines:
            need = line.requirement
            able = f" with {', '.join(need.capabilities)}" if need.capabilities else ""
            self._add_heading(
                f"{need.count} \u00d7 {need.resource_type}{able}"
                + (f"  \u00b7  {line.explain_exclusions()}" if line.explain_exclusions() else "")
            )
            for ranked in line.ranked:
                self._add_candidate(ranked, ranked.candidate.resource_id in proposed)
        first = next((row for row, c in enumerate(self._candidates) if c is not None), -1)
        if first >= 0:
            self.setCurrentCell(first, 0)

    def _add_heading(self, text: str) -> None:
        row = self.rowCount()
        self.insertRow(row)
        item = QTableWidgetItem(text)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled)
        font = item.font()
        font.setBold(True)
        item.setFont(font)
        self.setItem(row, 0, item)
        self.setSpan(row, 0, 1, len(self.COLUMNS))
        self._candidates.append(None)
        self._channels.append("")

    def _add_candidate(self, ranked: RankedCandidate, ticked: bool) -> None:
        row = self.rowCount()
        self.insertRow(row)
        tick = QTableWidgetItem("")
        tick.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemIsUserCheckable)
        tick.setCheckState(Qt.CheckState.Checked if ticked else Qt.CheckState.Unchecked)
        self.setItem(row, 0, tick)
        for column, text in ((1, ranked.candidate.call_sign), (2, ranked.explanation)):
            item = QTableWidgetItem(text)
            item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
            self.setItem(row, column, item)
        self._candidates.append(ranked)
        self._channels.append(DEFAULT_CHANNEL)
        self._show_channel(row)

    def _show_channel(self, row: int) -> None:
        item = QTableWidgetItem(CHANNEL_LABELS.get(self._channels[row], self._channels[row]))
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        item.setToolTip("M: MDT, R: radio, P: phone, S: text message, E: e-mail")
        self.setItem(row, 3, item)

    def set_channel(self, row: int, channel: str) -> bool:
        ranked = self._candidates[row] if 0 <= row < len(self._candidates) else None
        if ranked is None:
            return False
        resource = self.pack.resource(ranked.candidate.call_sign)
        if (channel == "sms" and not resource.phone) or (channel == "email" and not resource.email):
            what = "phone number" if channel == "sms" else "e-mail address"
            self.sig_refused.emit(f"{ranked.candidate.call_sign} has no {what} in the pack; choose MDT or voice.")
            return False
        self._channels[row] = channel
        self._show_channel(row)
        return True

    def toggle(self, row: int) -> None:
        item = self.item(row, 0)
        if item is not None and self._candidates[row] is not None:
            ticked = item.checkState() == Qt.CheckState.Checked
            item.setCheckState(Qt.CheckState.Unchecked if ticked else Qt.CheckState.Checked)

    def choices(self) -> list[Choice]:
        chosen = []
        for row, ranked in enumerate(self._candidates):
            item = self.item(row, 0)
            if ranked is not None and item is not None and item.checkState() == Qt.CheckState.Checked:
                chosen.append(Choice(ranked.candidate.resource_id, ranked.candidate.call_sign, self._channels[row]))
        return chosen

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            row = self.currentRow()
            if event.key() == Qt.Key.Key_Space and event.modifiers() == Qt.KeyboardModifier.NoModifier:
                self.toggle(row)
                return True
            letter = event.text().upper()
            if letter in CHANNEL_KEYS and event.modifiers() in (
                Qt.KeyboardModifier.NoModifier,
                Qt.KeyboardModifier.ShiftModifier,
            ):
                self.set_channel(row, CHANNEL_KEYS[letter])
                return True
        return super().eventFilter(watched, event)
