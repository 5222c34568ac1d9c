"""The monitoring engine over the database: figures, bands and concerns for every pupil.

Marks are read with ONE raw SQL query (a string of codes per pupil, in time order, with the
sessions that have marks; a pupil's sessions are read too only when the count of their marks
does not tell them) and turned into compact arrays (domain/rule_input.py); everything after
that is pure domain code. Results are frozen dataclasses, never ORM objects.

  loading     reading pupils and marks into each pupil's RuleInput
  evaluation  running the rules, reusing the results of pupils whose inputs are unchanged
  pupils      pupil_overviews, pupil_report, school_concerns
  school      group_figures, weekly_attendance, class_league, school_snapshot
"""

from attendance_desk.services.monitoring.evaluation import (
    _RESULTS as _RESULTS,  # the stored results by database (tests clear it)
)
from attendance_desk.services.monitoring.evaluation import TREND_POINTS
from attendance_desk.services.monitoring.pupils import (
    PupilOverview,
    PupilReport,
    monitoring_point_dates,
    pupil_overviews,
    pupil_report,
    school_concerns,
)
from attendance_desk.services.monitoring.school import (
    SchoolSnapshot,
    class_league,
    group_figures,
    school_snapshot,
    weekly_attendance,
)

__all__ = [
    "TREND_POINTS",
    "PupilOverview",
    "PupilReport",
    "SchoolSnapshot",
    "class_league",
    "group_figures",
    "monitoring_point_dates",
    "pupil_overviews",
    "pupil_report",
    "school_concerns",
    "school_snapshot",
    "weekly_attendance",
]
