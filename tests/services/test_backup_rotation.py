"""Backups belong to a database, not a file name, and rotate by age as well as count; the
backup taken before an import that changed marks is kept until a later full backup exists."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path

from attendance_desk.services import backup as backups
from attendance_desk.storage.db import Database, open_database
from attendance_desk.storage.models import Mark, Pupil


def _school(path: Path, surname: str) -> Database:
    db = open_database(path)
    with db.session() as s:
        s.add(Pupil(legal_surname=surname, legal_forename="Ann"))
    return db


def _backdate(info: backups.BackupInfo, when: datetime) -> None:
    """Say in its note that the backup was taken at `when` (what the rotation goes by)."""
    note = info.path.with_name(info.path.name + ".json")
    data = json.loads(note.read_text())
    data["taken_at"] = when.isoformat()
    note.write_text(json.dumps(data))


def test_two_schools_with_the_same_file_name_never_share_or_prune_each_others(
    tmp_path: Path,
) -> None:
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    first = _school(tmp_path / "a" / "school.sqlite3", "First")
    second = _school(tmp_path / "b" / "school.sqlite3", "Second")
    try:
        assert backups.backup_folder(first) == backups.backup_folder(second)  # same name
        assert backups.database_identity(first) != backups.database_identity(second)
        theirs = [backups.make_backup(second, kind=backups.DAILY) for _ in range(3)]
        for _ in range(backups.KEEP[backups.DAILY] + 3):
            backups.make_backup(first, kind=backups.DAILY)
        assert all(b.path.exists() for b in theirs)  # never pruned by the other school
        assert {b.path for b in backups.list_backups(second)} == {b.path for b in theirs}
        mine = backups.list_backups(first)
        assert len(mine) == backups.KEEP[backups.DAILY]
        assert not {b.path for b in mine} & {b.path for b in theirs}
    finally:
        first.close()
        second.close()


def test_daily_backups_rotate_by_age_as_well_as_count(db: Database) -> None:
    # 60 daily backups, one a day back from today: count keeps 14, age keeps the newest of
    # each of 8 weeks and 12 months too
    today = datetime.now().replace(hour=9, minute=0, second=0, microsecond=0)
    made = []
    for n in range(60, 0, -1):
        info = backups.make_backup(db, kind=backups.DAILY)
        _backdate(info, today - timedelta(days=n))
        made.append((today - timedelta(days=n), info.path))
    backups.make_backup(db, kind=backups.DAILY)  # today's: the rotation runs
    kept = {b.taken_at.date() for b in backups.list_backups(db) if b.kind == backups.DAILY}
    days = sorted({when.date() for when, _ in made} | {today.date()}, reverse=True)
    expected = set(days[: backups.KEEP[backups.DAILY]])  # the 14 newest
    weeks: dict[tuple[int, int], date] = {}
    months: dict[tuple[int, int], date] = {}
    for d in days:  # newest first: the first seen of a period is its newest
        weeks.setdefault(d.isocalendar()[:2], d)
        months.setdefault((d.year, d.month), d)
    expected |= set(list(weeks.values())[: backups.KEEP_WEEKS])
    expected |= set(list(months.values())[: backups.KEEP_MONTHS])
    assert kept == expected
    assert len(kept) > backups.KEEP[backups.DAILY]  # age kept some the count alone would not


def test_the_backup_before_an_import_that_changed_marks_is_kept_until_a_full_backup(
    db: Database,
) -> None:
    with db.session() as s:
        pupil = Pupil(legal_surname="Khan", legal_forename="Ali")
        s.add(pupil)
        s.flush()
        for day in range(2, 9):
            s.add(Mark(pupil_id=pupil.id, date=date(2024, 9, day), session="AM", code="/"))
    before = backups.backup_before_import(db)
    backups.protect_backup(before)  # as importing does after changing more than a few marks
    for _ in range(backups.KEEP[backups.PRE_IMPORT] + 2):
        backups.backup_before_import(db)
    assert before.exists()  # beyond the count, still kept: no full backup since
    backups.make_backup(db, kind=backups.DAILY)
    backups.backup_before_import(db)  # the next rotation may now let it go
    assert not before.exists()


def test_an_import_that_changes_more_than_a_few_marks_protects_its_backup(
    db: Database, tmp_path: Path
) -> None:
    import sys

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "importers"))
    from filemakers import PUPILS, write_csv

    from attendance_desk.services.importing import apply_import

    def register(code: str, name: str) -> Path:
        rows = [["UPN", "Surname", "Forename", "Reg Group", "Date", "AM", "PM"]]
        for upn, _, surname, forename, form, _ in PUPILS:
            for day in (2, 3):
                rows.append([upn, surname, forename, form, f"2024-09-0{day}", code, code])
        return write_csv(tmp_path / name, rows)

    apply_import(db, [register("/", "first.csv")])
    apply_import(db, [register("N", "second.csv")])  # 12 marks changed
    pre = sorted(
        (b for b in backups.list_backups(db) if b.kind == backups.PRE_IMPORT),
        key=lambda b: b.taken_at,
    )
    assert [b.protected for b in pre] == [False, True]
