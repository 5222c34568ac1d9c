"""The one clock: every "today" and "now" the application reads comes from here.

Tests fix the date with `clock.fixed(date(2025, 3, 14))` (a context manager), and a process
started by a test (the command line, the window) with ATTENDANCE_DESK_TODAY=2025-03-14 in its
environment. The time of day still runs on a fixed date.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime

TODAY_VARIABLE = "ATTENDANCE_DESK_TODAY"
_fixed: date | None = None


def today() -> date:
    """Today's date (local time), unless fixed."""
    if _fixed is not None:
        return _fixed
    override = os.environ.get(TODAY_VARIABLE)
    if override:
        return date.fromisoformat(override)
    return date.today()


def _is_fixed() -> bool:
    return _fixed is not None or bool(os.environ.get(TODAY_VARIABLE))


def now() -> datetime:
    """The local date and time (naive), on the fixed date if there is one."""
    moment = datetime.now()
    return datetime.combine(today(), moment.time()) if _is_fixed() else moment


def utc_now() -> datetime:
    """UTC as a naive datetime, for stored timestamps; on the fixed date if there is one."""
    moment = datetime.now(UTC).replace(tzinfo=None)
    return datetime.combine(today(), moment.time()) if _is_fixed() else moment


@contextmanager
def fixed(day: date) -> Iterator[None]:
    """Within the block, today is `day`."""
    global _fixed
    before, _fixed = _fixed, day
    try:
        yield
    finally:
        _fixed = before
