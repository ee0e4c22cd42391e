"""Help windows: the keyboard shortcuts and "about". Both are non-modal and never block the desk."""

from __future__ import annotations

from collections.abc import Sequence
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

import supervisor_app
from supervisor_app.services.context import DeskContext


def shortcut_rows(actions: Sequence[QAction]) -> list[tuple[str, str]]:
    """``(what it does, keys)`` for each action that has a shortcut, in menu order."""
    rows = []
    for action in actions:
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        if keys:
            rows.append((action.text().replace("&", ""), keys))
    return rows


class ShortcutsDialog(QDialog):
    """Lists every keyboard shortcut of the desk, built from the actions themselves."""

    def __init__(self, actions: Sequence[QAction], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Keyboard shortcuts")
        self.setModal(False)
        rows = shortcut_rows(actions)
        table = QTableWidget(len(rows), 2, self)
        table.setObjectName("ShortcutTable")
        table.setHorizontalHeaderLabels(["Action", "Keys"])
        table.verticalHeader().setVisible(False)
        table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        table.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        table.setShowGrid(False)
        table.setAlternatingRowColors(True)
        for number, (what, keys) in enumerate(rows):
            table.setItem(number, 0, QTableWidgetItem(what))
            key_item = QTableWidgetItem(keys)
            key_item.setTextAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
            table.setItem(number, 1, key_item)
        table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        table.horizontalHeader().resizeSection(1, 160)
        self.table = table
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(table)
        layout.addWidget(buttons)
        self.resize(460, 80 + 28 * max(len(rows), 6))


class AboutDialog(QDialog):
    """The version of the desk, the organisation pack and the database it uses."""

    def __init__(self, context: DeskContext, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("About Incident Supervisor")
        self.setModal(False)
        pack = context.pack
        text = QLabel(
            f"<h3>Incident Supervisor {supervisor_app.__version__}</h3>"
            "<p>The control-room desk for supervisors of an out-of-hours emergency contact centre.</p>"
            f"<p><b>Organisation:</b> {escape(str(pack.name))}<br>"
            f"<b>Organisation pack:</b> version {escape(str(pack.version))}<br>"
            f"<b>Time zone:</b> {escape(str(pack.timezone))}<br>"
            f"<b>Database:</b> {escape(str(context.database_label))}<br>"
            f"<b>Desk:</b> {escape(str(context.settings.desk_name))}<br>"
            f"<b>Log files:</b> {escape(str(context.settings.data_dir / 'logs'))}</p>",
            self,
        )
        text.setTextFormat(Qt.TextFormat.RichText)
        text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        text.setWordWrap(True)
        self.text = text
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.close)
        layout = QVBoxLayout(self)
        layout.addWidget(text)
        layout.addWidget(buttons)
        self.resize(520, 300)
