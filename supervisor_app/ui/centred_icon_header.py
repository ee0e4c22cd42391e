"""A horizontal table header that draws a section's icon right beside its centred label.

Qt's own header always puts the icon at the left edge of the section, far from a centred label.
Models give the icon under :data:`HEADER_ICON_ROLE` (not ``DecorationRole``) for this header.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, QRect, Qt
from PySide6.QtGui import QFont, QFontMetrics, QIcon, QPainter
from PySide6.QtWidgets import QHeaderView, QWidget

HEADER_ICON_ROLE = Qt.ItemDataRole.UserRole + 20
ICON_SIZE = 14
ICON_GAP = 5
SECTION_PADDING = 6  # the style sheet's horizontal padding of a header section


class CentredIconHeader(QHeaderView):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Horizontal, parent)

    def paintSection(self, painter: QPainter, rect: QRect, logical_index: int) -> None:  # noqa: N802 - Qt's name
        painter.save()
        super().paintSection(painter, rect, logical_index)
        painter.restore()
        icon = self._icon(logical_index)
        if icon is None or not self.icons_fit():
            return  # all icons or none: the labels alone still say it all
        text_width = self._metrics().horizontalAdvance(self._label(logical_index))
        left = rect.center().x() - text_width // 2 - ICON_GAP - ICON_SIZE
        top = rect.center().y() - ICON_SIZE // 2 + 1
        icon.paint(painter, QRect(left, top, ICON_SIZE, ICON_SIZE))

    def icons_fit(self) -> bool:
        """True if every section with an icon has room for it beside its centred label."""
        metrics = self._metrics()
        for index in range(self.count()):
            if self._icon(index) is None:
                continue
            needed = metrics.horizontalAdvance(self._label(index)) + 2 * (ICON_GAP + ICON_SIZE + SECTION_PADDING)
            if self.sectionSize(index) < needed:
                return False
        return True

    def _metrics(self) -> QFontMetrics:
        font = QFont(self.font())
        font.setWeight(QFont.Weight.DemiBold)
        return QFontMetrics(font)

    def _icon(self, index: int) -> QIcon | None:
        model: QAbstractItemModel | None = self.model()  # None before a model is set
        if model is None:
            return None
        icon = model.headerData(index, self.orientation(), HEADER_ICON_ROLE)
        return icon if isinstance(icon, QIcon) and not icon.isNull() else None

    def _label(self, index: int) -> str:
        return str(self.model().headerData(index, self.orientation(), Qt.ItemDataRole.DisplayRole) or "")
