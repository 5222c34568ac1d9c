"""The audit log: recording changes, reading them back, exporting them to Excel.

Marks, settings, the policy and imports are recorded by SQLite triggers (storage/
audit_triggers.py), so every writer is covered. Other services record their own changes (a case
moved on, an event edited) with `record_change` inside the unit of work that makes the change.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from attendance_desk.documents.spreadsheet import Sheet, SheetColumn, write_workbook
from attendance_desk.storage.audit_chain import ChainReport, verify_chain
from attendance_desk.storage.db import Database
from attendance_desk.storage.joining import verify_moved_chains
from attendance_desk.storage.leaving import verify_left_chains
from attendance_desk.storage.models import AuditEntry, Pupil
from attendance_desk.storage.models.base import utcnow
from attendance_desk.user import current_user


@dataclass(frozen=True)
class AuditRow:
    id: int
    when: datetime  # local time
    who: str
    action: str
    entity: str
    entity_id: str
    pupil_id: int | None
    pupil_name: str | None
    field: str | None
    old: str  # for reading: "N" or "code: N, source: office"
    new: str
    old_json: str | None
    new_json: str | None


@dataclass(frozen=True)
class AuditExport:
    path: Path
    rows: int


def _to_json(value: Any) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)


def record_change(
    session: Session,
    *,
    action: str,
    entity: str,
    entity_id: object,
    old: Any,
    new: Any,
    by: str | None = None,
    pupil_id: int | None = None,
    field: str | None = None,
) -> None:
    """Add one audit row to `session` (committed with the caller's unit of work).

    `old` and `new` are plain values (dicts, strings, numbers, dates) stored as JSON; `by`
    defaults to the login name of the person using the application.
    """
    session.add(
        AuditEntry(
            at=utcnow(),
            who=by if by is not None else current_user(),
            action=action,
            entity=entity,
            entity_id=str(entity_id),
            pupil_id=pupil_id,
            field=field,
            old_json=_to_json(old),
            new_json=_to_json(new),
        )
    )


def describe_json(text: str | None) -> str:
    """A JSON value as a person reads it: `{"code": "N", "source": "mis"}` -> `code: N, source: mis`."""
    if text is None:
        return ""
    try:
        value = json.loads(text)
    except ValueError:
        return text
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_plain(v)}" for k, v in value.items() if v is not None)
    return _plain(value)


def _plain(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def _local(at: datetime) -> datetime:
    return at.replace(tzinfo=UTC).astimezone().replace(tzinfo=None)


def _utc(moment: date | datetime) -> datetime:
    if not isinstance(moment, datetime):
        moment = datetime.combine(moment, time())
    return moment.astimezone().astimezone(UTC).replace(tzinfo=None)


def audit_rows(
    db: Database,
    *,
    entity: str | None = None,
    pupil_id: int | None = None,
    action: str | None = None,
    since: date | datetime | None = None,
    until: date | datetime | None = None,
    limit: int | None = None,
) -> list[AuditRow]:
    """Audit rows, newest first, filtered as asked (`since`/`until` in local time, `until` exclusive)."""
    query = (
        select(AuditEntry, Pupil.legal_forename, Pupil.legal_surname)
        .outerjoin(Pupil, Pupil.id == AuditEntry.pupil_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    )
    if entity is not None:
        query = query.where(AuditEntry.entity == entity)
    if pupil_id is not None:
        query = query.where(AuditEntry.pupil_id == pupil_id)
    if action is not None:
        query = query.where(AuditEntry.action == action)
    if since is not None:
        query = query.where(AuditEntry.at >= _utc(since))
    if until is not None:
        query = query.where(AuditEntry.at < _utc(until))
    if limit is not None:
        query = query.limit(limit)
    with db.session() as s:
        result = s.execute(query).all()
    return [
        AuditRow(
            id=e.id,
            when=_local(e.at),
            who=e.who,
            action=e.action,
            entity=e.entity,
            entity_id=e.entity_id,
            pupil_id=e.pupil_id,
            pupil_name=f"{surname}, {forename}" if surname else None,
            field=e.field,
            old=describe_json(e.old_json),
            new=describe_json(e.new_json),
            old_json=e.old_json,
            new_json=e.new_json,
        )
        for e, forename, surname in result
    ]


AUDIT_COLUMNS = (
    SheetColumn("When", "date"),
    SheetColumn("Who"),
    SheetColumn("Action"),
    SheetColumn("What"),
    SheetColumn("Which"),
    SheetColumn("Pupil"),
    SheetColumn("Field"),
    SheetColumn("Old value", width=40),
    SheetColumn("New value", width=40),
)


def audit_sheet(rows: list[AuditRow], title: str = "Audit log") -> Sheet:
    return Sheet(
        title,
        AUDIT_COLUMNS,
        [
            (
                r.when,
                r.who,
                r.action,
                r.entity,
                r.entity_id,
                r.pupil_name or "",
                r.field or "",
                r.old,
                r.new,
            )
            for r in rows
        ],
    )


def export_audit(db: Database, path: Path, **filters: Any) -> AuditExport:
    """Write the audit rows (filtered as in `audit_rows`) to an Excel file at `path`."""
    return write_audit_rows(path, audit_rows(db, **filters))


def write_audit_rows(path: Path, rows: list[AuditRow]) -> AuditExport:
    """Write these audit rows (as the window shows them, filtered) to an Excel file; formula-like
    cells are written as text."""
    write_workbook(Path(path), [audit_sheet(rows)])
    return AuditExport(Path(path), len(rows))


def check_audit_chain(db: Database) -> ChainReport:
    """Check that no audit row was changed, removed or slipped in since it was written; for a
    school moved into a trust's database, that its rows still give the seals its own database
    gave them (storage/joining.py); for a school taken out of a trust, that the rows it took
    still give the hashes recorded then (storage/leaving.py)."""
    db.seal_audit()
    conn = db.raw_connection()
    try:
        report = verify_chain(conn)
        if report.intact and getattr(db, "backend", "sqlite") == "postgresql":
            moved = verify_moved_chains(conn)
            if moved is not None:
                return ChainReport(report.rows, moved.broken_at, moved.reason, report.unsealed)
        if report.intact:
            left = verify_left_chains(conn)
            if left is not None:
                return ChainReport(report.rows, left.broken_at, left.reason, report.unsealed)
        return report
    finally:
        conn.close()


def describe_chain(report: ChainReport) -> str:
    """One line for a person: intact, or where the chain breaks."""
    if report.intact:
        return f"The audit log is intact ({report.rows:,} entries checked)."
    return (
        f"The audit log has been tampered with: {report.reason} "
        f"(entry {report.broken_at}; {report.rows:,} entries before it check out)."
    )
