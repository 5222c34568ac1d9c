"""Term dates for the demo school, computed from the usual English rules for any year.

Autumn starts on the first weekday on or after 2 September; half terms fall in the last week
of October, mid-February and the week of the Spring bank holiday; Christmas and Easter give
about two weeks each; the summer term ends around 20 July, when the year has 195 term days
(190 pupil days and 5 INSET days).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from attendance_desk.domain.calendar import AcademicYear

TERM_DAYS = 195  # weekdays in term, bank holidays excluded: 190 pupil days + 5 INSET days
HALF_TERM_NAMES = ("Autumn 1", "Autumn 2", "Spring 1", "Spring 2", "Summer 1", "Summer 2")


@dataclass(frozen=True, slots=True)
class DemoHalfTerm:
    name: str
    start: date
    end: date


@dataclass(frozen=True, slots=True)
class DemoClosure:
    date: date
    kind: str  # "inset" | "bank_holiday"
    description: str


@dataclass(frozen=True, slots=True)
class DemoYear:
    """One academic year: 1 September to 31 August, six half terms and the closures in them."""

    name: str
    start_date: date
    end_date: date
    half_terms: tuple[DemoHalfTerm, ...]
    closures: tuple[DemoClosure, ...]

    def school_days(self) -> list[date]:
        """Weekdays inside a half term that are not a closure (INSET days excluded too)."""
        closed = {c.date for c in self.closures}
        return [d for d in self.term_weekdays() if d not in closed]

    def term_weekdays(self) -> list[date]:
        days: list[date] = []
        for ht in self.half_terms:
            d = ht.start
            while d <= ht.end:
                if d.weekday() < 5:
                    days.append(d)
                d += timedelta(days=1)
        return days

    def first_pupil_day(self) -> date:
        return self.school_days()[0]


def easter_sunday(year: int) -> date:
    """Easter Sunday (Gregorian calendar, anonymous algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return date(year, month, day + 1)


def _weekday_on_or_after(day: date, weekday: int = -1) -> date:
    """The first weekday (any, or the given one: 0 = Monday) on or after `day`."""
    while (day.weekday() >= 5) if weekday < 0 else (day.weekday() != weekday):
        day += timedelta(days=1)
    return day


def _last_monday(year: int, month: int) -> date:
    day = date(year + month // 12, month % 12 + 1, 1) - timedelta(days=1)
    return day - timedelta(days=day.weekday())


def _friday_on_or_before(day: date) -> date:
    return day - timedelta(days=(day.weekday() - 4) % 7)


def academic_year(start_year: int) -> DemoYear:
    """Term dates, INSET days and bank holidays of the academic year starting in `start_year`."""
    y, n = start_year, start_year + 1
    a1_start = _weekday_on_or_after(date(y, 9, 2))
    oct_break = _last_monday(y, 10)
    dec18 = date(y, 12, 18)  # Christmas: from the Friday of the week of 18 December
    a2_end = dec18 + timedelta(days=4 - dec18.weekday()) if dec18.weekday() < 5 else dec18
    a2_end = _friday_on_or_before(a2_end)
    s1_start = _weekday_on_or_after(date(n, 1, 4))
    if s1_start.weekday() == 4:  # nobody starts a term on a Friday
        s1_start += timedelta(days=3)
    feb_break = _weekday_on_or_after(date(n, 2, 11), 0)
    easter = easter_sunday(n)
    if easter >= date(n, 4, 12):  # late Easter: two weeks before it, back after Easter Monday
        s2_end, su1_start = easter - timedelta(days=16), easter + timedelta(days=2)
    else:  # early Easter: Holy Week and Easter week
        s2_end, su1_start = easter - timedelta(days=9), easter + timedelta(days=8)
    spring_bank = _last_monday(n, 5)
    early_may = _weekday_on_or_after(date(n, 5, 1), 0)
    su2_start = spring_bank + timedelta(days=7)
    first_five = [
        (a1_start, oct_break - timedelta(days=3)),
        (oct_break + timedelta(days=7), a2_end),
        (s1_start, feb_break - timedelta(days=3)),
        (feb_break + timedelta(days=7), s2_end),
        (su1_start, spring_bank - timedelta(days=3)),
    ]
    bank_holidays = [early_may] if su1_start <= early_may else []
    su2_end = _summer_end(first_five, su2_start, len(bank_holidays))
    spans = [*first_five, (su2_start, su2_end)]
    half_terms = tuple(
        DemoHalfTerm(name, start, end)
        for name, (start, end) in zip(HALF_TERM_NAMES, spans, strict=True)
    )
    closures = _inset_days(half_terms) + [
        DemoClosure(d, "bank_holiday", "Early May bank holiday (no register)")
        for d in bank_holidays
    ]
    year = AcademicYear.starting(y)
    return DemoYear(
        name=year.name,
        start_date=year.start,
        end_date=year.end,
        half_terms=half_terms,
        closures=tuple(sorted(closures, key=lambda c: c.date)),
    )


def _weekdays(start: date, end: date) -> int:
    return sum(1 for i in range((end - start).days + 1) if (start + timedelta(i)).weekday() < 5)


def _summer_end(spans: list[tuple[date, date]], start: date, bank_holidays: int) -> date:
    """The last day of the summer term: the year reaches 195 term days, between 15 and 25 July."""
    have = sum(_weekdays(a, b) for a, b in spans) - bank_holidays
    end = start
    last = date(start.year, 7, 25)
    while end < last:
        in_window = end.month == 7 and end.day >= 15 and end.weekday() < 5
        if in_window and have + _weekdays(start, end) >= TERM_DAYS:
            break
        end += timedelta(days=1)
    while end.weekday() >= 5:
        end -= timedelta(days=1)
    return end


def _inset_days(half_terms: tuple[DemoHalfTerm, ...]) -> list[DemoClosure]:
    """Five INSET days: the first two of the year and the first day of Autumn 2, Spring 1, Summer 2."""
    first = half_terms[0].start
    second = _weekday_on_or_after(first + timedelta(days=1))
    days = [first, second, half_terms[1].start, half_terms[2].start, half_terms[5].start]
    return [DemoClosure(d, "inset", "INSET day (coded # in the register)") for d in days]
