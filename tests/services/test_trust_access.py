"""On PostgreSQL a trust keeps its schools in one database, and a member of staff sees only
the schools they are given: a head of one school cannot see another school's pupils, cannot
write into it, and sees only their school on the trust dashboard. The trust's administrator
(the tables' owner) sees every school. Needs a PostgreSQL server (ATTENDANCE_DESK_TEST_PG)."""

from __future__ import annotations

import sqlite3
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from casework_school import DAY, build_school
from trust_school import built_trust, staff_login, trust_owner_database, two_schools

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "importers"))
from filemakers import expected_marks, wide_rows, write_xlsx  # noqa: E402

from attendance_desk.domain.letters import format_template
from attendance_desk.services.audit import audit_rows, check_audit_chain
from attendance_desk.services.calendar import (
    closures_in_year,
    get_calendar,
    save_closures,
    save_half_terms,
)
from attendance_desk.services.importing import apply_import
from attendance_desk.services.letters import get_template, save_template, shipped_templates
from attendance_desk.services.meetings import ActionInput, meeting_choices, record_agreed_actions
from attendance_desk.services.trust import list_schools, trust_dashboard
from attendance_desk.storage.audit_chain import verify_chain
from attendance_desk.storage.db import Database, open_database
from attendance_desk.storage.models import Pupil
from attendance_desk.storage.pg_audit import SEAL_FUNCTION
from attendance_desk.storage.settings import read_setting, write_setting
from attendance_desk.storage.trust import school_url
from tests.conftest import postgres_database


@pytest.fixture
def trust() -> Iterator[tuple[str, dict[str, int]]]:
    """A trust database (as its owner, not a superuser) with Oakfield (school 1) and Riverside
    (a copy)."""
    with trust_owner_database() as url:
        schools = built_trust(url)
        yield url, schools


@pytest.fixture
def head_of_riverside(trust: tuple[str, dict[str, int]]) -> Iterator[str]:
    """A login role for Riverside's head, given Riverside only; its URL."""
    url, schools = trust
    with staff_login(url, [schools["riverside"]]) as head:
        yield head


def _pupils(db: Database) -> dict[str, int]:
    conn = db.raw_connection()
    try:
        return {r[0]: r[1] for r in conn.execute("SELECT upn, school_id FROM pupils")}
    finally:
        conn.close()


def test_a_trust_user_cannot_see_another_schools_pupils(
    trust: tuple[str, dict[str, int]], head_of_riverside: str
) -> None:
    url, schools = trust
    head = open_database(head_of_riverside)
    try:
        seen = _pupils(head)
        assert len(seen) == 4 and set(seen.values()) == {schools["riverside"]}
        assert [s.name for s in list_schools(head)] == ["Riverside Primary"]
        # an Oakfield pupil looked up by id is not there for them
        owner = open_database(url)
        try:
            everyone = _pupils(owner)
            conn = owner.raw_connection()
            oak_id = conn.execute(
                "SELECT id FROM pupils WHERE school_id = ? ORDER BY id", (schools["oakfield"],)
            ).fetchone()[0]
            conn.close()
        finally:
            owner.close()
        assert len(everyone) == 8
        conn = head.raw_connection()
        try:
            assert conn.execute("SELECT * FROM pupils WHERE id = ?", (oak_id,)).fetchall() == []
            assert (
                conn.execute("SELECT count(*) FROM marks").fetchone()[0]
                == (
                    conn.execute(
                        "SELECT count(*) FROM marks WHERE school_id = ?", (schools["riverside"],)
                    ).fetchone()[0]
                )
            )
        finally:
            conn.close()
        # nor write into it
        conn = head.raw_connection(write=True)
        try:
            with pytest.raises(sqlite3.DatabaseError, match="row-level security"), conn:
                conn.execute(
                    "INSERT INTO pupils (upn, legal_surname, legal_forename, school_id) "
                    "VALUES ('Z999999999999', 'Other', 'Child', ?)",
                    (schools["oakfield"],),
                )
        finally:
            conn.close()
        # the dashboard shows their school only
        dashboard = trust_dashboard(head, DAY)
        assert [s.name for s in dashboard.schools] == ["Riverside Primary"]
        assert dashboard.trust.pupils == 4
    finally:
        head.close()


def test_the_owner_sees_every_school_or_the_one_it_acts_for(
    trust: tuple[str, dict[str, int]],
) -> None:
    url, schools = trust
    owner = open_database(url)
    try:
        assert [s.name for s in list_schools(owner)] == ["Oakfield Primary", "Riverside Primary"]
    finally:
        owner.close()
    acting = open_database(school_url(url, schools["riverside"]))
    try:
        assert set(_pupils(acting).values()) == {schools["riverside"]}
        assert not acting.for_all_schools()
    finally:
        acting.close()


def _by_school(db: Database, sql: str, params: tuple[object, ...] = ()) -> set[tuple[object, ...]]:
    conn = db.raw_connection()
    try:
        return {tuple(r) for r in conn.execute(sql, params)}
    finally:
        conn.close()


def _oakfield_and_riverside(owner: Database) -> set[tuple[object, ...]]:
    """What the two schools hold under the keys a trust's schools share, as the owner sees it."""
    rows: set[tuple[object, ...]] = set()
    for sql in (
        "SELECT 'setting', school_id, key, value_json FROM app_settings WHERE key = 'idle_lock'",
        "SELECT 'year', school_id, name, '' FROM academic_years",
        "SELECT 'half term', school_id, name, CAST(start_date AS TEXT) FROM half_terms",
        "SELECT 'closure', school_id, CAST(date AS TEXT), description FROM closures",
        "SELECT 'pupil', school_id, upn, legal_forename FROM pupils WHERE upn = 'A100000000001'",
        "SELECT 'meeting', school_id, kind, CAST(date AS TEXT) FROM meetings",
        "SELECT 'template', school_id, id, '' FROM letter_templates",
    ):
        rows |= _by_school(owner, sql)
    return rows


def test_a_second_school_holds_what_the_first_holds(
    trust: tuple[str, dict[str, int]], head_of_riverside: str
) -> None:
    """Issue 17: Riverside's head saves a setting, the year's half terms, a closure, a pupil
    who came from Oakfield (same UPN), an edited letter and a meeting's actions, each of which
    Oakfield already has: each is Riverside's own, and Oakfield's stay as they were."""
    url, schools = trust
    oak, river = schools["oakfield"], schools["riverside"]
    inset, meeting_day = date(2024, 10, 28), date(2024, 10, 9)
    shipped = shipped_templates()["improvement"]

    owner = open_database(school_url(url, oak))  # the owner working on Oakfield
    try:  # Oakfield's (build_school gave it the year 2024/25, two half terms and the pupils)
        write_setting(owner, "idle_lock", 10)
        save_closures(owner, "2024/25", [(inset, "inset", "Oakfield training")])
        save_template(owner, format_template(replace(shipped, title="Oakfield's letter")))
        meeting = meeting_choices(owner)[0][0]
        ava = _by_school(owner, "SELECT id FROM pupils WHERE upn = 'A100000000001'")
        record_agreed_actions(
            owner, meeting, meeting_day, [ActionInput(next(iter(ava))[0], "Call", "Office", inset)]
        )
        before = _oakfield_and_riverside(owner)
    finally:
        owner.close()
    assert {r[0] for r in before if r[1] == oak} == {
        "setting", "year", "half term", "closure", "pupil", "meeting", "template"
    }  # fmt: skip
    assert all(r[1] == oak for r in before)

    head = open_database(head_of_riverside)
    try:
        write_setting(head, "idle_lock", 20)
        save_half_terms(
            head,
            "2024/25",
            [
                ("Autumn 1", date(2024, 9, 2), date(2024, 10, 25)),
                ("Autumn 2", date(2024, 11, 4), date(2024, 12, 20)),
            ],
        )
        save_closures(head, "2024/25", [(inset, "inset", "Riverside training")])
        save_template(head, format_template(replace(shipped, title="Riverside's letter")))
        with head.session() as s:  # Ava moved from Oakfield to Riverside: her UPN goes with her
            s.add(Pupil(upn="A100000000001", legal_surname="Brown", legal_forename="Ava"))
        ids = _by_school(head, "SELECT id FROM pupils WHERE upn = 'A100000000001'")
        record_agreed_actions(
            head, meeting, meeting_day, [ActionInput(next(iter(ids))[0], "Visit", "Head", inset)]
        )
        # what the head sees is Riverside's own
        assert read_setting(head, "idle_lock") == 20
        assert closures_in_year(head, "2024/25") == [(inset, "inset", "Riverside training")]
        assert get_template(head, "improvement").title == "Riverside's letter"
    finally:
        head.close()

    owner = open_database(url)
    try:
        after = _oakfield_and_riverside(owner)
        # the trust's administrator, acting for no school, reads school 1's (Oakfield's)
        assert read_setting(owner, "idle_lock") == 10
        assert get_template(owner, "improvement").title == "Oakfield's letter"
        assert closures_in_year(owner, "2024/25") == [(inset, "inset", "Oakfield training")]
        oakfield_calendar = get_calendar(owner)  # Oakfield's term dates and closure, once each
    finally:
        owner.close()
    head = open_database(head_of_riverside)
    try:
        riverside_calendar = get_calendar(head)
    finally:
        head.close()
    for calendar in (oakfield_calendar, riverside_calendar):
        assert [h.start for h in calendar.half_terms_in_year("2024/25")] == [
            date(2024, 9, 2),
            date(2024, 11, 4),
        ]
        assert calendar.closures == {inset}
    assert {r for r in after if r[1] == oak} == before
    riverside = {r for r in after if r[1] == river}
    assert {r[0] for r in riverside} == {r[0] for r in before}
    assert {("setting", river, "idle_lock", "20"), ("pupil", river, "A100000000001", "Ava")} < (
        riverside
    )
    assert {(kind, key) for kind, _, key, _ in riverside} == {
        (kind, key) for kind, _, key, _ in before
    }


def test_upgrading_a_trust_keeps_every_row_and_keys_each_school() -> None:
    """A PostgreSQL database at 0015 with rows upgrades to the keys per school (0016) with every
    row kept, and back."""
    from sqlalchemy import Connection

    from attendance_desk.storage import migrations
    from attendance_desk.storage.postgres import make_pg_engine

    def keys(conn: Connection) -> dict[str, str]:
        rows = conn.exec_driver_sql(
            "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype IN ('p', 'u') AND conrelid::regclass::text IN ('app_settings', "
            "'letter_templates', 'academic_years', 'half_terms', 'closures', 'pupils', "
            "'meetings', 'import_mappings', 'tasks')"
        )
        return {str(n): str(d) for n, d in rows}

    def rows(conn: Connection) -> list[tuple[object, ...]]:
        return [
            tuple(r)
            for t in ("app_settings", "academic_years", "half_terms", "pupils", "letter_templates")
            for r in conn.exec_driver_sql(f"SELECT * FROM {t} ORDER BY 1")
        ]

    with postgres_database() as url:
        engine = make_pg_engine(url)
        try:
            migrations.upgrade(engine, "0015")
            with engine.begin() as c:
                c.exec_driver_sql(
                    "INSERT INTO app_settings (key, value_json) VALUES ('idle_lock', '5');"
                    "INSERT INTO letter_templates (id, text, updated_at, updated_by) "
                    "VALUES ('improvement', 'x', now(), 'me');"
                    "INSERT INTO academic_years (id, name, start_date, end_date) "
                    "VALUES (1, '2024/25', '2024-09-01', '2025-08-31');"
                    "INSERT INTO half_terms (academic_year_id, name, start_date, end_date) "
                    "VALUES (1, 'Autumn 1', '2024-09-02', '2024-10-25');"
                    "INSERT INTO pupils (upn, legal_surname, legal_forename, pupil_premium, fsm, "
                    "sen_status, eal, looked_after, child_protection, child_in_need, created_at, "
                    "updated_at) VALUES ('A100000000001', 'Brown', 'Ava', false, false, 'N', "
                    "false, false, false, false, now(), now())"
                )
            with engine.connect() as c:
                before, old_keys = rows(c), keys(c)
            assert old_keys["uq_pupils_upn"] == "UNIQUE (upn)"
            migrations.upgrade(engine)
            with engine.connect() as c:
                assert rows(c) == before
                now = keys(c)
            assert now["pk_app_settings"] == "PRIMARY KEY (school_id, key)"
            assert now["pk_letter_templates"] == "PRIMARY KEY (school_id, id)"
            assert now["uq_pupils_school_id_upn"] == "UNIQUE (school_id, upn)"
            assert now["uq_meetings_school_id_kind_date"] == "UNIQUE (school_id, kind, date)"
            assert now["uq_import_mappings_school_id_signature"] == "UNIQUE (school_id, signature)"
            assert len(now) == len(old_keys)
            # and back: the keys as they were (no school holding a second school's key yet)
            from alembic import command

            cfg = migrations.alembic_config()
            with engine.connect() as c:
                cfg.attributes["connection"] = c
                try:
                    command.downgrade(cfg, "0015")
                    c.commit()
                finally:
                    cfg.attributes.pop("connection", None)
            with engine.connect() as c:
                assert keys(c) == old_keys and rows(c) == before
        finally:
            engine.dispose()


def test_a_trust_user_imports_a_register_into_their_school(
    trust: tuple[str, dict[str, int]], head_of_riverside: str, tmp_path: Path
) -> None:
    """A member of staff (row-level security applies: PostgreSQL refuses them COPY) imports a
    register: its pupils and marks are their school's, checked row by row; no other school
    gains a row."""
    url, schools = trust
    owner = open_database(url)
    try:
        before = _by_school(owner, "SELECT school_id, count(*) FROM marks GROUP BY school_id")
    finally:
        owner.close()
    head = open_database(head_of_riverside)
    try:
        result = apply_import(head, [write_xlsx(tmp_path / "register.xlsx", wide_rows())])
        assert result.files[0].marks_added == len(expected_marks())
        conn = head.raw_connection()
        try:
            imported = {
                (upn, str(d), s): c
                for upn, d, s, c in conn.execute(
                    "SELECT p.upn, m.date, m.session, m.code FROM marks m "
                    "JOIN pupils p ON p.id = m.pupil_id WHERE m.date <= '2024-09-04'"
                )
            }
        finally:
            conn.close()
        upns = {upn for upn, _, _ in expected_marks()}
        assert {k: c for k, c in imported.items() if k[0] in upns} == expected_marks()
    finally:
        head.close()
    owner = open_database(url)
    try:
        after = _by_school(owner, "SELECT school_id, count(*) FROM marks GROUP BY school_id")
        added = _by_school(
            owner,
            "SELECT p.school_id, m.school_id, count(*) FROM marks m "
            "JOIN pupils p ON p.id = m.pupil_id WHERE p.upn IN (?, ?, ?) GROUP BY 1, 2",
            tuple(sorted({upn for upn, _, _ in expected_marks()})),
        )
    finally:
        owner.close()
    riverside, oakfield = schools["riverside"], schools["oakfield"]
    counts = {school: n for school, n in after}
    was = {school: n for school, n in before}
    assert counts[oakfield] == was[oakfield]
    assert counts[riverside] == was[riverside] + len(expected_marks())
    assert added == {(riverside, riverside, len(expected_marks()))}


def _rename(conn: sqlite3.Connection, pupil_id: int, name: str) -> None:
    with conn:
        conn.execute("UPDATE pupils SET legal_forename = ? WHERE id = ?", (name, pupil_id))


def _first_pupil(db: Database, school: int) -> int:
    conn = db.raw_connection()
    try:
        return int(
            conn.execute("SELECT min(id) FROM pupils WHERE school_id = ?", (school,)).fetchone()[0]
        )
    finally:
        conn.close()


def test_a_trust_user_reads_only_their_schools_audit_rows_and_the_chain_holds(
    trust: tuple[str, dict[str, int]], head_of_riverside: str
) -> None:
    """Each audit row carries the school of the pupil it is about (the administrator renaming
    a Riverside pupil writes a Riverside row); Riverside's head reads Riverside's rows only, in
    the audit log and its export alike, yet checks the whole chain (other schools' rows by their
    hashes); a seal never skips another school's unsealed row."""
    url, schools = trust
    oakfield, riverside = schools["oakfield"], schools["riverside"]
    owner = open_database(url)
    head = open_database(head_of_riverside)
    try:
        oak_pupil, river_pupil = _first_pupil(owner, oakfield), _first_pupil(owner, riverside)
        admin = owner.raw_connection(write=True)
        try:
            _rename(admin, oak_pupil, "Oakfield-secret")  # the administrator, acting for none
            _rename(admin, river_pupil, "Renamed-by-admin")
        finally:
            admin.close()
        owner.seal_audit()
        # an Oakfield change not sealed yet (its PC has not sealed), then the head's own
        admin = owner.raw_connection(write=True)
        staff = head.raw_connection(write=True)
        try:
            _rename(admin, oak_pupil, "Oakfield-unsealed")
            _rename(staff, river_pupil, "Renamed-by-head")
        finally:
            admin.close()
            staff.close()
        admin = owner.raw_connection(write=True)
        try:
            with admin:
                admin.execute(f"ALTER FUNCTION {SEAL_FUNCTION}() RENAME TO kept_aside")
            head.seal_audit()  # without the owner's function: cannot seal past Oakfield's row
            assert check_audit_chain(head).unsealed == 2
            with admin:
                admin.execute(f"ALTER FUNCTION kept_aside() RENAME TO {SEAL_FUNCTION}")
        finally:
            admin.close()

        rows = audit_rows(head, entity="pupil")
        said = " ".join(f"{r.old} {r.new} {r.pupil_name}" for r in rows)
        assert "Renamed-by-admin" in said and "Renamed-by-head" in said
        assert "Oakfield" not in said
        conn = head.raw_connection()
        try:
            seen = conn.execute("SELECT DISTINCT school_id FROM audit_log").fetchall()
            hidden = conn.execute(
                "SELECT count(*) FROM audit_log WHERE new_json LIKE '%Oakfield%'"
            ).fetchone()[0]
        finally:
            conn.close()
        assert seen == [(riverside,)] and hidden == 0

        owner.seal_audit()  # the owner (or Oakfield's PC) seals: both rows, in id order
        for db in (owner, head):
            report = check_audit_chain(db)
            assert report.intact and report.unsealed == 0, report.reason
        everyone = _by_school(owner, "SELECT count(*) FROM audit_log")
        assert check_audit_chain(head).rows == next(iter(everyone))[0]
        by_school = _by_school(
            owner,
            "SELECT school_id, new_json FROM audit_log WHERE entity = 'pupil' "
            "AND field = 'legal_forename'",
        )
        assert {school for school, new in by_school if "Oakfield" in str(new)} == {oakfield}
        assert {school for school, new in by_school if "Renamed" in str(new)} == {riverside}

        # a changed Oakfield row is found from Riverside too (its digest no longer links)
        admin = owner.raw_connection(write=True)
        try:
            with admin:
                admin.execute(
                    "UPDATE audit_log SET digest = ? WHERE new_json LIKE '%Oakfield-secret%'",
                    ("0" * 64,),
                )
        finally:
            admin.close()
        assert not check_audit_chain(head).intact
    finally:
        head.close()
        owner.close()


def test_the_chain_holds_with_two_schools_staff_writing_at_once(
    trust: tuple[str, dict[str, int]], head_of_riverside: str
) -> None:
    """Oakfield's and Riverside's heads (neither can read the other's audit rows) write at once:
    each seals what it can (never past the other's unsealed row), and once the database is
    opened again every row is sealed and the whole chain checks out, from either school and
    for the trust's administrator."""
    import threading

    from attendance_desk.storage.settings import write_setting

    url, schools = trust
    with staff_login(url, [schools["oakfield"]]) as head_of_oakfield:
        pcs = [open_database(head_of_oakfield), open_database(head_of_riverside)]
        try:

            def work(n: int) -> None:
                for i in range(15):
                    write_setting(pcs[n], f"pc{n}.setting", i)

            threads = [threading.Thread(target=work, args=(n,)) for n in range(2)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
        finally:
            for db in pcs:
                db.close()  # each seals what is left of its own
        owner = open_database(url)
        heads = [open_database(head_of_oakfield), open_database(head_of_riverside)]
        try:
            reports = [check_audit_chain(db) for db in (owner, *heads)]
            mine = [
                _by_school(db, "SELECT count(*) FROM audit_log WHERE entity_id LIKE 'pc%'")
                for db in (owner, *heads)
            ]
        finally:
            for db in (owner, *heads):
                db.close()
    for report in reports:
        assert report.intact and report.unsealed == 0, report.reason
    assert mine == [{(30,)}, {(15,)}, {(15,)}]


def test_the_database_is_named_with_the_school_worked_in(
    trust: tuple[str, dict[str, int]], tmp_path: Path
) -> None:
    """The window, its dialogs and the command line name a trust's database as
    user@host:port/dbname and the school worked in; the window's title is that school's."""
    from urllib.parse import urlsplit

    from attendance_desk.services.school import school_name
    from attendance_desk.services.trust import database_name

    url, schools = trust
    parts = urlsplit(url)
    where = f"{parts.username}@{parts.hostname}:{parts.port or 5432}{parts.path}"
    for acting, name, title in (
        (None, f"{where} \u2013 all schools", "Oakfield Primary"),  # new rows: school 1's
        (schools["riverside"], f"{where} \u2013 Riverside Primary", "Riverside Primary"),
        (schools["oakfield"], f"{where} \u2013 Oakfield Primary", "Oakfield Primary"),
    ):
        db = open_database(school_url(url, acting))
        try:
            assert (database_name(db), school_name(db)) == (name, title)
        finally:
            db.close()
    lite = open_database(tmp_path / "school.sqlite3")
    try:
        assert database_name(lite) == str(tmp_path / "school.sqlite3")
    finally:
        lite.close()
    with postgres_database(empty=False) as one_school:  # an office's own server: no school named
        db = open_database(one_school)
        try:
            build_school(db)
            parts = urlsplit(one_school)
            assert (
                database_name(db)
                == f"{parts.username}@{parts.hostname}:{parts.port or 5432}{parts.path}"
            )
        finally:
            db.close()


def _restored_pupils(dump: Path) -> set[tuple[object, ...]]:
    """The (school, UPN) of every pupil a dump holds, restored into a database of its own."""
    import subprocess

    import psycopg

    with postgres_database() as scratch:
        subprocess.run(
            ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"]
            + [f"--dbname={scratch}", str(dump)],
            check=True,
            capture_output=True,
        )
        with psycopg.connect(scratch) as conn:
            return {tuple(r) for r in conn.execute("SELECT school_id, upn FROM pupils")}


def test_a_trust_backup_is_the_whole_database_or_is_not_taken(
    trust: tuple[str, dict[str, int]], head_of_riverside: str, tmp_path: Path
) -> None:
    """A member of staff limited to their school is refused a backup (it would hold part of
    the trust's database), told who takes it, and no file is left; the owner working on one
    school takes a backup of every school, filed under the database's name."""
    from attendance_desk.errors import DatabaseError
    from attendance_desk.services.backup import backup_folder, list_backups, make_backup

    url, schools = trust
    owner = open_database(url)
    try:
        every = _by_school(owner, "SELECT school_id, upn FROM pupils")
    finally:
        owner.close()
    assert {s for s, _ in every} == set(schools.values())

    head = open_database(head_of_riverside)
    try:
        folder = backup_folder(head)
        for to in (None, tmp_path / "mine.pgdump"):
            with pytest.raises(DatabaseError) as refused:
                make_backup(head, to=to)
            said = str(refused.value)
            assert "sees only the schools it is given" in said
            assert "taken by the database's owner" in said and "File > Backups" in said
        assert not list(tmp_path.iterdir())
        assert not folder.exists() or not list(folder.iterdir())
    finally:
        head.close()

    acting = open_database(school_url(url, schools["riverside"]))
    try:
        taken = make_backup(acting)
        assert taken.pupils == len(every)
        assert "?" not in str(taken.path) and taken.path.parent.name == url.rsplit("/", 1)[1]
        assert [b.path for b in list_backups(acting)] == [taken.path]
    finally:
        acting.close()
    assert _restored_pupils(taken.path) == every


def test_an_owner_who_is_not_a_superuser_backs_up_every_school() -> None:
    """The usual trust: the database, built by the server's administrator, is handed to the
    trust's login, which is not a superuser, so row-level security (forced on the school
    tables) binds it too; its backup, working on one school, still holds every school's rows."""
    from attendance_desk.services.backup import make_backup

    with trust_owner_database(empty=False) as url:
        owner = open_database(url)
        try:
            build_school(owner)
            schools = two_schools(owner)
            oakfield, riverside = schools["oakfield"], schools["riverside"]
            every = _by_school(owner, "SELECT school_id, upn FROM pupils")
        finally:
            owner.close()
        assert {s for s, _ in every} == {oakfield, riverside}
        acting = open_database(school_url(url, riverside))
        try:  # bound by row-level security: it sees the school it works on
            seen = _by_school(acting, "SELECT school_id, upn FROM pupils")
            assert {s for s, _ in seen} == {riverside}
            taken = make_backup(acting)
        finally:
            acting.close()
        assert taken.pupils == len(every)
        assert _restored_pupils(taken.path) == every


def test_a_school_s_pc_seals_every_school_s_rows_without_reading_them(
    trust: tuple[str, dict[str, int]], head_of_riverside: str
) -> None:
    """An Oakfield row left unsealed (its PC has not sealed it) no longer holds Riverside's rows
    back: Riverside's PC seals both, through the owner's function, without reading Oakfield's
    row; the seals are the ones the owner's own check works out from every row's content (text
    with quotes, backslashes, line breaks, control characters, accents and emoji; NULLs; a time
    on the second), and a row changed afterwards is still found."""
    url, schools = trust
    owner = open_database(url)
    head = open_database(head_of_riverside)
    try:
        admin = owner.raw_connection(write=True)
        try:
            _rename(admin, _first_pupil(owner, schools["oakfield"]), "Oakfield-sealed")
            owner.seal_audit()  # the chain goes on from a sealed row
            _rename(admin, _first_pupil(owner, schools["oakfield"]), "Oakfield-unsealed")
        finally:
            admin.close()
        awkward = 'O\'Brien "the head" \\ C:\\x\n\ttab \x01 Zoë Nguyễn 😀'
        staff = head.raw_connection(write=True)
        try:
            _rename(staff, _first_pupil(head, schools["riverside"]), awkward)
            with staff:
                for at in ("2024-10-09 08:00:00", "2024-10-09 08:00:00.000123"):
                    staff.execute(
                        "INSERT INTO audit_log (at, who, action, entity, entity_id, pupil_id, "
                        "field, old_json, new_json) VALUES (?, ?, 'update', 'note', ?, NULL, "
                        "NULL, NULL, ?)",
                        (at, awkward, awkward[:80], '{"text": "' + awkward + '"}'),
                    )
        finally:
            staff.close()
        conn = head.raw_connection()
        try:  # Oakfield's row, then Riverside's three, none sealed yet
            assert verify_chain(conn).unsealed == 4
        finally:
            conn.close()
        head.seal_audit()
        for db in (head, owner):  # the owner's check works every digest out from the rows
            report = check_audit_chain(db)
            assert report.intact and report.unsealed == 0, report.reason
        conn = head.raw_connection()
        try:
            assert conn.execute(
                "SELECT count(*) FROM audit_log WHERE new_json LIKE '%Oakfield%'"
            ).fetchone() == (0,)
        finally:
            conn.close()
        admin = owner.raw_connection(write=True)
        try:
            with admin:
                admin.execute(
                    "UPDATE audit_log SET who = 'someone else' WHERE entity = 'note' "
                    "AND at = '2024-10-09 08:00:00'"
                )
        finally:
            admin.close()
        report = check_audit_chain(head)
        assert not report.intact and "was changed after it was written" in report.reason
    finally:
        head.close()
        owner.close()
