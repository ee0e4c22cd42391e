"""Tiles with the number of open incidents per priority.

Each priority is told apart three ways: its colour (from the organisation pack), a shape that
follows its rank (triangle, diamond, square, circle) and its code and name in words.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QSizePolicy, QWidget

from supervisor_app.services.desk_overview import PriorityCount
from supervisor_app.ui.elided_label import ElidedLabel
from supervisor_app.ui.icons import tinted_pixmap
from supervisor_app.ui.theme import DARK, Theme

SHAPES_BY_RANK = ("shape-triangle", "shape-diamond", "shape-square", "shape-circle")
UNRANKED_SHAPE = "shape-ring"
SHAPE_SIZE = 22


@dataclass(frozen=True)
class PriorityStyle:
    """How a priority is drawn: its pack code, name, colour and the shape of its rank."""

    code: str
    name: str
    colour: str
    shape: str


def short_name(name: str) -> str:
    """The lead words of a priority name ("Emergency - danger to life" -> "Emergency")."""
    for separator in (" - ", " \u2013 ", ": ", ", "):
        if separator in name:
            return name.split(separator, 1)[0].strip()
    return ""


def priority_styles(priorities: Sequence[tuple[str, str, str]]) -> list[PriorityStyle]:
    """Styles for ``(code, name, colour)`` in rank order (most urgent first)."""
    return [
        PriorityStyle(code, name, colour, SHAPES_BY_RANK[rank] if rank < len(SHAPES_BY_RANK) else UNRANKED_SHAPE)
        for rank, (code, name, colour) in enumerate(priorities)
    ]


class PriorityTile(QFrame):
    """One priority: shape, code, name, number open and how many still wait for a resource."""

    def __init__(self, style: PriorityStyle | None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PriorityTile")
        self.priority_style = style
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)

        self._bar = QFrame(self)
        self._bar.setFixedWidth(6)
        self._shape = QLabel(self)
        self._shape.setFixedSize(SHAPE_SIZE, SHAPE_SIZE)
        title = f"{style.code}" if style else "All open"
        self._title = QLabel(title, self)
        self._title.setObjectName("TileName")
        self._name = ElidedLabel("", self)
        if style is not None:
            self._name.setText(style.name, short_text=short_name(style.name))
        else:
            self._name.setText("Every priority")
        self._name.setObjectName("TileDetail")
        self._count = QLabel("\u2013", self)
        self._count.setObjectName("TileCount")
        self._count.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self._awaiting = ElidedLabel("", self)
        self._awaiting.setObjectName("TileDetail")

        grid = QGridLayout()
        grid.setContentsMargins(0, 0, 0, 0)
        grid.setHorizontalSpacing(8)
        grid.setVerticalSpacing(1)
        if style is not None:
            grid.addWidget(self._shape, 0, 0)
            grid.addWidget(self._title, 0, 1)
        else:
            self._shape.hide()
            grid.addWidget(self._title, 0, 0, 1, 2)
        # The number shares the top row with the code, so the words below get the tile's full width.
        grid.addWidget(self._count, 0, 2, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        grid.addWidget(self._name, 1, 0, 1, 3)
        grid.addWidget(self._awaiting, 2, 0, 1, 3)
        grid.setColumnStretch(1, 1)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 12, 0)
        layout.setSpacing(10)
        layout.addWidget(self._bar)
        inner = QWidget(self)
        inner.setLayout(grid)
        inner.setContentsMargins(0, 4, 0, 7)
        layout.addWidget(inner, 1)

    @property
    def code(self) -> str | None:
        return self.priority_style.code if self.priority_style else None

    def count_text(self) -> str:
        return self._count.text()

    def set_counts(self, open_count: int, awaiting: int) -> None:
        self._count.setText(str(open_count))
        if awaiting:
            self._awaiting.setText(f"{awaiting} awaiting a resource", short_text=f"{awaiting} awaiting")
        else:
            self._awaiting.setText("none awaiting a resource", short_text="none awaiting")
        what = self.priority_style.code if self.priority_style else "all priorities"
        self.setToolTip(f"{open_count} open incidents ({what}), {awaiting} of them awaiting a resource")

    def on_theme_changed(self, theme: Theme) -> None:
        colour = self.priority_style.colour if self.priority_style else theme.text_muted
        self._bar.setStyleSheet(f"background: {colour}; border: none; border-radius: 2px;")
        if self.priority_style:
            self._shape.setPixmap(tinted_pixmap(self.priority_style.shape, colour, SHAPE_SIZE))


class PriorityPanel(QWidget):
    """A row of :class:`PriorityTile`, one per priority of the pack, and one for all open."""

    def __init__(self, styles: Sequence[PriorityStyle], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QHBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(10)
        self._theme = DARK
        self._tiles: dict[str, PriorityTile] = {}
        for style in styles:
            self._add_tile(style)
        self.total_tile = PriorityTile(None, self)
        self._layout.addWidget(self.total_tile)

    def tile(self, code: str) -> PriorityTile:
        return self._tiles[code]

    def tile_codes(self) -> list[str]:
        return list(self._tiles)

    def set_counts(self, counts: Sequence[PriorityCount]) -> None:
        by_code = {c.priority: c for c in counts}
        for code in by_code:
            if code not in self._tiles:  # a code the pack no longer has: still counted, never hidden
                unknown = PriorityStyle(code, "Not in the organisation pack", self._theme.text_muted, UNRANKED_SHAPE)
                self._add_tile(unknown)
        for code, tile in self._tiles.items():
            count = by_code.get(code)
            tile.set_counts(count.open if count else 0, count.awaiting_resource if count else 0)
        self.total_tile.set_counts(sum(c.open for c in counts), sum(c.awaiting_resource for c in counts))

    def on_theme_changed(self, theme: Theme) -> None:
        self._theme = theme
        for tile in [*self._tiles.values(), self.total_tile]:
            tile.on_theme_changed(theme)

    def _add_tile(self, style: PriorityStyle) -> None:
        tile = PriorityTile(style, self)
        tile.on_theme_changed(self._theme)
        self._tiles[style.code] = tile
        self._layout.insertWidget(len(self._tiles) - 1, tile)
