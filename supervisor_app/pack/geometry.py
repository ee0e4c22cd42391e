"""Whether a point lies in a polygon drawn on the map (small areas: plane geometry is enough)."""

from __future__ import annotations

from collections.abc import Sequence

from supervisor_app.domain.geo import Coordinate

_ON_EDGE_TOLERANCE = 1e-12


def _on_segment(lat: float, lon: float, a: tuple[float, float], b: tuple[float, float]) -> bool:
    cross = (b[0] - a[0]) * (lon - a[1]) - (b[1] - a[1]) * (lat - a[0])
    if abs(cross) > _ON_EDGE_TOLERANCE:
        return False
    return min(a[0], b[0]) <= lat <= max(a[0], b[0]) and min(a[1], b[1]) <= lon <= max(a[1], b[1])


def polygon_contains(polygon: Sequence[tuple[float, float]], point: Coordinate) -> bool:
    """True when ``point`` is inside ``polygon`` (corners as (lat, lon)) or on its edge."""
    lat, lon = point.lat, point.lon
    inside = False
    count = len(polygon)
    for index in range(count):
        a = polygon[index]
        b = polygon[index - 1]
        if _on_segment(lat, lon, a, b):
            return True
        if (a[0] > lat) != (b[0] > lat):
            crossing_lon = a[1] + (lat - a[0]) * (b[1] - a[1]) / (b[0] - a[0])
            if lon < crossing_lon:
                inside = not inside
    return inside
