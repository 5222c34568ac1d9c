"""The pupil page's two charts: year-to-date attendance at each monitoring point against the
policy's band lines, and the share of possible sessions missed on each weekday."""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import date
from typing import Any

from PySide6.QtWidgets import QHBoxLayout, QWidget

from attendance_desk.ui.widgets.charts import ChartView

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri")
CHART_HEIGHT = 290
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
    """The monitoring-point line and the weekday bars side by side."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.monitoring_chart = ChartView(
            "Attendance at each monitoring point (year to date)", self, CHART_HEIGHT
        )
        self.weekday_chart = ChartView(
            "Sessions missed on each weekday (% of possible)", self, CHART_HEIGHT
        )
        self.weekday_chart.setToolTip(
            "Of the morning and afternoon sessions the pupil could have attended on each "
            "weekday this year, the share missed (authorised or unauthorised)"
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 4, 0, 0)
        row.addWidget(self.monitoring_chart, 3)
        row.addWidget(self.weekday_chart, 2)
        self.setFixedHeight(CHART_HEIGHT + 8)

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
