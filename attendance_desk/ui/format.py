"""How the window shows dates and percentages: the UK way, one decimal place."""

from __future__ import annotations

from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from attendance_desk.domain.dates import DASH, MONTHS, day_text, numeric, numeric_time

__all__ = ["DASH", "MONTHS", "pct", "pct_value", "uk_date", "uk_short"]


def uk_date(value: date | None) -> str:
    """`Mon 3 Feb 2025`; an en dash for no date (domain.dates.day_text)."""
    return day_text(value)


def uk_short(value: date | None) -> str:
    """`03/02/2025` (with the time for a moment); an en dash for none (domain.dates)."""
    if isinstance(value, datetime):
        return numeric_time(value)
    return numeric(value)


def _as_decimal(value: float | Fraction | Decimal) -> Decimal:
    if isinstance(value, Fraction):
        return Decimal(value.numerator) / Decimal(value.denominator)
    if isinstance(value, Decimal):
        return value
    return Decimal(repr(float(value)))


def pct_value(value: float | Fraction | Decimal | None, places: int = 1) -> float | None:
    """The percentage rounded half-up (as people expect), as a float; None stays None."""
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    return float(_as_decimal(value).quantize(quantum, rounding=ROUND_HALF_UP))


def pct(value: float | Fraction | Decimal | None, places: int = 1) -> str:
    """`95.3%`; an en dash when there is no percentage (no possible sessions)."""
    rounded = pct_value(value, places)
    if rounded is None:
        return DASH
    return f"{rounded:.{places}f}%"
