"""The overview's table models, checked with Qt's model tester and without widgets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt
from pytestqt.modeltest import ModelTester
from pytestqt.qtbot import QtBot

from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.services.desk_overview import LogLine, StationStatusCounts
from supervisor_app.ui.overview.log_model import INCIDENT_ID_ROLE, LatestLogModel, LogColumn
from supervisor_app.ui.overview.resource_model import EMPTY_CELL, StationStatusModel

HELSINKI = ZoneInfo("Europe/Helsinki")
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)


def _line(entry_id: int, minutes_ago: int, text: str = "G11 on scene") -> LogLine:
    at = NOW - timedelta(minutes=minutes_ago)
    return LogLine(entry_id, 100 + entry_id, f"INC-20261123-{entry_id:04d}", at, at, "ONSC", "aino.virtanen",
                   "desk-2", text)


def _lines(ids: range) -> list[LogLine]:
    return [_line(i, 1000 - i) for i in reversed(ids)]  # newest (highest id) first


def test_log_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = LatestLogModel(HELSINKI, lambda code: {"ONSC": "On scene"}.get(code, code))
    model.set_lines(_lines(range(1, 31)), NOW)
    qtmodeltester.check(model, force_py=True)
    # Changes after the check are verified too: new entries on top, oldest dropped.
    model.set_lines(_lines(range(4, 34)), NOW)
    model.set_lines(_lines(range(50, 60)), NOW)
    model.set_lines([], NOW)


def test_log_model_inserts_new_entries_on_top_keeping_existing_rows(qtbot: QtBot) -> None:
    model = LatestLogModel(HELSINKI)
    model.set_lines(_lines(range(1, 31)), NOW)
    kept = QPersistentModelIndex(model.index(5, LogColumn.REFERENCE))
    kept_reference = kept.data()
    with qtbot.waitSignals([model.rowsInserted, model.rowsRemoved], timeout=1000):
        model.set_lines(_lines(range(3, 33)), NOW)
    assert model.entry_ids() == list(range(32, 2, -1))
    assert kept.isValid() and kept.data() == kept_reference and kept.row() == 7


def test_log_model_formats_times_codes_and_multiline_text() -> None:
    model = LatestLogModel(HELSINKI, lambda code: "On scene")
    yesterday = _line(2, 60 * 24)
    model.set_lines([_line(1, 0, "Gas off at meter.\nResidents back in."), yesterday], NOW)
    assert model.data(model.index(0, LogColumn.TIME)) == "14:00:00"  # 12:00 UTC is 14:00 in Helsinki
    assert model.data(model.index(1, LogColumn.TIME)) == "22 Nov 14:00"
    assert model.data(model.index(0, LogColumn.TEXT)) == "Gas off at meter. \u21b5 Residents back in."
    full_text = model.data(model.index(0, LogColumn.TEXT), Qt.ItemDataRole.ToolTipRole)
    assert full_text == "Gas off at meter.\nResidents back in."
    assert model.data(model.index(0, LogColumn.CODE), Qt.ItemDataRole.ToolTipRole) == "ONSC: On scene"
    assert model.data(model.index(0, LogColumn.TIME), INCIDENT_ID_ROLE) == 101
    assert model.headerData(LogColumn.TIME, Qt.Orientation.Horizontal) == "Time"
    assert model.rowCount(model.index(0, 0)) == 0


def _station(code: str, **counts: int) -> StationStatusCounts:
    return StationStatusCounts(code, f"{code.title()} depot", counts)


def test_station_model_passes_the_model_tester(qtmodeltester: ModelTester) -> None:
    model = StationStatusModel()
    model.set_stations([_station("KAMPPI", available=3, on_scene=1), _station("CITY", off_duty=4)])
    qtmodeltester.check(model, force_py=True)
    model.set_stations([_station("KAMPPI", available=2, on_scene=2), _station("CITY", off_duty=4)])
    model.set_stations([_station("CITY", off_duty=1)])


def test_station_model_counts_and_totals() -> None:
    model = StationStatusModel()
    model.set_stations([_station("KAMPPI", available=3, on_scene=1), _station("CITY", available=1, off_duty=4)])
    available = 1 + list(ResourceStatus).index(ResourceStatus.AVAILABLE)
    en_route = 1 + list(ResourceStatus).index(ResourceStatus.EN_ROUTE)
    total = model.columnCount() - 1
    assert model.data(model.index(0, 0)) == "Kamppi depot"
    assert model.data(model.index(0, available)) == "3"
    assert model.data(model.index(0, en_route)) == EMPTY_CELL
    assert model.data(model.index(2, 0)) == "All stations"
    assert model.data(model.index(2, available)) == "4"
    assert model.data(model.index(2, total)) == "9"
    assert model.headerData(available, Qt.Orientation.Horizontal) == "Available"
    assert model.rowCount(QModelIndex()) == 3
