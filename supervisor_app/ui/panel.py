"""A framed, titled area of a view, and the table settings every desk table shares."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

TABLE_ROW_HEIGHT = 26


class Panel(QFrame):
    """A title (and an optional hint on the right) above one body widget."""

    def __init__(self, title: str, body: QWidget, *, hint: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Panel")
        self.title = QLabel(title, self)
        self.title.setObjectName("PanelTitle")
        self.hint = QLabel(hint, self)
        self.hint.setObjectName("PanelHint")
        self.hint.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        header = QHBoxLayout()
        header.setContentsMargins(10, 7, 10, 5)
        header.addWidget(self.title)
        header.addStretch(1)
        header.addWidget(self.hint)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(1, 1, 1, 1)
        layout.setSpacing(0)
        layout.addLayout(header)
        layout.addWidget(body, 1)
        body.setParent(self)


def view_header(view: QWidget, title: str, hint: str, *trailing: QWidget) -> QHBoxLayout:
    """The row at the top of a view: its title, a line saying what it is for, and on the right the
    widgets given (a status line, a refresh or new button)."""
    title_label = QLabel(title, view)
    title_label.setObjectName("ViewTitle")
    hint_label = QLabel(hint, view)
    hint_label.setObjectName("ViewHint")
    row = QHBoxLayout()
    row.setSpacing(12)
    row.addWidget(title_label)
    row.addWidget(hint_label, 0, Qt.AlignmentFlag.AlignBaseline)
    row.addStretch(1)
    for widget in trailing:
        row.addWidget(widget)
    return row


def configure_desk_table(table: QTableView, *, row_height: int = TABLE_ROW_HEIGHT) -> None:
    """Fixed row heights, no row numbers, whole-row selection, no resizing to contents.

    Rows never measure their contents (``ResizeToContents`` freezes big tables); column widths
    are set by the view that owns the table.
    """
    table.setAlternatingRowColors(True)
    table.setShowGrid(False)
    table.setWordWrap(False)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setHorizontalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    table.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
    table.setTextElideMode(Qt.TextElideMode.ElideRight)
    vertical = table.verticalHeader()
    vertical.setVisible(False)
    vertical.setSectionResizeMode(QHeaderView.ResizeMode.Fixed)
    vertical.setDefaultSectionSize(row_height)
    vertical.setMinimumSectionSize(row_height)
    horizontal = table.horizontalHeader()
    horizontal.setHighlightSections(False)
    horizontal.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
    horizontal.setMinimumHeight(row_height + 2)


def fit_height_to_rows(table: QTableView, rows: int, *, row_height: int = TABLE_ROW_HEIGHT) -> None:
    """Make ``table`` exactly tall enough for its header and ``rows`` rows (for short, fixed tables)."""
    table.ensurePolished()
    table.horizontalHeader().ensurePolished()
    frame = 2 * table.frameWidth()
    height = table.horizontalHeader().sizeHint().height() + rows * row_height + frame
    table.setFixedHeight(height)
