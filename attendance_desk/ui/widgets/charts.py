"""QtCharts views used on the pupil page and the dashboard: a % over time line chart with
reference lines, and a bar chart by category. Calm colours, no animation, UK dates."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, datetime, time

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSeries,
    QBarSet,
    QCategoryAxis,
    QChart,
    QChartView,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QDateTime, QMargins, Qt
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPen, QResizeEvent
from PySide6.QtWidgets import QSizePolicy, QWidget

from attendance_desk.domain.dates import day_text

LINE = QColor("#3f6fb5")
PALETTE = ("#3f6fb5", "#8fb3e0", "#e0a23f", "#7fc483", "#c06b6b")


def _msecs(d: date) -> float:
    return float(QDateTime(datetime.combine(d, time(12))).toMSecsSinceEpoch())


def percent_range(lowest: float, floor: float | None = None, most: int = 8) -> tuple[float, float]:
    """(bottom of the y axis, tick step): a little below `lowest`, on a round number, with
    at most `most` steps up to 100% (fewer on a short chart, so no label is elided)."""
    for step in (1.0, 2.0, 5.0, 10.0, 20.0, 25.0):
        low = floor if floor is not None else ((lowest - step / 2) // step) * step
        low = max(0.0, min(low, 100 - step))
        if (100 - low) / step <= most:
            return low, step
    return 0.0, 25.0


def date_axis(dates: Sequence[date], most: int = 8) -> QCategoryAxis:
    """An x axis in milliseconds labelled with the points' own dates (UK, `23 Oct`), every
    n-th when there are many (the last always), with a little room either side."""
    first, last = _msecs(dates[0]), _msecs(dates[-1])
    pad = max((last - first) * 0.06, 2 * 86_400_000.0)
    axis = QCategoryAxis()
    axis.setLabelsPosition(QCategoryAxis.AxisLabelsPosition.AxisLabelsPositionOnValue)
    axis.setRange(first - pad, last + pad)
    axis.setStartValue(first - pad)
    every = max(1, -(-len(dates) // most))
    shown = [d for i, d in enumerate(dates) if i % every == 0]
    if shown[-1] != dates[-1]:
        if len(shown) > 1 and every > 1:
            shown.pop()
        shown.append(dates[-1])
    for d in shown:
        axis.append(day_text(d)[4:-5], _msecs(d))  # "3 Feb"
    axis.setGridLineVisible(True)
    return axis


class ChartView(QChartView):
    def __init__(self, title: str, parent: QWidget | None = None, height: int = 240) -> None:
        super().__init__(parent)
        self.setRenderHint(QPainter.RenderHint.Antialiasing)
        self.setMinimumHeight(height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName(title)
        self.title = title
        self.max_steps = 8  # most gaps between % labels on the y axis
        self._percent_line: Callable[[], None] | None = None  # draws the % line again
        self._drawn_steps = 0  # the steps_that_fit the % line was drawn for
        # kept by every drawing (a resize draws the % line again, in a new chart)
        self.legend_scale = 1.0  # the legend's font against the view's
        self.main_in_legend = True  # False: the % line's own entry left out (the title says)
        self._new_chart()

    def steps_that_fit(self) -> int:
        """The most gaps between % labels this chart's height leaves room for, at most
        `max_steps`: QtCharts elides a label that would touch the next ("…"), so each is given
        half a line more than its own. The title, the x axis' labels and the legend take
        about six lines."""
        line = QFontMetrics(self.font()).height()
        plot = self.height() - 6 * line - 24
        return max(2, min(self.max_steps, int(plot // (1.5 * line))))

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802
        """A % line drawn for another height is drawn again with the labels that fit now."""
        super().resizeEvent(event)
        if self._percent_line is not None and self.steps_that_fit() != self._drawn_steps:
            self._percent_line()

    def _new_chart(self) -> QChart:
        self._percent_line = None  # what a resize draws again: set by set_percent_line
        chart = QChart()
        chart.setTitle(self.title)
        font = QFont(self.font())
        font.setBold(True)
        chart.setTitleFont(font)
        chart.setAnimationOptions(QChart.AnimationOption.NoAnimation)
        chart.setBackgroundRoundness(4)
        chart.setMargins(QMargins(4, 4, 4, 4))
        chart.legend().setAlignment(Qt.AlignmentFlag.AlignBottom)
        if self.legend_scale != 1.0:
            small = QFont(self.font())
            small.setPointSizeF(max(small.pointSizeF() * self.legend_scale, 7.0))
            chart.legend().setFont(small)
        old = self.chart()
        self.setChart(chart)
        if old is not None:
            old.deleteLater()
        return chart

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
        """A line of % by date with a dot and (when few) a label at each point; `references`
        are (label, value, "#colour") dashed lines across the chart. The x axis labels the
        points' own dates; the y axis runs from a little below the lowest value to 100%."""
        chart = self._new_chart()
        self._percent_line = lambda: self.set_percent_line(points, name, references, floor, extra)
        data = [(d, v) for d, v in points if v is not None]
        if not data:
            chart.setTitle(f"{self.title}: no figures yet")
            return
        values = [v for _, v in data] + [r[1] for r in references]
        for _, pts, _ in extra:
            values += [v for _, v in pts if v is not None]
        self._drawn_steps = self.steps_that_fit()
        low, step = percent_range(min(values), floor, self._drawn_steps)
        y_axis = QValueAxis()
        y_axis.setRange(low, 100)
        y_axis.setTickCount(round((100 - low) / step) + 1)
        y_axis.setLabelFormat("%.0f%%")
        x_axis = date_axis([d for d, _ in data])
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        left, right = x_axis.min(), x_axis.max()
        for label, value, colour in references:
            ref = QLineSeries()
            ref.setName(label)
            ref.append(left, value)
            ref.append(right, value)
            ref.setPen(QPen(QColor(colour), 1.8, Qt.PenStyle.DashLine))
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
            line.append(_msecs(d), round(v, 1))
        line.setPen(QPen(LINE, 2.4))
        line.setColor(LINE)
        line.setPointsVisible(True)
        line.setMarkerSize(6)
        if len(data) <= 12:
            line.setPointLabelsVisible(True)
            line.setPointLabelsFormat("@yPoint%")
            line.setPointLabelsClipping(False)
            line.setPointLabelsColor(QColor("#1f3a5f"))
        chart.addSeries(line)
        line.attachAxis(x_axis)
        line.attachAxis(y_axis)
        if not self.main_in_legend and references:
            for marker in chart.legend().markers(line):
                marker.setVisible(False)

    def line_points(self) -> list[tuple[date, float]]:
        """The main line's points as (date, %): what a person reads off the chart."""
        series = [s for s in self.chart().series() if isinstance(s, QLineSeries)]
        if not series:
            return []
        return [
            (QDateTime.fromMSecsSinceEpoch(int(p.x())).date().toPython(), p.y())
            for p in series[-1].points()
        ]

    # -- bars ------------------------------------------------------------------------------
    def set_bars(
        self,
        categories: Sequence[str],
        sets: Sequence[tuple[str, Sequence[float], str | None]],
        y_label: str = "%.0f%%",
        y_max: float | None = None,
        value_labels: str | None = None,
        y_title: str = "",
    ) -> None:
        """Bars by category; `value_labels` (e.g. "@value%") writes each bar's value on it."""
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
        if value_labels:
            series.setLabelsVisible(True)
            series.setLabelsFormat(value_labels)
            series.setLabelsPosition(QBarSeries.LabelsPosition.LabelsOutsideEnd)
            series.setLabelsPrecision(3)
            series.setBarWidth(0.85)
            small = QFont(self.font())
            small.setPointSizeF(max(small.pointSizeF() * 0.8, 7.0))
            for bar_set in series.barSets():
                bar_set.setLabelColor(QColor("#1f3a5f"))
                bar_set.setLabelFont(small)
        chart.addSeries(series)
        x_axis = QBarCategoryAxis()
        x_axis.append(list(categories))
        y_axis = QValueAxis()
        y_axis.setRange(0, y_max if y_max is not None else max(top * 1.15, 1.0))
        y_axis.setLabelFormat(y_label)
        if y_max is not None and y_max % 10 == 0 and 0 < y_max <= 100:
            y_axis.setTickCount(int(y_max // (20 if y_max > 50 else 10)) + 1)
        else:
            y_axis.setTickCount(5)
        if y_title:
            y_axis.setTitleText(y_title)
        chart.addAxis(x_axis, Qt.AlignmentFlag.AlignBottom)
        chart.addAxis(y_axis, Qt.AlignmentFlag.AlignLeft)
        series.attachAxis(x_axis)
        series.attachAxis(y_axis)
        chart.legend().setVisible(len(sets) > 1)
