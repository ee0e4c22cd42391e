"""Reading the map page synchronously, for tests, the benchmark and screenshots (never the desk:
it waits by running Qt's event loop)."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication

from supervisor_app.ui.map.view import MapView


def wait_until(predicate: Callable[[], object], timeout_s: float = 10.0, what: str = "the map") -> None:
    """Run Qt's event loop until ``predicate()`` is true; TimeoutError after ``timeout_s``."""
    app = QApplication.instance()
    if app is None:
        raise RuntimeError("no QApplication")
    deadline = time.monotonic() + timeout_s
    while not predicate():
        if time.monotonic() > deadline:
            raise TimeoutError(f"waited {timeout_s} s for {what}")
        app.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 20)
        time.sleep(0.002)


def evaluate(view: MapView, script: str, timeout_s: float = 5.0) -> Any:
    """The value of ``script`` in the page (JSON-decoded when the script returns JSON text)."""
    box: list[Any] = []
    view.run_js(script, box.append)
    wait_until(lambda: box, timeout_s, f"the page to answer {script!r}")
    value = box[0]
    if isinstance(value, str) and value and value[0] in "{[":
        return json.loads(value)
    return value
