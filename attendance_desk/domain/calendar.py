"""The school calendar: academic years, terms, half terms, school days and school weeks.

School days are weekdays inside the half terms that are not closures (INSET days, bank
holidays). An academic year with no term dates entered has its half terms inferred from the
register: days with sessions are school days, and a run of HOLIDAY_MIN_WEEKDAYS or more
weekdays with no sessions is a holiday that ends a half term (a shorter gap is a closure).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

HOLIDAY_MIN_WEEKDAYS = 3
MIN_YEAR_SCHOOL_DAYS = 190  # a full year; used to estimate the rest of a year with no dates
_STANDARD_NAMES = ("Autumn 1", "Autumn 2", "Spring 1", "Spring 2", "Summer 1", "Summer 2")
_TERM_NAMES = ("Autumn", "Spring", "Summer")


# The academic year runs from 1 September to 31 August: the one place that says so.
YEAR_START_MONTH = 9
YEAR_START_DAY = 1


def academic_start_year(d: date) -> int:
    """The calendar year in which the academic year holding `d` began (2025-03-14 -> 2024)."""
    return d.year if (d.month, d.day) >= (YEAR_START_MONTH, YEAR_START_DAY) else d.year - 1


def year_start(d: date) -> date:
    """1 September of the academic year holding `d`."""
    return AcademicYear.starting(academic_start_year(d)).start


@dataclass(frozen=True, slots=True)
class AcademicYear:
    name: str  # "2024/25"
    start: date  # 1 September
    end: date  # 31 August

    @classmethod
    def starting(cls, first: int) -> AcademicYear:
        """The academic year that begins in the calendar year `first`."""
        start = date(first, YEAR_START_MONTH, YEAR_START_DAY)
        end = date(first + 1, YEAR_START_MONTH, YEAR_START_DAY) - timedelta(days=1)
        return cls(f"{first}/{(first + 1) % 100:02d}", start, end)

    @classmethod
    def containing(cls, d: date) -> AcademicYear:
        return cls.starting(academic_start_year(d))

    @property
    def previous(self) -> AcademicYear:
        return AcademicYear.starting(self.start.year - 1)


@dataclass(frozen=True, slots=True)
class HalfTermSpan:
    name: str
    start: date
    end: date
    year: str = ""  # academic year name, "2024/25"
    index: int = 0  # 1..6 within its academic year
    inferred: bool = False

    def __contains__(self, d: object) -> bool:
        return isinstance(d, date) and self.start <= d <= self.end


@dataclass(frozen=True, slots=True)
class Term:
    name: str  # "Autumn 2024/25"
    start: date
    end: date
    half_terms: tuple[HalfTermSpan, ...]


def monday_of(d: date) -> date:
    return d - timedelta(days=d.weekday())


class SchoolCalendar:
    """Half terms and closures (entered or inferred) with fast school-day arithmetic.

    Built once per evaluation; every query is a bisect on sorted day ordinals.
    """

    def __init__(
        self,
        half_terms: Iterable[HalfTermSpan | tuple[str, date, date]] = (),
        closures: Iterable[date] = (),
        session_dates: Iterable[date] = (),
    ) -> None:
        explicit = [
            h if isinstance(h, HalfTermSpan) else HalfTermSpan(h[0], h[1], h[2]) for h in half_terms
        ]
        explicit = _number_half_terms(explicit, inferred=False)
        closed = {c.toordinal() for c in closures}
        covered_years = {h.year for h in explicit}
        days: set[int] = set()
        for h in explicit:
            for o in range(h.start.toordinal(), h.end.toordinal() + 1):
                if o % 7 not in (6, 0) and o not in closed:  # ordinal % 7: 0 Sunday, 6 Saturday
                    days.add(o)
        # Years with no term dates: infer from the register.
        by_year: dict[str, list[int]] = {}
        for d in set(session_dates):
            year = AcademicYear.containing(d).name
            if year not in covered_years and d.weekday() < 5:
                by_year.setdefault(year, []).append(d.toordinal())
        inferred: list[HalfTermSpan] = []
        for ords in by_year.values():
            ords.sort()
            days.update(ords)
            inferred.extend(_infer_half_terms(ords))
        inferred = _number_half_terms(inferred, inferred=True)
        self.half_terms: tuple[HalfTermSpan, ...] = tuple(
            sorted(explicit + inferred, key=lambda h: h.start)
        )
        self.closures: frozenset[date] = frozenset(date.fromordinal(o) for o in closed)
        self._days: list[int] = sorted(days)
        self._day_set: frozenset[int] = frozenset(days)
        self._weeks: list[int] = sorted({o - (o - 1) % 7 for o in days})  # Monday ordinals
        self._ht_starts: list[int] = [h.start.toordinal() for h in self.half_terms]
        self._ht_ends: list[int] = [h.end.toordinal() for h in self.half_terms]
        self._inferred_years = frozenset(h.year for h in inferred)

    def fingerprint(self) -> tuple[object, ...]:
        """Everything the calendar's answers depend on: two calendars with equal fingerprints
        answer every question alike (the monitoring engine reuses results on it)."""
        return (self.half_terms, self.closures, tuple(self._days), self._inferred_years)

    # --- days -------------------------------------------------------------------------------
    @property
    def school_day_ordinals(self) -> Sequence[int]:
        """Every school day as a date ordinal, ascending (for tight loops)."""
        return self._days

    @property
    def is_empty(self) -> bool:
        return not self._days

    def is_school_day(self, d: date) -> bool:
        return d.toordinal() in self._day_set

    def is_school_ordinal(self, o: int) -> bool:
        return o in self._day_set

    def school_day_count(self, start: date, end: date) -> int:
        """School days from start to end, both inclusive."""
        if end < start:
            return 0
        return bisect_right(self._days, end.toordinal()) - bisect_left(
            self._days, start.toordinal()
        )

    def school_days(self, start: date, end: date) -> list[date]:
        lo = bisect_left(self._days, start.toordinal())
        hi = bisect_right(self._days, end.toordinal())
        return [date.fromordinal(o) for o in self._days[lo:hi]]

    def school_days_after(self, d: date, until: date) -> int:
        """School days strictly after d, up to and including until."""
        if until <= d:
            return 0
        return bisect_right(self._days, until.toordinal()) - bisect_right(self._days, d.toordinal())

    def previous_school_day(self, d: date) -> date | None:
        i = bisect_left(self._days, d.toordinal())
        return date.fromordinal(self._days[i - 1]) if i > 0 else None

    def next_school_day(self, d: date) -> date | None:
        i = bisect_right(self._days, d.toordinal())
        return date.fromordinal(self._days[i]) if i < len(self._days) else None

    def last_school_day_on_or_before(self, d: date) -> date | None:
        i = bisect_right(self._days, d.toordinal())
        return date.fromordinal(self._days[i - 1]) if i > 0 else None

    # --- half terms, terms, years -----------------------------------------------------------
    def half_term_of(self, d: date) -> HalfTermSpan | None:
        """The half term containing d, or the last one that ended before it."""
        i = bisect_right(self._ht_starts, d.toordinal()) - 1
        return self.half_terms[i] if i >= 0 else None

    def previous_half_term(self, half_term: HalfTermSpan) -> HalfTermSpan | None:
        i = self.half_terms.index(half_term)
        return self.half_terms[i - 1] if i > 0 else None

    def half_terms_in_year(self, year: str) -> tuple[HalfTermSpan, ...]:
        return tuple(h for h in self.half_terms if h.year == year)

    def term_of(self, d: date) -> Term | None:
        """The term (half terms 1+2, 3+4 or 5+6 of the year) holding the current half term."""
        half = self.half_term_of(d)
        if half is None:
            return None
        first_index = half.index - (half.index + 1) % 2  # 1,2 -> 1; 3,4 -> 3; 5,6 -> 5
        pair = tuple(
            h
            for h in self.half_terms_in_year(half.year)
            if h.index in (first_index, first_index + 1)
        )
        k = (first_index - 1) // 2
        name = f"{_TERM_NAMES[k] if k < 3 else f'Term {k + 1}'} {half.year}"
        return Term(name, pair[0].start, pair[-1].end, pair)

    def academic_year_of(self, d: date) -> AcademicYear:
        return AcademicYear.containing(d)

    def school_days_left_in_year(self, d: date) -> int:
        """School days after d up to 31 August of its year.

        For a year whose dates were inferred from the register the future is unknown, so it is
        estimated as what is left of a MIN_YEAR_SCHOOL_DAYS-day year.
        """
        year = AcademicYear.containing(d)
        known = self.school_days_after(d, year.end)
        if year.name in self._inferred_years:
            elapsed = self.school_day_count(year.start, d)
            return max(known, MIN_YEAR_SCHOOL_DAYS - elapsed)
        return known

    # --- weeks ------------------------------------------------------------------------------
    def is_school_week(self, monday: date) -> bool:
        o = monday.toordinal()
        i = bisect_left(self._weeks, o)
        return i < len(self._weeks) and self._weeks[i] == o

    def school_weeks_ending(self, d: date, n: int) -> list[date]:
        """Mondays of the n most recent school weeks whose Monday <= the Monday of d's week.

        Weeks with no school session are skipped, so this reaches back across holidays and
        into earlier years. Oldest first; fewer than n when the calendar starts later.
        """
        hi = bisect_right(self._weeks, monday_of(d).toordinal())
        return [date.fromordinal(o) for o in self._weeks[max(0, hi - n) : hi]]

    def school_weeks(self, start: date, end: date) -> list[date]:
        """Mondays of school weeks with a Monday from monday_of(start) to end."""
        lo = bisect_left(self._weeks, monday_of(start).toordinal())
        hi = bisect_right(self._weeks, end.toordinal())
        return [date.fromordinal(o) for o in self._weeks[lo:hi]]


def _infer_half_terms(ords: list[int]) -> list[HalfTermSpan]:
    """Split one year's session days into half terms at runs of weekdays with no sessions."""
    spans: list[HalfTermSpan] = []
    start = prev = ords[0]
    for o in ords[1:]:
        gap_weekdays = sum(1 for x in range(prev + 1, o) if x % 7 not in (6, 0))
        if gap_weekdays >= HOLIDAY_MIN_WEEKDAYS:
            spans.append(HalfTermSpan("", date.fromordinal(start), date.fromordinal(prev)))
            start = o
        prev = o
    spans.append(HalfTermSpan("", date.fromordinal(start), date.fromordinal(prev)))
    return spans


def _number_half_terms(spans: list[HalfTermSpan], inferred: bool) -> list[HalfTermSpan]:
    """Give each half term its academic year and its place (1..6) in that year."""
    by_year: dict[str, list[HalfTermSpan]] = {}
    for h in sorted(spans, key=lambda h: h.start):
        by_year.setdefault(AcademicYear.containing(h.start).name, []).append(h)
    out: list[HalfTermSpan] = []
    for year, items in by_year.items():
        for i, h in enumerate(items, start=1):
            name = h.name or (
                _STANDARD_NAMES[i - 1] if len(items) <= 6 and i <= 6 else f"Half term {i}"
            )
            out.append(HalfTermSpan(name, h.start, h.end, year, i, inferred))
    return out
