"""An import writes its new MIS marks without the marks audit trigger's per-row call
(importers/mis_audit.py): the audit log must hold exactly what it held before, and the trigger
must be there, word for word, after any import, finished or failed."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager, nullcontext
from pathlib import Path

import pytest
from filemakers import PUPILS, wide_rows, write_xlsx

from attendance_desk.importers import mis_audit, store_marks
from attendance_desk.services.importing import apply_import
from attendance_desk.storage.audit_triggers import MARKS_INSERT_TRIGGER
from attendance_desk.storage.db import Database, open_database

AUDITED = "action, entity, entity_id, pupil_id, field, old_json, new_json, who"


def rows(db: Database, sql: str, params: tuple = ()) -> list[tuple]:
    conn = db.raw_connection()
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def write(db: Database, sql: str, params: tuple = ()) -> None:
    """A change made by hand in the office, on its own connection (the triggers log it)."""
    conn = db.raw_connection(write=True)
    try:
        with conn:
            conn.execute(sql, params)
    finally:
        conn.close()


def term_files(folder: Path) -> list[tuple[Path, bool]]:
    """The registers of a_term_of_changes, written once (an xlsx holds the time it was saved,
    so each database gets the very same files): (file, overwrite office marks)."""
    later = wide_rows()
    later[4][4] = "L"  # O'Brien Mon AM: / -> L (a change)
    later[5][8] = "C1"  # Łucja Wed AM: Y7 -> C1
    return [
        (write_xlsx(folder / "mon.xlsx", wide_rows()[:-1]), False),  # without Jack Smith
        (write_xlsx(folder / "tue.xlsx", later), False),  # the office's M is kept
        (write_xlsx(folder / "wed.xlsx", later[:6]), True),  # ... and now overwritten
    ]


def a_term_of_changes(db: Database, files: list[tuple[Path, bool]]) -> None:
    """Imports that take every path a mark can: new pupils' rows in bulk, changed marks, office
    marks kept and overwritten; and office marks entered by hand before, between and after."""
    (first, _), (second, _), (third, overwrite) = files
    apply_import(db, [first])
    write(
        db,
        "UPDATE marks SET code = 'M', source = 'office' WHERE date = '2024-09-02' AND "
        "session = 'AM' AND pupil_id = (SELECT id FROM pupils WHERE upn = ?)",
        (PUPILS[1][0],),
    )
    write(
        db,
        "INSERT INTO marks (pupil_id, date, session, code, source, updated_at) SELECT id, "
        "'2024-09-05', 'AM', 'B', 'office', '2024-09-05 09:00:00' FROM pupils WHERE upn = ?",
        (PUPILS[0][0],),
    )
    apply_import(db, [second])
    apply_import(db, [third], overwrite_office=overwrite)
    write(
        db,
        "INSERT INTO marks (pupil_id, date, session, code, source, updated_at) SELECT id, "
        "'2024-09-06', 'PM', 'M', 'office', '2024-09-06 13:00:00' FROM pupils WHERE upn = ?",
        (PUPILS[2][0],),
    )


def audit_and_schema(db: Database) -> tuple[list[tuple], list[tuple]]:
    audit = rows(db, f"SELECT {AUDITED} FROM audit_log ORDER BY id")
    # the trigger made again is the last entry of sqlite_master: its place changes, not its text
    schema = rows(db, "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name")
    return audit, schema


def test_the_audit_log_holds_exactly_the_same_rows(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    absent_while_writing: list[int] = []
    real = mis_audit.mis_marks_unaudited

    @contextmanager
    def watched(conn: sqlite3.Connection) -> Iterator[None]:
        with real(conn):
            absent_while_writing.append(
                conn.execute(
                    "SELECT count(*) FROM sqlite_master WHERE name = ?", (MARKS_INSERT_TRIGGER,)
                ).fetchone()[0]
            )
            yield

    files = term_files(tmp_path)
    monkeypatch.setattr(store_marks, "mis_marks_unaudited", watched)
    fast = open_database(tmp_path / "fast.sqlite3")
    try:
        a_term_of_changes(fast, files)
        fast_audit, fast_schema = audit_and_schema(fast)
    finally:
        fast.close()
    assert absent_while_writing and set(absent_while_writing) == {0}

    monkeypatch.setattr(store_marks, "mis_marks_unaudited", lambda _conn: nullcontext())
    slow = open_database(tmp_path / "slow.sqlite3")
    try:
        a_term_of_changes(slow, files)
        slow_audit, slow_schema = audit_and_schema(slow)
    finally:
        slow.close()

    assert fast_audit == slow_audit
    assert fast_schema == slow_schema
    kinds = {(action, entity) for action, entity, *_ in fast_audit}
    # the office's marks by hand, the marks changed by imports, and the imports themselves
    assert {
        ("insert", "mark"),
        ("update", "mark"),
        ("import", "mark"),
        ("import", "import"),
    } <= kinds
    assert sum(1 for a in fast_audit if a[:2] == ("insert", "mark")) == 2


def test_a_failed_import_leaves_the_trigger_and_everything_else_as_it_was(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    trigger = "SELECT sql FROM sqlite_master WHERE name = ?"
    before = rows(db, trigger, (MARKS_INSERT_TRIGGER,))
    real = store_marks.write_changes

    def fails_after_writing(*args: object, **kwargs: object) -> None:
        real(*args, **kwargs)  # type: ignore[arg-type]
        raise OSError("the disk went away")

    monkeypatch.setattr(store_marks, "write_changes", fails_after_writing)
    with pytest.raises(OSError):
        apply_import(db, [write_xlsx(tmp_path / "mon.xlsx", wide_rows())])
    assert rows(db, trigger, (MARKS_INSERT_TRIGGER,)) == before and before
    assert rows(db, "SELECT count(*) FROM marks") == [(0,)]
    # and it still logs a mark entered in the office
    monkeypatch.undo()
    apply_import(db, [write_xlsx(tmp_path / "mon.xlsx", wide_rows())])
    write(
        db,
        "INSERT INTO marks (pupil_id, date, session, code, source, updated_at) "
        "SELECT id, '2024-09-05', 'AM', 'B', 'office', '2024-09-05 09:00:00' FROM pupils LIMIT 1",
    )
    assert rows(db, "SELECT action, new_json FROM audit_log WHERE entity = 'mark'") == [
        ("insert", '{"code":"B","source":"office","import_id":null}')
    ]


def test_outside_a_transaction_nothing_is_dropped(db: Database) -> None:
    conn = db.raw_connection(write=True)
    try:
        conn.isolation_level = None
        with mis_audit.mis_marks_unaudited(conn):
            present = conn.execute(
                "SELECT count(*) FROM sqlite_master WHERE name = ?", (MARKS_INSERT_TRIGGER,)
            ).fetchone()[0]
    finally:
        conn.close()
    assert present == 1


def test_on_the_server_a_big_load_audits_exactly_what_the_trigger_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """PostgreSQL: a big load drops the insert audit trigger for its COPY of MIS marks and makes
    it again before the office's kept marks are written; every import of a term of changes a big
    load, the audit log holds exactly what it holds with the trigger kept, and the trigger is
    there, word for word, after each import."""
    from conftest import postgres_database

    from attendance_desk.importers import bulk_write

    monkeypatch.setattr(bulk_write, "REBUILD_INDEX_AT", 1)  # every import a big load,
    monkeypatch.setattr(bulk_write.backend, "rows_everywhere", lambda *_a, **_k: 0)  # the later too
    files = term_files(tmp_path)
    trigger = (
        "SELECT pg_get_triggerdef(oid), tgenabled::text FROM pg_trigger "
        "WHERE tgrelid = 'marks'::regclass AND NOT tgisinternal ORDER BY tgname"
    )
    dropped: list[int] = []
    real = bulk_write.pg_mis_marks_unaudited

    def watched(conn: object) -> list[str]:
        restore = real(conn)
        dropped.append(len(restore))
        return restore

    audits, triggers = [], []
    for drop in (watched, lambda _conn: []):
        monkeypatch.setattr(bulk_write, "pg_mis_marks_unaudited", drop)
        with postgres_database() as url:
            db = open_database(url)
            try:
                before = rows(db, trigger)
                a_term_of_changes(db, files)
                audits.append(rows(db, f"SELECT {AUDITED} FROM audit_log ORDER BY id"))
                triggers.append(rows(db, trigger))
                assert triggers[-1] == before
            finally:
                db.close()
    assert dropped == [1, 1]  # by the two imports that add marks (the third only changes)
    assert audits[0] == audits[1]
    kinds = [(action, entity) for action, entity, *_ in audits[0]]
    assert kinds.count(("insert", "mark")) == 2  # the office's two new marks by hand
    assert ("import", "mark") in kinds and ("update", "mark") in kinds
