"""Dark and high-contrast themes: a QPalette, a readable font, and a style sheet per theme.

Each theme's style sheet is ``base.qss`` (structure shared by both) followed by the theme's own
file (``dark.qss``, ``high_contrast.qss``). Both refer to colours as ``@name``; the values come
from :mod:`supervisor_app.ui.theme.palettes`, so a colour is defined once.
"""

from __future__ import annotations

import re
from importlib import resources

from PySide6.QtGui import QColor, QFont, QPalette
from PySide6.QtWidgets import QApplication

from supervisor_app.ui.theme.palettes import DARK, HIGH_CONTRAST, THEMES, Theme

__all__ = [
    "DARK",
    "DESK_FONT_FAMILIES",
    "DESK_FONT_POINT_SIZE",
    "HIGH_CONTRAST",
    "THEMES",
    "Theme",
    "apply_theme",
    "build_palette",
    "load_stylesheet",
    "theme_named",
]

#: Humanist sans-serif faces with clear 1/l/I and 0/O, in order of preference.
DESK_FONT_FAMILIES = ["Inter", "Segoe UI", "Noto Sans", "Cantarell", "DejaVu Sans", "Arial"]
DESK_FONT_POINT_SIZE = 10

_TOKEN = re.compile(r"@([a-z_]+)\b")


def theme_named(name: str) -> Theme:
    """The theme called ``name`` (as in the settings); an unknown name says which exist."""
    try:
        return THEMES[name]
    except KeyError:
        raise KeyError(f"theme {name!r} is not known; choose one of {', '.join(THEMES)}") from None


def _read_qss(file_name: str) -> str:
    return resources.files("supervisor_app.ui.theme").joinpath(file_name).read_text(encoding="utf-8")


def load_stylesheet(theme: Theme) -> str:
    """The complete style sheet of ``theme`` with every ``@name`` replaced by its colour."""
    tokens = theme.tokens

    def substitute(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in tokens:
            raise KeyError(f"style sheet refers to @{name}, which theme {theme.name!r} does not define")
        return tokens[name]

    text = _read_qss("base.qss") + "\n" + _read_qss(theme.qss_file)
    return _TOKEN.sub(substitute, text)


def build_palette(theme: Theme) -> QPalette:
    """A QPalette so that widgets the style sheet does not reach still follow the theme."""
    palette = QPalette()
    role = QPalette.ColorRole
    colours = {
        role.Window: theme.window,
        role.WindowText: theme.text,
        role.Base: theme.surface,
        role.AlternateBase: theme.surface_alt,
        role.ToolTipBase: theme.surface_alt,
        role.ToolTipText: theme.text,
        role.PlaceholderText: theme.text_muted,
        role.Text: theme.text,
        role.Button: theme.surface_alt,
        role.ButtonText: theme.text,
        role.BrightText: theme.danger,
        role.Highlight: theme.accent,
        role.HighlightedText: theme.accent_text,
        role.Link: theme.accent,
        role.Mid: theme.border,
        role.Dark: theme.window,
    }
    for colour_role, value in colours.items():
        palette.setColor(colour_role, QColor(value))
    disabled = QPalette.ColorGroup.Disabled
    for colour_role in (role.WindowText, role.Text, role.ButtonText):
        palette.setColor(disabled, colour_role, QColor(theme.text_muted))
    return palette


def desk_font() -> QFont:
    font = QFont()
    font.setFamilies(DESK_FONT_FAMILIES)
    font.setPointSize(DESK_FONT_POINT_SIZE)
    font.setHintingPreference(QFont.HintingPreference.PreferFullHinting)
    return font


def apply_theme(app: QApplication, theme: Theme) -> None:
    """Apply ``theme`` to the whole application (palette, font and style sheet)."""
    if app.style().name().lower() != "fusion":
        app.setStyle("Fusion")  # the same look on every platform, and it honours the palette
    app.setFont(desk_font())
    app.setPalette(build_palette(theme))
    app.setStyleSheet(load_stylesheet(theme))
