"""The resource map in a real QWebEngineView (offscreen), with every http(s) request blocked.

One page is loaded for the module (``loaded_map``); each test changes it through the view, as the
desk does, and reads the result back from the page with ``runJavaScript``.
"""

from __future__ import annotations

import pytest
from pytestqt.qtbot import QtBot

from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.ui.map.probe import evaluate
from supervisor_app.ui.theme import DARK, HIGH_CONTRAST
from tests.ui.map.support import LoadedMap, apply_rows, moved, settle


def test_the_page_loads_from_the_desk_alone(loaded_map: LoadedMap) -> None:
    view = loaded_map.view
    assert evaluate(view, "typeof L === 'object' && L.version") == "1.9.4"
    assert evaluate(view, "typeof L.markerClusterGroup") == "function"
    assert loaded_map.blocker.blocked == [], "the page asked the internet for something"
    assert view.handler is not None
    asked = set(view.handler.requests)
    assert {"/page.html", "/web/vendor/leaflet/leaflet.js", "/street-map.js", "/qwebchannel.js"} <= asked
    assert view.page is not None and view.page.errors == []


def test_the_street_map_is_credited_to_openstreetmap(loaded_map: LoadedMap) -> None:
    text = evaluate(loaded_map.view, "document.querySelector('.leaflet-control-attribution').textContent")
    assert "\u00a9 OpenStreetMap contributors (ODbL)" in text


def test_the_live_state_is_drawn(loaded_map: LoadedMap) -> None:
    counts = evaluate(loaded_map.view, "JSON.stringify(deskMap.counts())")
    assert counts["resources"] == len(loaded_map.state.resources())
    assert counts["incidents"] == len(loaded_map.state.incidents())


def test_a_state_change_applied_live_reaches_the_page(loaded_map: LoadedMap, qtbot: QtBot) -> None:
    view, state = loaded_map.view, loaded_map.state
    row = next(r for r in state.resources() if r.status == ResourceStatus.AVAILABLE.value)
    changed = moved(row, status=ResourceStatus.EN_ROUTE, lat=row.lat + 0.001, lon=row.lon - 0.001)
    applied = apply_rows(state, resources=(changed,))
    assert applied.resources == (changed,)
    view.on_live_applied(applied, state)

    def page_state() -> dict[str, object] | None:
        return evaluate(view, f"JSON.stringify(deskMap.resourceState({row.id}))")

    qtbot.waitUntil(lambda: page_state()["status"] == "en_route", timeout=5000)
    shown = page_state()
    assert shown["shape"] == "diamond"  # the state shows by shape as well as colour
    assert shown["lat"] == pytest.approx(changed.lat) and shown["lon"] == pytest.approx(changed.lon)


def test_clicking_an_incident_emits_its_id(loaded_map: LoadedMap, qtbot: QtBot) -> None:
    incident = loaded_map.state.incidents()[3]
    with qtbot.waitSignal(loaded_map.view.sig_incident_selected, timeout=5000) as clicked:
        assert evaluate(loaded_map.view, f"deskMap.fireIncidentClick({incident.id})") is True
    assert clicked.args == [incident.id]
    settle(loaded_map)  # the routes of its recommended resources are read in the background


def test_clicking_a_resource_emits_its_id_and_describes_it(loaded_map: LoadedMap, qtbot: QtBot) -> None:
    resource = loaded_map.state.resources()[5]
    with qtbot.waitSignal(loaded_map.view.sig_resource_selected, timeout=5000) as clicked:
        evaluate(loaded_map.view, f"deskMap.fireResourceClick({resource.id})")
    assert clicked.args == [resource.id]
    assert resource.call_sign in loaded_map.view.toolbar.selection.text()
    assert loaded_map.view.toolbar.follow.isEnabled()


def test_selecting_an_incident_elsewhere_highlights_it_and_brings_it_into_view(
    loaded_map: LoadedMap, qtbot: QtBot
) -> None:
    view = loaded_map.view
    incident = loaded_map.state.incidents()[7]
    evaluate(view, "deskMap.setView(60.1650, 24.9360, 14)")
    view.on_select_incident(incident.id)

    def centre_near() -> bool:
        centre = evaluate(view, "JSON.stringify(deskMap.view())")
        return abs(centre["lat"] - incident.lat) < 0.0005 and abs(centre["lon"] - incident.lon) < 0.0005

    qtbot.waitUntil(centre_near, timeout=5000)
    assert evaluate(view, "document.querySelectorAll('.desk-incident.selected').length") == 1
    settle(loaded_map)


def test_picking_a_location_emits_the_clicked_position(loaded_map: LoadedMap, qtbot: QtBot) -> None:
    view = loaded_map.view
    view.set_picking(True)
    assert evaluate(view, "document.querySelector('.desk-map').classList.contains('picking')") is True
    with qtbot.waitSignal(view.sig_location_picked, timeout=5000) as picked:
        evaluate(view, "(function () { var m = deskMap.map(); m.fire('click', {latlng: L.latLng(60.1712, 24.9441)});"
                       " return true; })()")
    assert picked.args == [pytest.approx(60.1712), pytest.approx(24.9441)]
    assert not view.toolbar.pick.isChecked()
    assert evaluate(view, "document.querySelector('.desk-map').classList.contains('picking')") is False


def test_filters_hide_resources_by_type_and_status_in_the_page(loaded_map: LoadedMap, qtbot: QtBot) -> None:
    view, state = loaded_map.view, loaded_map.state
    everyone = len(state.resources())
    gas = sum(1 for r in state.resources() if r.resource_type == "GAS_ENG")
    off_duty = sum(1 for r in state.resources() if r.status == "off_duty" and r.resource_type != "GAS_ENG")
    assert gas and off_duty

    def shown() -> int:
        return evaluate(view, "deskMap.counts().shownResources")

    view.toolbar.types.actions_by_code["GAS_ENG"].setChecked(False)
    view.toolbar.statuses.actions_by_code["off_duty"].setChecked(False)
    qtbot.waitUntil(lambda: shown() == everyone - gas - off_duty, timeout=5000)
    assert view.toolbar.types.text() != "&Types: all"
    view.toolbar.types.set_hidden(set())
    view.toolbar.statuses.set_hidden(set())
    qtbot.waitUntil(lambda: shown() == everyone, timeout=5000)


def test_a_followed_unit_stays_in_the_middle_as_it_moves(loaded_map: LoadedMap, qtbot: QtBot) -> None:
    view, state = loaded_map.view, loaded_map.state
    row = state.resources()[10]
    evaluate(view, f"deskMap.fireResourceClick({row.id})")
    qtbot.waitUntil(lambda: view.toolbar.follow.isEnabled(), timeout=5000)
    view.toolbar.follow.setChecked(True)
    current = next(r for r in state.resources() if r.id == row.id)
    target = moved(current, lat=current.lat + 0.003, lon=current.lon + 0.004)
    view.on_live_applied(apply_rows(state, resources=(target,)), state)

    def centred() -> bool:
        centre = evaluate(view, "JSON.stringify(deskMap.view())")
        return abs(centre["lat"] - target.lat) < 0.0003 and abs(centre["lon"] - target.lon) < 0.0003

    qtbot.waitUntil(centred, timeout=5000)
    view.toolbar.follow.setChecked(False)


def test_the_theme_reaches_the_page(loaded_map: LoadedMap, qtbot: QtBot) -> None:
    view = loaded_map.view

    def outline() -> str:
        return evaluate(view, "getComputedStyle(document.documentElement).getPropertyValue('--desk-marker-outline')")

    view.on_theme_changed(HIGH_CONTRAST)
    qtbot.waitUntil(lambda: outline().strip() == "#ffffff", timeout=5000)
    assert evaluate(view, "document.body.classList.contains('theme-high-contrast')") is True
    view.on_theme_changed(DARK)
    qtbot.waitUntil(lambda: outline().strip() == "#0b1117", timeout=5000)
