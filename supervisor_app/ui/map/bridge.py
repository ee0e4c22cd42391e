"""The page's way back to the desk: a QObject published on the page's QWebChannel as ``desk``.

Its slots are what ``desk_map.js`` calls; each only re-emits a Qt signal, so the view decides
what the click means. Values from the page are checked before they go on.
"""

from __future__ import annotations

import json
import logging
import math

from PySide6.QtCore import QObject, Signal, Slot

log = logging.getLogger(__name__)


class MapBridge(QObject):
    sig_ready = Signal(dict)
    sig_incident_clicked = Signal(int)
    sig_resource_clicked = Signal(int)
    sig_location_picked = Signal(float, float)
    sig_follow_stopped = Signal()
    sig_pick_cancelled = Signal()

    @Slot(str)
    def pageReady(self, details: str) -> None:  # noqa: N802 - the name the page calls
        try:
            parsed = json.loads(details)
        except ValueError:
            parsed = {}
        self.sig_ready.emit(parsed if isinstance(parsed, dict) else {})

    @Slot(int)
    def incidentClicked(self, incident_id: int) -> None:  # noqa: N802
        self.sig_incident_clicked.emit(int(incident_id))

    @Slot(int)
    def resourceClicked(self, resource_id: int) -> None:  # noqa: N802
        self.sig_resource_clicked.emit(int(resource_id))

    @Slot(float, float)
    def locationPicked(self, lat: float, lon: float) -> None:  # noqa: N802
        if math.isfinite(lat) and math.isfinite(lon) and -90 <= lat <= 90 and -180 <= lon <= 180:
            self.sig_location_picked.emit(float(lat), float(lon))
        else:
            log.warning("The map page picked an impossible position (%r, %r)", lat, lon)

    @Slot()
    def followStopped(self) -> None:  # noqa: N802
        self.sig_follow_stopped.emit()

    @Slot()
    def pickCancelled(self) -> None:  # noqa: N802
        self.sig_pick_cancelled.emit()
