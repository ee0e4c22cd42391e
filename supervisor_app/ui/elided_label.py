"""A one-line label that shortens its text with an ellipsis instead of being cut off or widening its parent."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QPainter, QPaintEvent
from PySide6.QtWidgets import QLabel, QSizePolicy, QStyleOption, QWidget


class ElidedLabel(QLabel):
    """Shows its text if it fits, else its short form if that fits, else as much as fits ending in
    "\u2026". The full text is always its tooltip."""

    def __init__(self, text: str = "", parent: QWidget | None = None, *, minimum_width: int = 40) -> None:
        super().__init__(text, parent)
        self.short_text = ""
        self.setToolTip(text)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(minimum_width)

    def setText(self, text: str, short_text: str = "") -> None:  # noqa: N802 - Qt's name
        self.short_text = short_text
        super().setText(text)
        self.setToolTip(text)

    def shown_text(self) -> str:
        """The text as it fits the label's current width."""
        width = self.contentsRect().width()
        metrics = self.fontMetrics()
        text = self.text()
        if metrics.horizontalAdvance(text) > width and self.short_text:
            text = self.short_text
        return metrics.elidedText(text, Qt.TextElideMode.ElideRight, width)

    def paintEvent(self, _event: QPaintEvent) -> None:  # noqa: N802 - Qt's name
        option = QStyleOption()
        option.initFrom(self)
        rect = self.contentsRect()
        shown = self.shown_text()
        painter = QPainter(self)
        try:
            self.style().drawItemText(
                painter, rect, int(self.alignment()), option.palette, self.isEnabled(), shown, self.foregroundRole()
            )
        finally:
            painter.end()
