"""The resource map: where every resource is and what it is doing, and the open incidents.

The page (Leaflet, built once with folium) loads only after the window is on screen: the first
time the view is shown, or when the main window calls :meth:`MapView.start` a moment after it
appears. Building it runs on a reader thread; Chromium starts meanwhile. Every request of the
page is answered by the desk itself through the ``deskmap:`` scheme, so it works with no network.

Live changes go to the page as one JSON batch per update with only the changed rows
(``batches.py``), applied in place by ``deskMap.apply``: nothing is re-rendered. Clicks on the
map come back through a QWebChannel (``bridge.py``) as this view's signals.

From the keyboard: Alt+T and Alt+S open the type and status filters, Alt+F follows the selected
unit, Alt+P picks a location for a new incident (Esc in the map cancels), Alt+A shows the whole area.
"""

from __future__ import annotations

import json
import logging
import sqlite3
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QUrl, Signal
from PySide6.QtGui import QColor
from PySide6.QtWebChannel import QWebChannel
from PySide6.QtWebEngineCore import QWebEnginePage, QWebEngineProfile, QWebEngineSettings
from PySide6.QtWebEngineWidgets import QWebEngineView
from PySide6.QtWidgets import QLabel, QStackedWidget, QVBoxLayout, QWidget

from supervisor_app.domain.people import Action
from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.services.context import DeskContext
from supervisor_app.sync.live_state import Applied, LiveState
from supervisor_app.ui.map.batches import PageBatches
from supervisor_app.ui.map.bridge import MapBridge
from supervisor_app.ui.map.map_theme import page_theme, status_label
from supervisor_app.ui.map.page import build_page_html, page_spec
from supervisor_app.ui.map.routes import IncidentRoutes, recommended_routes
from supervisor_app.ui.map.scheme import MapSchemeHandler
from supervisor_app.ui.map.sources import MapSources, MBTiles
from supervisor_app.ui.map.toolbar import MapToolbar
from supervisor_app.ui.map.web_engine import MAP_SCHEME, register_map_scheme
from supervisor_app.ui.panel import view_header
from supervisor_app.ui.runner import Runner
from supervisor_app.ui.theme import Theme
from supervisor_app.ui.view_base import DeskView

log = logging.getLogger(__name__)

STATUS_VALUES = frozenset(status.value for status in ResourceStatus)
PAGE_URL = f"{MAP_SCHEME.decode()}://desk/page.html"


class MapPage(QWebEnginePage):
    """The map's page; what its scripts report as errors goes to the desk's log (and ``errors``)."""

    def __init__(self, profile: QWebEngineProfile, parent: QWidget) -> None:
        super().__init__(profile, parent)
        self.errors: list[str] = []

    def javaScriptConsoleMessage(  # noqa: N802 - Qt's name
        self, level: QWebEnginePage.JavaScriptConsoleMessageLevel, message: str, line: int, source: str
    ) -> None:
        if level == QWebEnginePage.JavaScriptConsoleMessageLevel.ErrorMessageLevel:
            self.errors.append(f"{source}:{line}: {message}")
            log.warning("Map page: %s (%s:%s)", message, source, line)


class MapView(DeskView):
    NAME = "map"
    TITLE = "Resource map"
    REQUIRES = Action.VIEW_INCIDENTS

    #: The person clicked an incident on the map (carries its id).
    sig_incident_selected = Signal(int)
    #: The person clicked a resource on the map (carries its id).
    sig_resource_selected = Signal(int)
    #: In pick mode, the person clicked this position (latitude, longitude).
    sig_location_picked = Signal(float, float)
    #: The page is loaded and shows the live state (for tests and start-up timing).
    sig_ready = Signal()

    def __init__(
        self,
        context: DeskContext,
        runner: Runner,
        parent: QWidget | None = None,
        *,
        sources: MapSources | None = None,
    ) -> None:
        super().__init__(context, runner, parent)
        self.sources = sources if sources is not None else MapSources.from_settings(context.settings)
        self.ready = False
        self.web: QWebEngineView | None = None
        self.page: MapPage | None = None
        self.profile: QWebEngineProfile | None = None
        self.handler: MapSchemeHandler | None = None
        self.tiles: MBTiles | None = None
        self.bridge = MapBridge(self)
        self._state: LiveState | None = None
        self._started = False
        self._closed = False
        self._selected_incident: int | None = None
        self._selected_resource: int | None = None
        self._batches = PageBatches({t.code: t.name for t in context.pack.incident_types})
        self._resource_type_names = {t.code: t.name for t in context.pack.resource_types}

        self.toolbar = MapToolbar(list(self._resource_type_names.items()), self)
        self.placeholder = QLabel("The map opens in a moment\u2026", self)
        self.placeholder.setObjectName("ViewHint")
        self.placeholder.setWordWrap(True)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.placeholder)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 10, 12, 8)
        layout.setSpacing(8)
        layout.addLayout(view_header(
            self, self.TITLE, "Resources by state (colour and shape) and open incidents, live."))
        layout.addWidget(self.toolbar)
        layout.addWidget(self.stack, 1)

        self.toolbar.sig_filter_changed.connect(self._send_filter)
        self.toolbar.sig_follow_toggled.connect(self._follow_toggled)
        self.toolbar.sig_pick_toggled.connect(self.set_picking)
        self.toolbar.sig_fit_area.connect(self.fit_area)
        self.bridge.sig_ready.connect(self._page_ready)
        self.bridge.sig_incident_clicked.connect(self._incident_clicked)
        self.bridge.sig_resource_clicked.connect(self._resource_clicked)
        self.bridge.sig_location_picked.connect(self._location_picked)
        self.bridge.sig_follow_stopped.connect(lambda: self.toolbar.follow.setChecked(False))
        self.bridge.sig_pick_cancelled.connect(lambda: self.toolbar.pick.setChecked(False))

    # Starting: after the window is on screen, never before

    def start(self) -> None:
        """Create the web view and build the page (once; later calls do nothing)."""
        if self._started or self._closed:
            return
        self._started = True
        register_map_scheme()  # a no-op when the desk registered it before the application
        problems: list[str] = []
        if self.sources.mbtiles is not None:
            try:
                self.tiles = MBTiles(self.sources.mbtiles)
            except (OSError, ValueError, sqlite3.Error) as error:  # the map works on without them, and says so
                problems.append(f"Local tiles not shown: {error}")
                log.warning("Local map tiles not opened: %s", error)
        # The page is built on a reader thread while Chromium starts here.
        spec = page_spec(self.context.pack, self.theme, self.sources, self.tiles, tuple(problems))
        if problems:
            self.toolbar.selection.setText(" ".join(problems))
        self.runner.run_read(lambda: build_page_html(spec), self._page_built, self._page_failed,
                             owner=self, needs_session=False)
        self.web = QWebEngineView(self)  # first child: deleted (with its page) before the profile
        self.web.setObjectName("map-web")
        self.profile = QWebEngineProfile(self)  # off the record: nothing written to disk
        self.handler = MapSchemeHandler(self.profile)
        self.handler.tiles = self.tiles
        self.profile.installUrlSchemeHandler(MAP_SCHEME, self.handler)
        self.page = MapPage(self.profile, self.web)
        self.page.setBackgroundColor(QColor(self.theme.window))
        settings = self.page.settings()
        settings.setAttribute(QWebEngineSettings.WebAttribute.LocalContentCanAccessRemoteUrls, False)
        settings.setAttribute(QWebEngineSettings.WebAttribute.JavascriptCanOpenWindows, False)
        channel = QWebChannel(self.page)
        channel.registerObject("desk", self.bridge)
        self.page.setWebChannel(channel)
        self.page.loadFinished.connect(self._load_finished)
        self.web.setPage(self.page)
        self.stack.addWidget(self.web)

    def _page_built(self, html: str) -> None:
        if self.handler is None or self.page is None:
            return
        self.handler.set_page(html)
        self.page.load(QUrl(PAGE_URL))

    def _page_failed(self, error: BaseException) -> None:
        self.placeholder.setText(f"The map could not be built: {error}")
        self.sig_error.emit(error)

    def _load_finished(self, ok: bool) -> None:
        if not ok and not self.ready:
            self.placeholder.setText("The map page did not load; see the desk's log for why.")

    def _page_ready(self, _details: dict[str, Any]) -> None:
        if self.ready or self.page is None:
            return
        self.ready = True
        self.stack.setCurrentWidget(self.web)
        self.run_js(f"deskMap.setTheme({json.dumps(page_theme(self.theme))})")
        if self._state is not None:
            self._send(self._batches.started(self._state))
        if self.toolbar.types.hidden() or self.toolbar.statuses.hidden():
            self._send_filter()
        if self._selected_incident is not None:
            self.on_select_incident(self._selected_incident)
        self.sig_ready.emit()

    # Talking to the page

    def run_js(self, script: str, callback: Callable[[Any], None] | None = None) -> None:
        if self.page is None:
            return
        if callback is None:
            self.page.runJavaScript(script, 0)
        else:
            self.page.runJavaScript(script, 0, callback)

    def _send(self, batch: str | None) -> None:
        if batch is not None and self.ready:
            self.run_js(f"deskMap.apply({batch})")

    def _send_filter(self) -> None:
        if self.ready:
            self.run_js(f"deskMap.setFilter({json.dumps(self.toolbar.hidden())})")

    # DeskView handlers

    def on_shown(self) -> None:
        self.start()

    def on_live_started(self, state: LiveState) -> None:
        self._state = state
        if self.ready:
            self._send(self._batches.started(state))

    def on_live_applied(self, applied: Applied, state: LiveState) -> None:
        self._state = state
        if self.ready:
            self._send(self._batches.applied(applied))

    def on_theme_changed(self, theme: Theme) -> None:
        super().on_theme_changed(theme)
        if self.page is not None:
            self.page.setBackgroundColor(QColor(theme.window))
        if self.ready:
            self.run_js(f"deskMap.setTheme({json.dumps(page_theme(theme))})")

    def on_refresh(self) -> None:
        if self.ready and self._state is not None:
            self._send(self._batches.started(self._state))

    def on_close(self) -> None:
        """Release the web view, then its profile (a profile must outlive its pages), then the tiles."""
        self._closed = True
        self.ready = False
        web, profile = self.web, self.profile
        self.web = self.page = self.profile = None
        if web is not None:
            self.stack.removeWidget(web)
            web.deleteLater()  # takes its page with it
        if profile is not None:
            profile.deleteLater()  # deferred deletions run in order: after the page
        if self.tiles is not None:
            if self.handler is not None:
                self.handler.tiles = None
            self.tiles.close()
            self.tiles = None

    # Working from the map

    def on_select_incident(self, incident_id: int) -> None:
        """Another view selected this incident: highlight it, bring it into view, draw its routes."""
        self._selected_incident = incident_id
        self._describe_incident(incident_id)
        if self.ready:
            self.run_js(f"deskMap.selectIncident({int(incident_id)}, true)")
            self._load_routes(incident_id)

    def on_select_resource(self, resource_id: int) -> None:
        self._selected_resource = resource_id
        self._describe_resource(resource_id)
        if self.ready:
            self.run_js(f"deskMap.selectResource({int(resource_id)}, true)")

    def follow(self, resource_id: int | None) -> None:
        """Keep ``resource_id`` centred as it moves (None stops following)."""
        if resource_id is not None:
            self._selected_resource = resource_id
        self.toolbar.follow.setEnabled(self._selected_resource is not None)
        self.toolbar.follow.setChecked(resource_id is not None)

    def set_picking(self, on: bool) -> None:
        """In pick mode the next click on the map emits ``sig_location_picked``."""
        if self.toolbar.pick.isChecked() != on:
            self.toolbar.pick.setChecked(on)  # comes back here through the toggle
            return
        if self.ready:
            self.run_js(f"deskMap.pickLocation({'true' if on else 'false'})")
        if on:
            self.toolbar.selection.setText("Click the map where the incident is (Esc in the map cancels).")

    def fit_area(self) -> None:
        self.run_js("deskMap.fitArea()")

    def _follow_toggled(self, on: bool) -> None:
        target = self._selected_resource if on else None
        if self.ready:
            self.run_js(f"deskMap.follow({json.dumps(target)})")

    def _incident_clicked(self, incident_id: int) -> None:
        self._selected_incident = incident_id
        self._describe_incident(incident_id)
        self.sig_incident_selected.emit(incident_id)
        self._load_routes(incident_id)

    def _resource_clicked(self, resource_id: int) -> None:
        self._selected_resource = resource_id
        self._describe_resource(resource_id)
        self.sig_resource_selected.emit(resource_id)

    def _location_picked(self, lat: float, lon: float) -> None:
        self.toolbar.pick.setChecked(False)
        self.toolbar.selection.setText(f"Picked {lat:.6f}, {lon:.6f}")
        self.sig_location_picked.emit(lat, lon)

    def _describe_incident(self, incident_id: int) -> None:
        row = next((r for r in self._state.incidents() if r.id == incident_id), None) if self._state else None
        if row is None:
            return
        kind = self._batches.type_names.get(row.incident_type, row.incident_type)
        self.toolbar.selection.setText(
            f"{row.reference} \u00b7 {row.priority} \u00b7 {kind} \u00b7 {row.address}"
            " \u2014 selected in the monitor (Ctrl+5)")

    def _describe_resource(self, resource_id: int) -> None:
        self.toolbar.follow.setEnabled(True)
        row = next((r for r in self._state.resources() if r.id == resource_id), None) if self._state else None
        if row is None:
            return
        kind = self._resource_type_names.get(row.resource_type, row.resource_type)
        state = status_label(ResourceStatus(row.status)) if row.status in STATUS_VALUES else row.status
        self.toolbar.selection.setText(f"{row.call_sign} \u00b7 {kind} \u00b7 {state} \u00b7 {row.station_code}")

    def _load_routes(self, incident_id: int) -> None:
        actor, pack = self.context.actor, self.context.pack

        def shown(found: IncidentRoutes) -> None:
            if self.ready and found.incident_id == self._selected_incident:
                self.run_js(f"deskMap.showRoutes({json.dumps([r.as_page_data() for r in found.routes])})")

        def failed(error: BaseException) -> None:
            log.info("No routes for incident %s: %s", incident_id, error)
            if self.ready:
                self.run_js("deskMap.clearRoutes()")

        self.runner.run_read(lambda session: recommended_routes(session, actor, incident_id, pack), shown, failed,
                             owner=self)
