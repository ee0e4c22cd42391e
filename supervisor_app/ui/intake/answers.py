"""One answer editor per kind of question, each fully usable from the keyboard.

Every editor emits ``sig_submitted`` with the answer as typed or chosen; the procedures engine
reads and checks it (so the rules live in one place) and the script shows any refusal.

- yes/no: Y or N (or the buttons, Alt+Y / Alt+N);
- choice: 1 to 9 picks an option at once; arrows and Enter pick any;
- number: type it (a decimal comma is fine) and press Enter;
- open question: type the caller's words and press Enter.

A question that may be skipped is skipped with Alt+K (the script's Skip button).
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from supervisor_app.domain.procedures import ChoiceQuestion, NumberQuestion, Question, TextQuestion, YesNoQuestion

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class AnswerEditor(QWidget):
    """Base of the editors: ``sig_submitted(answer)``, and where the keyboard goes first."""

    sig_submitted = Signal(object)

    def __init__(self, question: Question, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = question

    def focus_target(self) -> QWidget:
        return self

    def take_focus(self) -> None:
        self.focus_target().setFocus(Qt.FocusReason.OtherFocusReason)

    def set_answer(self, answer: object) -> None:
        """Show an earlier answer when the question is asked again."""


class YesNoEditor(AnswerEditor):
    def __init__(self, question: YesNoQuestion, parent: QWidget | None = None) -> None:
        super().__init__(question, parent)
        self.yes = QPushButton("&Yes", self)
        self.yes.setObjectName("answer-yes")
        self.no = QPushButton("&No", self)
        self.no.setObjectName("answer-no")
        for button, value in ((self.yes, True), (self.no, False)):
            button.setMinimumWidth(110)
            button.clicked.connect(lambda _checked=False, v=value: self.sig_submitted.emit(v))
        hint = QLabel("Y or N", self)
        hint.setObjectName("PanelHint")
        for key, value in (("Y", True), ("N", False)):
            QShortcut(
                QKeySequence(key),
                self,
                lambda v=value: self.sig_submitted.emit(v),
                context=Qt.ShortcutContext.WidgetWithChildrenShortcut,
            )
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.yes)
        layout.addWidget(self.no)
        layout.addWidget(hint)
        layout.addStretch(1)
        self.yes.installEventFilter(self)
        self.no.installEventFilter(self)

    def focus_target(self) -> QWidget:
        return self.yes

    def set_answer(self, answer: object) -> None:
        (self.no if answer is False else self.yes).setFocus()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        pressed = event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent)
        if pressed and isinstance(watched, QPushButton) and event.key() in _ENTER_KEYS:  # type: ignore[attr-defined]
            watched.click()
            return True
        return super().eventFilter(watched, event)


class ChoiceEditor(AnswerEditor):
    def __init__(self, question: ChoiceQuestion, parent: QWidget | None = None) -> None:
        super().__init__(question, parent)
        self.options = QListWidget(self)
        self.options.setObjectName("answer-options")
        for number, option in enumerate(question.options, start=1):
            prefix = f"{number}   " if number <= 9 else "    "
            item = QListWidgetItem(f"{prefix}{option.label}", self.options)
            item.setData(Qt.ItemDataRole.UserRole, option.value)
        rows = min(len(question.options), 7)
        self.options.setFixedHeight(rows * 28 + 6)
        self.options.setCurrentRow(0)
        self.options.itemActivated.connect(self._submit_item)
        self.options.installEventFilter(self)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.options)

    def focus_target(self) -> QWidget:
        return self.options

    def set_answer(self, answer: object) -> None:
        for row in range(self.options.count()):
            if self.options.item(row).data(Qt.ItemDataRole.UserRole) == answer:
                self.options.setCurrentRow(row)

    def _submit_item(self, item: QListWidgetItem) -> None:
        self.sig_submitted.emit(item.data(Qt.ItemDataRole.UserRole))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if watched is self.options and event.type() == QEvent.Type.KeyPress and isinstance(event, QKeyEvent):
            key_event = event
            text = key_event.text()
            if text.isdigit() and text != "0" and int(text) <= self.options.count():
                self.options.setCurrentRow(int(text) - 1)
                self._submit_item(self.options.item(int(text) - 1))
                return True
            if key_event.key() in _ENTER_KEYS and self.options.currentItem() is not None:
                self._submit_item(self.options.currentItem())
                return True
        return super().eventFilter(watched, event)


class LineEditor(AnswerEditor):
    """A number (with its unit and bounds shown) or the caller's own words."""

    def __init__(self, question: NumberQuestion | TextQuestion, parent: QWidget | None = None) -> None:
        super().__init__(question, parent)
        self.line = QLineEdit(self)
        self.line.setObjectName("answer-text")
        self.line.setClearButtonEnabled(True)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.line, 1)
        if isinstance(question, NumberQuestion):
            self.line.setPlaceholderText(question.describe_bounds().capitalize())
            self.line.setMaximumWidth(360)
            unit = QLabel(question.unit, self)
            unit.setObjectName("PanelHint")
            layout.addWidget(unit)
            layout.addStretch(1)
        else:
            self.line.setMaxLength(4000)
            self.line.setPlaceholderText("The caller's words, as given; Enter to go on")
        self.line.returnPressed.connect(lambda: self.sig_submitted.emit(self.line.text()))

    def focus_target(self) -> QWidget:
        return self.line

    def set_answer(self, answer: object) -> None:
        self.line.setText("" if answer is None else str(answer))
        self.line.selectAll()


def editor_for(question: Question, parent: QWidget | None = None) -> AnswerEditor:
    if isinstance(question, YesNoQuestion):
        return YesNoEditor(question, parent)
    if isinstance(question, ChoiceQuestion):
        return ChoiceEditor(question, parent)
    return LineEditor(question, parent)
