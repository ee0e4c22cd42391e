"""Build the resource map's page once, with folium: the map, its base layers, sectors, stations and
the live layers the desk fills later (see ``web/desk_map.js``).

:func:`page_spec` gathers what the page needs on the UI thread (plain data only);
:func:`build_page_html` turns it into HTML on a worker thread (importing folium takes most of a
second the first time, so it never runs on the UI thread). folium's own CDN links are replaced by
the bundled files, served by the map's URL scheme: the page makes no request to the internet.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.pack import OrganisationPack
from supervisor_app.ui.map.map_theme import page_theme, status_label
from supervisor_app.ui.map.sources import MapSources, MBTiles, street_map_covers, street_map_document
from supervisor_app.ui.theme import Theme

CITY_ZOOM = 15
LABEL_ZOOM = 17  # call signs beside resources, incidents no longer clustered
STREET_LABEL_ZOOM = 16
MIN_ZOOM = 11
MAX_ZOOM = 20
STREET_MAP_NAME = "Street map (OpenStreetMap)"
TILE_SERVER_NAME = "Organisation tiles"
MBTILES_NAME = "Local tiles"

SCRIPTS = (
    ("leaflet", "web/vendor/leaflet/leaflet.js"),
    ("markercluster", "web/vendor/leaflet.markercluster/leaflet.markercluster.js"),
    ("qwebchannel", "qwebchannel.js"),
    ("desk_map", "web/desk_map.js"),
)
STYLES = (
    ("leaflet_css", "web/vendor/leaflet/leaflet.css"),
    ("markercluster_css", "web/vendor/leaflet.markercluster/MarkerCluster.css"),
    ("desk_map_css", "web/desk_map.css"),
)


@dataclass(frozen=True)
class BaseLayer:
    kind: str  # "street_map", "tile_server" or "mbtiles"
    name: str
    url: str = ""
    attribution: str = ""
    min_zoom: int = 0
    max_native_zoom: int = 19


@dataclass(frozen=True)
class MapPageSpec:
    """Everything the page is built from, as plain data."""

    center: tuple[float, float]
    bounds: tuple[tuple[float, float], tuple[float, float]]
    sectors: tuple[tuple[str, str, tuple[tuple[float, float], ...]], ...]
    stations: tuple[tuple[str, str, str, float, float], ...]  # code, name, address, lat, lon
    priorities: dict[str, dict[str, Any]]
    resource_types: tuple[tuple[str, str], ...]
    theme: dict[str, Any]
    base_layers: tuple[BaseLayer, ...]
    problems: tuple[str, ...] = field(default=())


def base_layers(pack: OrganisationPack, sources: MapSources, tiles: MBTiles | None) -> list[BaseLayer]:
    """The base layers on offer, the default first: the organisation's tiles, then the local file,
    then the demo street map where it covers the served area."""
    layers = []
    if sources.tile_url:
        layers.append(BaseLayer("tile_server", TILE_SERVER_NAME, sources.tile_url,
                                sources.tile_attribution or "Tiles: the organisation's map server"))
    if tiles is not None:
        low, high = tiles.zoom_range
        layers.append(BaseLayer("mbtiles", MBTILES_NAME, "tiles/{z}/{x}/{y}." + tiles.format,
                                tiles.metadata.get("attribution", "") or f"Tiles: {tiles.path.name}", low, high))
    if street_map_covers(pack.area):
        layers.append(BaseLayer("street_map", STREET_MAP_NAME, attribution=street_map_document()["attribution"]))
    return layers


def page_spec(pack: OrganisationPack, theme: Theme, sources: MapSources, tiles: MBTiles | None,
              problems: tuple[str, ...] = ()) -> MapPageSpec:
    area = pack.area
    return MapPageSpec(
        center=((area.south + area.north) / 2, (area.west + area.east) / 2),
        bounds=((area.south, area.west), (area.north, area.east)),
        sectors=tuple((s.code, s.name, tuple((p[0], p[1]) for p in s.polygon)) for s in pack.sectors),
        stations=tuple((s.code, s.name, s.address, s.lat, s.lon) for s in pack.stations),
        priorities={
            p.code: {"colour": p.colour, "rank": rank, "name": p.name} for rank, p in enumerate(pack.priorities)
        },
        resource_types=tuple((t.code, t.name) for t in pack.resource_types),
        theme=page_theme(theme),
        base_layers=tuple(base_layers(pack, sources, tiles)),
        problems=problems,
    )


def page_config(spec: MapPageSpec) -> dict[str, Any]:
    """What ``deskMap.init`` takes."""
    return {
        "area": [list(spec.bounds[0]), list(spec.bounds[1])],
        "minZoom": MIN_ZOOM,
        "maxZoom": MAX_ZOOM,
        "labelZoom": LABEL_ZOOM,
        "streetLabelZoom": STREET_LABEL_ZOOM,
        "priorities": spec.priorities,
        "statuses": [{"code": s.value, "label": status_label(s)} for s in ResourceStatus],
        "theme": spec.theme,
    }


def _sectors_geojson(spec: MapPageSpec) -> dict[str, Any]:
    features = []
    for code, name, polygon in spec.sectors:
        ring = [[lon, lat] for lat, lon in polygon]
        if ring and ring[0] != ring[-1]:
            ring.append(ring[0])
        features.append({
            "type": "Feature",
            "properties": {"code": code, "name": name},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        })
    return {"type": "FeatureCollection", "features": features}


def build_page_html(spec: MapPageSpec) -> str:
    """The page's HTML (run on a worker thread: see module doc)."""
    # Heavy (most of a second the first time): imported here, on the worker thread that builds the page.
    import folium
    from branca.element import Element, MacroElement
    from jinja2 import Template

    class Script(MacroElement):
        """A line of script run after the map and the layers added before it exist."""

        _template = Template("{% macro script(this, kwargs) %}{{ this.code }}{% endmacro %}")

        def __init__(self, code: str) -> None:
            super().__init__()
            self.code = code

    class DeskLayer(folium.map.Layer):
        """A layer made by ``deskMap`` in the page, listed in the layer control like folium's own."""

        _template = Template(
            "{% macro script(this, kwargs) %}var {{ this.get_name() }} = {{ this.factory }};{% endmacro %}"
        )

        def __init__(self, name: str, factory: str, *, overlay: bool, show: bool = True) -> None:
            super().__init__(name=name, overlay=overlay, control=True, show=show)
            self.factory = factory

    fmap = folium.Map(
        location=list(spec.center),  # until the page has a size and shows the whole area
        zoom_start=CITY_ZOOM,
        min_zoom=MIN_ZOOM,
        max_zoom=MAX_ZOOM,
        tiles=None,
        prefer_canvas=True,
        control_scale=False,
        zoom_control=True,
        max_bounds=False,
    )
    fmap.default_js = list(SCRIPTS)
    fmap.default_css = list(STYLES)
    map_name = fmap.get_name()
    fmap.get_root().header.add_child(Element(
        '<style>.folium-map { position: absolute !important; inset: 0; }</style>'
    ), name="desk_fill")
    fmap.add_child(Script(f"deskMap.init({map_name}, {json.dumps(page_config(spec))});"))

    for index, layer in enumerate(spec.base_layers):
        show = index == 0
        if layer.kind == "street_map":
            street = DeskLayer(layer.name, f"deskMap.streetMap({json.dumps({'attribution': layer.attribution})})",
                               overlay=False, show=show)
            fmap.add_child(street)
        else:
            folium.TileLayer(
                tiles=layer.url, name=layer.name, attr=layer.attribution, overlay=False, control=True, show=show,
                min_zoom=MIN_ZOOM, max_zoom=MAX_ZOOM, max_native_zoom=layer.max_native_zoom,
            ).add_to(fmap)

    sectors = folium.GeoJson(
        _sectors_geojson(spec),
        name="Sectors",
        style_function=lambda _feature: {"fill": False},
        tooltip=folium.GeoJsonTooltip(fields=["name"], labels=False, sticky=True, class_name="desk-tooltip"),
        smooth_factor=0,
        zoom_on_click=False,
    )
    sectors.add_to(fmap)
    fmap.add_child(Script(f"deskMap.themedSectors({sectors.get_name()});"))

    stations = folium.FeatureGroup(name="Stations", overlay=True, control=True, show=True)
    for code, name, address, lat, lon in spec.stations:
        folium.Marker(
            location=[lat, lon],
            icon=folium.DivIcon(html=f"<i></i><span>\u2302 {_escape(code)}</span>", class_name="desk-station",
                                icon_size=(0, 0), icon_anchor=(0, 0)),
            pane="stations",  # beneath the resources, which gather at their stations
            tooltip=folium.Tooltip(f"<b>{_escape(name)}</b><br>{_escape(address)}", class_name="desk-tooltip"),
        ).add_to(stations)
    stations.add_to(fmap)

    fmap.add_child(DeskLayer("Routes", "deskMap.routesLayer()", overlay=True))
    fmap.add_child(DeskLayer("Incidents", "deskMap.incidentsLayer()", overlay=True))
    fmap.add_child(DeskLayer("Resources", "deskMap.resourcesLayer()", overlay=True))
    folium.LayerControl(position="topright", collapsed=True).add_to(fmap)
    fmap.add_child(Script("deskMap.connect();"))
    has_street_map = any(layer.kind == "street_map" for layer in spec.base_layers)
    html = fmap.get_root().render()
    if has_street_map:
        # The street map's data must exist before the map's script runs: load it in the head.
        html = html.replace("</head>", '<script src="street-map.js"></script>\n</head>', 1)
    return html


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace('"', "&quot;")
