"""The guided script: the procedure's next question always in focus, the answers so far above it.

The widget walks the procedure with the pure engine (``begin`` / ``step``); every answer is
checked there, and a refusal is shown under the question without losing what was typed. To change
an earlier answer, select it in the list (Alt+P, arrows) and press Enter: that question is asked
again and the answers after it, which may no longer apply, are dropped.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from supervisor_app.domain.errors import DomainError
from supervisor_app.domain.procedures import Assessment, Procedure, Question, begin, step
from supervisor_app.ui.intake.answers import AnswerEditor, editor_for

_ENTER_KEYS = (Qt.Key.Key_Return, Qt.Key.Key_Enter)


class GuidedScript(QWidget):
    """Asks the procedure's questions one at a time; emits the assessment after every answer."""

    #: The assessment after an answer (or None when no procedure is chosen).
    sig_assessment_changed = Signal(object)
    #: The procedure reached its outcome: the view moves the keyboard on to the outcome.
    sig_completed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.procedure: Procedure | None = None
        self.assessment: Assessment | None = None
        self._asking: Question | None = None
        self.editor: AnswerEditor | None = None

        self.path_list = QListWidget(self)
        self.path_list.setObjectName("script-answers")
        self.path_list.setWordWrap(True)
        self.path_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.path_list.itemActivated.connect(self._reask_item)
        self.path_list.installEventFilter(self)
        answers_title = QLabel("&Previous answers (select one and press Enter to change it)", self)
        answers_title.setObjectName("PanelHint")
        answers_title.setBuddy(self.path_list)

        self.step_label = QLabel("", self)
        self.step_label.setObjectName("ScriptStep")
        self.ask_label = QLabel("Choose the incident type to start its procedure.", self)
        self.ask_label.setObjectName("ScriptQuestion")
        self.ask_label.setWordWrap(True)
        self.ask_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint_label = QLabel("", self)
        self.hint_label.setObjectName("ScriptHint")
        self.hint_label.setWordWrap(True)
        self.error_label = QLabel("", self)
        self.error_label.setObjectName("FieldError")
        self.error_label.setWordWrap(True)
        self.error_label.hide()
        self.editor_box = QVBoxLayout()
        self.editor_box.setContentsMargins(0, 4, 0, 4)
        self.skip_button = QPushButton("S&kip (not known)", self)
        self.skip_button.setObjectName("script-skip")
        self.skip_button.clicked.connect(self.skip)
        self.skip_button.hide()

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.skip_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 6, 10, 10)
        layout.setSpacing(6)
        layout.addWidget(answers_title)
        layout.addWidget(self.path_list, 1)
        layout.addWidget(self.step_label)
        layout.addWidget(self.ask_label)
        layout.addWidget(self.hint_label)
        layout.addLayout(self.editor_box)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)

    # What the view asks of it

    def set_procedure(self, procedure: Procedure | None) -> None:
        """Start ``procedure`` from its first question (None: nothing to ask yet)."""
        self.procedure = procedure
        self.assessment = begin(procedure) if procedure is not None else None
        self._show()
        self.sig_assessment_changed.emit(self.assessment)

    def restart(self) -> None:
        self.set_procedure(self.procedure)

    def take_focus(self) -> None:
        if self.editor is not None:
            self.editor.take_focus()
        else:
            self.path_list.setFocus()

    def answer(self, given: object) -> bool:
        """Answer the question on screen; False (with the reason shown) if the engine refused it."""
        if self.procedure is None or self.assessment is None or self._asking is None:
            return False
        try:
            self.assessment = step(self.procedure, self.assessment, self._asking.id, given)
        except DomainError as refused:
            self.error_label.setText(str(refused))
            self.error_label.show()
            if self.editor is not None:
                self.editor.take_focus()
            return False
        self._show()
        self.sig_assessment_changed.emit(self.assessment)
        if self.assessment.complete:
            self.sig_completed.emit(self.assessment)
        else:
            self.take_focus()
        return True

    def skip(self) -> None:
        if self._asking is not None and not self._asking.mandatory:
            self.answer(None)

    def reask(self, node_id: str) -> None:
        """Ask an answered question again (its answer is changed when the new one is given)."""
        if self.procedure is None or self.assessment is None:
            return
        question = self.procedure.node(node_id)
        if question is None or not any(done.node == node_id for done in self.assessment.path.steps):
            return
        previous = next(done.answer for done in self.assessment.path.steps if done.node == node_id)
        self._ask(question, number=self._number_of(node_id), previous=previous)  # type: ignore[arg-type]
        self.take_focus()

    # Drawing

    def _number_of(self, node_id: str) -> int:
        assert self.assessment is not None
        for number, done in enumerate(self.assessment.path.steps, start=1):
            if done.node == node_id:
                return number
        return len(self.assessment.path.steps) + 1

    def _show(self) -> None:
        self.path_list.clear()
        self.error_label.hide()
        assessment = self.assessment
        if assessment is None:
            self._clear_editor()
            self.step_label.setText("")
            self.ask_label.setText("Choose the incident type to start its procedure.")
            self.hint_label.setText("")
            self.skip_button.hide()
            return
        for number, done in enumerate(assessment.path.steps, start=1):
            item = QListWidgetItem(f"{number}. {done.question}\n      \u2192 {done.displayed}", self.path_list)
            item.setData(Qt.ItemDataRole.UserRole, done.node)
        self.path_list.scrollToBottom()
        if assessment.question is not None:
            self._ask(assessment.question, number=len(assessment.path.steps) + 1)
        else:
            assert assessment.outcome is not None
            self._clear_editor()
            self.step_label.setText(f"Assessment complete after {len(assessment.path.steps)} answers")
            self.ask_label.setText(f"\u2714 {assessment.outcome.title}")
            self.hint_label.setText(
                "Read the advice, confirm the checks and save (Ctrl+S). "
                "To change an answer, select it above and press Enter."
            )
            self.skip_button.hide()

    def _ask(self, question: Question, *, number: int, previous: object = None) -> None:
        self._clear_editor()
        self._asking = question
        kind = {"yes_no": "yes or no", "choice": "choose one", "number": "a number", "text": "in their words"}
        required = "" if question.mandatory else " \u00b7 may be skipped"
        self.step_label.setText(f"Question {number} \u00b7 {kind[question.kind.value]}{required}")
        self.ask_label.setText(question.ask)
        self.hint_label.setText(question.hint)
        self.hint_label.setVisible(bool(question.hint))
        self.editor = editor_for(question, self)
        self.editor.setObjectName(f"editor-{question.id}")
        self.editor.sig_submitted.connect(self.answer)
        if previous is not None:
            self.editor.set_answer(previous)
        self.editor_box.addWidget(self.editor)
        self.editor.show()  # at once, not when the layout gets round to it: its keys must work now
        self.skip_button.setVisible(not question.mandatory)
        self.setFocusProxy(self.editor.focus_target())

    def _clear_editor(self) -> None:
        self._asking = None
        if self.editor is not None:
            self.editor.hide()
            self.editor.deleteLater()
            self.editor = None
        self.setFocusProxy(None)

    def _reask_item(self, item: QListWidgetItem) -> None:
        self.reask(str(item.data(Qt.ItemDataRole.UserRole)))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt's name
        if (
            watched is self.path_list
            and event.type() == QEvent.Type.KeyPress
            and isinstance(event, QKeyEvent)
            and event.key() in _ENTER_KEYS
            and self.path_list.currentItem() is not None
        ):
            self._reask_item(self.path_list.currentItem())
            return True
        return super().eventFilter(watched, event)
