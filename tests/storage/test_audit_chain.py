"""The audit log is tamper-evident: a row changed, removed or slipped in by hand (plain sqlite3,
as someone with the file might) is found, and the check says where the chain breaks."""

from __future__ import annotations

import sqlite3
import sys
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "services"))

from test_retention import TODAY, school  # noqa: E402

from attendance_desk.services.audit import check_audit_chain, describe_chain  # noqa: E402
from attendance_desk.services.retention import remove_pupils  # noqa: E402
from attendance_desk.storage.db import Database, open_database  # noqa: E402
from attendance_desk.storage.models import Mark, Pupil  # noqa: E402


def _edits(db: Database, n: int) -> None:
    with db.session() as s:
        pupil = Pupil(legal_surname="Khan", legal_forename="Ali", date_of_birth=date(2017, 1, 2))
        s.add(pupil)
        s.flush()
        for day in range(1, n + 1):
            s.add(Mark(pupil_id=pupil.id, date=date(2024, 9, day), session="AM", code="/"))
    with db.session() as s:
        for mark in s.query(Mark).all():
            mark.code = "N"  # hand edits: one audit row each
        s.get(Pupil, pupil.id).date_of_birth = date(2017, 1, 3)


def _raw(path: Path, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(path)
    try:
        with conn:
            return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def test_every_row_is_sealed_and_the_chain_checks_out(db: Database) -> None:
    _edits(db, 5)
    report = check_audit_chain(db)
    assert report.intact and report.unsealed == 0
    total = _raw(db.path, "SELECT count(*), count(chain) FROM audit_log")[0]
    assert report.rows == total[0] == total[1] == 6  # 5 marks changed by hand, 1 birth date
    assert describe_chain(report) == f"The audit log is intact ({total[0]:,} entries checked)."


def test_a_changed_row_is_found(db_path: Path) -> None:
    db = open_database(db_path)
    _edits(db, 5)
    db.close()
    target = _raw(db_path, "SELECT id FROM audit_log WHERE entity = 'mark' ORDER BY id")[2][0]
    _raw(db_path, 'UPDATE audit_log SET new_json = \'{"code": "/"}\' WHERE id = ?', (target,))
    db = open_database(db_path)
    try:
        report = check_audit_chain(db)
    finally:
        db.close()
    assert report.broken_at == target
    assert describe_chain(report).startswith(
        f"The audit log has been tampered with: row {target} was changed after it was written"
    )


def test_a_removed_row_is_found_at_the_row_after_it(db_path: Path) -> None:
    db = open_database(db_path)
    _edits(db, 5)
    db.close()
    ids = [r[0] for r in _raw(db_path, "SELECT id FROM audit_log ORDER BY id")]
    _raw(db_path, "DELETE FROM audit_log WHERE id = ?", (ids[3],))
    db = open_database(db_path)
    try:
        report = check_audit_chain(db)
    finally:
        db.close()
    assert report.broken_at == ids[4]
    assert f"the row before row {ids[4]} was removed or changed" in describe_chain(report)


def test_a_row_slipped_in_with_a_forged_seal_is_found(db_path: Path) -> None:
    db = open_database(db_path)
    _edits(db, 3)
    db.close()
    last = _raw(db_path, "SELECT max(id), chain FROM audit_log")[0]
    _raw(
        db_path,
        "INSERT INTO audit_log (at, who, action, entity, entity_id, digest, chain) "
        "VALUES ('2024-09-01 10:00:00', 'x', 'update', 'mark', '1', ?, ?)",
        ("0" * 64, last[1]),
    )
    db = open_database(db_path)
    try:
        report = check_audit_chain(db)
    finally:
        db.close()
    assert report.broken_at == last[0] + 1


def test_retention_clears_a_pupil_from_the_log_and_the_chain_still_holds(db: Database) -> None:
    ids = school(db)
    remove_pupils(db, [ids["old"]], as_of=TODAY, by="Mrs Patel")
    assert check_audit_chain(db).intact
    assert _raw(db.path, "SELECT count(*) FROM audit_log WHERE pupil_id = ?", (ids["old"],)) == [
        (0,)
    ]
