"""Attendance figures for a period: possible sessions, attendance and absence, on exact fractions.

possible = present + approved activity + authorised + unauthorised; attended = present +
approved activity. Not-possible codes and missing marks are left out of both sides. Legacy
codes count under their own category (H, F authorised; J approved activity; Y not possible).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType

from attendance_desk.domain.codes import CODES, LATE_CODES, Category

PERSISTENT_LINE = Fraction(9, 10)
SEVERE_LINE = Fraction(1, 2)
_EMPTY: Mapping[str, int] = MappingProxyType({})


@dataclass(frozen=True, slots=True)
class Figures:
    """Counts of sessions for one pupil (or a group) over one period."""

    possible: int = 0
    present: int = 0
    approved_activity: int = 0
    authorised: int = 0
    unauthorised: int = 0
    late: int = 0  # L and U marks
    code_counts: Mapping[str, int] = field(default_factory=lambda: _EMPTY, hash=False)

    @property
    def attended(self) -> int:
        return self.present + self.approved_activity

    @property
    def absent(self) -> int:
        return self.authorised + self.unauthorised

    @property
    def attendance(self) -> Fraction | None:
        """attended / possible as an exact fraction; None when there is no possible session."""
        if self.possible == 0:
            return None
        return Fraction(self.attended, self.possible)

    @property
    def absence(self) -> Fraction | None:
        if self.possible == 0:
            return None
        return Fraction(self.absent, self.possible)

    @property
    def attendance_pct(self) -> float | None:
        # float(attendance * 100) without the Fraction: int / int is correctly rounded, as
        # float(Fraction) is, so the floats are identical
        return None if self.possible == 0 else 100 * self.attended / self.possible

    @property
    def absence_pct(self) -> float | None:
        return None if self.possible == 0 else 100 * self.absent / self.possible

    @property
    def authorised_pct(self) -> float | None:
        return None if self.possible == 0 else 100 * self.authorised / self.possible

    @property
    def unauthorised_pct(self) -> float | None:
        return None if self.possible == 0 else 100 * self.unauthorised / self.possible

    @property
    def persistent(self) -> bool:
        """Persistent absence: attendance <= 90% (missing 10% or more)."""
        # attended / possible <= 9/10, in integers (the same answer as the Fraction, faster)
        return self.possible > 0 and (self.attended * PERSISTENT_LINE.denominator) <= (
            self.possible * PERSISTENT_LINE.numerator
        )

    @property
    def severe(self) -> bool:
        """Severe absence: attendance <= 50% (missing half or more)."""
        return self.possible > 0 and (self.attended * SEVERE_LINE.denominator) <= (
            self.possible * SEVERE_LINE.numerator
        )

    @property
    def legacy_marks(self) -> int:
        """Marks with a legacy code (H, F, J, Y) in this period."""
        return sum(n for c, n in self.code_counts.items() if c in CODES and CODES[c].legacy)

    @classmethod
    def total(cls, figures: Iterable[Figures]) -> Figures:
        """The sum of many Figures in one pass (equal to adding them one by one with `+`)."""
        possible = present = approved = authorised = unauthorised = late = 0
        counts: dict[str, int] = {}
        get = counts.get
        for f in figures:
            possible += f.possible
            present += f.present
            approved += f.approved_activity
            authorised += f.authorised
            unauthorised += f.unauthorised
            late += f.late
            for code, n in f.code_counts.items():
                counts[code] = get(code, 0) + n
        return cls(
            possible=possible,
            present=present,
            approved_activity=approved,
            authorised=authorised,
            unauthorised=unauthorised,
            late=late,
            code_counts=MappingProxyType(counts),
        )

    def __add__(self, other: Figures) -> Figures:
        counts = Counter(self.code_counts)
        counts.update(other.code_counts)
        return Figures(
            possible=self.possible + other.possible,
            present=self.present + other.present,
            approved_activity=self.approved_activity + other.approved_activity,
            authorised=self.authorised + other.authorised,
            unauthorised=self.unauthorised + other.unauthorised,
            late=self.late + other.late,
            code_counts=MappingProxyType(dict(counts)),
        )

    @classmethod
    def from_code_counts(cls, counts: Mapping[str, int]) -> Figures:
        """Figures from a count per code; unknown codes and missing marks are left out."""
        present = approved = authorised = unauthorised = late = 0
        kept: dict[str, int] = {}
        for code, n in counts.items():
            info = CODES.get(code)
            if info is None or n == 0:
                continue
            kept[code] = n
            cat = info.category
            if cat is Category.PRESENT:
                present += n
            elif cat is Category.APPROVED_ACTIVITY:
                approved += n
            elif cat is Category.AUTHORISED:
                authorised += n
            elif cat is Category.UNAUTHORISED:
                unauthorised += n
            if code in LATE_CODES:
                late += n
        return cls(
            possible=present + approved + authorised + unauthorised,
            present=present,
            approved_activity=approved,
            authorised=authorised,
            unauthorised=unauthorised,
            late=late,
            code_counts=MappingProxyType(kept),
        )

    @classmethod
    def from_codes(cls, codes: Iterable[str | None]) -> Figures:
        return cls.from_code_counts(Counter(c for c in codes if c))


EMPTY_FIGURES = Figures()


def sum_figures(items: Iterable[Figures]) -> Figures:
    total = EMPTY_FIGURES
    for item in items:
        total = total + item
    return total


def pct_2dp(frac: Fraction | None) -> str | None:
    """A fraction (0..1) as a percentage, exact and rounded half-up to 2 places: '95.99'."""
    if frac is None:
        return None
    if type(frac) is Fraction and frac.numerator >= 0:
        # The usual case, in integers: floor(10000 * num / den + 1/2), den > 0.
        num, den = frac.numerator, frac.denominator
        hundredths = (20000 * num + den) // (2 * den)
        return f"{hundredths // 100}.{hundredths % 100:02d}"
    scaled = frac * 10000  # hundredths of a percent, exact
    sign = -1 if scaled < 0 else 1
    hundredths = sign * int(abs(scaled) + Fraction(1, 2))  # int() floors a positive Fraction
    return f"{Decimal(hundredths).scaleb(-2):.2f}"
