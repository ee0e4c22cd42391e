"""A local MBTiles file as the map's base layer, served through the desk's own URL scheme."""

from __future__ import annotations

import math
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QBuffer, QIODevice
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from supervisor_app.services.context import DeskContext
from supervisor_app.ui.map.probe import evaluate
from supervisor_app.ui.map.sources import MapSources
from tests.ui.map.support import LoadedMap, close_map, demo_live_state, open_map
from tests.ui.map.test_map_parts import make_mbtiles


def tile_numbers(lat: float, lon: float, zoom: int) -> tuple[int, int]:
    n = 1 << zoom
    x = int((lon + 180.0) / 360.0 * n)
    y = int((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x, y


def png_tile(colour: str) -> bytes:
    image = QImage(256, 256, QImage.Format.Format_RGB32)
    image.fill(QColor(colour))
    buffer = QBuffer()
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    image.save(buffer, "PNG")
    return bytes(buffer.data().data())


@pytest.fixture(scope="module")
def tiled_map(
    qapp: QApplication, map_context: DeskContext, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[LoadedMap]:
    area = map_context.pack.area
    tile = png_tile("#d8c8a8")
    tiles = {}
    for zoom in range(13, 18):
        west, north = tile_numbers(area.north, area.west, zoom)
        east, south = tile_numbers(area.south, area.east, zoom)
        for x in range(west - 1, east + 2):
            for y in range(north - 1, south + 2):
                tiles[(zoom, x, y)] = tile
    file = make_mbtiles(tmp_path_factory.mktemp("tiles") / "city.mbtiles", tiles, attribution="City survey tiles")
    loaded = open_map(map_context, demo_live_state(map_context.pack), MapSources(mbtiles=Path(file)))
    yield loaded
    close_map(loaded)


def test_local_tiles_load_through_the_scheme(tiled_map: LoadedMap, qtbot: QtBot) -> None:
    view = tiled_map.view
    qtbot.waitUntil(lambda: evaluate(view, "document.querySelectorAll('img.leaflet-tile-loaded').length") > 0,
                    timeout=10_000)
    assert view.handler is not None
    assert any(path.startswith("/tiles/") for path in view.handler.requests)
    assert tiled_map.blocker.blocked == []
    assert "City survey tiles" in evaluate(view, "document.querySelector('.leaflet-control-attribution').textContent")
