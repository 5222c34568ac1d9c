"""What writing one file did (or, in a dry run, would do): filled in by the store modules."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

MAX_DETAIL = 2000  # changes and conflicts listed one by one; counts are always complete
TIMESTAMP = "%Y-%m-%d %H:%M:%S.%f"  # how SQLAlchemy stores a DateTime in SQLite


def db_now(now: datetime) -> str:
    return now.strftime(TIMESTAMP)


@dataclass
class MarkDetail:
    pupil_id: int
    pupil: str
    date: str
    session: str
    old_code: str | None
    new_code: str | None
    office: bool


@dataclass
class Tally:
    import_id: int
    now: str
    pupils_added: list[str] = field(default_factory=list)
    pupils_changed: list[str] = field(default_factory=list)
    contacts_added: int = 0
    contacts_changed: int = 0
    marks_added: int = 0
    marks_changed: int = 0
    marks_unchanged: int = 0
    changes: list[MarkDetail] = field(default_factory=list)
    conflicts: list[MarkDetail] = field(default_factory=list)
    conflicts_total: int = 0
    office_overwritten: int = 0
    half_terms_added: int = 0
    half_terms_changed: int = 0
    closures_added: int = 0
    closures_changed: int = 0
    notes: list[str] = field(default_factory=list)
    first_date: str | None = None
    last_date: str | None = None
