"""The tables and columns the importers write with plain SQL (the fast path): the ORM models'
names, spelled once here as plain strings, so an import loads no SQLAlchemy and no models (they
cost about half a second of start-up, more than a re-import's whole work). Every name here is
checked against the models, and every statement against the migrated schema, by
tests/importers/test_tables.py: a name changed in a model fails the tests, never a school's
import.

The statements used per row are built once, here.
"""

from __future__ import annotations

MARKS = "marks"
MARK_CHANGES = "mark_changes"
MIS_CHANGES = "mis_changes"
DAY_REASONS = "day_reasons"
IMPORTS = "imports"
PUPILS = "pupils"
CONTACTS = "contacts"
ACADEMIC_YEARS = "academic_years"
HALF_TERMS = "half_terms"
CLOSURES = "closures"

# Every column a statement here names, by table: the tests check each against the models.
NAMED_COLUMNS: dict[str, tuple[str, ...]] = {}


def columns(table: str, *names: str) -> str:
    """`names` joined for a column list (kept in NAMED_COLUMNS for the tests' check)."""
    NAMED_COLUMNS[table] = tuple(dict.fromkeys((*NAMED_COLUMNS.get(table, ()), *names)))
    return ", ".join(names)


MARK_COLUMNS = columns(
    MARKS, "pupil_id", "date", "session", "code", "source", "import_id", "updated_at"
)
INSERT_MARK = f"INSERT INTO {MARKS} ({MARK_COLUMNS}) "  # + VALUES or SELECT
INSERT_MARK_CHANGE = (
    f"INSERT INTO {MARK_CHANGES} ("
    + columns(
        MARK_CHANGES,
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
        IMPORTS,
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
