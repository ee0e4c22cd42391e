"""Small widgets: text that shortens meaningfully, header icons that never collide with labels."""

from __future__ import annotations

from PySide6.QtWidgets import QTableView
from pytestqt.qtbot import QtBot

from supervisor_app.services.desk_overview import StationStatusCounts
from supervisor_app.ui.centred_icon_header import CentredIconHeader
from supervisor_app.ui.elided_label import ElidedLabel
from supervisor_app.ui.overview.priority_panel import short_name
from supervisor_app.ui.overview.resource_model import StationStatusModel


def test_short_name_takes_the_lead_words() -> None:
    assert short_name("Emergency - danger to life or property") == "Emergency"
    assert short_name("Routine") == ""


def test_elided_label_prefers_the_short_form_then_an_ellipsis(qtbot: QtBot) -> None:
    label = ElidedLabel()
    qtbot.addWidget(label)
    label.setText("Emergency - danger to life or property", short_text="Emergency")
    label.resize(1000, 20)
    assert label.shown_text() == "Emergency - danger to life or property"
    label.resize(label.fontMetrics().horizontalAdvance("Emergency") + 4, 20)
    assert label.shown_text() == "Emergency"
    label.resize(label.fontMetrics().horizontalAdvance("Emer") + 2, 20)
    assert label.shown_text().endswith("\u2026")
    assert label.toolTip() == "Emergency - danger to life or property"


def test_header_icons_show_only_when_every_one_fits(qtbot: QtBot) -> None:
    table = QTableView()
    qtbot.addWidget(table)
    header = CentredIconHeader(table)
    table.setHorizontalHeader(header)
    model = StationStatusModel(table)
    model.set_stations([StationStatusCounts("KAMPPI", "Kamppi depot", {"available": 1})])
    table.setModel(model)
    for column in range(model.columnCount()):
        header.resizeSection(column, 200)
    assert header.icons_fit()
    header.resizeSection(3, 40)
    assert not header.icons_fit()
