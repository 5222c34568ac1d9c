"""Mappings the user confirmed in the import window, remembered per file shape.

A mapping is kept under its header signature (see importers.memory), so tomorrow's export of the
same report imports with no questions; Settings lists and removes them; the command line uses one
by name (`import --mapping NAME`). Each school of a trust keeps its own (every look-up names the
connection's school, storage/trust.py `this_school`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from attendance_desk.errors import UserError
from attendance_desk.importers import ColumnMapping, memory
from attendance_desk.importers.reader import Remembered, read_sheet
from attendance_desk.storage.db import Database
from attendance_desk.storage.trust import this_school
from attendance_desk.user import current_user


@dataclass(frozen=True)
class SavedMapping:
    id: int
    name: str
    headers: str
    layout: str
    created_at: datetime
    created_by: str
    last_used_at: datetime | None


def list_mappings(db: Database) -> tuple[SavedMapping, ...]:
    import json

    from sqlalchemy import select, text

    from attendance_desk.storage.models import ImportMapping

    with db.session() as s:
        rows = s.scalars(
            select(ImportMapping).where(text(this_school(db.backend))).order_by(ImportMapping.name)
        ).all()
        return tuple(
            SavedMapping(
                r.id,
                r.name,
                r.headers,
                json.loads(r.mapping_json).get("layout", ""),
                r.created_at,
                r.created_by,
                r.last_used_at,
            )
            for r in rows
        )


def remove_mapping(db: Database, name: str) -> None:
    from sqlalchemy import select, text

    from attendance_desk.storage.models import ImportMapping

    here = text(this_school(db.backend))
    with db.session() as s:
        row = s.scalars(select(ImportMapping).where(ImportMapping.name == name, here)).first()
        if row is None:
            raise UserError(f"there is no saved mapping called '{name}'")
        s.delete(row)


def remember_mapping(
    db: Database, path: Path, mapping: ColumnMapping, name: str | None = None
) -> str:
    """Keep the mapping for the file's shape (replacing one kept for the same shape); returns
    its name."""
    sheet = read_sheet(Path(path), mapping.sheet)
    signature, headers, data = memory.describe(mapping, sheet.rows)
    if signature is None:
        raise UserError(f"{Path(path).name}: the header row has no headings to remember it by")
    name = (name or _default_name(Path(path), headers)).strip()[:120]
    from sqlalchemy import select, text

    from attendance_desk.storage.models import ImportMapping
    from attendance_desk.storage.models.base import utcnow

    here = text(this_school(db.backend))
    with db.session() as s:
        row = s.scalars(
            select(ImportMapping).where(ImportMapping.signature == signature, here)
        ).first()
        clash = s.scalars(select(ImportMapping).where(ImportMapping.name == name, here)).first()
        if clash is not None and clash is not row:
            s.delete(clash)
            s.flush()
        if row is None:
            row = ImportMapping(signature=signature, created_by=current_user())
            s.add(row)
        row.name, row.headers, row.mapping_json = name, headers[:2000], data
        row.created_at = utcnow()
    return name


def _default_name(path: Path, headers: str) -> str:
    stem = path.stem.strip() or "register"
    return f"{stem} ({headers[:60]})" if headers else stem


def remembered(db: Database, name: str | None = None) -> Remembered:
    """The reader's hook over the saved mappings: by header signature, or the one named
    (applied to any file whose headings it knows). Raises for a name not saved."""
    conn = db.raw_connection()  # plain SQL: an import should not wait for the ORM to compile
    try:
        sql = f"SELECT name, signature, mapping_json FROM import_mappings WHERE {this_school(db.backend)}"
        rows = conn.execute(sql + (" AND name = ?" if name else ""), (name,) if name else ())
        saved = [(n, None if name is not None else sig, data) for n, sig, data in rows]
    finally:
        conn.close()
    if name is not None and not saved:
        known = ", ".join(m.name for m in list_mappings(db)) or "none saved yet"
        raise UserError(f"there is no saved mapping called '{name}' (saved: {known})")
    hook: Remembered = memory.remembered_for(saved)
    return hook


def mark_used(db: Database, names: set[str]) -> None:
    if not names:
        return
    from sqlalchemy import select, text

    from attendance_desk.storage.models import ImportMapping
    from attendance_desk.storage.models.base import utcnow

    here = text(this_school(db.backend))
    with db.session() as s:
        for row in s.scalars(select(ImportMapping).where(ImportMapping.name.in_(names), here)):
            row.last_used_at = utcnow()
