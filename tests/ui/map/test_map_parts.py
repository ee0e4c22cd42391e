"""The map's parts without a web page: batches, local tiles, the scheme's answers, the built page,
the bundled files, and the routes of recommended resources."""

from __future__ import annotations

import base64
import importlib.util
import json
import re
import sqlite3
import sys
from array import array
from dataclasses import replace
from pathlib import Path

import pytest

from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.pack import OrganisationPack
from supervisor_app.services.context import DeskContext
from supervisor_app.ui.map.batches import STATUS_CODES, PageBatches
from supervisor_app.ui.map.page import STREET_MAP_NAME, build_page_html, page_spec
from supervisor_app.ui.map.routes import recommended_routes
from supervisor_app.ui.map.scheme import MapSchemeHandler
from supervisor_app.ui.map.sources import MapSources, MBTiles, street_map_covers, web_dir
from supervisor_app.ui.theme import DARK
from tests.ui.map.support import apply_rows, demo_live_state, moved, routed_incident

REPOSITORY = Path(__file__).resolve().parents[3]
PNG = b"\x89PNG\r\n\x1a\n"


def make_mbtiles(path: Path, tiles: dict[tuple[int, int, int], bytes], **metadata: str) -> Path:
    """An MBTiles file holding ``tiles`` keyed by XYZ numbers (stored in TMS rows, as the format says)."""
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE metadata (name TEXT, value TEXT)")
    connection.execute("CREATE TABLE tiles (zoom_level INTEGER, tile_column INTEGER, tile_row INTEGER, tile_data BLOB)")
    connection.executemany("INSERT INTO metadata VALUES (?, ?)", {"format": "png", **metadata}.items())
    connection.executemany(
        "INSERT INTO tiles VALUES (?, ?, ?, ?)", [(z, x, (1 << z) - 1 - y, data) for (z, x, y), data in tiles.items()]
    )
    connection.commit()
    connection.close()
    return path


def unpacked(text: str, code: str) -> list[object]:
    return array(code, base64.b64decode(text)).tolist()


def test_a_batch_carries_only_the_changed_rows(pack: OrganisationPack) -> None:
    state = demo_live_state(pack)
    batches = PageBatches({})
    everything = json.loads(batches.started(state))
    assert everything["reset"] is True
    assert len(everything["resources"]) == len(state.resources())
    assert "moves" not in everything  # the page knows nobody yet: full rows
    row, other = state.resources()[2], state.resources()[3]
    newcomer = replace(other, id=999, call_sign="X99")
    parked = replace(other, lat=None, lon=None, version=other.version + 1)  # off the map
    applied = apply_rows(state, resources=(moved(row, lat=60.17, status=ResourceStatus.ON_SCENE), newcomer, parked))
    batch = json.loads(batches.applied(applied) or "")
    assert batch["resources"] == [
        [999, "X99", other.resource_type, other.status, other.lat, other.lon],
        [other.id, other.call_sign, other.resource_type, other.status, None, None],
    ]
    moves = batch["moves"]
    assert unpacked(moves["id"], "H") == [row.id]
    assert unpacked(moves["lat"], "f") == [pytest.approx(60.17, abs=1e-5)]
    assert unpacked(moves["lon"], "f") == [pytest.approx(row.lon, abs=1e-5)]
    assert [STATUS_CODES[i] for i in unpacked(moves["status"], "b")] == ["on_scene"]
    assert batches.applied(apply_rows(state, resources=(row,))) is None  # an older row changes nothing


def test_local_tiles_are_read_with_the_rows_flipped(tmp_path: Path) -> None:
    file = make_mbtiles(tmp_path / "t.mbtiles", {(3, 2, 1): PNG + b"a", (3, 2, 6): PNG + b"b"}, attribution="Ours")
    tiles = MBTiles(file)
    assert tiles.tile(3, 2, 1) == PNG + b"a"
    assert tiles.tile(3, 2, 6) == PNG + b"b"
    assert tiles.tile(3, 2, 2) is None
    assert tiles.tile(3, 9, 1) is None  # outside the grid
    assert tiles.zoom_range == (3, 3)
    assert tiles.metadata["attribution"] == "Ours"
    tiles.close()


def test_the_scheme_serves_bundled_files_and_tiles_and_nothing_else(tmp_path: Path) -> None:
    handler = MapSchemeHandler()
    handler.tiles = MBTiles(make_mbtiles(tmp_path / "t.mbtiles", {(1, 0, 0): PNG}))
    assert handler.answer("/page.html") is None  # not built yet
    handler.set_page("<html></html>")
    assert handler.answer("/page.html") == (b"<html></html>", b"text/html")
    body, mime = handler.answer("/web/vendor/leaflet/leaflet.js") or (b"", b"")
    assert mime == b"text/javascript" and b"Leaflet" in body[:400]
    assert handler.answer("/tiles/1/0/0.png") == (PNG, b"image/png")
    assert handler.answer("/tiles/1/1/1.png") is None
    assert handler.answer("/qwebchannel.js") is not None
    assert (handler.answer("/street-map.js") or (b"",))[0].startswith(b"window.DESK_STREET_MAP = {")
    for refused in ("/web/../view.py", "/web/../../theme/dark.qss", "/web/vendor/ASSETS.json", "/etc/passwd"):
        assert handler.answer(refused) is None, refused
    handler.tiles.close()


def test_the_page_names_no_address_on_the_internet(pack: OrganisationPack) -> None:
    html = build_page_html(page_spec(pack, DARK, MapSources(), None))
    sources = re.findall(r"""(?:src|href)\s*=\s*["']([^"']+)""", html)
    assert sources, "the page loads nothing?"
    assert all(not re.match(r"^[a-z]+:|^//", source) for source in sources), sources
    assert "cdn" not in html.lower() and "http://" not in html and "https://" not in html
    assert STREET_MAP_NAME in html and "deskMap.init(" in html and "preferCanvas" in html


def test_the_organisations_tile_server_is_offered_first(pack: OrganisationPack, tmp_path: Path) -> None:
    tiles = MBTiles(make_mbtiles(tmp_path / "t.mbtiles", {(14, 1, 1): PNG}, attribution="City survey"))
    sources = MapSources(tile_url="https://maps.example.org/{z}/{x}/{y}.png", tile_attribution="Example city")
    spec = page_spec(pack, DARK, sources, tiles)
    assert [layer.kind for layer in spec.base_layers] == ["tile_server", "mbtiles", "street_map"]
    assert spec.base_layers[1].url == "tiles/{z}/{x}/{y}.png"
    assert spec.base_layers[1].attribution == "City survey"
    html = build_page_html(spec)
    assert "maps.example.org" in html and "Example city" in html
    tiles.close()


def test_the_demo_street_map_covers_the_demo_area_only(pack: OrganisationPack) -> None:
    from supervisor_app.domain.geo import BoundingBox

    assert street_map_covers(pack.area)
    assert not street_map_covers(BoundingBox(south=51.4, west=-0.2, north=51.6, east=0.1))


def test_the_bundled_files_are_the_pinned_packages_files() -> None:
    script = REPOSITORY / "maps" / "fetch_web_assets.py"
    spec = importlib.util.spec_from_file_location("fetch_web_assets", script)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up while it loads
    try:
        spec.loader.exec_module(module)
    finally:
        del sys.modules[spec.name]
    assert module.check(web_dir() / "vendor") == []
    manifest = json.loads((web_dir() / "vendor" / "ASSETS.json").read_text(encoding="utf-8"))
    assert {(p["name"], p["version"]) for p in manifest["packages"]} == {
        ("leaflet", "1.9.4"), ("leaflet.markercluster", "1.5.3")}


@pytest.mark.slow
def test_recommended_resources_are_routed_by_road(desk_context: DeskContext) -> None:
    with desk_context.read_session() as session:
        incident_id = routed_incident(session, desk_context.actor, desk_context.pack)
        assert incident_id is not None, "the demo has incidents waiting that free resources can take"
        found = recommended_routes(session, desk_context.actor, incident_id, desk_context.pack)
    assert found.routes
    route = next(route for route in found.routes if route.by_road)
    assert len(route.points) >= 2
    assert "min by road" in route.text and route.call_sign in route.text
