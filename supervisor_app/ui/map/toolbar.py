"""The row of controls above the map: filters, follow, pick a location, and what is selected.

The filters are menus of checkable entries (one per resource type, one per status); unticking one
hides those resources in the page. Nothing here talks to the page: the view connects the signals.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QHBoxLayout, QLabel, QMenu, QPushButton, QWidget

from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.ui.map.map_theme import status_label


class FilterButton(QPushButton):
    """A drop-down of checkable codes; says how many of them are shown."""

    sig_changed = Signal()

    def __init__(self, title: str, entries: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.menu_ = QMenu(self)
        self.actions_by_code: dict[str, QAction] = {}
        show_all = self.menu_.addAction("Show all")
        show_all.triggered.connect(lambda: self.set_hidden(set()))
        self.menu_.addSeparator()
        for code, label in entries:
            action = self.menu_.addAction(label)
            action.setCheckable(True)
            action.setChecked(True)
            action.setData(code)
            action.toggled.connect(self._toggled)
            self.actions_by_code[code] = action
        self.setMenu(self.menu_)
        self._update_text()

    def hidden(self) -> list[str]:
        return [code for code, action in self.actions_by_code.items() if not action.isChecked()]

    def set_hidden(self, codes: set[str]) -> None:
        for code, action in self.actions_by_code.items():
            action.blockSignals(True)
            action.setChecked(code not in codes)
            action.blockSignals(False)
        self._toggled()

    def _toggled(self, *_checked: object) -> None:
        self._update_text()
        self.sig_changed.emit()

    def _update_text(self) -> None:
        hidden = len(self.hidden())
        total = len(self.actions_by_code)
        self.setText(f"{self.title}: {'all' if not hidden else f'{total - hidden} of {total}'}")


class MapToolbar(QWidget):
    sig_filter_changed = Signal()
    sig_follow_toggled = Signal(bool)
    sig_pick_toggled = Signal(bool)
    sig_fit_area = Signal()

    def __init__(self, resource_types: list[tuple[str, str]], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("map-toolbar")
        self.types = FilterButton("&Types", resource_types, self)
        self.types.setObjectName("map-filter-types")
        self.statuses = FilterButton("&Status", [(s.value, status_label(s)) for s in ResourceStatus], self)
        self.statuses.setObjectName("map-filter-statuses")
        self.follow = QPushButton("&Follow unit", self)
        self.follow.setObjectName("map-follow")
        self.follow.setCheckable(True)
        self.follow.setEnabled(False)
        self.follow.setToolTip("Keep the selected unit in the middle of the map as it moves (Alt+F)")
        self.pick = QPushButton("&Pick location", self)
        self.pick.setObjectName("map-pick")
        self.pick.setCheckable(True)
        self.pick.setToolTip("The next click on the map gives the position for a new incident (Alt+P; Esc cancels)")
        self.fit = QPushButton("Whole &area", self)
        self.fit.setObjectName("map-fit")
        self.fit.setToolTip("Show the whole served area (Alt+A)")
        self.selection = QLabel("", self)
        self.selection.setObjectName("ViewHint")
        self.types.sig_changed.connect(self.sig_filter_changed)
        self.statuses.sig_changed.connect(self.sig_filter_changed)
        self.follow.toggled.connect(self.sig_follow_toggled)
        self.pick.toggled.connect(self.sig_pick_toggled)
        self.fit.clicked.connect(self.sig_fit_area)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(8)
        for widget in (self.types, self.statuses, self.follow, self.pick, self.fit):
            row.addWidget(widget)
        row.addSpacing(8)
        row.addWidget(self.selection, 1)

    def hidden(self) -> dict[str, list[str]]:
        return {"types": self.types.hidden(), "statuses": self.statuses.hidden()}
