"""The national figures for primary schools in England that the school's (and the trust's)
figures are shown beside: declared here, once (domain-rules.md, "Figures ...").

Not policy numbers (the school cannot change them): the published statistics of a year.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class NationalFigures:
    year: str  # the academic year the statistics are of, "2024/25"
    absence_pct: float
    persistent_pct: float  # pupils with attendance of 90% or below, as a share of pupils
    severe_pct: float  # pupils with attendance of 50% or below
    authorised_pct: float | None = None  # not published for every year yet
    unauthorised_pct: float | None = None

    @property
    def attendance_pct(self) -> float:
        return round(100 - self.absence_pct, 2)


PRIMARY_2023_24 = NationalFigures(
    "2023/24",
    absence_pct=5.5,
    persistent_pct=14.6,
    severe_pct=0.85,
    authorised_pct=3.9,
    unauthorised_pct=1.6,
)
PRIMARY_2024_25 = NationalFigures("2024/25", absence_pct=5.1, persistent_pct=13.4, severe_pct=0.85)

# the latest year's: what a dashboard shows beside the school's figures
NATIONAL_PRIMARY = PRIMARY_2024_25
# the latest year with authorised / unauthorised published: the governors' report's table
NATIONAL_PRIMARY_FULL = PRIMARY_2023_24
