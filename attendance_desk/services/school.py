"""The school's details and headline counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, select

from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Mark, Pupil, School


@dataclass(frozen=True)
class SchoolSummary:
    name: str
    pupils_on_roll: int
    marks: int
    first_mark: date | None
    last_mark: date | None


def on_roll_filter(as_of: date):  # noqa: ANN201 - a SQLAlchemy boolean clause
    """Pupils on roll on `as_of`: admission and leaving dates are both inclusive."""
    return or_(Pupil.admission_date.is_(None), Pupil.admission_date <= as_of) & or_(
        Pupil.leaving_date.is_(None), Pupil.leaving_date >= as_of
    )


def school_summary(db: Database, as_of: date | None = None) -> SchoolSummary:
    as_of = as_of or date.today()
    with db.session() as s:
        school = s.scalars(select(School).limit(1)).first()
        pupils = s.scalar(select(func.count()).select_from(Pupil).where(on_roll_filter(as_of)))
        marks, first, last = s.execute(
            select(func.count(), func.min(Mark.date), func.max(Mark.date))
        ).one()
    return SchoolSummary(
        name=school.name if school else "No school set up yet",
        pupils_on_roll=pupils or 0,
        marks=marks or 0,
        first_mark=first,
        last_mark=last,
    )
