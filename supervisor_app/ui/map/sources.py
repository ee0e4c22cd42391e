"""Where the resource map's base layers come from, and the local tile file reader.

Three kinds of base layer, each optional:

- the demo street map drawn from OpenStreetMap data that ships with the desk
  (``web/basemap/helsinki.json.gz``, built by ``maps/build_basemap.py``), offered when the
  organisation's served area lies inside it;
- the organisation's own tile server, by URL template (``https://tiles.example/{z}/{x}/{y}.png``),
  with its attribution; the desk loads it directly, so it must be reachable from the desk;
- a local MBTiles file (SQLite, tiles in TMS order), served by the map's URL scheme handler.

The desk's settings choose them (``map_tile_url``, ``map_tile_attribution``, ``map_mbtiles`` in
``settings.toml``, or ``SUPERVISOR_MAP_TILE_URL``, ``SUPERVISOR_MAP_TILE_ATTRIBUTION`` and
``SUPERVISOR_MAP_MBTILES``); see :meth:`MapSources.from_settings`.
"""

from __future__ import annotations

import gzip
import json
import sqlite3
import threading
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from supervisor_app.domain.geo import BoundingBox
from supervisor_app.settings import Settings

STREET_MAP_FILE = "helsinki.json.gz"
TILE_FORMATS = {"png": b"image/png", "jpg": b"image/jpeg", "jpeg": b"image/jpeg", "webp": b"image/webp"}


@dataclass(frozen=True)
class MapSources:
    tile_url: str = ""
    tile_attribution: str = ""
    mbtiles: Path | None = None

    @classmethod
    def from_settings(cls, settings: Settings) -> MapSources:
        """The base layers the desk's settings name; a relative MBTiles path is in the settings folder."""
        mbtiles = Path(settings.map_mbtiles.strip()).expanduser() if settings.map_mbtiles.strip() else None
        if mbtiles is not None and not mbtiles.is_absolute():
            mbtiles = settings.config_dir / mbtiles
        return cls(
            tile_url=settings.map_tile_url.strip(),
            tile_attribution=settings.map_tile_attribution.strip(),
            mbtiles=mbtiles,
        )


def web_dir() -> Path:
    """The folder of the page's bundled files (a real folder: the package is installed unzipped)."""
    return Path(str(resources.files("supervisor_app.ui.map").joinpath("web")))


@cache
def street_map_document() -> dict[str, Any]:
    """The bundled demo street map, decoded once per process."""
    with gzip.open(web_dir() / "basemap" / STREET_MAP_FILE, "rt", encoding="utf-8") as packed:
        document: dict[str, Any] = json.load(packed)
    return document


def street_map_covers(area: BoundingBox) -> bool:
    bounds = street_map_document()["bounds"]
    return (
        bounds["south"] - 0.001 <= area.south
        and area.north <= bounds["north"] + 0.001
        and bounds["west"] - 0.001 <= area.west
        and area.east <= bounds["east"] + 0.001
    )


class MBTiles:
    """Read-only tiles from an MBTiles file; ``tile(z, x, y)`` takes XYZ numbers (the map's) and
    flips y to the file's TMS rows."""

    def __init__(self, path: Path) -> None:
        if not path.is_file():
            raise FileNotFoundError(f"The map tile file {path} does not exist.")
        self.path = path
        self._lock = threading.Lock()
        self._connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, check_same_thread=False)
        rows = self._connection.execute("SELECT name, value FROM metadata").fetchall()
        self.metadata: dict[str, str] = {str(name): str(value) for name, value in rows}
        self.format = self.metadata.get("format", "png").lower()
        if self.format not in TILE_FORMATS:
            raise ValueError(f"The map tile file {path} holds {self.format!r} tiles; the map shows png, jpg or webp.")

    @property
    def mime_type(self) -> bytes:
        return TILE_FORMATS[self.format]

    @property
    def zoom_range(self) -> tuple[int, int]:
        found = self._connection.execute("SELECT MIN(zoom_level), MAX(zoom_level) FROM tiles").fetchone()
        low = int(self.metadata.get("minzoom", found[0] if found[0] is not None else 0))
        high = int(self.metadata.get("maxzoom", found[1] if found[1] is not None else 18))
        return low, high

    def tile(self, z: int, x: int, y: int) -> bytes | None:
        if z < 0 or not (0 <= x < 1 << z and 0 <= y < 1 << z):
            return None
        with self._lock:
            row = self._connection.execute(
                "SELECT tile_data FROM tiles WHERE zoom_level = ? AND tile_column = ? AND tile_row = ?",
                (z, x, (1 << z) - 1 - y),
            ).fetchone()
        return bytes(row[0]) if row is not None else None

    def close(self) -> None:
        with self._lock:
            self._connection.close()
