"""The pupil page's two charts: year-to-date attendance at each monitoring point against the
policy's band lines, and the share of possible sessions missed on each weekday."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtWidgets import QBoxLayout, QWidget

from attendance_desk.ui.widgets.charts import ChartView

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri")
LEGEND_SCALE = 0.88  # the charts' legends against the page's font: the column is narrow
CHART_HEIGHT = 210  # the least height of each chart; they share what the page has to give
BandLine = tuple[str, float, str]  # (label, %, "#colour")


def band_lines(policy: Any) -> tuple[BandLine, ...]:
    """A dashed line at the bottom of each band but the lowest, in the band's colour
    ("Green from 96%", "Amber from 90%"), highest first."""
    lines = []
    for band in sorted(getattr(policy, "bands", ()), key=lambda b: b.lower_pct, reverse=True):
        if band.lower_pct > 0:
            value = float(band.lower_pct)
            shown = f"{value:g}"
            lines.append((f"{band.label} from {shown}%", value, band.colour))
    return tuple(lines)


def weekday_rows(pattern: Any) -> list[tuple[str, float | None, float | None]]:
    """(weekday, % of possible morning sessions missed, % of afternoon ones) from the engine's
    weekday pattern; None where the pupil had no possible session on that weekday."""

    def rate(missed: int, possible: int) -> float | None:
        return 100.0 * missed / possible if possible else None

    by_day = {w.weekday: w for w in pattern or ()}
    rows: list[tuple[str, float | None, float | None]] = []
    for weekday, name in enumerate(WEEKDAY_NAMES):
        w = by_day.get(weekday)
        if w is None:
            rows.append((name, None, None))
        else:
            rows.append((name, rate(w.am_missed, w.am_possible), rate(w.pm_missed, w.pm_possible)))
    return rows


def weekday_axis_top(values: Sequence[float]) -> float:
    """A round top for the weekday axis: 10% above the highest bar, never above 100%."""
    top = max(values, default=0.0)
    return float(min(100, max(10, math.ceil((top + 8) / 10) * 10)))


class PupilCharts(QWidget):
    """The monitoring-point line above the weekday bars (a column beside the calendar), or the
    two side by side (`stacked=False`)."""

    def __init__(self, parent: QWidget | None = None, stacked: bool = True) -> None:
        super().__init__(parent)
        # Short titles: the column beside the calendar is narrow at 1366x768.
        self.monitoring_chart = ChartView("Attendance at each monitoring point", self, CHART_HEIGHT)
        self.monitoring_chart.max_steps = 5  # a short chart: every % label readable
        # A smaller legend, without the line's own entry (the title says what it is), so the
        # band lines' entries are whole in the narrow column ("Green fro…" at 1366x768)
        self.monitoring_chart.legend_scale = LEGEND_SCALE
        self.monitoring_chart.main_in_legend = False
        self.monitoring_chart.setToolTip(
            "Year-to-date attendance at each monitoring point, against the policy's bands"
        )
        self.weekday_chart = ChartView("Sessions missed by weekday", self, CHART_HEIGHT)
        self.weekday_chart.legend_scale = LEGEND_SCALE
        self.weekday_chart.setToolTip(
            "Of the morning and afternoon sessions the pupil could have attended on each "
            "weekday this year, the share missed (authorised or unauthorised)"
        )
        direction = (
            QBoxLayout.Direction.TopToBottom if stacked else QBoxLayout.Direction.LeftToRight
        )
        box = QBoxLayout(direction, self)
        box.setContentsMargins(0, 0, 0, 0)
        box.setSpacing(6)
        box.addWidget(self.monitoring_chart, 1 if stacked else 3)
        box.addWidget(self.weekday_chart, 1 if stacked else 2)

    def set_report(self, report: Any, lines: Sequence[BandLine]) -> None:
        points: list[tuple[date, float | None]] = list(
            getattr(report, "monitoring_points", ()) or ()
        )
        self.monitoring_chart.set_percent_line(points, name="Year to date", references=lines)
        rows = weekday_rows(getattr(report, "weekday_pattern", None))
        am = [round(r[1] or 0.0) for r in rows]
        pm = [round(r[2] or 0.0) for r in rows]
        self.weekday_chart.set_bars(
            [r[0] for r in rows],
            [("Morning", am, "#b9d0ee"), ("Afternoon", pm, "#6f9bd6")],
            y_max=weekday_axis_top(am + pm),
            value_labels="@value",
        )
        self.weekday_chart.chart().legend().setVisible(True)
