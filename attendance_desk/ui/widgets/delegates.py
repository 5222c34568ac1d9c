"""Small painters for table cells: the coloured band chip, a trend sparkline, a % bar."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPalette, QPen
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from attendance_desk.ui.models.table import COLOUR_ROLE, ROW_ROLE, SORT_ROLE

Index = QModelIndex | QPersistentModelIndex


def text_colour_on(background: QColor) -> QColor:
    """Black or white, whichever reads better on `background` (WCAG relative luminance)."""

    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    lum = (
        0.2126 * channel(background.redF())
        + 0.7152 * channel(background.greenF())
        + 0.0722 * channel(background.blueF())
    )
    return QColor("#1a1a1a") if lum > 0.35 else QColor("#ffffff")


def _background(painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
    opt = QStyleOptionViewItem(option)
    opt.text = ""
    style = option.widget.style() if option.widget else QApplication.style()
    style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, option.widget)


class BandChipDelegate(QStyledItemDelegate):
    """The band's label on a rounded chip of the band's colour."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        _background(painter, option, index)
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        colour_hex = index.data(COLOUR_ROLE)
        if not text or not colour_hex:
            return
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        fill = QColor(colour_hex)
        metrics = option.fontMetrics
        rect = QRectF(option.rect).adjusted(4, 3, -4, -3)
        width = min(rect.width(), metrics.horizontalAdvance(text) + 16)
        chip = QRectF(rect.left(), rect.top(), width, rect.height())
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(fill)
        painter.drawRoundedRect(chip, chip.height() / 2, chip.height() / 2)
        painter.setPen(text_colour_on(fill))
        elided = metrics.elidedText(text, Qt.TextElideMode.ElideRight, int(chip.width() - 12))
        painter.drawText(chip, Qt.AlignmentFlag.AlignCenter, elided)
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        hint = super().sizeHint(option, index)
        return QSize(hint.width() + 20, hint.height())


class SparklineDelegate(QStyledItemDelegate):
    """Year-to-date attendance at each monitoring point as a tiny line, last point dotted."""

    def __init__(self, parent: Any = None, attr: str = "trend") -> None:
        super().__init__(parent)
        self.attr = attr

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        _background(painter, option, index)
        row = index.data(ROW_ROLE)
        points: tuple[float, ...] = getattr(row, self.attr, ()) if row is not None else ()
        if len(points) < 2:
            return
        rect = QRectF(option.rect).adjusted(6, 5, -6, -5)
        low, high = min(points), max(points)
        span = max(high - low, 2.0)  # a flat line for tiny changes
        mid = (high + low) / 2
        low, high = mid - span / 2, mid + span / 2
        step = rect.width() / (len(points) - 1)
        path = QPainterPath()
        coords = []
        for i, value in enumerate(points):
            y = rect.bottom() - (value - low) / (high - low) * rect.height()
            coords.append(QPointF(rect.left() + i * step, y))
        path.moveTo(coords[0])
        for point in coords[1:]:
            path.lineTo(point)
        falling = points[-1] < points[0] - 0.05
        colour = QColor("#c0392b") if falling else QColor("#2e7d32")
        if option.state & QStyle.StateFlag.State_Selected:
            colour = option.palette.color(QPalette.ColorRole.HighlightedText)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(colour, 1.4))
        painter.drawPath(path)
        painter.setBrush(colour)
        painter.drawEllipse(coords[-1], 2.2, 2.2)
        painter.restore()


class PercentBarDelegate(QStyledItemDelegate):
    """A % with a horizontal bar behind it (0-100, or from `floor` to 100)."""

    def __init__(self, parent: Any = None, floor: float = 80.0) -> None:
        super().__init__(parent)
        self.floor = floor

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: Index) -> None:
        _background(painter, option, index)
        value = index.data(SORT_ROLE)
        text = index.data(Qt.ItemDataRole.DisplayRole) or ""
        painter.save()
        if isinstance(value, int | float):
            rect = QRectF(option.rect).adjusted(4, 4, -56, -4)
            share = max(0.0, min(1.0, (float(value) - self.floor) / (100.0 - self.floor)))
            colour = index.data(COLOUR_ROLE) or "#5b8def"
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(QColor("#e8ecf2"))
            painter.drawRoundedRect(rect, 3, 3)
            painter.setBrush(QColor(colour))
            painter.drawRoundedRect(
                QRectF(rect.left(), rect.top(), rect.width() * share, rect.height()), 3, 3
            )
        text_rect = option.rect.adjusted(0, 0, -6, 0)
        if option.state & QStyle.StateFlag.State_Selected:
            painter.setPen(option.palette.color(QPalette.ColorRole.HighlightedText))
        else:
            painter.setPen(option.palette.color(QPalette.ColorRole.Text))
        painter.drawText(
            text_rect, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), text
        )
        painter.restore()

    def sizeHint(self, option: QStyleOptionViewItem, index: Index) -> QSize:  # noqa: N802
        hint = super().sizeHint(option, index)
        return QSize(max(hint.width(), 180), hint.height())
