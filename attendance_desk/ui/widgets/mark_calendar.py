"""The year's marks as a year planner: one row per month, weekdays lined up in columns, each
day split into AM (top) and PM (bottom) coloured by the kind of mark, holidays shaded, and
the code and its meaning on hover."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

from PySide6.QtCore import QEvent, QPoint, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QHelpEvent, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from attendance_desk import clock
from attendance_desk.domain.calendar import year_start as academic_year_start
from attendance_desk.domain.codes import CODES, LATE_CODES, Category
from attendance_desk.ui.format import MONTHS, uk_date

COLUMNS = 37  # a month starting on Sunday spans 6 + 31 columns
CELL_MAX = 22.0  # widest a day grows on a wide window
KIND_COLOURS = {
    "present": "#7fc483",
    "late": "#b39ddb",
    "approved_activity": "#64b5f6",
    "authorised": "#f6c35b",
    "unauthorised": "#e35d5b",
    "not_possible": "#bdbdbd",
    "missing": "#ffffff",
}
KIND_LABELS = {
    "present": "Present",
    "late": "Late",
    "approved_activity": "Approved activity",
    "authorised": "Authorised absence",
    "unauthorised": "Unauthorised absence",
    "not_possible": "Not possible",
    "missing": "No mark",
}
WEEKEND = QColor("#eceff1")
HOLIDAY = QColor("#dfe6ee")
CLOSURE = QColor("#d3dbe6")
GRID = QColor("#ffffff")


def kind_of(code: str | None) -> str:
    if not code:
        return "missing"
    if code in LATE_CODES and code != "U":
        return "late"
    info = CODES.get(code)
    if info is None:
        return "missing"
    if info.category is Category.PRESENT:
        return "present"
    return info.category.value


class MarkCalendar(QWidget):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("markCalendar")
        self.setAccessibleName("Calendar of the year's marks")
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.start = academic_year_start(clock.today())
        self.marks: dict[tuple[date, str], str] = {}
        self.is_school_day: Callable[[date], bool] = lambda d: d.weekday() < 5
        self.closures: frozenset[date] = frozenset()
        self.as_of: date | None = date.min  # nothing to show until set_year

    def set_year(
        self,
        start: date,
        marks: Iterable[tuple[date, str, str | None]],
        is_school_day: Callable[[date], bool] | None = None,
        closures: Iterable[date] = (),
        as_of: date | None = None,
    ) -> None:
        self.start = date(start.year, start.month, 1)
        self.marks = {(d, s): c for d, s, c in marks if c}
        if is_school_day is not None:
            self.is_school_day = is_school_day
        self.closures = frozenset(closures)
        self.as_of = as_of
        self.updateGeometry()
        self.update()

    def months(self) -> list[date]:
        out, d = [], self.start
        for _ in range(12):
            out.append(d)
            d = date(d.year + (d.month == 12), d.month % 12 + 1, 1)
        return out

    # -- geometry --------------------------------------------------------------------------
    def _label_width(self) -> float:
        return self.fontMetrics().horizontalAdvance("Sep 2024") + 10.0

    @staticmethod
    def _cell_for(width: float, label: float) -> tuple[float, float]:
        """(width, height) of a day: compact, so the year fits beside the charts; a day never
        narrower than 9 px nor wider than CELL_MAX, a little taller than wide (two halves)."""
        cell_w = min(max((width - label - 2) / COLUMNS, 9.0), CELL_MAX)
        return cell_w, min(max(round(cell_w * 1.15), 14.0), 20.0)

    def _cell(self) -> tuple[float, float]:
        return self._cell_for(self.width(), self._label_width())

    def _header(self) -> float:
        return self.fontMetrics().height() + 2.0

    def hasHeightForWidth(self) -> bool:  # noqa: N802
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802
        _cell_w, cell_h = self._cell_for(width, self._label_width())
        return int(self._header() + 12 * cell_h + 2)

    def sizeHint(self) -> QSize:  # noqa: N802
        width = int(self._label_width() + COLUMNS * 15 + 2)
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        width = int(self._label_width() + COLUMNS * 11 + 2)
        return QSize(width, self.heightForWidth(width))

    def _cell_rect(self, month_row: int, day: date) -> QRectF:
        cw, ch = self._cell()
        first = date(day.year, day.month, 1)
        column = first.weekday() + day.day - 1
        x = self._label_width() + column * cw
        y = self._header() + month_row * ch
        return QRectF(x, y, cw, ch)

    def hit(self, pos: QPoint) -> tuple[date, str] | None:
        cw, ch = self._cell()
        x, y = pos.x() - self._label_width(), pos.y() - self._header()
        if x < 0 or y < 0:
            return None
        row, col = int(y // ch), int(x // cw)
        months = self.months()
        if row >= len(months) or col >= COLUMNS:
            return None
        first = months[row]
        day_number = col - first.weekday() + 1
        if day_number < 1:
            return None
        try:
            day = date(first.year, first.month, day_number)
        except ValueError:
            return None
        session = "AM" if (y - row * ch) < ch / 2 else "PM"
        return day, session

    # -- painting --------------------------------------------------------------------------
    def paintEvent(self, _event: Any) -> None:  # noqa: N802
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
        cw, ch = self._cell()
        small = QFont(self.font())
        small.setPointSizeF(max(self.font().pointSizeF() * 0.85, 7.0))
        painter.setFont(small)
        painter.setPen(QColor("#607080"))
        for col in range(COLUMNS):
            x = self._label_width() + col * cw
            painter.drawText(
                QRectF(x, 0, cw, self._header()), Qt.AlignmentFlag.AlignCenter, "MTWTFSS"[col % 7]
            )
        painter.setFont(self.font())
        for row, first in enumerate(self.months()):
            y = self._header() + row * ch
            painter.setPen(QColor("#37474f"))
            painter.drawText(
                QRectF(0, y, self._label_width() - 6, ch),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{MONTHS[first.month - 1]} {first.year}",
            )
            day = first
            while day.month == first.month:
                self._paint_day(painter, self._cell_rect(row, day), day)
                day += timedelta(days=1)
        painter.end()

    def _paint_day(self, painter: QPainter, rect: QRectF, day: date) -> None:
        inner = rect.adjusted(1, 1, -1, -1)
        school = self.is_school_day(day)
        am, pm = self.marks.get((day, "AM")), self.marks.get((day, "PM"))
        painter.setPen(Qt.PenStyle.NoPen)
        if not school and am is None and pm is None:
            shade = WEEKEND if day.weekday() >= 5 else CLOSURE if day in self.closures else HOLIDAY
            painter.fillRect(inner, shade)
            return
        future = self.as_of is not None and day > self.as_of
        top = QRectF(inner.left(), inner.top(), inner.width(), inner.height() / 2)
        bottom = QRectF(inner.left(), inner.center().y(), inner.width(), inner.height() / 2)
        for half, code in ((top, am), (bottom, pm)):
            kind = kind_of(code)
            if future and code is None:
                painter.fillRect(half, QColor("#f7f9fb"))
                continue
            painter.fillRect(half, QColor(KIND_COLOURS[kind]))
        if (am is None or pm is None) and not future:
            painter.setPen(QPen(QColor("#e35d5b"), 1, Qt.PenStyle.DotLine))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRect(inner.adjusted(0, 0, -1, -1))
        painter.setPen(QPen(QColor(255, 255, 255, 160), 1))
        painter.drawLine(top.bottomLeft(), top.bottomRight())

    # -- hover -----------------------------------------------------------------------------
    def describe(self, day: date, session: str) -> str:
        code = self.marks.get((day, session))
        when = f"{uk_date(day)} {session}"
        if code:
            info = CODES.get(code)
            return f"{when}: {code} \u2013 {info.meaning if info else 'unknown code'}"
        if not self.is_school_day(day):
            kind = (
                "weekend"
                if day.weekday() >= 5
                else "closure"
                if day in self.closures
                else "holiday"
            )
            return f"{uk_date(day)}: {kind}"
        if self.as_of is not None and day > self.as_of:
            return f"{when}: not yet"
        return f"{when}: no mark"

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            found = self.hit(event.pos())
            if found is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(event.globalPos(), self.describe(*found), self)
            return True
        return super().event(event)
