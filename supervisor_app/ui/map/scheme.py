"""Answers the map page's ``deskmap://`` requests from the desk itself: no request leaves the machine.

``deskmap://<site>/page.html``        the page the desk built (held in memory)
``deskmap://<site>/web/<file>``       a bundled script, style sheet or image (``web/``)
``deskmap://<site>/qwebchannel.js``   Qt's WebChannel client, from Qt's own resources
``deskmap://<site>/street-map.js``    the demo street map's data, as a script
``deskmap://<site>/tiles/Z/X/Y.png``  a tile from the local MBTiles file

Anything else, or a path that leaves ``web/``, is refused as not found.
"""

from __future__ import annotations

import json
import logging
import re
from functools import cache

from PySide6.QtCore import QBuffer, QByteArray, QFile, QIODevice, QObject
from PySide6.QtWebEngineCore import QWebEngineUrlRequestJob, QWebEngineUrlSchemeHandler

from supervisor_app.ui.map.sources import MBTiles, street_map_document, web_dir

log = logging.getLogger(__name__)

MIME_TYPES = {
    ".js": b"text/javascript",
    ".css": b"text/css",
    ".png": b"image/png",
    ".svg": b"image/svg+xml",
    ".html": b"text/html",
}
_TILE = re.compile(r"^/tiles/(\d{1,2})/(\d{1,7})/(\d{1,7})\.[a-z]+$")


@cache
def _web_channel_script() -> bytes:
    file = QFile(":/qtwebchannel/qwebchannel.js")
    if not file.open(QIODevice.OpenModeFlag.ReadOnly):
        raise FileNotFoundError("Qt's qwebchannel.js is missing from this Qt build")
    try:
        return bytes(file.readAll().data())
    finally:
        file.close()


@cache
def _street_map_script() -> bytes:
    text = json.dumps(street_map_document(), separators=(",", ":"), ensure_ascii=False)
    return f"window.DESK_STREET_MAP = {text};\n".encode()


def _bundled_file(path: str) -> tuple[bytes, bytes] | None:
    root = web_dir().resolve()
    target = (root / path).resolve()
    mime = MIME_TYPES.get(target.suffix)
    if mime is None or not target.is_relative_to(root) or not target.is_file():
        return None
    return target.read_bytes(), mime


class MapSchemeHandler(QWebEngineUrlSchemeHandler):
    """Serves one map view's page and files (see module doc)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.page_html = b""
        self.tiles: MBTiles | None = None
        self.requests: list[str] = []  # every path asked for, for tests and diagnosis

    def set_page(self, html: str) -> None:
        self.page_html = html.encode("utf-8")

    def answer(self, path: str) -> tuple[bytes, bytes] | None:
        """The body and MIME type for ``path``, or None when there is nothing there."""
        if path == "/page.html":
            return (self.page_html, b"text/html") if self.page_html else None
        if path == "/qwebchannel.js":
            return _web_channel_script(), b"text/javascript"
        if path == "/street-map.js":
            return _street_map_script(), b"text/javascript"
        if path.startswith("/web/"):
            return _bundled_file(path.removeprefix("/web/"))
        tile = _TILE.match(path)
        if tile and self.tiles is not None:
            z, x, y = (int(part) for part in tile.groups())
            data = self.tiles.tile(z, x, y)
            return (data, self.tiles.mime_type) if data is not None else None
        return None

    def requestStarted(self, job: QWebEngineUrlRequestJob) -> None:  # noqa: N802 - Qt's name
        path = job.requestUrl().path()
        self.requests.append(path)
        try:
            found = self.answer(path)
        except Exception:  # a broken file must not take the desk down; the page shows a gap
            log.exception("The map could not serve %s", path)
            job.fail(QWebEngineUrlRequestJob.Error.RequestFailed)
            return
        if found is None:
            job.fail(QWebEngineUrlRequestJob.Error.UrlNotFound)
            return
        body, mime = found
        buffer = QBuffer(job)  # the job owns it: it lives exactly as long as the request
        buffer.setData(QByteArray(body))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        job.reply(mime, buffer)
