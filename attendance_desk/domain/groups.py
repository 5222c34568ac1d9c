"""Figures for groups of pupils (school, year, class, Pupil Premium, FSM, SEN, EAL, sex) with
persistent and severe absence counts and rates."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Protocol

from attendance_desk.domain.characteristics import EAL, FSM, PUPIL_PREMIUM, SEN_STATUSES, has
from attendance_desk.domain.figures import EMPTY_FIGURES, Figures

GROUPED = (PUPIL_PREMIUM, FSM, EAL)  # the yes/no groups of the national statistics
RECEPTION_YEARS = frozenset({"N", "N1", "N2", "R"})  # under five: outside national statistics


class GroupMember(Protocol):
    """What a group table needs of a pupil (read-only, so frozen records fit)."""

    @property
    def year_group(self) -> str | None: ...
    @property
    def reg_group(self) -> str | None: ...
    @property
    def sex(self) -> str | None: ...
    @property
    def pupil_premium(self) -> bool: ...
    @property
    def fsm(self) -> bool: ...
    @property
    def sen_status(self) -> str: ...
    @property
    def eal(self) -> bool: ...
    @property
    def year(self) -> Figures: ...


@dataclass(frozen=True, slots=True)
class GroupFigures:
    kind: str  # "school" | "year_group" | "class" | "pupil_premium" | "fsm" | "sen" | "eal" | "sex"
    name: str  # "Whole school", "Year 3", "3 Cedar", "Pupil Premium", "Not Pupil Premium" ...
    figures: Figures
    pupils: int  # pupils with at least one possible session
    persistent: int
    severe: int

    @property
    def possible(self) -> int:
        return self.figures.possible

    @property
    def attended(self) -> int:
        return self.figures.attended

    @property
    def attendance(self) -> Fraction | None:
        return self.figures.attendance

    @property
    def attendance_pct(self) -> float | None:
        return self.figures.attendance_pct

    @property
    def persistent_rate(self) -> Fraction | None:
        return Fraction(self.persistent, self.pupils) if self.pupils else None

    @property
    def severe_rate(self) -> Fraction | None:
        return Fraction(self.severe, self.pupils) if self.pupils else None

    @property
    def persistent_pct(self) -> float | None:
        r = self.persistent_rate
        return None if r is None else float(r * 100)

    @property
    def severe_pct(self) -> float | None:
        r = self.severe_rate
        return None if r is None else float(r * 100)


def aggregate(kind: str, name: str, members: Iterable[GroupMember]) -> GroupFigures:
    counted = [m.year for m in members if m.year.possible != 0]
    total = Figures.total(counted) if counted else EMPTY_FIGURES
    persistent = sum(1 for f in counted if f.persistent)
    severe = sum(1 for f in counted if f.severe)
    return GroupFigures(kind, name, total, len(counted), persistent, severe)


def _year_label(y: str) -> str:
    return "Reception" if y == "R" else (f"Year {y}" if y.isdigit() else f"Year group {y}")


def _year_key(y: str) -> tuple[int, str]:
    return (int(y), "") if y.isdigit() else ((-2 if y.startswith("N") else -1), y)


def group_table(
    members: Sequence[GroupMember], include_reception: bool = True
) -> list[GroupFigures]:
    """Whole school, then each year group, class and context group, in a stable order."""
    pupils = [
        m for m in members if include_reception or (m.year_group or "") not in RECEPTION_YEARS
    ]
    out = [aggregate("school", "Whole school", pupils)]
    years = sorted({m.year_group for m in pupils if m.year_group}, key=_year_key)
    out += [
        aggregate("year_group", _year_label(y), [m for m in pupils if m.year_group == y])
        for y in years
    ]
    classes = sorted({m.reg_group for m in pupils if m.reg_group})
    out += [aggregate("class", c, [m for m in pupils if m.reg_group == c]) for c in classes]
    for c in GROUPED:
        out.append(aggregate(c.field, c.group_label, [m for m in pupils if has(m, c)]))
        out.append(aggregate(c.field, f"Not {c.group_label}", [m for m in pupils if not has(m, c)]))
    for code, label in SEN_STATUSES.items():
        out.append(aggregate("sen", label, [m for m in pupils if m.sen_status == code]))
    for code, label in (("F", "Female"), ("M", "Male")):
        out.append(aggregate("sex", label, [m for m in pupils if (m.sex or "").upper() == code]))
    return out
