"""Compulsory school age (Education Act 1996 s.8 and the prescribed days order).

A child reaches compulsory school age on the first prescribed day (31 December, 31 March or
31 August) on or after their fifth birthday. The national rules about unauthorised absence
(penalty notices, the LA returns) apply only from that day: a Reception child who is still
four, or five but before the next prescribed day, is outside them.

A date of birth of 29 February counts as 28 February in a year without one (the birthday is
still before 31 March either way, so the answer is the same).
"""

from __future__ import annotations

from datetime import date

from attendance_desk.domain.dates import numeric
from attendance_desk.errors import UserError

SCHOOL_AGE_YEARS = 5
# (month, day) of the prescribed days, in calendar order
PRESCRIBED_DAYS = ((3, 31), (8, 31), (12, 31))


class NotOfSchoolAge(UserError):
    """An action the law allows only for a child of compulsory school age."""


def fifth_birthday(born: date) -> date:
    try:
        return born.replace(year=born.year + SCHOOL_AGE_YEARS)
    except ValueError:  # 29 February
        return born.replace(year=born.year + SCHOOL_AGE_YEARS, day=28)


def compulsory_school_age_from(born: date) -> date:
    """The day the child reaches compulsory school age (that day counts as of school age)."""
    birthday = fifth_birthday(born)
    for month, day in PRESCRIBED_DAYS:
        prescribed = date(birthday.year, month, day)
        if prescribed >= birthday:
            return prescribed
    raise AssertionError("31 December is on or after every day of its year")


def of_compulsory_school_age(born: date | None, on: date) -> bool:
    """Whether the child is of compulsory school age on `on`; an unknown birth date counts
    as of school age (the school cannot show otherwise, and most pupils are)."""
    return born is None or compulsory_school_age_from(born) <= on


def require_school_age(born: date | None, on: date, what: str) -> None:
    """Refuse `what` (e.g. "a penalty notice") for a child not yet of compulsory school age."""
    if born is not None and not of_compulsory_school_age(born, on):
        start = compulsory_school_age_from(born)
        raise NotOfSchoolAge(
            f"{what[0].upper()}{what[1:]} cannot be recorded on {numeric(on)}: the child "
            f"(born {numeric(born)}) reaches compulsory school age on {numeric(start)}"
        )
