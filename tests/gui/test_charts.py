"""The % line chart gives every y-axis label room to be read, at the height it is shown."""

from __future__ import annotations

from datetime import date, timedelta

from PySide6.QtCharts import QValueAxis
from PySide6.QtCore import Qt
from PySide6.QtGui import QFontMetrics

from attendance_desk.ui.widgets.charts import ChartView

WEEKS = [(date(2024, 9, 6) + timedelta(weeks=n), 96.0 - (n % 7) * 1.6) for n in range(40)]


def y_axis(view: ChartView) -> QValueAxis:
    axis = view.chart().axes(Qt.Orientation.Vertical)[0]
    assert isinstance(axis, QValueAxis)
    return axis


def room_per_label(view: ChartView) -> float:
    axis = y_axis(view)
    return view.chart().plotArea().height() / (axis.tickCount() - 1)


def test_the_dashboards_week_chart_labels_are_never_elided(qtbot) -> None:  # noqa: ANN001
    """The dashboard's 'Attendance by week' (260 px, lowest week 86.4%) showed its y labels as
    '…': nine labels in too little height. Now as many as fit, and more once it is taller."""
    view = ChartView("Attendance by week", height=260)
    qtbot.addWidget(view)
    view.resize(1200, 260)
    view.show()
    view.set_percent_line(WEEKS, references=[("96% expected", 96.0, "#2e7d32")])
    qtbot.waitExposed(view)
    line = QFontMetrics(view.font()).height()
    assert room_per_label(view) >= line  # each label clear of the next
    short_ticks = y_axis(view).tickCount()
    view.resize(1200, 560)  # the person makes the window taller
    qtbot.waitUntil(lambda: y_axis(view).tickCount() > short_ticks, timeout=5000)
    assert room_per_label(view) >= line
    assert y_axis(view).max() == 100 and y_axis(view).min() <= 86.4
