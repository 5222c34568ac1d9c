"""The tables and columns the importers write with plain SQL (the fast path), named from the ORM
models, which the migrations follow: a name changed in a model is changed here too, and a name
the models do not have fails when this module loads, not halfway through a school's import.

The statements used per row are built once, here.
"""

from __future__ import annotations

from typing import cast

from sqlalchemy import Table

from attendance_desk.storage.models import (
    AcademicYear,
    Closure,
    Contact,
    DayReason,
    HalfTerm,
    ImportRecord,
    Mark,
    MarkChange,
    MisChange,
    Pupil,
)
from attendance_desk.storage.models.base import Base


def _table(model: type[Base]) -> Table:
    return cast(Table, model.__table__)


def table(model: type[Base]) -> str:
    return _table(model).name


def columns(model: type[Base], *names: str) -> str:
    """`names` joined for a column list, each checked against the model's table."""
    have = _table(model).columns
    missing = [n for n in names if n not in have]
    if missing:
        raise LookupError(f"{table(model)} has no column {', '.join(missing)}")
    return ", ".join(names)


MARKS = table(Mark)
MARK_CHANGES = table(MarkChange)
MIS_CHANGES = table(MisChange)
DAY_REASONS = table(DayReason)
IMPORTS = table(ImportRecord)
PUPILS = table(Pupil)
CONTACTS = table(Contact)
ACADEMIC_YEARS = table(AcademicYear)
HALF_TERMS = table(HalfTerm)
CLOSURES = table(Closure)

MARK_COLUMNS = columns(
    Mark, "pupil_id", "date", "session", "code", "source", "import_id", "updated_at"
)
INSERT_MARK = f"INSERT INTO {MARKS} ({MARK_COLUMNS}) "  # + VALUES or SELECT
INSERT_MARK_CHANGE = (
    f"INSERT INTO {MARK_CHANGES} ("
    + columns(
        MarkChange,
        "pupil_id",
        "date",
        "session",
        "old_code",
        "new_code",
        "source",
        "import_id",
        "changed_at",
        "changed_by",
        "reason",
    )  # fmt: skip
    + ") "
)
INSERT_IMPORT = (
    f"INSERT INTO {IMPORTS} ("
    + columns(
        ImportRecord,
        "file_name",
        "content_hash",
        "kind",
        "layout",
        "imported_at",
        "imported_by",
        "pupils_added",
        "pupils_changed",
        "marks_added",
        "marks_changed",
        "rows_skipped",
        "summary",
    )  # fmt: skip
    + ") "
)
