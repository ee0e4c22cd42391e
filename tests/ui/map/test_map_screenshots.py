"""The map's screenshot script draws the demo at city and street zoom in both themes."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

from tests.ui.map.screenshots import SIZE, take


@pytest.mark.slow
def test_the_map_screenshots_show_both_zooms_in_both_themes(qtbot: QtBot, tmp_path: Path) -> None:
    saved = take(tmp_path)
    assert [p.name for p in saved] == [
        "map-city-dark.png", "map-street-dark.png", "map-city-high-contrast.png", "map-street-high-contrast.png"]
    images = {p.name: QImage(str(p)) for p in saved}
    assert all((image.width(), image.height()) == SIZE for image in images.values())
    assert images["map-city-dark.png"] != images["map-city-high-contrast.png"]
    assert images["map-city-dark.png"] != images["map-street-dark.png"]
    # The page itself was drawn (not only the toolbar): the map area is not one flat colour.
    middle = images["map-street-dark.png"].copy(400, 300, 800, 400)
    colours = {middle.pixel(x, y) for x in range(0, 800, 16) for y in range(0, 400, 16)}
    assert len(colours) > 20
