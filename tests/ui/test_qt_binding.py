"""The Qt binding must not leak references to None: PySide6 6.12.0 does on Python 3.11, and the
interpreter then aborts after a few thousand calls. This fails before a desk would."""

from __future__ import annotations

import sys

from PySide6.QtWidgets import QApplication, QLabel


def test_void_qt_calls_keep_nones_reference_count(qapp: QApplication) -> None:
    label = QLabel()
    before = sys.getrefcount(None)
    for _ in range(20_000):
        label.setText("x")
    drift = before - sys.getrefcount(None)
    label.deleteLater()
    assert drift < 1000, f"None lost {drift} references over 20,000 void Qt calls: a broken PySide6 build"
