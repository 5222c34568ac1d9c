"""Retention: pupils gone more than 6 years are listed and removed, and the removal recorded
without the child's data."""

from __future__ import annotations

import json
from datetime import date

import pytest

from attendance_desk.errors import UserError
from attendance_desk.services.audit import audit_rows
from attendance_desk.services.retention import pupils_due_for_removal, remove_pupils
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import AuditEntry, Contact, Mark, Pupil
from attendance_desk.storage.models.cases import EventPupil, Family, FamilyMember, TimelineEvent


@pytest.fixture
def db(backend_db: Database) -> Database:
    """Each test here runs on SQLite and on PostgreSQL (tests/conftest.py: backend_db)."""
    return backend_db


TODAY = date(2025, 1, 6)


def school(db: Database) -> dict[str, int]:
    ids = {}
    with db.session() as s:
        for key, left in (
            ("old", date(2018, 7, 20)),
            ("recent", date(2023, 7, 21)),
            ("on roll", None),
        ):
            pupil = Pupil(legal_surname=f"Leaver {key}", legal_forename="Alex", leaving_date=left)
            s.add(pupil)
            s.flush()
            ids[key] = pupil.id
            s.add(Contact(pupil_id=pupil.id, name=f"Parent of {key}"))
            s.add(Mark(pupil_id=pupil.id, date=date(2018, 7, 2), session="AM", code="/"))
        family = Family(label="shared")
        own_event = TimelineEvent(kind="call", date=date(2018, 3, 1), summary="About old only")
        shared = TimelineEvent(kind="meeting", date=date(2018, 3, 2), summary="Both")
        s.add_all([family, own_event, shared])
        s.flush()
        ids["own event"], ids["shared event"] = own_event.id, shared.id
        s.add_all(
            [
                FamilyMember(pupil_id=ids["old"], family_id=family.id),
                FamilyMember(pupil_id=ids["recent"], family_id=family.id),
                EventPupil(event_id=own_event.id, pupil_id=ids["old"]),
                EventPupil(event_id=shared.id, pupil_id=ids["old"]),
                EventPupil(event_id=shared.id, pupil_id=ids["recent"]),
            ]
        )
    with db.session() as s:  # a hand edit: an audit row about the old pupil
        s.get(Mark, (ids["old"], date(2018, 7, 2), "AM")).code = "N"
    return ids


def test_pupils_gone_more_than_six_years_are_listed(db: Database) -> None:
    ids = school(db)
    due = pupils_due_for_removal(db, as_of=TODAY)
    assert [(p.pupil_id, p.name, p.leaving_date) for p in due] == [
        (ids["old"], "Leaver old, Alex", date(2018, 7, 20))
    ]
    assert pupils_due_for_removal(db, years=7, as_of=TODAY) == []
    with pytest.raises(UserError, match="at least 6 years"):
        pupils_due_for_removal(db, years=5, as_of=TODAY)


def test_removal_takes_everything_about_the_pupil_and_records_only_that_it_happened(
    db: Database,
) -> None:
    ids = school(db)
    assert any(r.pupil_id == ids["old"] for r in audit_rows(db))
    result = remove_pupils(db, [ids["old"]], as_of=TODAY, by="Mrs Patel")
    assert result.removed == 1 and result.rows_removed >= 5
    with db.session() as s:
        assert s.get(Pupil, ids["old"]) is None
        assert s.query(Contact).filter_by(pupil_id=ids["old"]).count() == 0
        assert s.query(Mark).filter_by(pupil_id=ids["old"]).count() == 0
        assert s.get(TimelineEvent, ids["own event"]) is None  # about no one now
        assert s.get(TimelineEvent, ids["shared event"]) is not None  # still about a sibling
        assert s.query(FamilyMember).count() == 1
        assert s.query(Pupil).count() == 2
        assert s.query(AuditEntry).filter_by(pupil_id=ids["old"]).count() == 0
    record = audit_rows(db, action="retention")
    assert len(record) == 1
    row = record[0]
    assert (row.who, row.entity, row.pupil_id) == ("Mrs Patel", "pupil", None)
    values = json.loads(row.new_json or "{}")
    assert values["rule"] == "left more than 6 years ago" and values["rows_removed"]["marks"] == 1
    assert "Leaver" not in (row.new_json or "") and "Alex" not in (row.new_json or "")


def test_a_pupil_not_yet_due_is_refused_and_nothing_is_removed(db: Database) -> None:
    ids = school(db)
    with pytest.raises(UserError, match="nothing was removed"):
        remove_pupils(db, [ids["old"], ids["recent"]], as_of=TODAY)
    with db.session() as s:
        assert s.query(Pupil).count() == 3


def test_removal_reaches_the_backups_and_leftover_copies(db: Database) -> None:
    import sqlite3

    if db.backend == "postgresql":
        pytest.skip("a PostgreSQL database's backups are pg_dump files: not rewritten in place")

    from attendance_desk.services.backup import backup_folder, list_backups, make_backup

    ids = school(db)
    older = make_backup(db).path  # a backup from before the removal holds the pupil
    leftover = backup_folder(db) / "school_manual_2020-01-01_000000.sqlite3.part"
    leftover.write_bytes(older.read_bytes())  # a copy a crash left behind
    remove_pupils(db, [ids["old"]], as_of=TODAY, by="Mrs Patel")
    assert not leftover.exists()
    assert older in [b.path for b in list_backups(db)]
    conn = sqlite3.connect(older)
    try:
        assert conn.execute(
            "SELECT count(*) FROM pupils WHERE id = ?", (ids["old"],)
        ).fetchone() == (0,)
        assert conn.execute("SELECT count(*) FROM pupils").fetchone()[0] == 2
        assert conn.execute(
            "SELECT count(*) FROM marks WHERE pupil_id = ?", (ids["old"],)
        ).fetchone() == (0,)
    finally:
        conn.close()
    assert b"Leaver old" not in older.read_bytes()  # not even in freed pages
