"""Turning one spreadsheet cell into a clean value: text, a date, a session, a header key.

Dates are read the UK way only: real dates, Excel serial numbers, dd/mm/yyyy or yyyy-mm-dd.
A text date that does not exist (31/02/2025) is an error, never a guess.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime, timedelta
from typing import Any

# C0/C1 control characters other than tab, CR and LF; plus zero-width and BOM characters.
_CONTROL_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u200b-\u200d\u2060\ufeff]")
_SPACES_RE = re.compile(r"\s+")
_KEY_RE = re.compile(r"[^0-9a-z]+")
_DMY_RE = re.compile(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})$")
_YMD_RE = re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_DATE_IN_TEXT_RE = re.compile(r"(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.\-]\d{1,2}[/.\-](?:\d{4}|\d{2}))")
_WEEKDAY_RE = re.compile(
    r"\b(mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun)(day|nesday|sday|rsday|urday)?\b\.?",
    re.IGNORECASE,
)
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


def _make_date(year: int, month: int, day: int, original: str) -> date:
    if year < 100:
        year += 2000
    try:
        return date(year, month, day)
    except ValueError:
        raise BadDate(f"'{original}' is not a real date") from None


def parse_date_text(text: str) -> date | None:
    """dd/mm/yyyy (UK order) or yyyy-mm-dd; None when the text is not shaped like a date."""
    match = _DMY_RE.match(text)
    if match:
        return _make_date(int(match[3]), int(match[2]), int(match[1]), text)
    match = _YMD_RE.match(text)
    if match:
        return _make_date(int(match[1]), int(match[2]), int(match[3]), text)
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
        if _SERIAL_MIN <= value <= _SERIAL_MAX and float(value).is_integer():
            return EXCEL_EPOCH + timedelta(days=int(value))
        return None
    text = clean_text(value)
    if not text:
        return None
    if text.isdigit() and len(text) == 5:
        serial = int(text)
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
    rest = _WEEKDAY_RE.sub(" ", rest)
    rest = _SPACES_RE.sub(" ", rest.replace("(", " ").replace(")", " ")).strip(" -:,")
    session = _SESSION_WORDS.get(rest.lower())
    if session is None:
        return None
    day = parse_date_text(match[1])
    if day is None:
        return None
    return day, session


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
