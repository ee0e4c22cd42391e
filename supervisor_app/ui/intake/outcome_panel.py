"""What the procedure decided, and what the supervisor must do before saving.

Shows the priority (colour, code and name) with its target times, the reason, the response
required and any escalation; the advice to read word for word and what must not be said; the
checks of law and policy to confirm (mandatory ones marked); the override of the priority (with
its reason); the validity flag (with its reason); and possible duplicates to link.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from supervisor_app.domain.intake import Link, Override, Validity, ValidityFlag
from supervisor_app.domain.procedures import Assessment, EscalationKind, Outcome
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.intake import PossibleDuplicate


def _minutes(seconds: int) -> str:
    if seconds % 3600 == 0 and seconds >= 3600:
        return f"{seconds // 3600} h"
    return f"{round(seconds / 60)} min"


def describe_response(outcome: Outcome) -> str:
    if not outcome.response:
        return "No attendance needed"
    parts = []
    for need in outcome.response:
        able = f" with {', '.join(c.replace('_', ' ') for c in need.capabilities)}" if need.capabilities else ""
        parts.append(f"{need.count} \u00d7 {need.resource_type}{able}")
    return "; ".join(parts)


class OutcomePanel(QWidget):
    """The outcome and the decisions around it; ``decisions()`` gives them for ``complete_intake``."""

    #: Something the supervisor decided changed (the view re-checks whether it may save).
    sig_changed = Signal()

    def __init__(self, pack: OrganisationPack, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.pack = pack
        self.outcome: Outcome | None = None
        self.incident_type = ""

        self.priority_chip = QLabel("\u2014", self)
        self.priority_chip.setObjectName("PriorityChip")
        self.priority_chip.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.priority_chip.setFixedWidth(72)
        self.title_label = QLabel("The outcome appears when the procedure's questions are answered.", self)
        self.title_label.setObjectName("OutcomeTitle")
        self.title_label.setWordWrap(True)
        self.reason_label = self._wrapping("OutcomeReason")
        self.targets_label = self._wrapping("PanelHint")
        self.response_label = self._wrapping("OutcomeResponse")
        self.escalation_label = self._wrapping("OutcomeEscalation")

        self.say_label = self._wrapping("AdviceSay")
        self.say_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.do_not_say_label = self._wrapping("AdviceDoNotSay")
        #: The labels that describe the outcome; hidden while they are empty.
        self.detail_labels = (
            self.reason_label,
            self.targets_label,
            self.response_label,
            self.escalation_label,
            self.say_label,
            self.do_not_say_label,
        )
        self.advice_given = QCheckBox("Advice &read to the caller", self)
        self.advice_given.setObjectName("outcome-advice-given")
        self.advice_given.toggled.connect(self.sig_changed)

        self.checks_box = QVBoxLayout()
        self.checks_box.setSpacing(4)
        self.check_boxes: list[QCheckBox] = []

        self.override = QCheckBox("&Override the priority or response", self)
        self.override.setObjectName("outcome-override")
        self.override_priority = QComboBox(self)
        self.override_priority.setObjectName("outcome-override-priority")
        self.override_priority.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        self.override_priority.setMinimumContentsLength(12)
        for priority in pack.priorities:
            self.override_priority.addItem(f"{priority.code} \u00b7 {priority.name}", priority.code)
        self.override_reason = QLineEdit(self)
        self.override_reason.setObjectName("outcome-override-reason")
        self.override_reason.setPlaceholderText("Why (recorded in the log and reviewed at the end of the shift)")
        self.override.toggled.connect(self._override_toggled)
        self.override_priority.currentIndexChanged.connect(self.sig_changed)
        self.override_reason.textChanged.connect(self.sig_changed)

        self.validity = QComboBox(self)
        self.validity.setObjectName("outcome-validity")
        self.validity.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        for flag in Validity:
            self.validity.addItem(flag.label, flag.value)
        self.validity_reason = QLineEdit(self)
        self.validity_reason.setObjectName("outcome-validity-reason")
        self.validity_reason.setPlaceholderText("Why it is not a real incident")
        self.validity.currentIndexChanged.connect(self._validity_changed)
        self.validity_reason.textChanged.connect(self.sig_changed)

        self.duplicates = QListWidget(self)
        self.duplicates.setObjectName("outcome-duplicates")
        self.duplicates.setFixedHeight(84)
        self.duplicates.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.duplicates.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.duplicates.itemChanged.connect(lambda _item: self.sig_changed.emit())
        self.duplicates_hint = QLabel("No open incident of this type near this place.", self)
        self.duplicates_hint.setObjectName("PanelHint")

        head = QHBoxLayout()
        head.setSpacing(10)
        head.addWidget(self.priority_chip, 0, Qt.AlignmentFlag.AlignTop)
        head.addWidget(self.title_label, 1)
        body = QWidget(self)
        layout = QVBoxLayout(body)
        layout.setContentsMargins(10, 6, 10, 10)
        layout.setSpacing(6)
        layout.addLayout(head)
        for widget in (self.reason_label, self.targets_label, self.response_label, self.escalation_label):
            layout.addWidget(widget)
        layout.addWidget(self._heading("Read to the caller"))
        layout.addWidget(self.say_label)
        layout.addWidget(self.do_not_say_label)
        layout.addWidget(self.advice_given)
        self.checks_heading = self._heading("Checks to confirm")
        layout.addWidget(self.checks_heading)
        layout.addLayout(self.checks_box)
        layout.addWidget(self._heading("Decision"))
        layout.addWidget(self.override)
        priority_row = QHBoxLayout()
        priority_row.setContentsMargins(24, 0, 0, 0)
        priority_row.addWidget(self.override_priority, 1)
        layout.addLayout(priority_row)
        self.response_box = QVBoxLayout()
        self.response_box.setSpacing(4)
        self.response_box.setContentsMargins(24, 0, 0, 0)
        self.count_boxes: list[QSpinBox] = []
        layout.addLayout(self.response_box)
        layout.addWidget(self.override_reason)
        validity_row = QHBoxLayout()
        validity_label = QLabel("Va&lidity", self)
        validity_label.setBuddy(self.validity)
        validity_row.addWidget(validity_label)
        validity_row.addWidget(self.validity, 1)
        layout.addLayout(validity_row)
        layout.addWidget(self.validity_reason)
        duplicates_label = QLabel("Possible &duplicates (tick to link)", self)
        duplicates_label.setObjectName("SectionHeading")
        duplicates_label.setBuddy(self.duplicates)
        layout.addWidget(duplicates_label)
        layout.addWidget(self.duplicates_hint)
        layout.addWidget(self.duplicates)
        layout.addStretch(1)
        scroll = QScrollArea(self)
        scroll.setWidget(body)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)  # everything wraps instead
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll)
        self.set_outcome("", None)
        self._override_toggled(False)
        self._validity_changed(0)
        self.set_duplicates([])

    def _wrapping(self, name: str) -> QLabel:
        label = QLabel("", self)
        label.setObjectName(name)
        label.setWordWrap(True)
        return label

    def _heading(self, text: str) -> QLabel:
        label = QLabel(text, self)
        label.setObjectName("SectionHeading")
        return label

    # Showing the outcome

    def set_assessment(self, incident_type: str, assessment: Assessment | None) -> None:
        self.set_outcome(incident_type, assessment.outcome if assessment is not None else None)

    def set_outcome(self, incident_type: str, outcome: Outcome | None) -> None:
        if outcome is self.outcome and incident_type == self.incident_type:
            return
        self.outcome, self.incident_type = outcome, incident_type
        for box in self.check_boxes:
            box.deleteLater()
        self.check_boxes = []
        self.advice_given.setChecked(False)
        complete = outcome is not None
        for widget in (self.advice_given, self.override, self.validity):
            widget.setEnabled(complete)
        if outcome is None:
            self.priority_chip.setText("\u2014")
            self.priority_chip.setStyleSheet("")
            self.title_label.setText("The outcome appears when the procedure's questions are answered.")
            for label in self.detail_labels:
                label.setText("")
                label.hide()
            self.checks_heading.hide()
            self._show_response_counts(None)
            self.sig_changed.emit()
            return
        priority = self.pack.priority(outcome.priority)
        self.priority_chip.setText(priority.code)
        self.priority_chip.setToolTip(priority.name)
        self.priority_chip.setStyleSheet(
            f"QLabel#PriorityChip {{ border: 2px solid {priority.colour}; border-left: 8px solid {priority.colour}; }}"
        )
        self.title_label.setText(outcome.title)
        self.reason_label.setText(outcome.reason)
        targets = self.pack.targets_for(incident_type, outcome.priority)
        self.targets_label.setText(
            f"{priority.name}. Targets: acknowledge {_minutes(targets.acknowledge)}"
            f" \u00b7 on scene {_minutes(targets.on_scene)} \u00b7 resolve {_minutes(targets.resolution)}"
        )
        self.response_label.setText(f"Response: {describe_response(outcome)}")
        escalation = outcome.escalation
        if escalation.kind is EscalationKind.DUTY_MANAGER:
            self.escalation_label.setText(f"\u26a0 Escalate to the duty manager: {escalation.reason}")
        elif escalation.kind is EscalationKind.EXTERNAL_ORGANISATION:
            name = self.pack.external_organisation(escalation.organisation).name
            request = escalation.request.replace("_", " ")
            self.escalation_label.setText(f"\u26a0 Escalate to {name} ({request}): {escalation.reason}")
        else:
            self.escalation_label.setText("")
        self.say_label.setText("\n".join(f"\u201c{line}\u201d" for line in outcome.advice.say))
        self.do_not_say_label.setText(
            "\n".join(f"\u2715 {line}" for line in outcome.advice.do_not_say) if outcome.advice.do_not_say else ""
        )
        for label in self.detail_labels:
            label.setVisible(bool(label.text()))
        for check in outcome.checks:
            required = " (required)" if check.mandatory else " (if it applies)"
            box = QCheckBox(f"{check.label or check.code}{required}", self)
            box.setObjectName(f"check-{check.code}")
            box.setToolTip(check.text)
            box.setProperty("code", check.code)
            box.setProperty("mandatory", check.mandatory)
            box.toggled.connect(self.sig_changed)
            self.checks_box.addWidget(box)
            box.show()
            self.check_boxes.append(box)
        self.checks_heading.setVisible(bool(outcome.checks))
        self._show_response_counts(outcome)
        chain: list[QWidget] = [
            self.advice_given,
            *self.check_boxes,
            self.override,
            self.override_priority,
            *self.count_boxes,
            self.override_reason,
        ]
        for before, after in itertools.pairwise(chain):
            QWidget.setTabOrder(before, after)
        self.sig_changed.emit()

    def first_focus(self) -> QWidget:
        """Where the keyboard goes when the outcome is reached: the first thing to confirm."""
        return self.advice_given

    # Possible duplicates

    def set_duplicates(self, found: list[PossibleDuplicate]) -> None:
        linked = {link.incident_id for link in self.links()}
        self.duplicates.blockSignals(True)
        self.duplicates.clear()
        for duplicate in found:
            item = QListWidgetItem(duplicate.describe(), self.duplicates)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if duplicate.incident_id in linked else Qt.CheckState.Unchecked)
            item.setData(Qt.ItemDataRole.UserRole, (duplicate.incident_id, duplicate.reference))
            item.setToolTip(duplicate.summary)
        self.duplicates.blockSignals(False)
        self.duplicates.setVisible(bool(found))
        self.duplicates_hint.setVisible(not found)
        self.sig_changed.emit()

    def links(self) -> tuple[Link, ...]:
        links = []
        for row in range(self.duplicates.count()):
            item = self.duplicates.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                incident_id, reference = item.data(Qt.ItemDataRole.UserRole)
                links.append(Link(int(incident_id), str(reference), "Same incident reported again"))
        return tuple(links)

    # The decisions

    def checks_confirmed(self) -> list[str]:
        return [str(box.property("code")) for box in self.check_boxes if box.isChecked()]

    def override_choice(self) -> Override | None:
        """The override, if ticked; raises ``InvalidValue`` when its reason is missing."""
        if not self.override.isChecked() or self.outcome is None:
            return None
        response = tuple(
            replace(need, count=box.value())
            for need, box in zip(self.outcome.response, self.count_boxes, strict=True)
            if box.value() > 0
        )
        return Override(str(self.override_priority.currentData()), response, self.override_reason.text())

    def validity_flag(self) -> ValidityFlag:
        return ValidityFlag(Validity(self.validity.currentData()), self.validity_reason.text())

    def clear(self) -> None:
        self.override.setChecked(False)
        self.override_reason.clear()
        self.validity.setCurrentIndex(0)
        self.validity_reason.clear()
        self.set_outcome("", None)
        self.set_duplicates([])

    def _override_toggled(self, on: bool) -> None:
        self.override_priority.setEnabled(on)
        self.override_reason.setEnabled(on)
        for box, need in zip(self.count_boxes, self.outcome.response if self.outcome else (), strict=False):
            box.setEnabled(on)
            if not on:
                box.setValue(need.count)
        if on and self.outcome is not None:
            index = self.override_priority.findData(self.outcome.priority)
            self.override_priority.setCurrentIndex(max(0, index))
        self.sig_changed.emit()

    def _show_response_counts(self, outcome: Outcome | None) -> None:
        """One count per line of the response, changed only under an override (0 drops the line)."""
        while self.response_box.count():
            item = self.response_box.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.count_boxes = []
        for need in outcome.response if outcome is not None else ():
            row = QWidget(self)
            row_layout = QHBoxLayout(row)
            row_layout.setContentsMargins(0, 0, 0, 0)
            box = QSpinBox(row)
            box.setObjectName(f"override-count-{need.resource_type}")
            box.setRange(0, 20)
            box.setValue(need.count)
            box.setEnabled(self.override.isChecked())
            box.setFixedWidth(64)
            box.valueChanged.connect(lambda _value: self.sig_changed.emit())
            able = f" with {', '.join(c.replace('_', ' ') for c in need.capabilities)}" if need.capabilities else ""
            row_layout.addWidget(box)
            row_layout.addWidget(QLabel(f"\u00d7 {need.resource_type}{able}", row), 1)
            self.response_box.addWidget(row)
            row.show()
            self.count_boxes.append(box)

    def _validity_changed(self, _index: int) -> None:
        flagged = self.validity.currentData() != Validity.VALID.value
        self.validity_reason.setEnabled(flagged)
        self.sig_changed.emit()
