"""The screenshot script renders the desk, its queue, its monitor, its sign-in, lock screen and accounts view
in both themes."""

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
    assert [p.name for p in saved] == [
        "desk-dark.png",
        "desk-high-contrast.png",
        "intake-dark.png",
        "intake-high-contrast.png",
        "queue-dark.png",
        "queue-high-contrast.png",
        "queue-organisations-dark.png",
        "queue-organisations-high-contrast.png",
        "monitor-dark.png",
        "monitor-high-contrast.png",
        "sign-in-dark.png",
        "locked-dark.png",
        "sign-in-high-contrast.png",
        "locked-high-contrast.png",
        "accounts-dark.png",
        "accounts-high-contrast.png",
    ]
    images = {p.name: QImage(str(p)) for p in saved}
    full_window = [name for name in images if not name.startswith("sign-in")]
    assert all((images[name].width(), images[name].height()) == (1600, 900) for name in full_window)
    assert images["desk-dark.png"] != images["desk-high-contrast.png"]
    assert images["locked-dark.png"] != images["locked-high-contrast.png"]
    assert images["desk-dark.png"] != images["accounts-dark.png"]
    assert images["intake-dark.png"] != images["intake-high-contrast.png"]
    assert images["monitor-dark.png"] != images["monitor-high-contrast.png"]
    assert images["monitor-dark.png"] != images["queue-dark.png"]
