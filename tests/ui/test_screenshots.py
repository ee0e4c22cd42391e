"""The screenshot script renders the desk with the demo organisation at 1600x900 in both themes."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from PySide6.QtGui import QImage
from pytestqt.qtbot import QtBot

SCRIPT = Path(__file__).resolve().parents[2] / "docs" / "screenshots" / "take.py"


def test_screenshots_render_in_both_themes(qtbot: QtBot, tmp_path: Path) -> None:
    spec = importlib.util.spec_from_file_location("take_screenshots", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    saved = module.take(tmp_path)
    assert [p.name for p in saved] == ["desk-dark.png", "desk-high-contrast.png"]
    images = [QImage(str(p)) for p in saved]
    assert all((image.width(), image.height()) == (1600, 900) for image in images)
    assert images[0] != images[1]
