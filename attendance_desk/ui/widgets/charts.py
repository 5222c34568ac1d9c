"""QtCharts views used on the pupil page and the dashboard: a % over time line chart with
reference lines, and a bar chart by category. Calm colours, no animation, UK dates."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QChart,
    QChartView,
    QDateTimeAxis,
    QLineSeries,
    QScatterSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QMargins, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

LINE = QColor("#3f6fb5")
PALETTE = ("#3f6fb5", "#8fb3e0", "#e0a23f", "#7fc483", "#c06b6b")


def _msecs(d: date) -> float:
    return float(QDateTime(datetime.combine(d, time(12))).toMSecsSinceEpoch())


class ChartView(QChartView):
    def __init__(self, title: str, parent: QWidget | None = None, height: int = 240) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName(title)
        self.title = title
        self._new_chart()

    def _new_chart(self) -> QChart:
        chart = QChart()
        chart.setTitle(self.title)
        font = QFont(self.font())
        font.setBold(True)
        chart.setTitleFont(font)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setBackgroundRoundness(4)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        old = self.chart()
        self.setChart(chart)
        if old is not None:
            old.deleteLater()
        return chart

    def series_count(self) -> int:
        return len(self.chart().series())

    def point_count(self) -> int:
        total = 0
        for series in self.chart().series():
            if isinstance(series, QLineSeries):
                total += series.count()
            elif isinstance(series, QBarSeries):
                total += sum(s.count() for s in series.barSets())
        return total

    # -- % over time -----------------------------------------------------------------------
    def set_percent_line(
        self,
        points: Sequence[tuple[date, float | None]],
        name: str = "Attendance",
        references: Sequence[tuple[str, float, str]] = (),
        floor: float | None = None,
        extra: Sequence[tuple[str, Sequence[tuple[date, float | None]], str]] = (),
    ) -> None:
        """A line of % by date; `references` are (label, value, "#colour") dashed lines."""
        chart = self._new_chart()
        data = [(d, v) for d, v in points if v is not None]
        if not data:
            chart.setTitle(f"{self.title}: no figures yet")
            return
        x_axis = QDateTimeAxis()
        x_axis.setFormat("d MMM")
        x_axis.setTickCount(min(max(len(data), 2), 8))
        y_axis = QValueAxis()
        values = [v for _, v in data] + [r[1] for r in references]
        for _, pts, _ in extra:
            values += [v for _, v in pts if v is not None]
        low = floor if floor is not None else max(0.0, (min(values) // 5) * 5 - 5)
        y_axis.setRange(low, 100)
        y_axis.setLabelFormat("%.0f%%")
        span = 100 - low
        y_axis.setTickType(QValueAxis.TickType.TicksDynamic)
        y_axis.setTickAnchor(100)
        y_axis.setTickInterval(next(step for step in (1, 2, 5, 10, 20, 25) if span / step <= 8))
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        first, last = data[0][0], data[-1][0]
        if first == last:
            x_axis.setRange(
                QDateTime(datetime.combine(first, time(0))),
                QDateTime(datetime.combine(last, time(23))),
            )
        for label, value, colour in references:
            ref = QLineSeries()
            ref.setName(label)
            ref.append(_msecs(first), value)
            ref.append(_msecs(last), value)
            ref.setPen(QPen(QColor(colour), 1.2, Qt.PenStyle.DashLine))
            chart.addSeries(ref)
            ref.attachAxis(x_axis)
            ref.attachAxis(y_axis)
        for i, (label, pts, colour) in enumerate(extra):
            line = QLineSeries()
            line.setName(label)
            for d, v in pts:
                if v is not None:
                    line.append(_msecs(d), v)
            line.setPen(QPen(QColor(colour or PALETTE[(i + 1) % len(PALETTE)]), 1.6))
            chart.addSeries(line)
            line.attachAxis(x_axis)
            line.attachAxis(y_axis)
        line = QLineSeries()
        line.setName(name)
        for d, v in data:
            line.append(_msecs(d), v)
        line.setPen(QPen(LINE, 2.4))
        chart.addSeries(line)
        line.attachAxis(x_axis)
        line.attachAxis(y_axis)
        if len(data) <= 40:
            dots = QScatterSeries()
            dots.setMarkerSize(7)
            dots.setColor(LINE)
            dots.setBorderColor(LINE)
            for d, v in data:
                dots.append(_msecs(d), v)
            chart.addSeries(dots)
            dots.attachAxis(x_axis)
            dots.attachAxis(y_axis)
            chart.legend().markers(dots)[0].setVisible(False)

    # -- bars ------------------------------------------------------------------------------
    def set_bars(
        self,
        categories: Sequence[str],
        sets: Sequence[tuple[str, Sequence[float], str | None]],
        y_label: str = "%.0f%%",
        y_max: float | None = None,
    ) -> None:
        chart = self._new_chart()
        if not categories or not sets:
            chart.setTitle(f"{self.title}: no figures yet")
            return
        series = QBarSeries()
        top = 0.0
        for i, (label, values, colour) in enumerate(sets):
            bar_set = QBarSet(label)
            bar_set.append([float(v) for v in values])
            bar_set.setColor(QColor(colour or PALETTE[i % len(PALETTE)]))
            bar_set.setBorderColor(QColor(colour or PALETTE[i % len(PALETTE)]))
            series.append(bar_set)
            top = max([top, *[float(v) for v in values]])
        chart.addSeries(series)
        x_axis = QBarCategoryAxis()
        x_axis.append(list(categories))
        y_axis = QValueAxis()
        y_axis.setRange(0, y_max if y_max is not None else max(top * 1.15, 1.0))
        y_axis.setLabelFormat(y_label)
        y_axis.setTickCount(5)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)
        chart.legend().setVisible(len(sets) > 1)
