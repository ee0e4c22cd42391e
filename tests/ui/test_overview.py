"""The desk overview shows what the database holds, counted independently here with plain SQL."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHeaderView
from pytestqt.qtbot import QtBot
from sqlalchemy import text

from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.services.context import DeskContext
from supervisor_app.services.desk_overview import LATEST_LOG_LIMIT
from supervisor_app.ui.main_window import MainWindow
from supervisor_app.ui.overview import OverviewView
from supervisor_app.ui.overview.log_model import LogColumn
from supervisor_app.ui.overview.resource_model import EMPTY_CELL, STATUS_COLUMNS
from supervisor_app.ui.panel import TABLE_ROW_HEIGHT


def _overview(window: MainWindow) -> OverviewView:
    view = window.views["overview"]
    assert isinstance(view, OverviewView)
    return view


def test_open_incidents_by_priority_match_the_database(main_window: MainWindow, desk_context: DeskContext) -> None:
    with desk_context.engine.connect() as conn:
        expected = dict(conn.execute(text(
            "SELECT priority, count(*) FROM incidents WHERE status NOT IN ('closed', 'cancelled') GROUP BY priority"
        )).all())
        awaiting = dict(conn.execute(text(
            "SELECT priority, count(*) FROM incidents WHERE status = 'awaiting_resource' GROUP BY priority"
        )).all())
    assert sum(expected.values()) > 0, "the demo history should leave some incidents open"
    panel = _overview(main_window).priority_panel
    assert panel.tile_codes() == [p.code for p in desk_context.pack.priorities]
    for code in panel.tile_codes():
        tile = panel.tile(code)
        assert tile.count_text() == str(expected.get(code, 0))
        assert f"{awaiting.get(code, 0)} of them awaiting" in tile.toolTip()
    assert panel.total_tile.count_text() == str(sum(expected.values()))


def test_priority_tiles_carry_shape_and_words_not_only_colour(main_window: MainWindow) -> None:
    panel = _overview(main_window).priority_panel
    shapes = [panel.tile(code).priority_style.shape for code in panel.tile_codes()]
    assert len(set(shapes)) == len(shapes)
    for code in panel.tile_codes():
        tile = panel.tile(code)
        assert tile._shape.pixmap() is not None and not tile._shape.pixmap().isNull()
        assert tile._title.text() == code and tile._name.text()


def test_resources_by_station_and_status_match_the_database(main_window: MainWindow, desk_context: DeskContext) -> None:
    with desk_context.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT s.name, r.status, count(*) FROM resources r JOIN stations s ON s.id = r.station_id "
            "GROUP BY s.name, r.status"
        )).all()
        station_names = [name for (name,) in conn.execute(text("SELECT name FROM stations ORDER BY id"))]
    expected = {(name, status): count for name, status, count in rows}
    model = _overview(main_window).station_model
    assert model.rowCount() == len(station_names) + 1
    for row, name in enumerate(station_names):
        assert model.data(model.index(row, 0)) == name
        for column, status in enumerate(STATUS_COLUMNS, start=1):
            count = expected.get((name, status.value), 0)
            assert model.data(model.index(row, column)) == (str(count) if count else EMPTY_CELL)
        total = sum(c for (n, _s), c in expected.items() if n == name)
        assert model.data(model.index(row, len(STATUS_COLUMNS) + 1)) == str(total)
    all_row = len(station_names)
    assert model.data(model.index(all_row, 0)) == "All stations"
    assert model.data(model.index(all_row, len(STATUS_COLUMNS) + 1)) == str(sum(expected.values()))
    available = sum(c for (_n, s), c in expected.items() if s == ResourceStatus.AVAILABLE.value)
    assert model.count(all_row, 1) == available


def test_latest_log_entries_match_the_database(main_window: MainWindow, desk_context: DeskContext) -> None:
    with desk_context.engine.connect() as conn:
        expected = conn.execute(text(
            "SELECT l.id, i.reference, l.code, l.author, l.desk, l.text FROM incident_log l "
            "JOIN incidents i ON i.id = l.incident_id ORDER BY l.occurred_at DESC, l.id DESC LIMIT :n"
        ), {"n": LATEST_LOG_LIMIT}).all()
    model = _overview(main_window).log_model
    assert model.rowCount() == LATEST_LOG_LIMIT == len(expected)
    assert model.entry_ids() == [row.id for row in expected]
    first = expected[0]
    assert [model.data(model.index(0, c)) for c in (LogColumn.REFERENCE, LogColumn.CODE, LogColumn.AUTHOR,
                                                    LogColumn.DESK)] == [first.reference, first.code, first.author,
                                                                         first.desk]


def test_log_times_are_in_the_organisation_timezone(main_window: MainWindow, desk_context: DeskContext) -> None:
    view = _overview(main_window)
    zone = ZoneInfo(desk_context.pack.timezone)
    assert view.snapshot is not None
    today = view.snapshot.as_of.astimezone(zone).date()
    for row in range(view.log_model.rowCount()):
        local = view.log_model.line(row).occurred_at.astimezone(zone)
        expected = f"{local:%H:%M:%S}" if local.date() == today else f"{local:%d %b %H:%M}"
        assert view.log_model.data(view.log_model.index(row, LogColumn.TIME)) == expected


def test_tables_have_fixed_row_heights(main_window: MainWindow) -> None:
    view = _overview(main_window)
    for table in (view.log_table, view.station_table):
        header = table.verticalHeader()
        assert header.sectionResizeMode(0) == QHeaderView.ResizeMode.Fixed
        assert header.defaultSectionSize() == TABLE_ROW_HEIGHT
        for column in range(table.model().columnCount()):
            assert table.horizontalHeader().sectionResizeMode(column) != QHeaderView.ResizeMode.ResizeToContents


def test_the_view_goes_live_and_says_so(main_window: MainWindow) -> None:
    view = _overview(main_window)
    assert view.is_live and not view._timer.isActive()  # no polling once the feed keeps it current
    assert "\u00b7 live \u00b7" in view._updated.text()
    assert "Live:" in view.refresh_button.toolTip() and "15 seconds" in view.refresh_button.toolTip()


def test_a_new_log_entry_appears_on_refresh(qtbot: QtBot, main_window: MainWindow, desk_context: DeskContext) -> None:
    from supervisor_app.services.incidents import add_log_entry

    view = _overview(main_window)
    before = view.log_model.entry_ids()
    incident_id = view.log_model.line(0).incident_id
    changes = []
    main_window.runner.run_write(
        lambda session: add_log_entry(session, desk_context.actor, incident_id, "NOTE",
                                      "Caller rang back: smell now faint", desk_context.pack),
        changes.append,
    )
    qtbot.waitUntil(lambda: bool(changes), timeout=5000)
    with qtbot.waitSignal(view.sig_refreshed, timeout=5000):
        view.on_refresh()
    assert view.log_model.entry_ids()[1:] == before[:-1]
    assert view.log_model.data(view.log_model.index(0, LogColumn.TEXT)) == "Caller rang back: smell now faint"
    assert view.log_model.data(view.log_model.index(0, LogColumn.CODE), Qt.ItemDataRole.ToolTipRole).startswith("NOTE")
