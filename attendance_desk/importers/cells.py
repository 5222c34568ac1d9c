"""Turning one spreadsheet cell into a clean value: text, a date, a session, a header key.

Dates are read the UK way only: real dates, Excel serial numbers, dd/mm/yyyy or yyyy-mm-dd.
A text date that does not exist (31/02/2025) is an error, never a guess.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from datetime import date, datetime, timedelta
from typing import Any

from attendance_desk.domain.dates import numeric

# C0/C1 control characters other than tab, CR and LF; plus zero-width and BOM characters.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]")
_SPACES_RE = re.compile(r"\s+")
_KEY_RE = re.compile(r"[^0-9a-z]+")
_DMY_RE = re.compile(
    r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$"
)
_YMD_RE = re.compile(
    r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?)?$"
)
_DATE_IN_TEXT_RE = re.compile(r"(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2}))")
_WEEKDAY_RE = re.compile(
    r"\b(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(day|nesday|sday|rsday|urday)?\b\.?,?",
    re.IGNORECASE,
)
_WEEKDAYS = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_SESSION_WORDS = {
    "am": "AM",
    "a.m.": "AM",
    "morning": "AM",
    "mor": "AM",
    "1": "AM",
    "s1": "AM",
    "session 1": "AM",
    "pm": "PM",
    "p.m.": "PM",
    "afternoon": "PM",
    "aft": "PM",
    "2": "PM",
    "s2": "PM",
    "session 2": "PM",
}
EXCEL_EPOCH = date(1899, 12, 30)
# Serial numbers for 1 Jan 1990 .. 31 Dec 2099: anything else is not a register date.
_SERIAL_MIN, _SERIAL_MAX = 32874, 73415


class BadDate(ValueError):
    """The cell looks like a date but is not a real one (31/02/2025)."""


def has_control(text: str) -> bool:
    return _CONTROL_RE.search(text) is not None


def clean_text(value: Any) -> str:
    """The cell as trimmed text with control characters removed; '' for an empty cell."""
    if value is None:
        return ""
    if isinstance(value, str):
        text = value
    elif isinstance(value, float) and value.is_integer():
        text = str(int(value))
    elif isinstance(value, datetime):
        text = value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    else:
        text = str(value)
    if _CONTROL_RE.search(text):
        text = _CONTROL_RE.sub("", text)
    return text.strip()


def header_key(value: Any) -> str:
    """A header reduced to lower-case letters and digits: 'Reg. Group ' -> 'reggroup'."""
    text = unicodedata.normalize("NFKD", clean_text(value)).lower()
    return _KEY_RE.sub("", text)


def name_key(text: str) -> str:
    """A name compared without case, accents, spaces or punctuation."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(ch for ch in decomposed if ch.isalnum())


def _make_date(year: int, month: int, day: int, original: str, *, dmy: bool = False) -> date:
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        pass
    if dmy and day <= 12 < month <= 31:
        raise BadDate(
            f"'{original}' is not a real date as day/month/year: it only makes sense as "
            "month/day (US order); export the dates as dd/mm/yyyy"
        ) from None
    raise BadDate(f"'{original}' is not a real date") from None


def _split_weekday(text: str) -> tuple[int | None, str]:
    """A leading or trailing weekday name taken off a date: 'Mon 01/09/2025' -> (0, '01/09/2025')."""
    match = _WEEKDAY_RE.search(text)
    if match is None:
        return None, text
    rest = (text[: match.start()] + " " + text[match.end() :]).strip(" ,")
    return _WEEKDAYS[match[1][:3].lower()], rest


def check_weekday(day: date, weekday: int | None, original: str) -> date:
    """The date, when the weekday written beside it agrees (a US-order date does not)."""
    if weekday is None or day.weekday() == weekday:
        return day
    raise BadDate(
        f"'{original}' says {_DAY_NAMES[weekday]}, but {numeric(day)} (day/month/year) is a "
        f"{_DAY_NAMES[day.weekday()]}: are the dates in US order (month/day)?"
    )


def parse_date_text(text: str) -> date | None:
    """dd/mm/yyyy (UK order) or yyyy-mm-dd, with or without a time or a weekday ('Mon
    01/09/2025'); None when the text is not shaped like a date. A weekday that does not match
    the UK reading, or a date that only exists as month/day, raises BadDate."""
    weekday, core = (
        _split_weekday(text) if text[:1].isalpha() or text[-1:].isalpha() else (None, text)
    )
    match = _DMY_RE.match(core)
    if match:
        day = _make_date(int(match[3]), int(match[2]), int(match[1]), text, dmy=True)
        return check_weekday(day, weekday, text)
    match = _YMD_RE.match(core)
    if match:
        return check_weekday(
            _make_date(int(match[1]), int(match[2]), int(match[3]), text), weekday, text
        )
    return None


def us_order_dates(texts: Iterable[str]) -> str | None:
    """Why a set of weekday-less dd/mm/yyyy texts reads as US month/day, or None.

    Read the UK way, the dates fall on weekends; read as month/day, every one is a weekday:
    the file is in US order. Refused, never guessed."""
    weekend = []
    swapped_weekdays = True
    for text in texts:
        found = _DATE_IN_TEXT_RE.search(text)
        if found is None or _WEEKDAY_RE.search(text):
            continue  # a weekday beside the date is checked with the date itself
        match = _DMY_RE.match(found[1])
        if match is None:
            continue
        first, second, year = int(match[1]), int(match[2]), int(match[3])
        year += 2000 if year < 100 else 0
        try:
            uk = date(year, second, first)
            us = date(year, first, second)
        except ValueError:
            return None
        if uk.weekday() >= 5:
            weekend.append((text, uk))
        if us.weekday() >= 5:
            swapped_weekdays = False
    if weekend and swapped_weekdays:
        text, uk = weekend[0]
        return (
            f"the dates only make sense as month/day (US order): '{text}' would be a "
            f"{_DAY_NAMES[uk.weekday()]} read as day/month/year, and {len(weekend)} dates fall "
            "on weekends that way; export the dates as dd/mm/yyyy"
        )
    return None


def parse_date_value(value: Any) -> date | None:
    """A date from a real date, an Excel serial number or date text; None if not a date.

    Raises BadDate for text shaped like a date that does not exist.
    """
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        # a whole number is a date; a fraction is a date and time (a session's start)
        if _SERIAL_MIN <= value < _SERIAL_MAX + 1:
            return EXCEL_EPOCH + timedelta(days=int(value))
        return None
    text = clean_text(value)
    if not text:
        return None
    if (
        len(text) >= 5
        and text[:5].isdigit()
        and (len(text) == 5 or (text[5] == "." and text[6:].isdigit()))
    ):
        serial = int(text[:5])
        if _SERIAL_MIN <= serial <= _SERIAL_MAX:
            return EXCEL_EPOCH + timedelta(days=serial)
        return None
    return parse_date_text(text)


def parse_session(value: Any) -> str | None:
    """'AM'/'PM' for the usual names of the two sessions; None otherwise."""
    text = clean_text(value).lower()
    return _SESSION_WORDS.get(text)


def parse_session_header(value: Any) -> tuple[date, str] | None:
    """A one-cell session header: 'Mon 02/09/2024 AM', '2024-09-02 PM', '02/09/2024 Morning'.

    Returns None when the text is not a session header; raises BadDate for an impossible date.
    """
    if not isinstance(value, str):
        return None
    text = clean_text(value)
    match = _DATE_IN_TEXT_RE.search(text)
    if match is None:
        return None
    rest = (text[: match.start()] + " " + text[match.end() :]).strip()
    weekday, rest = _split_weekday(rest)
    rest = _SPACES_RE.sub(" ", rest.replace("(", " ").replace(")", " ")).strip(" -:,")
    session = _SESSION_WORDS.get(rest.lower())
    if session is None:
        return None
    day = parse_date_text(match[1])
    if day is None:
        return None
    return check_weekday(day, weekday, text), session


def parse_flag(value: Any) -> bool | None:
    """Y/N, Yes/No, True/False, 1/0; None when empty."""
    text = clean_text(value).lower()
    if text in ("", "-"):
        return None
    if text in ("y", "yes", "true", "1", "t", "x"):
        return True
    if text in ("n", "no", "false", "0", "f"):
        return False
    raise ValueError(f"'{clean_text(value)}' is not Y or N")
