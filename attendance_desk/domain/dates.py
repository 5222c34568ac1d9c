"""How every date is written: the UK way, the same in the window, the messages, the PDFs and
the letters. English day and month names whatever the computer's locale.

- `day_text`:     Mon 3 Feb 2025       (the window, concern details, documents)
- `numeric`:      03/02/2025           (tables, messages naming a register day)
- `numeric_time`: 03/02/2025 14:05     (when something was done)
- `letter_date`:  3 February 2025      (the date line and body of a letter)
"""

from __future__ import annotations

from datetime import date, datetime

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTH_NAMES = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)  # fmt: skip
WEEKDAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
DASH = "\u2013"


def day_text(value: date | None, empty: str = DASH) -> str:
    """`Mon 3 Feb 2025`; `empty` (an en dash) for no date."""
    if value is None:
        return empty
    return f"{WEEKDAYS[value.weekday()]} {value.day} {MONTHS[value.month - 1]} {value.year}"


def numeric(value: date | None, empty: str = DASH) -> str:
    """`03/02/2025`; `empty` for no date."""
    if value is None:
        return empty
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def numeric_time(value: datetime | None, seconds: bool = False, empty: str = DASH) -> str:
    """`03/02/2025 14:05` (with `:09` seconds when asked); `empty` for none."""
    if value is None:
        return empty
    clock = f"{value:%H:%M:%S}" if seconds else f"{value:%H:%M}"
    return f"{numeric(value)} {clock}"


def letter_date(value: date) -> str:
    """`3 February 2025`."""
    return f"{value.day} {MONTH_NAMES[value.month - 1]} {value.year}"
