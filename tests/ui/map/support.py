"""Helpers for the map's tests, benchmark and screenshots: a live state made up from the demo pack,
a map view loaded with the network blocked, and reading values back from its page."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, datetime

from PySide6.QtCore import QCoreApplication, QEvent, QObject
from PySide6.QtWebEngineCore import QWebEngineUrlRequestInfo, QWebEngineUrlRequestInterceptor
from sqlalchemy.orm import Session

from supervisor_app.domain.people import Actor
from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.context import DeskContext
from supervisor_app.services.deployment_queue import load_deployment_queue
from supervisor_app.services.live_rows import IncidentRow, ResourceRow, Snapshot, StationRef
from supervisor_app.sync.live_state import Applied, LiveState
from supervisor_app.ui.map.probe import wait_until
from supervisor_app.ui.map.routes import recommended_routes
from supervisor_app.ui.map.sources import MapSources
from supervisor_app.ui.map.view import MapView
from supervisor_app.ui.runner import Runner

NOW = datetime(2025, 3, 14, 21, 0, tzinfo=UTC)
STATUS_CYCLE = (
    ResourceStatus.AVAILABLE, ResourceStatus.AVAILABLE, ResourceStatus.EN_ROUTE, ResourceStatus.ON_SCENE,
    ResourceStatus.ASSIGNED, ResourceStatus.RETURNING, ResourceStatus.OFF_DUTY, ResourceStatus.UNAVAILABLE,
)


class NetworkBlocker(QWebEngineUrlRequestInterceptor):
    """Blocks every http and https request the page makes, and remembers them."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.blocked: list[str] = []

    def interceptRequest(self, info: QWebEngineUrlRequestInfo) -> None:  # noqa: N802 - Qt's name
        url = info.requestUrl()
        if url.scheme() in ("http", "https", "ws", "wss", "ftp"):
            self.blocked.append(url.toString())
            info.block(True)


def demo_live_state(pack: OrganisationPack, *, incidents: int = 24) -> LiveState:
    """Every demo resource near its station in a spread of states, and incidents at gazetteer addresses."""
    resources = []
    for number, resource in enumerate(pack.all_resources(), start=1):
        status = STATUS_CYCLE[number % len(STATUS_CYCLE)]
        moved = status in (ResourceStatus.EN_ROUTE, ResourceStatus.ON_SCENE, ResourceStatus.RETURNING)
        lat = resource.lat + (0.002 * ((number * 7) % 5 - 2) if moved else 0.0)
        lon = resource.lon + (0.003 * ((number * 3) % 5 - 2) if moved else 0.0)
        resources.append(ResourceRow(number, resource.call_sign, resource.resource_type, resource.station,
                                     status.value, NOW, lat, lon, 1))
    places = pack.gazetteer()
    kinds = pack.incident_types
    priorities = [p.code for p in pack.priorities]
    rows = []
    for number in range(1, incidents + 1):
        place = places[(number * 97) % len(places)]
        kind = kinds[number % len(kinds)]
        rows.append(IncidentRow(number, f"INC-20250314-{number:04d}", kind.code, priorities[number % 3],
                                "awaiting_resource", f"{place.street} {place.housenumber}", place.lat, place.lon,
                                NOW, 1))
    snapshot = Snapshot(0, NOW, tuple(StationRef(s.code, s.name) for s in pack.stations), tuple(rows),
                        tuple(resources), ())
    return LiveState(snapshot, 30)


def moved(row: ResourceRow, *, status: ResourceStatus | None = None, lat: float | None = None,
          lon: float | None = None) -> ResourceRow:
    return replace(row, status=(status or ResourceStatus(row.status)).value,
                   lat=row.lat if lat is None else lat, lon=row.lon if lon is None else lon, version=row.version + 1)


def apply_rows(state: LiveState, resources: tuple[ResourceRow, ...] = (),
               incidents: tuple[IncidentRow, ...] = ()) -> Applied:
    from supervisor_app.services.live_rows import ReloadedRows

    return state.apply(ReloadedRows(incidents=incidents, resources=resources), state.seq + 1)


@dataclass
class LoadedMap:
    view: MapView
    runner: Runner
    blocker: NetworkBlocker
    state: LiveState


def routed_incident(session: Session, actor: Actor, pack: OrganisationPack) -> int | None:
    """The first incident waiting in the queue that free resources can be recommended for now.

    Which incidents those are depends on the time of day the demo was seeded at (shifts, units
    busy with the seeded jobs), so the first in the queue may have none free.
    """
    for row in load_deployment_queue(session, actor, pack).rows:
        if recommended_routes(session, actor, row.incident_id, pack).routes:
            return row.incident_id
    return None


def open_map(context: DeskContext, state: LiveState, sources: MapSources, *, size: tuple[int, int] = (1200, 800),
             timeout_s: float = 30.0) -> LoadedMap:
    """A shown map view whose page has loaded (``sig_ready``) with every http(s) request blocked."""
    runner = Runner.for_context(context)
    view = MapView(context, runner, sources=sources)
    view.resize(*size)
    view.show()
    view.start()
    blocker = NetworkBlocker(view)
    assert view.profile is not None
    view.profile.setUrlRequestInterceptor(blocker)  # before the page loads: it is still being built
    view.on_live_started(state)
    wait_until(lambda: view.ready, timeout_s, "the map page to load")
    return LoadedMap(view, runner, blocker, state)


def close_map(loaded: LoadedMap) -> None:
    loaded.view.on_close()
    loaded.runner.shutdown()
    loaded.view.close()
    loaded.view.deleteLater()
    QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)


def settle(loaded: LoadedMap, timeout_s: float = 10.0) -> None:
    """Wait until the view's background reads (routes of a selected incident) are done."""
    wait_until(lambda: not loaded.runner.busy_count, timeout_s, "the map's reads to finish")
