"""Importing into a real database: preview, apply, repeat, overlap, office marks, matching.

Every test here runs on SQLite and on PostgreSQL (`db` is `backend_db`; the PostgreSQL runs are
skipped, saying why, when no test server is named), except those marked `sqlite_only`."""

from __future__ import annotations

import hashlib
import sqlite3
import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "importers"))

from filemakers import (  # noqa: E402
    PUPILS,
    expected_marks,
    long_day_rows,
    roster_rows,
    wide_rows,
    write_csv,
    write_xlsx,
)

from attendance_desk.errors import ImportFileError  # noqa: E402
from attendance_desk.services.importing import (  # noqa: E402
    ImportCancelled,
    apply_import,
    import_history,
    preview_import,
)
from attendance_desk.storage.db import Database  # noqa: E402
from tests.sample_school import PUPIL_COUNT, WIDE_MARKS  # noqa: E402

sqlite_only = pytest.mark.parametrize("backend", ["sqlite"])


@pytest.fixture
def db(backend_db: Database) -> Database:
    return backend_db


def fingerprint(db: Database) -> str:
    """The whole database as text: SQLite's dump; on PostgreSQL every table's rows, sorted."""
    if db.backend == "sqlite":
        conn = sqlite3.connect(db.path)
        try:
            return hashlib.sha256("\n".join(conn.iterdump()).encode()).hexdigest()
        finally:
            conn.close()
    from attendance_desk.storage import transfer

    conn = db.raw_connection()
    try:
        dump = {
            table: sorted(map(repr, conn.execute(f'SELECT * FROM "{table}"').fetchall()))
            for table in transfer.tables(conn)
        }
    finally:
        conn.close()
    return hashlib.sha256(repr(dump).encode()).hexdigest()


def rows(db: Database, sql: str, params: tuple = ()) -> list[tuple]:
    conn = db.raw_connection()
    try:
        return conn.execute(sql, params).fetchall()
    finally:
        conn.close()


def marks_by_upn(db: Database) -> dict[tuple[str, str, str], str]:
    return {
        (upn, d, s): c
        for upn, d, s, c in rows(
            db,
            "SELECT p.upn, m.date, m.session, m.code FROM marks m JOIN pupils p ON p.id = m.pupil_id",
        )
    }


def test_preview_changes_nothing_and_matches_the_import(db: Database, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "register.xlsx", wide_rows())
    before = fingerprint(db)
    preview = preview_import(db, [path])
    assert fingerprint(db) == before
    outcome = preview.files[0]
    assert outcome.marks_added == len(expected_marks())
    assert len(outcome.pupils_added) == 3
    assert outcome.import_id is None
    result = apply_import(db, [path])
    assert result.files[0].marks_added == outcome.marks_added
    assert marks_by_upn(db) == expected_marks()
    sources = rows(db, "SELECT DISTINCT source, import_id FROM marks")
    assert sources == [("mis", result.files[0].import_id)]


def test_same_file_twice_changes_nothing_and_says_so(db: Database, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "register.xlsx", wide_rows())
    apply_import(db, [path])
    before = fingerprint(db)
    again = apply_import(db, [path])
    assert fingerprint(db) == before
    assert again.files[0].already_imported
    assert again.nothing_changed
    assert "already imported" in again.summary_lines()[0]
    assert preview_import(db, [path]).files[0].already_imported


def test_reimport_compares_and_finds_nothing_to_change(db: Database, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "register.xlsx", wide_rows())
    apply_import(db, [path])
    again = apply_import(db, [path], reimport=True).files[0]
    assert (again.marks_added, again.marks_changed, again.marks_unchanged) == (0, 0, 16)
    assert again.nothing_changed


def test_a_later_overlapping_export_updates_only_changed_marks(
    db: Database, tmp_path: Path
) -> None:
    first = apply_import(db, [write_xlsx(tmp_path / "mon.xlsx", wide_rows())]).files[0]
    later = wide_rows()
    later[4][4] = "L"  # O'Brien Mon AM: / -> L
    later[6][7] = "U"  # Smith Tue PM: no mark -> U (an addition)
    result = apply_import(db, [write_xlsx(tmp_path / "tue.xlsx", later)]).files[0]
    assert (result.marks_added, result.marks_changed) == (1, 1)
    assert result.marks_unchanged == 15
    change = result.changes[0]
    assert (change.date, change.session, change.old_code, change.new_code) == (
        date(2024, 9, 2), "AM", "/", "L",
    )  # fmt: skip
    history = rows(
        db, "SELECT date, session, old_code, new_code, source, import_id FROM mark_changes"
    )
    assert history == [("2024-09-02", "AM", "/", "L", "mis", result.import_id)]
    assert result.import_id != first.import_id
    assert rows(db, "SELECT count(*) FROM marks WHERE import_id = ?", (result.import_id,)) == [(2,)]


def _office_mark(db: Database, upn: str, day: str, session: str, code: str) -> None:
    conn = db.raw_connection()
    with conn:
        conn.execute(
            "UPDATE marks SET code = ?, source = 'office' WHERE date = ? AND session = ? AND "
            "pupil_id = (SELECT id FROM pupils WHERE upn = ?)",
            (code, day, session, upn),
        )
    conn.close()


def test_office_marks_are_not_silently_overwritten(db: Database, tmp_path: Path) -> None:
    apply_import(db, [write_xlsx(tmp_path / "mon.xlsx", wide_rows())])
    # The office took a call: Łucja's Monday illness was a medical appointment.
    _office_mark(db, PUPILS[1][0], "2024-09-02", "AM", "M")
    older = write_xlsx(tmp_path / "older.xlsx", wide_rows(title=False))  # still says I
    preview = preview_import(db, [older])
    assert preview.conflicts_total == 1
    conflict = preview.files[0].conflicts[0]
    assert (conflict.old_code, conflict.new_code, conflict.office) == ("M", "I", True)
    kept = apply_import(db, [older]).files[0]
    assert (kept.conflicts_total, kept.office_overwritten, kept.marks_changed) == (1, 0, 0)
    assert "1 office marks differ" in kept.summary()
    assert rows(db, "SELECT code, source FROM marks WHERE code IN ('M', 'I') AND date = '2024-09-02' AND session = 'AM'") == [("M", "office")]  # fmt: skip
    newer = write_xlsx(tmp_path / "newer.xlsx", wide_rows(title=False)[:3] + [])
    replaced = apply_import(db, [newer], overwrite_office=True).files[0]
    assert replaced.office_overwritten == 1
    assert rows(db, "SELECT new_code, old_code, reason FROM mark_changes") == [
        ("I", "M", "overwrote an office mark")
    ]


def test_register_without_roster_creates_pupils_then_roster_fills_them_in(
    db: Database, tmp_path: Path
) -> None:
    apply_import(db, [write_csv(tmp_path / "long.csv", long_day_rows())])
    assert rows(db, "SELECT count(*), count(date_of_birth) FROM pupils") == [(3, 0)]
    result = apply_import(db, [write_xlsx(tmp_path / "roster.xlsx", roster_rows())]).files[0]
    assert (len(result.pupils_added), len(result.pupils_changed)) == (0, 3)
    assert result.contacts_added == 3
    assert rows(db, "SELECT count(*), count(date_of_birth), count(admission_number) FROM pupils") == [(3, 3, 3)]  # fmt: skip
    again = apply_import(db, [write_xlsx(tmp_path / "roster2.xlsx", roster_rows())]).files[0]
    assert again.nothing_changed


def test_matching_by_admission_number_then_name_and_dob(db: Database, tmp_path: Path) -> None:
    roster = roster_rows()
    for row in roster[1:]:
        row[0] = ""  # no UPNs known yet
    apply_import(db, [write_xlsx(tmp_path / "roster.xlsx", roster)])
    from filemakers import day_pair_rows

    pairs = apply_import(db, [write_xlsx(tmp_path / "pairs.xlsx", day_pair_rows())]).files[0]
    assert pairs.pupils_added == ()
    # a file with names and dates of birth only
    by_name = [["Legal Surname", "Legal Forename", "DOB", "Date", "AM", "PM"]]
    by_name += [[p[2], p[3], p[5], "05/09/2024", "/", "\\"] for p in PUPILS]
    result = apply_import(db, [write_xlsx(tmp_path / "names.xlsx", by_name)]).files[0]
    assert result.pupils_added == ()
    assert rows(db, "SELECT count(*) FROM pupils") == [(3,)]


def test_a_upn_clash_is_an_error_and_nothing_is_written(db: Database, tmp_path: Path) -> None:
    apply_import(db, [write_xlsx(tmp_path / "roster.xlsx", roster_rows())])
    before = fingerprint(db)
    clash = long_day_rows()
    clash[1][1:3] = ["Someone", "Else"]  # O'Brien's UPN on another child
    with pytest.raises(ImportFileError, match="clash: UPN A123456789012 is held for"):
        apply_import(db, [write_csv(tmp_path / "clash.csv", clash)])
    assert fingerprint(db) == before


def test_several_files_land_together_in_dependency_order(
    db: Database, tmp_path: Path, samples: Path
) -> None:
    from filemakers import day_pair_rows

    files = [
        write_xlsx(tmp_path / "pairs.xlsx", day_pair_rows()),  # needs the roster's Adno
        write_xlsx(tmp_path / "roster.xlsx", roster_rows()),
        samples / "term_dates.csv",
    ]
    result = apply_import(db, files)
    assert [f.kind for f in result.files] == ["term_dates", "roster", "register"]
    assert marks_by_upn(db) == expected_marks()


def test_cancel_leaves_the_database_as_it_was(db: Database, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "register.xlsx", wide_rows())
    before = fingerprint(db)
    calls = iter(range(1000))
    with pytest.raises(ImportCancelled):
        apply_import(db, [path], cancel=lambda: next(calls) > 3)
    assert fingerprint(db) == before


def test_progress_is_reported_up_to_100(db: Database, tmp_path: Path) -> None:
    seen: list[int] = []
    apply_import(
        db, [write_xlsx(tmp_path / "r.xlsx", wide_rows())], progress=lambda p, _m: seen.append(p)
    )
    assert seen == sorted(seen) and seen[-1] == 100


def test_import_history(db: Database, tmp_path: Path) -> None:
    path = write_xlsx(tmp_path / "register.xlsx", wide_rows())
    result = apply_import(db, [path], imported_by="office")
    history = import_history(db)
    assert len(history) == 1
    entry = history[0]
    assert (entry.file_name, entry.kind, entry.marks_added, entry.imported_by) == (
        "register.xlsx", "register", 16, "office",
    )  # fmt: skip
    assert entry.content_hash == hashlib.sha256(path.read_bytes()).hexdigest()
    assert entry.id == result.files[0].import_id
    assert "16 marks added" in entry.summary


def test_samples_import_to_identical_marks_in_every_layout(tmp_path: Path, samples: Path) -> None:
    """Each register layout into its own database (after the roster): the same marks."""
    from attendance_desk.storage.db import open_database

    found = {}
    for name in (
        "register_wide_single_header.xlsx",
        "register_by_day_pairs.xlsx",
        "register_long_per_day.csv",
    ):
        db = open_database(tmp_path / f"{name}.sqlite3")
        files = [
            samples / n
            for n in ("roster_with_contacts.xlsx", "term_dates.csv", "closures.csv", name)
        ]
        result = apply_import(db, files)
        assert result.files[-1].pupils_added == ()
        found[name] = marks_by_upn(db)
        db.close()
    wide = found["register_wide_single_header.xlsx"]
    assert len(wide) == WIDE_MARKS  # 14 pupils * 193 days * 2, less Reception's blank 2 Sep
    assert found["register_by_day_pairs.xlsx"] == wide
    # the long export has no rows for INSET days (coded # in the other two)
    assert found["register_long_per_day.csv"] == {k: c for k, c in wide.items() if c != "#"}


def test_sample_roster_contacts_and_calendar(db: Database, samples: Path) -> None:
    files = [samples / n for n in ("roster_with_contacts.xlsx", "term_dates.csv", "closures.csv")]
    apply_import(db, files)
    assert rows(db, "SELECT count(*) FROM pupils") == [(PUPIL_COUNT,)]
    assert rows(db, "SELECT count(*) FROM half_terms") == [(6,)]
    assert rows(db, "SELECT name, start_date, end_date FROM academic_years") == [
        ("2024/25", "2024-09-01", "2025-08-31")
    ]
    assert rows(db, "SELECT kind FROM closures WHERE date = '2025-05-05'") == [("bank_holiday",)]
    zoe = rows(db, "SELECT count(*) FROM pupils WHERE legal_forename = 'Zoë'")
    assert zoe[0][0] >= 1
    no_pr = rows(db, "SELECT count(*) FROM contacts WHERE NOT parental_responsibility")
    assert no_pr[0][0] >= 1


def test_term_dates_file_is_the_whole_year(db: Database, tmp_path: Path, samples: Path) -> None:
    apply_import(db, [samples / "term_dates.csv"])
    moved = [["Half Term", "Start Date", "End Date"]]
    moved += [
        [name, start, end]
        for name, start, end in rows(
            db, "SELECT name, start_date, end_date FROM half_terms ORDER BY start_date"
        )
    ]
    moved[-1][1] = "2025-06-03"  # Summer 2 starts a day later
    result = apply_import(db, [write_csv(tmp_path / "terms.csv", moved)]).files[0]
    assert (result.half_terms_added, result.half_terms_changed) == (1, 1)
    assert any("Summer 2 starting 2025-06-02 removed" in w for w in result.warnings)
    assert rows(db, "SELECT count(*) FROM half_terms") == [(6,)]


def test_a_term_that_ends_before_it_starts(db: Database, tmp_path: Path) -> None:
    path = write_csv(
        tmp_path / "terms.csv",
        [["half_term", "start", "end"], ["Autumn 1", "02/09/2024", "25/08/2024"]],
    )
    with pytest.raises(ImportFileError, match="row 2, column 'end': the half term ends before"):
        apply_import(db, [path])


def test_new_pupils_in_bulk_and_known_pupils_compared(db: Database, tmp_path: Path) -> None:
    first = wide_rows()
    apply_import(db, [write_xlsx(tmp_path / "two.xlsx", first[:-1])])  # without Jack Smith
    later = wide_rows()
    later[4][5] = "M"  # O'Brien Mon PM: \ -> M
    result = apply_import(db, [write_xlsx(tmp_path / "three.xlsx", later)]).files[0]
    assert result.pupils_added == ("Jack Smith",)
    assert (result.marks_added, result.marks_changed, result.marks_unchanged) == (4, 1, 11)
    expected = expected_marks() | {(PUPILS[0][0], "2024-09-02", "PM"): "M"}
    assert marks_by_upn(db) == expected


def test_a_big_load_puts_back_what_it_dropped_and_counts_the_sessions(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A big load counts the register's sessions itself with the counting trigger dropped (on
    PostgreSQL turned off; there it drops the primary key and the foreign keys too) and puts
    everything back in the same transaction: after a refused import and after an import, all
    there, and the register of sessions holds the marks counted exactly."""
    from attendance_desk.importers import bulk_write

    monkeypatch.setattr(bulk_write, "REBUILD_INDEX_AT", 1)
    monkeypatch.setattr(bulk_write, "COUNT_HERE_AT", 1)
    if db.backend == "sqlite":
        schema = (
            "SELECT sql FROM sqlite_master WHERE tbl_name IN ('marks', 'register_sessions') "
            "AND sql IS NOT NULL"
        )
    else:
        schema = (
            "SELECT indexdef FROM pg_indexes WHERE tablename = 'marks' UNION ALL "
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE conrelid = 'marks'::regclass AND contype = 'f' UNION ALL "
            "SELECT pg_get_triggerdef(oid) || ' ' || tgenabled::text FROM pg_trigger "
            "WHERE tgrelid = 'marks'::regclass AND NOT tgisinternal UNION ALL "
            # the columns' defaults: the load's constants for its COPY, then the table's again
            "SELECT a.attname || ' ' || coalesce(pg_get_expr(d.adbin, d.adrelid), '-') "
            "FROM pg_attribute a LEFT JOIN pg_attrdef d ON d.adrelid = a.attrelid "
            "AND d.adnum = a.attnum WHERE a.attrelid = 'marks'::regclass AND a.attnum > 0 "
            "AND NOT a.attisdropped"
        )
    before = sorted(rows(db, schema))
    bad = wide_rows()
    bad[6][4] = "G"
    twice = write_xlsx(tmp_path / "twice.xlsx", [*bad, wide_rows()[6]])  # Smith twice: an error
    with pytest.raises(ImportFileError):
        apply_import(db, [twice])
    assert sorted(rows(db, schema)) == before
    assert rows(db, "SELECT * FROM register_sessions") == []
    apply_import(db, [write_xlsx(tmp_path / "register.xlsx", wide_rows())])
    assert sorted(rows(db, schema)) == before and before
    assert marks_by_upn(db) == expected_marks()
    # every mark carries the import's own source, id and time (on PostgreSQL its school too)
    (import_id, imported_at), *_ = rows(db, "SELECT id, imported_at FROM imports")
    assert rows(db, "SELECT DISTINCT source, import_id, updated_at FROM marks") == [
        ("mis", import_id, imported_at)
    ]
    if db.backend == "postgresql":
        assert rows(db, "SELECT DISTINCT school_id FROM marks") == rows(
            db, "SELECT attendance_desk_school()"
        )
    assert "ix_marks_date" not in str(before)
    if db.backend == "postgresql":
        # the key, the two foreign keys (pupil, import); no index by school (0019)
        assert "ix_marks_school_id" not in str(before)
        assert "brin_marks_date" in str(before)  # made again after the load (0020)
        assert len([r for r in before if "register_sessions" not in str(r)]) >= 3
    sessions = sorted(
        (str(d)[:10], s, n, b, c)
        for d, s, n, b, c in rows(
            db, "SELECT date, session, marks, blank, closed FROM register_sessions"
        )
    )
    counted: dict[tuple[str, str], list[int]] = {}
    for (_, iso, session), code in expected_marks().items():
        n = counted.setdefault((iso, session), [0, 0, 0])
        n[0] += 1
        n[1] += code in ("-", "")
        n[2] += code == "#"
    assert sessions == sorted((*k, *v) for k, v in counted.items())


@sqlite_only  # a server's database is backed up on the server
def test_every_import_that_writes_is_preceded_by_a_backup_of_the_database_as_it_was(
    db: Database, tmp_path: Path
) -> None:
    from attendance_desk.services.backup import PRE_IMPORT, list_backups, verify_backup

    first = write_xlsx(tmp_path / "register.xlsx", wide_rows())
    apply_import(db, [first])
    marks_after_first = len(marks_by_upn(db))
    preview_import(db, [first])  # a preview writes nothing, so it takes no backup
    apply_import(db, [first])  # already imported: nothing to write, no backup
    backups = [b for b in list_backups(db) if b.kind == PRE_IMPORT]
    assert len(backups) == 1
    assert verify_backup(backups[0].path).marks == 0  # taken before the first import landed
    assert marks_after_first > 0


@sqlite_only
def test_a_reimport_that_changes_nothing_takes_no_backup_and_one_that_changes_marks_does(
    db: Database, tmp_path: Path
) -> None:
    from attendance_desk.services.backup import PRE_IMPORT, list_backups, verify_backup

    first = write_xlsx(tmp_path / "register.xlsx", wide_rows())
    apply_import(db, [first])
    held = len(marks_by_upn(db))

    def pre_import() -> list[Path]:
        return sorted(b.path for b in list_backups(db) if b.kind == PRE_IMPORT)

    taken = pre_import()
    again = apply_import(db, [first], reimport=True)  # compared: every mark the same
    assert again.files[0].marks_unchanged == held and again.files[0].nothing_changed
    assert pre_import() == taken

    changed = [list(r) for r in wide_rows()]
    changed[-1][-1] = "L" if changed[-1][-1] != "L" else "M"
    second = write_xlsx(tmp_path / "register-later.xlsx", changed)
    result = apply_import(db, [second])
    assert result.files[0].marks_changed == 1
    new = [p for p in pre_import() if p not in taken]
    assert len(new) == 1
    assert verify_backup(new[0]).marks == held  # the database as it was before this import
