"""Rows and models for the dashboard: groups, the class league and the concerns queue."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from attendance_desk.domain.characteristics import EAL, FSM, PUPIL_PREMIUM, SEN
from attendance_desk.domain.national import NATIONAL_PRIMARY
from attendance_desk.ui.models.pupil_list import figures_pct
from attendance_desk.ui.models.table import Column, RowTableModel

# the national figures, declared once in domain/national.py
NATIONAL_ABSENCE_PCT = NATIONAL_PRIMARY.absence_pct
NATIONAL_PA_PCT = NATIONAL_PRIMARY.persistent_pct
NATIONAL_SA_PCT = NATIONAL_PRIMARY.severe_pct
NATIONAL_YEAR = NATIONAL_PRIMARY.year


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


@dataclass(frozen=True, slots=True)
class GroupRow:
    kind: str  # "School", "Year", "Class", "Pupil Premium" ...
    name: str
    pupils: int
    attendance_pct: float | None
    absence_pct: float | None
    persistent_pct: float | None
    severe_pct: float | None
    order: int = 0


KIND_LABELS = {
    "school": "School",
    "year_group": "Year",
    "class": "Class",
    **{c.field: c.group_label for c in (PUPIL_PREMIUM, FSM, EAL)},
    "sen": SEN.group_label,
    "sex": "Sex",
}


def group_rows(groups: Iterable[Any]) -> list[GroupRow]:
    """Rows from the engine's GroupFigures (kind, name, figures, pupils, persistent, severe)."""
    rows = []
    for i, g in enumerate(groups):
        figures = g.figures
        pupils = int(g.pupils)
        rows.append(
            GroupRow(
                kind=KIND_LABELS.get(g.kind, g.kind.replace("_", " ").title()),
                name=g.name,
                pupils=pupils,
                attendance_pct=figures_pct(figures),
                absence_pct=_float(figures.absence_pct),
                persistent_pct=100.0 * g.persistent / pupils if pupils else None,
                severe_pct=100.0 * g.severe / pupils if pupils else None,
                order=i,
            )
        )
    return rows


GROUP_COLUMNS: list[Column[GroupRow]] = [
    Column("Group", lambda r: r.kind or None, width=14),
    Column("Name", lambda r: r.name, width=18),
    Column("Pupils", lambda r: r.pupils, kind="number", width=7),
    Column("Attendance", lambda r: r.attendance_pct, kind="percent", width=22),
    Column("Absence", lambda r: r.absence_pct, kind="percent", width=8),
    Column(
        "Persistent absence",
        lambda r: r.persistent_pct,
        kind="percent",
        width=10,
        description="Share of pupils at 90% or below",
    ),
    Column(
        "Severe absence",
        lambda r: r.severe_pct,
        kind="percent",
        width=10,
        description="Share of pupils at 50% or below",
    ),
]
GROUP_COL_ATTENDANCE = 3


class GroupModel(RowTableModel[GroupRow]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(GROUP_COLUMNS, parent)


@dataclass(frozen=True, slots=True)
class LeagueRow:
    position: int
    reg_group: str
    year_group: str
    sessions: int
    attendance_pct: float | None
    change: float | None  # points against the week before


def league_rows(league: Iterable[tuple[str, Any]]) -> list[LeagueRow]:
    """Rows from the engine's class league: (class, Figures) best first."""
    rows = []
    for i, (reg_group, figures) in enumerate(league, start=1):
        rows.append(
            LeagueRow(
                position=i,
                reg_group=reg_group,
                year_group="",
                sessions=figures.possible,
                attendance_pct=figures_pct(figures),
                change=None,
            )
        )
    return rows


LEAGUE_COLUMNS: list[Column[LeagueRow]] = [
    Column("#", lambda r: r.position, kind="number", width=4),
    Column("Class", lambda r: r.reg_group, width=10),
    Column(
        "Sessions",
        lambda r: r.sessions or None,
        kind="number",
        width=8,
        description="Possible sessions this week",
    ),
    Column("This week", lambda r: r.attendance_pct, kind="percent", width=20),
]


class LeagueModel(RowTableModel[LeagueRow]):
    def __init__(self, parent: Any = None) -> None:
        super().__init__(LEAGUE_COLUMNS, parent)


@dataclass(frozen=True, slots=True)
class ConcernRow:
    pupil_id: int
    name: str
    reg_group: str
    rule: str
    owner: str
    detail: str
    action: str
    evidence: int
