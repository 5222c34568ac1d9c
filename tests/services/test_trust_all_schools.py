"""In a trust's database "all schools" is a view for looking and comparing: the owner, or a
member of staff given several schools, acting for none of them changes nothing (a new row would
be the connection's default school's, not its pupil's: a Riverside pupil's call filed as
Oakfield's, which Riverside's head never sees). Each change is refused with one sentence saying
how to make it: choose the school. Working in Riverside, the same call is Riverside's. A
database holding one school is unaffected. Needs a PostgreSQL server (ATTENDANCE_DESK_TEST_PG)
for all but the last test."""

from __future__ import annotations

import re
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from casework_school import DAY, build_school
from trust_school import (
    add_school,
    copy_school,
    server_role_url,
    staff_login,
    trust_owner_database,
)

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "importers"))
from filemakers import wide_rows, write_xlsx  # noqa: E402

from attendance_desk.cli import main
from attendance_desk.domain.events import Note
from attendance_desk.errors import AllSchoolsError
from attendance_desk.services.access import set_idle_lock_minutes
from attendance_desk.services.calls import log_call
from attendance_desk.services.importing import apply_import, preview_import
from attendance_desk.services.letter_register import print_letters
from attendance_desk.services.letter_sources import Selection
from attendance_desk.services.letters import ComposeOptions, compose
from attendance_desk.services.staff import can_change
from attendance_desk.services.tasks import caseload
from attendance_desk.services.timeline import add_event, timeline
from attendance_desk.storage.db import Database, open_database
from attendance_desk.storage.settings import read_setting, write_setting
from attendance_desk.storage.trust import school_url

Trust = tuple[str, dict[str, int]]
REFUSED = (
    "You are looking at all the trust's schools: choose the school in the toolbar "
    r"\(or --school on the command line\) to "
)
# what a refused change could have left behind, each school's rows counted
WRITTEN = (
    "timeline_events",
    "event_pupils",
    "letters",
    "letter_batches",
    "imports",
    "pupils",
    "marks",
    "app_settings",
    "tasks",
)


@pytest.fixture
def trust() -> Iterator[Trust]:
    """A trust database with Oakfield (school 1) and Riverside (a copy: UPNs starting T02)."""
    with trust_owner_database() as url:
        owner = open_database(url)
        try:
            build_school(owner)
            conn = owner.raw_connection(write=True)
            with conn:
                oakfield = add_school(conn, "Oakfield Primary")
                riverside = copy_school(conn, oakfield, "Riverside Primary", 2)
                conn.execute(  # what a letter's letterhead and sign-off need
                    "UPDATE schools SET address = '1 River Lane', postcode = 'RV1 1AA', "
                    "phone = '01632 960100', email = 'office@riverside.example', "
                    "headteacher = 'Mrs Head', attendance_officer = 'Ms Office'"
                )
            conn.close()
        finally:
            owner.close()
        yield url, {"oakfield": oakfield, "riverside": riverside}


def _one(db: Database, sql: str, params: tuple[object, ...] = ()) -> object:
    conn = db.raw_connection()
    try:
        return conn.execute(sql, params).fetchone()[0]
    finally:
        conn.close()


def _held(url: str) -> dict[str, object]:
    """Every school's rows of the tables a change writes, as the owner sees them."""
    owner = open_database(url)
    try:
        return {t: _one(owner, f"SELECT count(*) FROM {t}") for t in WRITTEN}
    finally:
        owner.close()


def _riverside_ava(db: Database) -> int:
    """Riverside's copy of Ava Brown (3 Oak)."""
    return int(str(_one(db, "SELECT id FROM pupils WHERE upn = 'T020000000001'")))


def _refuses_every_change(db: Database, tmp_path: Path) -> None:
    """A call, a case event, letters, an import and a setting, each refused with the sentence."""
    ava = _riverside_ava(db)
    with pytest.raises(AllSchoolsError, match=REFUSED + "make changes$"):
        log_call(db, ava, DAY, "no_answer", "Mrs Sarah Brown", "07700 900001")
    with pytest.raises(AllSchoolsError, match=REFUSED + "make changes$"):
        add_event(db, [ava], Note("Spoke to Ava's teacher"), DAY, "Office")
    with pytest.raises(AllSchoolsError, match=REFUSED + "compose and print letters$"):
        compose(db, "half_termly", Selection(upns=("T020000000001",)), DAY)
    with pytest.raises(AllSchoolsError, match=REFUSED + "compose and print letters$"):
        compose(db, "half_termly", Selection(class_name="3 Oak"), DAY)
    register = write_xlsx(tmp_path / "register.xlsx", wide_rows())
    for importing in (preview_import, apply_import):
        with pytest.raises(AllSchoolsError, match=REFUSED + "import$"):
            importing(db, [register])
    with pytest.raises(AllSchoolsError, match=REFUSED + "make changes$"):
        write_setting(db, "import.watch_folder", str(tmp_path))
    with pytest.raises(AllSchoolsError, match=REFUSED + "make changes$"):
        set_idle_lock_minutes(db, 5)
    assert not can_change(db)  # what the window asks before offering a change
    caseload(db, DAY)  # the register's own tasks wait for someone working in each school


def test_the_owner_looking_at_all_schools_changes_nothing_and_working_in_one_does(
    trust: Trust, tmp_path: Path
) -> None:
    url, schools = trust
    river = schools["riverside"]
    before = _held(url)
    owner = open_database(url)
    try:
        assert owner.for_all_schools()
        _refuses_every_change(owner, tmp_path)
    finally:
        owner.close()
    assert _held(url) == before

    # letters composed working in Riverside, then printed looking at all: refused before
    # the PDF is written, and nothing is in the register
    working = open_database(school_url(url, river))
    try:
        letters = compose(
            working,
            "half_termly",
            Selection(class_name="3 Oak"),
            DAY,
            ComposeOptions(letter_date=DAY),
        )
    finally:
        working.close()
    owner = open_database(url)
    try:
        with pytest.raises(AllSchoolsError, match=REFUSED + "print letters$"):
            print_letters(owner, letters, "Office", out=tmp_path / "letters.pdf")
    finally:
        owner.close()
    assert not (tmp_path / "letters.pdf").exists()
    assert _held(url) == before

    # the owner chooses Riverside: the same call is Riverside's, and Riverside's head sees it
    working = open_database(school_url(url, river))
    try:
        assert not working.for_all_schools()
        ava = _riverside_ava(working)
        call = log_call(working, ava, DAY, "no_answer", "Mrs Sarah Brown", "07700 900001")
        event = call.entry.event_id
        assert _one(working, "SELECT school_id FROM timeline_events WHERE id = ?", (event,)) == (
            river
        )
        printed = print_letters(working, letters, "Office", out=tmp_path / "letters.pdf")
        assert _one(working, "SELECT DISTINCT school_id FROM letters WHERE batch_id = ?", (
            printed.batch_id,
        )) == river  # fmt: skip
    finally:
        working.close()
    with staff_login(url, [river]) as head_url:
        head = open_database(head_url)
        try:
            seen = [e.event_id for e in timeline(head, ava)]
            assert event in seen
        finally:
            head.close()


def test_staff_given_two_schools_change_only_working_in_one(trust: Trust, tmp_path: Path) -> None:
    url, schools = trust
    river = schools["riverside"]
    before = _held(url)
    with staff_login(url, [schools["oakfield"], river]) as officer:
        db = open_database(officer)
        try:
            assert db.for_all_schools()
            _refuses_every_change(db, tmp_path)
        finally:
            db.close()
        assert _held(url) == before
        working = open_database(school_url(officer, river))
        try:
            ava = _riverside_ava(working)
            call = log_call(working, ava, DAY, "no_answer", "Mrs Sarah Brown", "07700 900001")
            event = call.entry.event_id
            write_setting(working, "import.watch_folder", str(tmp_path))
            assert read_setting(working, "import.watch_folder") == str(tmp_path)
        finally:
            working.close()
    owner = open_database(url)
    try:
        assert _one(owner, "SELECT school_id FROM timeline_events WHERE id = ?", (event,)) == river
        assert (
            _one(owner, "SELECT school_id FROM app_settings WHERE key = 'import.watch_folder'")
            == river
        )
    finally:
        owner.close()


def test_the_command_line_says_to_choose_a_school_and_works_in_the_one_chosen(
    trust: Trust, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    url, schools = trust
    register = write_xlsx(tmp_path / "register.xlsx", wide_rows())
    before = _held(url)
    assert main(["--db", url, "import", str(register)]) == 2
    error = capsys.readouterr().err.strip()
    assert error == (
        "attendance-desk: You are looking at all the trust's schools: choose the school in the "
        "toolbar (or --school on the command line) to import"
    )
    assert _held(url) == before
    assert main(["--db", url, "--school", "Lakeside Primary", "import", str(register)]) == 2
    assert "its schools are 1 Oakfield Primary; 2 Riverside Primary" in capsys.readouterr().err
    # the school by name (any case), after the command as well as before it
    assert main(["--db", url, "import", str(register), "--school", "riverside primary"]) == 0
    owner = open_database(url)
    try:
        imported = _one(owner, "SELECT DISTINCT school_id FROM imports")
        assert imported == schools["riverside"]
    finally:
        owner.close()


def test_a_superuser_only_looks_at_a_trust_even_working_in_one_school(
    trust: Trust, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The server's superuser (row-level security never keeps it to one school) opening the
    trust's database, for no school or for Riverside, sees both schools' pupils whatever it
    acts for: a call it logged would be Riverside's even for an Oakfield child. So it changes
    nothing, told to connect as the trust's owner role or staff; --school is refused too."""
    url, schools = trust
    superuser = server_role_url(url)
    import psycopg

    with psycopg.connect(superuser) as c:
        row = c.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user").fetchone()
    if not (row and row[0]):
        pytest.skip("the test server's role is not a superuser")
    said = re.escape(
        "This connection's PostgreSQL role is a superuser, which row-level security never "
        "keeps to one school, so in a trust's database it only looks and compares: to "
    )
    owner_or_staff = re.escape(
        ", connect as the trust's owner role (not a superuser) or as a member of staff"
    )
    before = _held(url)
    register = write_xlsx(tmp_path / "register.xlsx", wide_rows())
    for target in (superuser, school_url(superuser, schools["riverside"])):
        db = open_database(target)
        try:
            seen = _one(db, "SELECT count(DISTINCT school_id) FROM pupils")
            assert seen == 2  # both schools' children, whatever it acts for
            assert db.for_all_schools() and db.unbound_in_trust() and not can_change(db)
            oakfield_ava = int(str(_one(db, "SELECT id FROM pupils WHERE upn = 'A100000000001'")))
            with pytest.raises(AllSchoolsError, match=said + "make changes" + owner_or_staff):
                log_call(db, oakfield_ava, DAY, "no_answer", "Mrs Sarah Brown", "07700 900001")
            with pytest.raises(AllSchoolsError, match=said + "import" + owner_or_staff):
                apply_import(db, [register])
        finally:
            db.close()
    assert _held(url) == before
    assert main(["--db", superuser, "--school", "Riverside", "import", str(register)]) == 2
    error = capsys.readouterr().err
    assert "superuser" in error and "to work in one school, connect as the trust's owner" in error
    assert _held(url) == before
    owner = open_database(school_url(url, schools["riverside"]))  # the owner role may
    try:
        assert not owner.for_all_schools() and can_change(owner)
        log_call(owner, _riverside_ava(owner), DAY, "no_answer", "Mrs Sarah Brown", "07700 900001")
    finally:
        owner.close()
    assert _held(url)["timeline_events"] == int(str(before["timeline_events"])) + 1


def test_a_database_holding_one_school_is_changed_as_before(
    backend_db: Database, tmp_path: Path
) -> None:
    """A SQLite file, or a PostgreSQL database with one school, opened by its owner acting for
    none: the call, the setting and the import are made, as ever."""
    school = build_school(backend_db)
    if backend_db.backend == "postgresql":
        conn = backend_db.raw_connection(write=True)
        with conn:
            add_school(conn, "Oakfield Primary")
        conn.close()
    assert not backend_db.for_all_schools() and can_change(backend_db)
    log_call(backend_db, school["ava"], DAY, "no_answer", "Mrs Sarah Brown", "07700 900001")
    write_setting(backend_db, "import.watch_folder", str(tmp_path))
    result = apply_import(backend_db, [write_xlsx(tmp_path / "register.xlsx", wide_rows())])
    assert result.files[0].marks_added > 0
    assert [e.kind for e in timeline(backend_db, school["ava"])][:1] == ["phone_call"]
