"""A dismissible message strip at the top of the window.

Failures are shown here instead of in dialogs, so that nothing ever hides the live incidents behind
a modal window. A repeated message (same key) is counted rather than stacked.
"""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt, QTimer, Signal, Slot
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from supervisor_app.ui.error_messages import PersonMessage, Severity
from supervisor_app.ui.icons import tinted_pixmap
from supervisor_app.ui.theme import DARK, Theme

INFO_VISIBLE_MS = 12_000
_ICON_FOR_SEVERITY = {
    Severity.ERROR: "message-error",
    Severity.WARNING: "message-warning",
    Severity.INFO: "message-info",
}


class MessageBar(QFrame):
    """Shows one message (the latest) with its advice and a Dismiss button."""

    sig_visibility_changed = Signal(bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("MessageBar")
        self.setProperty("severity", Severity.INFO.value)
        self._theme = DARK
        self._message: PersonMessage | None = None
        self._repeats = 0

        self._icon = QLabel(self)
        self._icon.setFixedSize(QSize(24, 24))
        self._headline = QLabel(self)
        self._headline.setObjectName("MessageHeadline")
        self._headline.setWordWrap(True)
        self._headline.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._advice = QLabel(self)
        self._advice.setObjectName("MessageAdvice")
        self._advice.setWordWrap(True)
        self._advice.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self._dismiss = QPushButton("Dismiss", self)
        self._dismiss.setToolTip("Hide this message (Esc)")
        self._dismiss.clicked.connect(self.dismiss)

        texts = QVBoxLayout()
        texts.setSpacing(2)
        texts.addWidget(self._headline)
        texts.addWidget(self._advice)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(10, 6, 8, 6)
        layout.setSpacing(10)
        layout.addWidget(self._icon, 0, Qt.AlignmentFlag.AlignTop)
        layout.addLayout(texts, 1)
        layout.addWidget(self._dismiss, 0, Qt.AlignmentFlag.AlignTop)

        self._auto_hide = QTimer(self)
        self._auto_hide.setSingleShot(True)
        self._auto_hide.timeout.connect(self.dismiss)
        self.hide()

    @property
    def message(self) -> PersonMessage | None:
        """The message on show, or None when the bar is hidden."""
        return self._message

    @property
    def repeats(self) -> int:
        return self._repeats

    def headline_text(self) -> str:
        return self._headline.text()

    def advice_text(self) -> str:
        return self._advice.text()

    def show_message(self, message: PersonMessage) -> None:
        """Show ``message``. The same key and severity again counts a repeat and keeps the first
        text (so "lost at 14:02:11" keeps saying when it started); anything else replaces it."""
        current = self._message
        if current is not None and message.key == current.key and message.severity == current.severity:
            self._repeats += 1
            message = current
        else:
            self._message = message
            self._repeats = 1
        headline = message.headline
        if self._repeats > 1:
            headline += f"  (\u00d7{self._repeats})"
        self._headline.setText(headline)
        self._advice.setText(message.advice)
        self._advice.setVisible(bool(message.advice))
        self.setProperty("severity", message.severity.value)
        self._repolish()
        self._update_icon()
        if message.severity is Severity.INFO:
            self._auto_hide.start(INFO_VISIBLE_MS)
        else:
            self._auto_hide.stop()
        if self.isHidden():
            self.show()
            self.sig_visibility_changed.emit(True)

    @Slot()
    def dismiss(self) -> None:
        self._auto_hide.stop()
        self._message = None
        self._repeats = 0
        if not self.isHidden():
            self.hide()
            self.sig_visibility_changed.emit(False)

    def dismiss_key(self, key: str) -> None:
        """Hide the message on show if it has ``key`` (e.g. a connection message once it is back)."""
        if self._message is not None and self._message.key == key:
            self.dismiss()

    def on_theme_changed(self, theme: Theme) -> None:
        self._theme = theme
        self._update_icon()

    def _update_icon(self) -> None:
        severity = self._message.severity if self._message else Severity.INFO
        colour = {Severity.ERROR: self._theme.danger, Severity.WARNING: self._theme.warning}.get(
            severity, self._theme.info
        )
        self._icon.setPixmap(tinted_pixmap(_ICON_FOR_SEVERITY[severity], colour, 24))
        self._icon.setToolTip(severity.value.capitalize())

    def _repolish(self) -> None:
        style = self.style()
        style.unpolish(self)
        style.polish(self)
