"""The pupil page's charts: what they plot, worked out by hand."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

from PySide6.QtCore import Qt

from attendance_desk.domain.patterns import WeekdaySessions
from attendance_desk.domain.policy import preset
from attendance_desk.ui.widgets.charts import ChartView, date_axis, percent_range
from attendance_desk.ui.widgets.pupil_charts import band_lines, weekday_axis_top, weekday_rows


def test_weekday_rows_are_shares_of_possible_sessions() -> None:
    pattern = (
        WeekdaySessions(0, "Mon", 6, 6, 9, 9),
        WeekdaySessions(4, "Fri", 7, 11, 11, 11),  # every Friday afternoon missed: 100%
    )
    rows = weekday_rows(pattern)
    assert rows[0] == ("Mon", 100 * 6 / 9, 100 * 6 / 9)
    assert rows[4] == ("Fri", 100 * 7 / 11, 100.0)
    assert rows[1] == ("Tue", None, None)  # no possible session: nothing to show
    assert weekday_axis_top([67, 100]) == 100
    assert weekday_axis_top([6, 11]) == 20


def test_band_lines_come_from_the_policy() -> None:
    lines = band_lines(preset("clifford"))
    assert lines == (("Green from 96%", 96.0, "#2e7d32"), ("Amber from 90%", 90.0, "#f9a825"))
    assert Decimal(0) not in {Decimal(str(v)) for _, v, _ in lines}


def test_percent_axis_runs_from_below_the_lowest_point_to_100() -> None:
    assert percent_range(30.0) == (20.0, 10.0)
    low, step = percent_range(92.0)
    assert low < 92 and (100 - low) / step <= 8 and low % step == 0


def test_date_axis_labels_each_point(qtbot) -> None:  # noqa: ANN001
    days = [date(2026, 10, 23), date(2026, 11, 20)]
    assert date_axis(days).categoriesLabels() == ["23 Oct", "20 Nov"]
    weekly = [date(2025, 9, 5) + timedelta(weeks=k) for k in range(20)]
    labels = date_axis(weekly).categoriesLabels()
    assert len(labels) <= 8 and labels[-1] == "16 Jan"


def test_monitoring_chart_has_a_dot_per_point(qtbot) -> None:  # noqa: ANN001
    view = ChartView("Attendance at each monitoring point")
    qtbot.addWidget(view)
    points = [(date(2026, 10, 23), 30.5556), (date(2026, 11, 20), 30.0)]
    view.set_percent_line(points, name="Year to date", references=[("Green", 96.0, "#2e7d32")])
    assert view.line_points() == [(date(2026, 10, 23), 30.6), (date(2026, 11, 20), 30.0)]
    line = view.chart().series()[-1]
    assert line.pointsVisible() and line.pointLabelsVisible()
    y = view.chart().axes(Qt.Orientation.Vertical)[0]
    assert (y.min(), y.max()) == (20.0, 100.0)


def test_a_concern_does_not_say_its_rule_twice() -> None:
    from attendance_desk.ui.widgets.pupil_sections import concern_text

    assert concern_text("Persistent absence", "Persistent absence: year to date 30%") == (
        "Persistent absence: year to date 30%"
    )
    assert concern_text("Absent week", "Absent for 15 sessions") == (
        "Absent week: Absent for 15 sessions"
    )


def test_the_band_lines_legend_stays_whole_when_the_chart_is_drawn_again(qtbot) -> None:  # noqa: ANN001
    """The pupil page's monitoring chart: the bands' entries in a smaller font, the line's own
    left out (the title says what it is), through a resize that draws the chart again (it
    lost both: "Green fro…", "Amber fro…", "Year to date" at 1366x768)."""
    from types import SimpleNamespace

    from attendance_desk.ui.widgets.pupil_charts import PupilCharts

    charts = PupilCharts()
    qtbot.addWidget(charts)
    charts.resize(330, 500)
    charts.show()
    report = SimpleNamespace(
        monitoring_points=[(date(2026, 10, 23), 30.6), (date(2026, 12, 7), 31.1)],
        weekday_pattern=(),
    )
    charts.set_report(report, band_lines(preset("clifford")))

    def legend() -> tuple[list[str], float]:
        chart = charts.monitoring_chart.chart()
        shown = [m.label() for m in chart.legend().markers() if m.isVisible()]
        return shown, chart.legend().font().pointSizeF()

    qtbot.waitUntil(lambda: bool(legend()[0]), timeout=5000)  # laid out
    shown, size = legend()
    assert shown == ["Green from 96%", "Amber from 90%"]
    assert size < charts.monitoring_chart.font().pointSizeF()
    before = charts.monitoring_chart.chart()
    redraw = charts.monitoring_chart._percent_line  # what a resize to another height calls
    assert redraw is not None
    redraw()
    assert charts.monitoring_chart.chart() is not before  # a new chart
    qtbot.waitUntil(lambda: bool(legend()[0]), timeout=5000)
    assert legend() == (shown, size)
