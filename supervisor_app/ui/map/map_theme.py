"""The desk's themes as the map page draws them: chrome, marker outlines and the street map's colours.

The dark theme draws a dark street map (and darkens raster tiles with a CSS filter); the
high-contrast theme draws black ground, light streets, and markers with thick white outlines.
"""

from __future__ import annotations

from typing import Any

from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.ui.theme import Theme

LABEL_FONTS = "Inter, 'Segoe UI', 'Noto Sans', 'DejaVu Sans', sans-serif"
_STREETS = {
    "dark": {
        "land": "#1b2129", "water": "#13314a", "park": "#1d3326", "building": "#2b333e", "buildingLine": "#38424f",
        "path": "#4e5a69", "minor": "#414c5b", "major": "#66748a", "rail": "#6b7380",
        "label": "#c3ccd6", "labelHalo": "#14181d",
    },
    "high_contrast": {
        "land": "#000000", "water": "#002b55", "park": "#07301a", "building": "#1e1e1e", "buildingLine": "#6b6b6b",
        "path": "#5e5e5e", "minor": "#8c8c8c", "major": "#d8d8d8", "rail": "#b8b8b8",
        "label": "#ffffff", "labelHalo": "#000000",
    },
}


def status_label(status: ResourceStatus) -> str:
    return status.value.replace("_", " ").capitalize()


def page_theme(theme: Theme) -> dict[str, Any]:
    """What ``deskMap.setTheme`` takes for ``theme``."""
    high_contrast = theme.name == "high_contrast"
    streets = _STREETS.get(theme.name, _STREETS["dark"])
    outline = "#ffffff" if high_contrast else "#0b1117"
    outline_width = 2.5 if high_contrast else 1.5
    return {
        "name": theme.name,
        "status": {status.value: theme.status_colour(status) for status in ResourceStatus},
        "muted": theme.text_muted,
        "accent": theme.accent,
        "outline": outline,
        "outlineWidth": outline_width,
        "radius": 8 if high_contrast else 7,
        "routeWeight": 5 if high_contrast else 3.5,
        "labelFont": f"{'700' if high_contrast else '600'} 12px {LABEL_FONTS}",
        "labelText": theme.text,
        "labelHalo": theme.window,
        "street": streets,
        "css": {
            "background": streets["land"],
            "surface": theme.surface,
            "surface-alt": theme.surface_alt,
            "text": theme.text,
            "text-muted": theme.text_muted,
            "border": theme.border,
            "border-width": f"{theme.border_width}px",
            "accent": theme.accent,
            "marker-outline": outline,
            "marker-outline-width": f"{2 if high_contrast else 1}px",
            "street-label": streets["label"],
            "street-label-halo": streets["labelHalo"],
            "icon-filter": "invert(1)",
        },
        # Sector borders dashed and neutral, so that routes (the accent colour, solid) stand apart.
        "sectors": {
            "color": theme.text_muted if high_contrast else "#7f93ab",
            "weight": 2.5 if high_contrast else 2,
            "dashArray": "10 6" if high_contrast else "8 6",
        },
    }
