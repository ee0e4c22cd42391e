"""Paints the monitor's cells: an icon, then one line of text, elided, in the cell's font and colour.

The monitor repaints every visible row each second, and a 1600 x 900 table shows about 270 cells.
Qt's styled delegate lays every cell's text out again on each paint, through the style sheet's
rules, which costs about 20 ms for the table. This delegate paints what the cell's values by role
say (``IncidentMonitorModel.cell_at``: the same values the model gives any view), and keeps each
distinct text, elided to its width, as a ``QStaticText`` laid out once: a repaint draws glyphs
already shaped. Selection, alternating rows and padding look as the theme's style sheet draws them
elsewhere: the highlight and its text colour come from the table's palette, which the style sheet
sets; the rows' alternate colour is painted by the table itself.
"""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QIcon, QPainter, QPalette, QPixmap, QStaticText, QTransform
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem, QWidget

from supervisor_app.ui.monitor.model import IncidentMonitorModel, MonitorColumn

#: The horizontal padding inside a cell, as the themes' ``QTableView::item`` rule gives it.
PADDING = 6
ICON_GAP = 4
#: Laid-out texts are kept up to this many, then forgotten all at once (the clocks' texts change
#: every second, so old ones must not pile up).
MAX_TEXTS = 20_000

_DISPLAY = Qt.ItemDataRole.DisplayRole
_DECORATION = Qt.ItemDataRole.DecorationRole
_FOREGROUND = Qt.ItemDataRole.ForegroundRole
_FONT = Qt.ItemDataRole.FontRole
_SELECTED = QStyle.StateFlag.State_Selected


class MonitorCellDelegate(QStyledItemDelegate):
    """See the module doc; ``reset()`` after a change of theme or font."""

    def __init__(self, model: IncidentMonitorModel, parent: QWidget) -> None:
        super().__init__(parent)
        self._model = model
        self._texts: dict[tuple[str, int, bool, int], tuple[QStaticText, float]] = {}
        self._pixmaps: dict[tuple[int, int, float, int | None], QPixmap] = {}

    def reset(self) -> None:
        self._texts.clear()
        self._pixmaps.clear()

    def paint(
        self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        values = self._model.cell_at(index.row(), index.column())
        if values is None:
            return
        rect = option.rect  # type: ignore[attr-defined]
        palette: QPalette = option.palette  # type: ignore[attr-defined]
        selected = bool(option.state & _SELECTED)  # type: ignore[attr-defined]
        if selected:
            painter.fillRect(rect, palette.color(QPalette.ColorRole.Highlight))
        x = rect.x() + PADDING
        icon = values.get(_DECORATION)
        if isinstance(icon, QIcon):
            size: QSize = option.decorationSize  # type: ignore[attr-defined]
            # On the highlight a muted icon (a status, a clock) takes the highlighted text's colour to
            # stay visible; a state's colour (a priority's square, a late or near clock) is kept.
            keeps_colour = _FOREGROUND in values or index.column() == MonitorColumn.PRIORITY
            tint = palette.color(QPalette.ColorRole.HighlightedText) if selected and not keeps_colour else None
            pixmap = self._pixmap(icon, size, painter.device().devicePixelRatioF(), tint)
            painter.drawPixmap(x, rect.y() + (rect.height() - size.height()) // 2, pixmap)
            x += size.width() + ICON_GAP
        text = values.get(_DISPLAY)
        if not text:
            return
        font = values.get(_FONT)
        bold = isinstance(font, QFont)
        used_font: QFont = font if bold else option.font  # type: ignore[attr-defined]
        if selected:
            painter.setPen(palette.color(QPalette.ColorRole.HighlightedText))
        else:
            colour = values.get(_FOREGROUND)
            painter.setPen(colour if isinstance(colour, QColor) else palette.color(QPalette.ColorRole.Text))
        painter.setFont(used_font)
        width = rect.right() - PADDING - x
        laid_out, top = self._text(str(text), width, bold, used_font, rect.height())
        painter.drawStaticText(QPointF(x, rect.y() + top), laid_out)

    def _text(self, text: str, width: int, bold: bool, font: QFont, height: int) -> tuple[QStaticText, float]:
        key = (text, width, bold, height)
        found = self._texts.get(key)
        if found is None:
            if len(self._texts) >= MAX_TEXTS:
                self._texts.clear()
            metrics = QFontMetrics(font)
            laid_out = QStaticText(metrics.elidedText(text, Qt.TextElideMode.ElideRight, max(0, width)))
            laid_out.setTextFormat(Qt.TextFormat.PlainText)
            laid_out.prepare(QTransform(), font)
            found = self._texts[key] = (laid_out, (height - metrics.height()) / 2)
        return found

    def _pixmap(self, icon: QIcon, size: QSize, ratio: float, tint: QColor | None) -> QPixmap:
        """The icon as drawn, or its shape in ``tint``."""
        key = (icon.cacheKey(), size.width(), ratio, tint.rgba() if tint is not None else None)
        pixmap = self._pixmaps.get(key)
        if pixmap is None:
            pixmap = icon.pixmap(size, ratio)
            if tint is not None:
                shaped = QPainter(pixmap)
                shaped.setCompositionMode(QPainter.CompositionMode.CompositionMode_SourceIn)
                shaped.fillRect(pixmap.rect(), tint)
                shaped.end()
            self._pixmaps[key] = pixmap
        return pixmap
