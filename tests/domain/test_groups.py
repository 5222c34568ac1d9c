"""Group figures (domain/groups.py), worked by hand: four pupils, whole-school and group rows."""

from __future__ import annotations

from dataclasses import dataclass
from fractions import Fraction

from attendance_desk.domain.figures import Figures
from attendance_desk.domain.groups import group_table


@dataclass(frozen=True)
class Member:
    year_group: str | None
    reg_group: str | None
    sex: str | None
    pupil_premium: bool
    fsm: bool
    sen_status: str
    eal: bool
    year: Figures


def figures(present: int, absent: int) -> Figures:
    return Figures.from_code_counts({"/": present, "O": absent})


# Ava 100/100 (PP); Ben 85/100 (persistent: 90% or below); Cara 45/100 (severe: 50% or below,
# FSM, SEN K); Reception Dan 95/100 (EAL).
PUPILS = [
    Member("3", "3 Oak", "F", True, False, "N", False, figures(100, 0)),
    Member("3", "3 Oak", "M", False, False, "N", False, figures(85, 15)),
    Member("4", "4 Elm", "F", False, True, "K", False, figures(45, 55)),
    Member("R", "R Ash", "M", False, False, "N", True, figures(95, 5)),
]


def _row(rows: list, kind: str, name: str):  # noqa: ANN202
    return next(r for r in rows if (r.kind, r.name) == (kind, name))


def test_whole_school_and_persistent_and_severe_counts() -> None:
    rows = group_table(PUPILS)
    school = _row(rows, "school", "Whole school")
    assert (school.attended, school.possible) == (325, 400)  # 100 + 85 + 45 + 95
    assert school.attendance == Fraction(13, 16)
    assert (school.pupils, school.persistent, school.severe) == (4, 2, 1)  # Ben, Cara; Cara
    assert school.persistent_pct == 50.0 and school.severe_pct == 25.0


def test_reception_is_left_out_when_asked_as_national_statistics_do() -> None:
    school = _row(group_table(PUPILS, include_reception=False), "school", "Whole school")
    assert (school.attended, school.possible, school.pupils) == (230, 300, 3)
    assert not any(r.name == "Year R" for r in group_table(PUPILS, include_reception=False))


def test_each_group_and_its_complement() -> None:
    rows = group_table(PUPILS)
    assert _row(rows, "year_group", "Year 3").attendance == Fraction(185, 200)
    assert _row(rows, "class", "4 Elm").severe == 1
    pp, not_pp = (
        _row(rows, "pupil_premium", "Pupil Premium"),
        _row(rows, "pupil_premium", "Not Pupil Premium"),
    )
    assert (pp.pupils, not_pp.pupils) == (1, 3)
    assert (not_pp.attended, not_pp.possible) == (225, 300)
    assert _row(rows, "sen", "SEN support (K)").pupils == 1
    assert _row(rows, "sen", "No SEN (N)").pupils == 3
    assert _row(rows, "eal", "EAL").attendance == Fraction(95, 100)
    assert _row(rows, "sex", "Female").pupils == 2
