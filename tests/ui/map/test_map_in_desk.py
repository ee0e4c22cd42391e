"""The resource map inside the desk: it loads only after the window is on screen, a mouse click on an
incident's marker selects that incident in the monitor, the monitor's selection is shown on the map,
and a location picked on the map goes into the referral being recorded.

These run the whole main window on the seeded demo desk, with the map's web page loading as it does
for a supervisor (every http(s) request of the page blocked, as with no network).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtTest import QTest
from pytestqt.qtbot import QtBot

from supervisor_app.services.context import DeskContext
from supervisor_app.ui.app import create_main_window
from supervisor_app.ui.main_window import MainWindow
from supervisor_app.ui.map.probe import evaluate
from tests.ui.map.support import NetworkBlocker


@pytest.fixture
def desk(qtbot: QtBot, desk_context: DeskContext, monkeypatch: pytest.MonkeyPatch) -> Iterator[MainWindow]:
    """The desk as a supervisor opens it: the map starts loading a moment after the window shows."""
    monkeypatch.setattr(MainWindow, "map_after_ms", 300)
    window = create_main_window(desk_context)
    window.show()
    qtbot.waitExposed(window)
    assert window.map_view.web is None, "the map must not be built before the window is on screen"
    qtbot.waitUntil(lambda: window.map_view.profile is not None, timeout=5000)
    assert window.map_view.profile is not None
    window.map_view.profile.setUrlRequestInterceptor(NetworkBlocker(window.map_view))
    yield window
    window.close()
    window.deleteLater()


def _ready(qtbot: QtBot, window: MainWindow) -> None:
    qtbot.waitUntil(lambda: window.map_view.ready, timeout=30_000)
    qtbot.waitUntil(lambda: not window.runner.busy_count, timeout=10_000)


def test_the_map_loads_after_the_window_shows_and_without_the_network(qtbot: QtBot, desk: MainWindow) -> None:
    _ready(qtbot, desk)
    page = desk.map_view.page
    assert page is not None and page.errors == []
    counts = evaluate(desk.map_view, "JSON.stringify(deskMap.counts())")
    state = desk.live.state
    assert state is not None
    assert counts["resources"] == len(state.resources())
    assert counts["incidents"] == len([row for row in state.incidents() if row.lat is not None])


def test_a_mouse_click_on_an_incident_selects_it_in_the_monitor_and_back(qtbot: QtBot, desk: MainWindow) -> None:
    _ready(qtbot, desk)
    desk.show_view("map")
    state = desk.live.state
    assert state is not None
    incident = state.incidents()[0]
    view = desk.map_view
    assert evaluate(view, f"deskMap.selectIncident({incident.id}, true)") is True  # close enough to be unclustered
    where = f"JSON.stringify(deskMap.incidentPoint({incident.id}) || {{}})"
    qtbot.waitUntil(lambda: "x" in evaluate(view, where), timeout=5000)  # drawn, not in a cluster
    point = evaluate(view, where)
    assert view.web is not None
    target = view.web.focusProxy()
    assert target is not None
    with qtbot.waitSignal(view.sig_incident_selected, timeout=5000) as clicked:
        QTest.mouseClick(target, Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                         QPoint(round(point["x"]), round(point["y"])))
    assert clicked.args == [incident.id]
    monitor = desk.monitor_view
    qtbot.waitUntil(lambda: monitor.detail.incident_id == incident.id, timeout=5000)
    assert incident.reference in view.toolbar.selection.text()

    desk.show_view("monitor")  # the rows arrive with the incident already chosen
    qtbot.waitUntil(lambda: monitor.model.rowCount() > 1 and monitor._current_id() == incident.id, timeout=10_000)

    other = monitor.model.row_at(1 if monitor.model.row_of(incident.id) == 0 else 0)
    assert other is not None
    monitor.table.selectRow(monitor.model.row_of(other.incident_id))
    selected = "document.querySelectorAll('.desk-incident.selected').length"
    qtbot.waitUntil(lambda: evaluate(view, selected) == 1, timeout=5000)
    where = f"JSON.stringify(deskMap.incidentPoint({other.incident_id}) || {{}})"
    assert "x" in evaluate(view, where)  # brought into view, out of any cluster
    assert other.reference in view.toolbar.selection.text()
    qtbot.waitUntil(lambda: not desk.runner.busy_count, timeout=10_000)


def test_a_location_picked_on_the_map_goes_into_the_referral(qtbot: QtBot, desk: MainWindow) -> None:
    _ready(qtbot, desk)
    desk.show_view("map")
    place = desk.context.pack.gazetteer()[10]
    desk.map_view.set_picking(True)
    evaluate(desk.map_view, "(function () { deskMap.map().fire('click', {latlng: L.latLng("
                            f"{place.lat + 0.0001}, {place.lon})}}); return true; }})()")
    qtbot.waitUntil(lambda: desk.current_view() is desk.intake_view, timeout=5000)
    form = desk.intake_view.form
    assert form.coordinates.text() == f"{place.lat + 0.0001:.6f}, {place.lon:.6f}"
    assert form.address.text() == place.label  # about 11 m away: the nearest known address
    assert not form.error_label.isVisible()
