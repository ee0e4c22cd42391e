"""Themes and icons: every style sheet resolves, every icon the desk names exists and draws."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication

from supervisor_app.domain.resources import ResourceStatus
from supervisor_app.settings import THEMES as SETTINGS_THEMES
from supervisor_app.ui import icons
from supervisor_app.ui.overview.priority_panel import SHAPES_BY_RANK, UNRANKED_SHAPE
from supervisor_app.ui.overview.resource_model import STATUS_ICON
from supervisor_app.ui.theme import THEMES, apply_theme, build_palette, load_stylesheet, theme_named

ICONS_NAMED_IN_CODE = {
    *SHAPES_BY_RANK, UNRANKED_SHAPE, *STATUS_ICON.values(),
    "connection-ok", "connection-lost", "connection-unknown", "message-error", "message-warning", "message-info",
    "database", "desk", "user", "clock", "busy", "refresh",
}


def test_the_settings_and_the_ui_know_the_same_themes() -> None:
    assert set(SETTINGS_THEMES) == set(THEMES)


@pytest.mark.parametrize("name", list(THEMES))
def test_style_sheet_has_every_colour_resolved(name: str) -> None:
    sheet = load_stylesheet(theme_named(name))
    assert not re.search(r"@[a-z_]+", sheet)
    assert theme_named(name).text in sheet


@pytest.mark.parametrize("name", list(THEMES))
def test_every_resource_status_has_a_colour(name: str) -> None:
    theme = theme_named(name)
    assert set(theme.resource_status) == set(ResourceStatus)


def test_apply_theme_sets_palette_and_style_sheet(qapp: QApplication) -> None:
    theme = theme_named("high_contrast")
    apply_theme(qapp, theme)
    assert qapp.styleSheet() == load_stylesheet(theme)
    assert qapp.palette().color(QPalette.ColorRole.Window).name() == theme.window
    assert build_palette(theme).color(QPalette.ColorRole.Highlight).name() == theme.accent


def test_unknown_theme_names_the_known_ones() -> None:
    with pytest.raises(KeyError, match="dark, high_contrast"):
        theme_named("pastel")


def test_icon_folder_is_found_next_to_the_package() -> None:
    folder = icons.icon_dir()
    assert folder is not None
    assert folder == Path(icons.__file__).resolve().parents[2] / "resources" / "icons"


@pytest.mark.parametrize("name", sorted(ICONS_NAMED_IN_CODE))
def test_every_icon_exists_and_draws(qapp: QApplication, name: str) -> None:
    assert icons.icon_path(name) is not None, f"resources/icons/{name}.svg is missing"
    pixmap = icons.tinted_pixmap(name, "#ff0000", 24)
    image = pixmap.toImage()
    painted = [image.pixelColor(x, y) for x in range(24) for y in range(24) if image.pixelColor(x, y).alpha() > 200]
    assert painted, f"{name} draws nothing"
    assert any(c.red() > 200 and c.green() < 60 for c in painted), f"{name} is not tinted"
