"""The desk's icons: small hand-written SVG files, tinted at run time to the theme's colours.

Where the files are
    The SVG files live in ``resources/icons/`` at the top of the source tree, next to the
    ``supervisor_app`` package. :func:`icon_dir` looks there first (a source checkout or an
    editable install), then in ``resources/icons`` beside a frozen executable (PyInstaller's
    ``sys._MEIPASS``; the packaging step adds the folder as data), and finally in the folder
    named by ``SUPERVISOR_ICON_DIR``. If none holds the icons the desk still runs: every icon is
    shown next to its text, never instead of it, and the missing folder is logged once.

Tinting
    Each file draws with ``currentColor``; :func:`tinted_icon` substitutes a colour before
    rendering, so one file serves every theme, priority and status.
"""

from __future__ import annotations

import functools
import logging
import os
import sys
from pathlib import Path

from PySide6.QtCore import QByteArray, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtSvg import QSvgRenderer

import supervisor_app

log = logging.getLogger(__name__)

ICON_SIZES = (16, 20, 24, 32, 48)


def candidate_icon_dirs() -> list[Path]:
    """Where the icons may be, in the order they are tried."""
    candidates = [Path(supervisor_app.__file__).resolve().parent.parent / "resources" / "icons"]
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        candidates.append(Path(frozen_root) / "resources" / "icons")
    override = os.environ.get("SUPERVISOR_ICON_DIR")
    if override:
        candidates.append(Path(override).expanduser())
    return candidates


@functools.cache
def icon_dir() -> Path | None:
    """The first folder that holds the icons, or None (logged once) if there is none."""
    candidates = candidate_icon_dirs()
    for folder in candidates:
        if (folder / "connection-ok.svg").is_file():
            return folder
    log.error(
        "No icon folder found (looked in %s); the desk shows text without icons.", ", ".join(str(c) for c in candidates)
    )
    return None


def icon_path(name: str) -> Path | None:
    """The file of icon ``name`` (without ``.svg``), or None if it is not there."""
    folder = icon_dir()
    if folder is None:
        return None
    path = folder / f"{name}.svg"
    return path if path.is_file() else None


@functools.cache
def _svg_source(name: str) -> str | None:
    path = icon_path(name)
    if path is None:
        log.warning("Icon %r is missing; showing text only.", name)
        return None
    return path.read_text(encoding="utf-8")


def tinted_pixmap(name: str, colour: str | QColor, size: int) -> QPixmap:
    """Icon ``name`` drawn at ``size`` device-independent pixels in ``colour``."""
    pixmap = QPixmap(QSize(size, size))
    pixmap.fill(Qt.GlobalColor.transparent)
    source = _svg_source(name)
    if source is None:
        return pixmap
    colour_name = QColor(colour).name() if isinstance(colour, str) else colour.name()
    renderer = QSvgRenderer(QByteArray(source.replace("currentColor", colour_name).encode("utf-8")))
    painter = QPainter(pixmap)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, size, size))
    finally:
        painter.end()
    return pixmap


@functools.lru_cache(maxsize=512)
def _cached_icon(name: str, colour_name: str) -> QIcon:
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addPixmap(tinted_pixmap(name, colour_name, size))
    return icon


def tinted_icon(name: str, colour: str | QColor) -> QIcon:
    """A QIcon of ``name`` in ``colour`` at the usual sizes (cached per name and colour)."""
    colour_name = QColor(colour).name() if isinstance(colour, str) else colour.name()
    return _cached_icon(name, colour_name)
