"""Casework carries a version: an edit names the version it was made on, and when someone else
changed the record in between, the second editor is told in plain words who changed it and
what, and nothing is overwritten (SQLAlchemy's `version_id_col` guards the write itself).

`check_version` compares the version the window showed with the row's; `conflicts` turns the
ORM's own refusal (two writes racing) into the same message. Who and what come from the audit
log, which the database's triggers write whichever PC made the change.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from attendance_desk.domain.pathway import Stage
from attendance_desk.errors import UserError
from attendance_desk.storage.db import Database

# a record kind -> (the audit log's entity, how the record is named to the user)
RECORDS: dict[str, tuple[str, str]] = {
    "case": ("case", "this case"),
    "event": ("case_event", "this timeline entry"),
    "task": ("task", "this task"),
    "leave": ("leave_request", "this leave request"),
}


class EditConflictError(UserError):
    """Someone else changed the record since it was shown: nothing was saved."""

    def __init__(self, message: str, record: str, record_id: int | None) -> None:
        super().__init__(message)
        self.record = record
        self.record_id = record_id


def check_version(
    db: Database, record: str, record_id: int | None, version: int | None, expected: int | None
) -> None:
    """Refuse the edit when the record's version is not the one the editor saw.

    `expected` None: no check (a caller that read the record in the same unit of work);
    0: the editor saw no such record (a case not yet opened)."""
    if expected is None:
        return
    if (version or 0) != expected:
        raise conflict(db, record, record_id)


@contextmanager
def conflicts(db: Database, record: str, record_id: int | None) -> Iterator[None]:
    """The ORM's refusal of a write whose version moved on meanwhile, as EditConflictError."""
    from sqlalchemy.orm.exc import StaleDataError

    try:
        yield
    except StaleDataError:
        raise conflict(db, record, record_id) from None


def conflict(db: Database, record: str, record_id: int | None) -> EditConflictError:
    entity, noun = RECORDS[record]
    change = _last_change(db, entity, record_id) if record_id is not None else None
    if change is None:
        said = f"Someone else changed {noun} while you had it open."
    else:
        who, at, what = change
        said = f"{who or 'Someone else'} changed {noun} at {at} while you had it open: {what}."
    return EditConflictError(
        f"{said} Your change was not saved, so nothing of theirs was overwritten. "
        f"It is shown again as it is now: make your change again if it is still needed.",
        record,
        record_id,
    )


def _last_change(db: Database, entity: str, record_id: int) -> tuple[str, str, str] | None:
    conn = db.raw_connection()
    try:
        if entity == "case_event":  # an edit keeps the earlier state, with who replaced it
            edit = conn.execute(
                "SELECT replaced_by, replaced_at, edit_reason FROM event_revisions "
                "WHERE event_id = ? ORDER BY id DESC LIMIT 1",
                (record_id,),
            ).fetchone()
            if edit is not None:
                why = f" (why: {edit[2]})" if edit[2] else ""
                return str(edit[0] or ""), str(edit[1])[11:16], f"edited it{why}"
        row = conn.execute(
            "SELECT who, at, field, old_json, new_json FROM audit_log "
            "WHERE entity = ? AND entity_id = ? ORDER BY id DESC LIMIT 1",
            (entity, str(record_id)),
        ).fetchone()
    finally:
        conn.close()
    if row is None:
        return None
    who, at, field, old_json, new_json = row
    return str(who or ""), str(at)[11:16], describe(entity, field, _json(old_json), _json(new_json))


def _json(text: object) -> Any:
    if not isinstance(text, str) or not text:
        return None
    try:
        return json.loads(text)
    except ValueError:
        return None


def describe(entity: str, field: str, old: Any, new: Any) -> str:
    """An audit row's change in words ("moved it to Monitor", "ticked it off" ...)."""
    new = new if isinstance(new, dict) else {}
    old = old if isinstance(old, dict) else {}
    if entity == "case" and field == "stage":
        stage = new.get("stage")
        label = Stage(stage).label if stage in Stage._value2member_map_ else str(stage)
        return f"moved it to {label}"
    if entity == "case":
        names = {"key_person": "the key person", "barriers": "the barriers", "closed_on": "closed"}
        changed = [n for k, n in names.items() if old.get(k) != new.get(k)]
        if "closed" in changed:
            return "closed it"
        return "changed " + (" and ".join(changed) or "it")
    if entity == "case_event":
        if not new:
            return "deleted it"
        return f"edited it (now: {new.get('summary') or new.get('kind', '')})"
    if entity == "task":
        return "ticked it off" if new.get("done_on") else "put it back on the list"
    return "changed it"
