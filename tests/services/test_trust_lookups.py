"""Issue 17: in a trust's database two schools may hold a saved import shape, a meeting, an
academic year, a half term, a closure, a pupil's UPN or an imported file under the same name or
key. The trust's administrator (the tables' owner, whom row-level security does not limit;
here the tests' server role, a superuser) working on one school finds that school's, never the
other's, and changes only that school's. Needs a PostgreSQL server (ATTENDANCE_DESK_TEST_PG)."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from casework_school import build_school
from trust_school import built_trust, trust_owner_database, two_schools

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "importers"))
from filemakers import expected_marks, long_export, wide_rows, write_csv, write_xlsx  # noqa: E402

from attendance_desk.errors import UserError
from attendance_desk.importers import ColumnMapping, Layout
from attendance_desk.services.import_mappings import (
    list_mappings,
    remember_mapping,
    remembered,
    remove_mapping,
)
from attendance_desk.services.importing import apply_import
from attendance_desk.services.meetings import ActionInput, meeting_choices, record_agreed_actions
from attendance_desk.storage.db import Database, open_database
from attendance_desk.storage.trust import school_url

Trust = tuple[str, dict[str, int]]


@pytest.fixture
def trust() -> Iterator[Trust]:
    """A trust database with Oakfield (school 1, its year 2024/25 and two half terms) and
    Riverside (a copy of its pupils and marks, no calendar of its own yet)."""
    with trust_owner_database() as url:
        schools = built_trust(url)
        yield url, schools


def _owner_on(trust: Trust, school: str) -> Database:
    """The owner working on one school (chosen in the window's School: the connection acts
    for it)."""
    url, schools = trust
    return open_database(school_url(url, schools[school]))


def _rows(db: Database, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    conn = db.raw_connection()
    try:
        return [tuple(r) for r in conn.execute(sql, params)]
    finally:
        conn.close()


def _former_upn_file(tmp_path: Path, name: str) -> tuple[Path, ColumnMapping]:
    """A register with a heading that needs a saved mapping, and the mapping."""
    rows = long_export()
    rows[0].append("Former UPN")
    for row in rows[1:]:
        row.append("")
    roles = {0: "upn", 1: "forename", 2: "surname", 3: "reg_group", 4: "date", 5: "session"}
    path = write_csv(tmp_path / f"{name}.csv", rows)
    return path, ColumnMapping(Layout.LONG_SESSION, 0, {**roles, 6: "mark"}, name)


def test_each_school_keeps_its_own_saved_import_shapes(trust: Trust, tmp_path: Path) -> None:
    """Both schools save a mapping called "Weekly" for the same export: each lists its own, the
    command line's `--mapping Weekly` finds its own, and removing it in Settings removes only
    that school's."""
    path, mapping = _former_upn_file(tmp_path, "weekly")
    for school in ("oakfield", "riverside"):
        db = _owner_on(trust, school)
        try:
            assert remember_mapping(db, path, mapping, "Weekly") == "Weekly"
            assert [m.name for m in list_mappings(db)] == ["Weekly"]
        finally:
            db.close()
    url, schools = trust
    db = open_database(url)  # looking at every school
    try:
        held = _rows(db, "SELECT school_id, name FROM import_mappings ORDER BY school_id")
        assert held == [(schools["oakfield"], "Weekly"), (schools["riverside"], "Weekly")]
    finally:
        db.close()

    river = _owner_on(trust, "riverside")
    try:
        remove_mapping(river, "Weekly")
        assert list_mappings(river) == ()
        with pytest.raises(UserError, match="no saved mapping called 'Weekly'"):
            remembered(river, "Weekly")
        with pytest.raises(UserError, match="no saved mapping called 'Weekly'"):
            remove_mapping(river, "Weekly")
    finally:
        river.close()
    oak = _owner_on(trust, "oakfield")
    try:
        assert [m.name for m in list_mappings(oak)] == ["Weekly"]
        remembered(oak, "Weekly")  # still there for Oakfield's command line
        result = apply_import(oak, [path])  # and found by the file's headings
        assert result.files[0].marks_added == len(expected_marks())
    finally:
        oak.close()


def test_each_school_records_its_own_meeting_of_a_kind_on_a_day(trust: Trust) -> None:
    """Both schools hold the same kind of meeting on the same day: each school's agreed
    actions belong to its own meeting."""
    url, schools = trust
    day = date(2024, 10, 9)
    for school in ("oakfield", "riverside"):
        db = _owner_on(trust, school)
        try:
            kind = meeting_choices(db)[0][0]
            (pupil,) = _rows(db, f"SELECT min(id) FROM pupils WHERE school_id = {schools[school]}")
            action = ActionInput(int(str(pupil[0])), "Call home", "Office", date(2024, 10, 16))
            assert record_agreed_actions(db, kind, day, [action]) == 1
        finally:
            db.close()
    db = open_database(url)
    try:
        meetings = _rows(db, "SELECT school_id, kind, date FROM meetings ORDER BY school_id")
        assert [m[0] for m in meetings] == [schools["oakfield"], schools["riverside"]]
        assert len({m[1:] for m in meetings}) == 1  # the same kind, the same day
        actions = _rows(
            db,
            "SELECT p.school_id, m.school_id, a.school_id FROM meeting_actions a "
            "JOIN meetings m ON m.id = a.meeting_id JOIN pupils p ON p.id = a.pupil_id",
        )
        assert sorted(actions) == [(s, s, s) for s in sorted(schools.values())]
    finally:
        db.close()


def test_a_school_imports_its_own_calendar_registers_and_pupils(
    trust: Trust, tmp_path: Path
) -> None:
    """The owner imports, for Riverside, the term dates Oakfield has under other names, a
    closure on another day, and the register file Oakfield imported (the same children, the
    same UPNs): Riverside gets its own year, half terms, closure, pupils and marks; Oakfield's
    are as they were; a mark on Oakfield's closure day is no reason to refuse Riverside's."""
    url, schools = trust
    oak_id, river_id = schools["oakfield"], schools["riverside"]
    register = write_xlsx(tmp_path / "register.xlsx", wide_rows())
    terms = write_csv(
        tmp_path / "terms.csv",
        [
            ["half_term", "start", "end"],
            ["Autumn A", "2024-09-02", "2024-10-25"],
            ["Autumn B", "2024-11-04", "2024-12-20"],
        ],
    )
    oak_closure = write_csv(
        tmp_path / "oak_closure.csv",
        [["date", "kind", "description"], ["2024-09-05", "inset", "Oakfield training"]],
    )
    oak = _owner_on(trust, "oakfield")
    try:
        apply_import(oak, [oak_closure])
        assert apply_import(oak, [register]).files[0].marks_added == len(expected_marks())
        calendar = "SELECT school_id, name FROM {} ORDER BY school_id, name"
        years_before = _rows(oak, calendar.format("academic_years"))
        halves_before = _rows(oak, calendar.format("half_terms"))
        marks_before = _rows(oak, f"SELECT count(*) FROM marks WHERE school_id = {oak_id}")
    finally:
        oak.close()
    assert halves_before == [(oak_id, "Autumn 1"), (oak_id, "Autumn 2")]

    # a register of Thursday 5 September: Oakfield's closure day, a school day at Riverside
    thursday = write_csv(
        tmp_path / "thursday.csv",
        [
            ["UPN", "Surname", "Forename", "Reg Group", "Date", "AM", "PM"],
            *(
                [upn, surname, forename, form, "2024-09-05", "/", "\\"]
                for upn, surname, forename, form in {
                    (r[0], r[1], r[2], r[3]) for r in wide_rows(title=False)[1:]
                }
            ),
        ],
    )
    river = _owner_on(trust, "riverside")
    try:
        result = apply_import(river, [terms, register])
        assert [f.already_imported for f in result.files] == [False, False]
        assert result.files[1].marks_added == len(expected_marks())
        assert len(result.files[1].pupils_added) == 3
        assert apply_import(river, [thursday]).files[0].marks_added == 6
    finally:
        river.close()

    db = open_database(url)
    try:
        assert _rows(db, calendar.format("academic_years")) == [
            *years_before,
            (river_id, "2024/25"),
        ]
        assert _rows(db, calendar.format("half_terms")) == [
            *halves_before,
            (river_id, "Autumn A"),
            (river_id, "Autumn B"),
        ]
        assert _rows(db, f"SELECT count(*) FROM marks WHERE school_id = {oak_id}") == marks_before
        upns = sorted({upn for upn, _, _ in expected_marks()})
        held = _rows(
            db,
            "SELECT p.upn, p.school_id, count(m.pupil_id) FROM pupils p "
            "LEFT JOIN marks m ON m.pupil_id = p.id AND m.school_id = p.school_id "
            f"WHERE p.upn IN ({', '.join('?' * len(upns))}) GROUP BY 1, 2 ORDER BY 1, 2",
            tuple(upns),
        )
        counts = {(upn, school): n for upn, school, n in held}
        assert set(counts) == {(upn, school) for upn in upns for school in (oak_id, river_id)}
        assert sum(counts[upn, oak_id] for upn in upns) == len(expected_marks())
        assert all(counts[upn, river_id] == counts[upn, oak_id] + 2 for upn in upns)
    finally:
        db.close()


def test_the_register_s_tasks_are_raised_for_the_school_worked_in(trust: Trust) -> None:
    """An `N` left unresolved in each school: the owner working on Riverside raises Riverside's
    task, a Riverside row; Oakfield's waits for someone working on Oakfield, and is Oakfield's."""
    from attendance_desk.services.tasks import sync_unresolved_n_tasks

    url, schools = trust
    owner = open_database(url)
    try:
        conn = owner.raw_connection(write=True)
        with conn:
            for school in schools.values():
                conn.execute(
                    "UPDATE marks SET code = 'N' WHERE date = '2024-09-10' AND session = 'AM' "
                    "AND pupil_id = (SELECT min(id) FROM pupils WHERE school_id = ?)",
                    (school,),
                )
        conn.close()
    finally:
        owner.close()
    tasks = (
        "SELECT p.school_id, t.school_id FROM tasks t JOIN pupils p ON p.id = t.pupil_id "
        "WHERE t.kind = 'unresolved_n' ORDER BY 1"
    )
    for school in ("riverside", "oakfield"):
        db = _owner_on(trust, school)
        try:
            assert sync_unresolved_n_tasks(db, date(2024, 10, 9)) == 1
        finally:
            db.close()
        db = open_database(url)
        try:
            raised = _rows(db, tasks)
        finally:
            db.close()
        assert raised[-1 if school == "riverside" else 0] == (schools[school], schools[school])
    assert raised == [(s, s) for s in sorted(schools.values())]


def test_a_child_missing_education_is_raised_by_the_school_worked_in() -> None:
    """Dan is absent every session for ten school days, his family not reached, in both
    schools: the owner working on Riverside raises Riverside's concern (its task and timeline
    note Riverside's rows); Oakfield's is raised by someone working on Oakfield."""
    from datetime import timedelta

    from attendance_desk.services.cme import sync_cme_tasks
    from attendance_desk.storage.models import Mark

    friday = date(2024, 10, 4)
    with trust_owner_database() as url:
        owner = open_database(url)
        try:
            dan = build_school(owner, last_day=friday)["dan"]
            with owner.session() as s:
                day = date(2024, 9, 23)
                while day <= friday:
                    for session in ("AM", "PM") if day.weekday() < 5 else ():
                        s.get(Mark, (dan, day, session)).code = "O"  # type: ignore[union-attr]
                    day += timedelta(days=1)
            schools = two_schools(owner)
        finally:
            owner.close()
        trust = (url, schools)
        oakfield, riverside = schools["oakfield"], schools["riverside"]
        raised = (
            "SELECT p.school_id, t.school_id, e.school_id FROM tasks t "
            "JOIN pupils p ON p.id = t.pupil_id JOIN timeline_events e ON e.id = t.event_id "
            "WHERE t.kind = 'cme_referral' ORDER BY 1"
        )
        db = _owner_on(trust, "riverside")
        try:
            assert sync_cme_tasks(db, friday) == 1
            assert _rows(db, raised) == [(riverside, riverside, riverside)]
        finally:
            db.close()
        db = _owner_on(trust, "oakfield")
        try:
            assert sync_cme_tasks(db, friday) == 1
        finally:
            db.close()
        db = open_database(url)  # looking at every school
        try:
            assert _rows(db, raised) == [(s, s, s) for s in (oakfield, riverside)]
        finally:
            db.close()
