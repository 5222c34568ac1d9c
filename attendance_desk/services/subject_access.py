"""Subject access: everything held about one pupil, as Excel and as PDF.

What is "about the pupil" is found from the schema itself, so tables added later (cases,
letters ...) are included without changes here:
- owned rows: the pupil, and every row that points to it through foreign keys (contacts, marks,
  mark history, cases and their stage changes, tasks, letters, links to events and families);
- related rows: rows those point to (the imports that wrote the pupil's marks, the timeline
  events and families they are linked to) and the rows hanging off those (event revisions);
- the audit log rows about the pupil.
`pupil_rows` is shared with retention, which removes the owned rows.
"""

from __future__ import annotations

import re
import sqlite3
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from attendance_desk import clock
from attendance_desk.documents.spreadsheet import Sheet, SheetColumn, write_workbook
from attendance_desk.domain.dates import numeric
from attendance_desk.errors import UserError
from attendance_desk.storage.db import Database

if TYPE_CHECKING:  # ReportLab is imported when a record is written, not at start-up
    from attendance_desk.documents.record_pdf import PdfSection

# Tables of the school, not of a pupil: never removed with a pupil.
SHARED_TABLES = frozenset({"imports", "letter_batches", "letter_templates", "academic_years"})
_SKIP = frozenset({"alembic_version", "audit_session", "audit_log"})
TITLES = {
    "pupils": "Pupil details",
    "contacts": "Contacts",
    "marks": "Attendance marks",
    "mark_changes": "Mark history",
    "imports": "Imports that wrote these marks",
}


@dataclass(frozen=True)
class TableRows:
    table: str
    owned: bool  # True: the pupil's own rows (removed with the pupil)
    columns: tuple[str, ...]
    rows: tuple[tuple[Any, ...], ...]
    keys: tuple[Any, ...]  # the primary key value of each row, where there is one column
    key: str | None = None  # that primary key column


@dataclass(frozen=True)
class SubjectAccessExport:
    pupil_id: int
    pupil_name: str
    xlsx: Path
    pdf: Path
    counts: tuple[tuple[str, int], ...]  # (section title, rows)


def _tables(conn: sqlite3.Connection) -> list[str]:
    names = conn.execute(
        "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
        "ORDER BY name"
    )
    return [r[0] for r in names if r[0] not in _SKIP]


def _foreign_keys(conn: sqlite3.Connection, table: str) -> list[tuple[str, str, str]]:
    """(column, parent table, parent column) for each foreign key of `table`."""
    return [(r[3], r[2], r[4] or "id") for r in conn.execute(f'PRAGMA foreign_key_list("{table}")')]


def _columns(conn: sqlite3.Connection, table: str) -> tuple[tuple[str, ...], str | None]:
    info = conn.execute(f'PRAGMA table_info("{table}")').fetchall()
    keys = [r[1] for r in info if r[5]]
    return tuple(r[1] for r in info), (keys[0] if len(keys) == 1 else None)


def _select(conn: sqlite3.Connection, table: str, where: str, params: list[Any]) -> TableRows:
    columns, key = _columns(conn, table)
    names = ", ".join(f'"{c}"' for c in columns)
    order = f'"{key}"' if key else "1"
    cursor = conn.execute(f'SELECT {names} FROM "{table}" WHERE {where} ORDER BY {order}', params)
    rows = tuple(tuple(r) for r in cursor)
    keys = tuple(r[columns.index(key)] for r in rows) if key else ()
    return TableRows(table, False, columns, rows, keys, key)


def _in(column: str, values: tuple[Any, ...]) -> tuple[str, list[Any]]:
    if not values:
        return "FALSE", []
    return f'"{column}" IN ({", ".join("?" * len(values))})', list(values)


def pupil_rows(conn: sqlite3.Connection, pupil_id: int) -> list[TableRows]:
    """Every row held about the pupil, owned rows first (in foreign-key order from `pupils`)."""
    tables = _tables(conn)
    fks = {t: _foreign_keys(conn, t) for t in tables}
    found: dict[str, TableRows] = {}
    pupil = _select(conn, "pupils", '"id" = ?', [pupil_id])
    found["pupils"] = replace(pupil, owned=True)
    changed = True
    while changed:  # children of owned rows are owned, level by level
        changed = False
        for table in tables:
            if table in found or table in SHARED_TABLES:
                continue
            links = [(c, p, pc) for c, p, pc in fks[table] if p in found and found[p].owned]
            if not links:
                continue
            clauses, params = [], []
            for column, parent, parent_column in links:
                values = _values(found[parent], parent_column)
                clause, args = _in(column, values)
                clauses.append(clause)
                params += args
            got = _select(conn, table, " OR ".join(clauses), params)
            found[table] = replace(got, owned=True)
            changed = True
    related: dict[str, TableRows] = {}
    for table in list(found):  # the rows owned rows point to
        for column, parent, parent_column in fks[table]:
            if parent in found or parent == table:
                continue
            values = tuple(sorted({v for v in _values(found[table], column) if v is not None}))
            where, params = _in(parent_column, values)
            got = _select(conn, parent, where, params)
            if parent in related:
                merged = {r: None for r in related[parent].rows + got.rows}
                keys = {k: None for k in related[parent].keys + got.keys}
                got = replace(got, rows=tuple(merged), keys=tuple(keys))
            related[parent] = got
    for parent in list(related):  # and the rows hanging off those (revisions of events)
        for table in tables:
            if table in found or table in related or table in SHARED_TABLES:
                continue
            pairs = [(c, pc) for c, p, pc in fks[table] if p == parent]
            if parent in SHARED_TABLES or not pairs:
                continue
            column, parent_column = pairs[0]
            where, params = _in(column, _values(related[parent], parent_column))
            related[table] = _select(conn, table, where, params)
    return list(found.values()) + list(related.values())


def _values(rows: TableRows, column: str) -> tuple[Any, ...]:
    index = rows.columns.index(column)
    return tuple(r[index] for r in rows.rows)


_ISO_DATE = re.compile(r"^\d{4}-\d\d-\d\d$")
_ISO_DATETIME = re.compile(r"^\d{4}-\d\d-\d\d[ T]\d\d:\d\d(:\d\d(\.\d+)?)?$")


def _shown(value: Any) -> Any:
    """A stored value as a person reads it: dates as dates, files described, not dumped."""
    if isinstance(value, bytes):
        kind = "PDF document" if value.startswith(b"%PDF") else "file"
        return f"({kind}, {len(value):,} bytes)"
    if isinstance(value, str):
        if _ISO_DATE.match(value):
            return date.fromisoformat(value)
        if _ISO_DATETIME.match(value):
            return datetime.fromisoformat(value).replace(microsecond=0)
    return value


def _title(table: str) -> str:
    return TITLES.get(table) or table.replace("_", " ").capitalize()


def export_subject_access(
    db: Database, pupil_id: int, folder: Path, *, today: date | None = None
) -> SubjectAccessExport:
    """Write `<name> - subject access - <date>.xlsx` and `.pdf` into `folder`."""
    from attendance_desk.documents.record_pdf import PdfSection, write_record_pdf
    from attendance_desk.services.audit import AUDIT_COLUMNS, audit_rows, audit_sheet

    today = today or clock.today()
    conn = db.raw_connection()
    try:
        tables = pupil_rows(conn, pupil_id)
    finally:
        conn.close()
    pupil = tables[0]
    if not pupil.rows:
        raise UserError(f"there is no pupil with id {pupil_id}")
    details = dict(zip(pupil.columns, pupil.rows[0], strict=True))
    name = f"{details['legal_forename']} {details['legal_surname']}"
    audit = audit_rows(db, pupil_id=pupil_id)

    sheets = [
        Sheet(
            _title("pupils"),
            (SheetColumn("Field"), SheetColumn("Value", width=50)),
            [(c, _shown(v)) for c, v in details.items()],
        )
    ]
    pdf_sections = [PdfSection(_title("pupils"), ("Field", "Value"), list(sheets[0].rows), count=1)]
    counts = [(_title("pupils"), 1)]
    for rows in tables[1:]:
        shown = [tuple(_shown(v) for v in r) for r in rows.rows]
        title = _title(rows.table)
        sheets.append(Sheet(title, [SheetColumn(c) for c in rows.columns], shown))
        counts.append((title, len(shown)))
        if rows.table == "marks":
            pdf_sections.append(_marks_by_day(rows))
        else:
            pdf_sections.append(PdfSection(title, rows.columns, shown))
    sheets.append(audit_sheet(audit, "Audit log"))
    counts.append(("Audit log", len(audit)))
    pdf_sections.append(
        PdfSection(
            "Audit log",
            [c.header for c in AUDIT_COLUMNS if c.header not in ("Pupil", "Which")],
            [(r.when, r.who, r.action, r.entity, r.field, r.old, r.new) for r in audit],
        )
    )
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    stem = f"{name} - subject access - {today:%Y-%m-%d}"
    stem = "".join("_" if ch in '<>:"/\\|?*' else ch for ch in stem)
    xlsx, pdf = folder / f"{stem}.xlsx", folder / f"{stem}.pdf"
    write_workbook(xlsx, sheets)
    write_record_pdf(
        pdf,
        f"Information held about {name}",
        f"Subject access export made on {numeric(today)} by Attendance Desk. "
        f"Every record held in the attendance database about this pupil, section by section.",
        pdf_sections,
    )
    return SubjectAccessExport(pupil_id, name, xlsx, pdf, tuple(counts))


def _marks_by_day(rows: TableRows) -> PdfSection:
    """Marks printed compactly: one line per day, morning and afternoon side by side."""
    from attendance_desk.documents.record_pdf import PdfSection

    index = {c: i for i, c in enumerate(rows.columns)}
    days: dict[Any, dict[str, str]] = {}
    for r in rows.rows:
        days.setdefault(_shown(r[index["date"]]), {})[r[index["session"]]] = (
            f"{r[index['code']]}" + (" (office)" if r[index["source"]] == "office" else "")
        )
    return PdfSection(
        _title("marks"),
        ("Date", "AM", "PM"),
        [(d, codes.get("AM", ""), codes.get("PM", "")) for d, codes in sorted(days.items())],
        note="One line per day. The Excel file holds every column.",
        count=len(rows.rows),
    )
