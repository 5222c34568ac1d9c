"""First-day calls: the list for a day, days unreached, logging a call and re-coding the mark."""

from __future__ import annotations

from datetime import date

import pytest
from casework_school import DAY, build_school

from attendance_desk.errors import UserError
from attendance_desk.services.calls import call_rows, first_day_calls, log_call
from attendance_desk.services.families import derive_families, family_of
from attendance_desk.services.timeline import timeline
from attendance_desk.storage.db import Database


@pytest.fixture
def db(backend_db: Database) -> Database:
    """Each test here runs on SQLite and on PostgreSQL (tests/conftest.py: backend_db)."""
    return backend_db


@pytest.fixture
def school(db) -> dict[str, int]:  # noqa: ANN001
    return build_school(db)


def test_the_list_has_n_and_missing_marks_with_contacts_in_priority_order(db, school) -> None:  # noqa: ANN001
    entries = {e.pupil_id: e for e in first_day_calls(db, DAY)}
    assert set(entries) == {school["ava"], school["ben"], school["dan"]}
    ava = entries[school["ava"]]
    assert ava.sessions == (("AM", "N"), ("PM", "N"))
    assert [c.name for c in ava.contacts] == ["Mrs Sarah Brown", "Mr Tom Brown"]
    assert ava.contacts[0].phones == (("Mobile", "07700 900001"), ("Home", "01632 960001"))
    assert entries[school["ben"]].sessions == (("AM", None), ("PM", None))
    assert entries[school["dan"]].sessions == (("PM", "N"),)


def test_not_reached_two_school_days_running_is_flagged_first(db, school) -> None:  # noqa: ANN001
    entries = first_day_calls(db, DAY)
    assert entries[0].pupil_id == school["ava"]
    assert (entries[0].days_unreached, entries[0].unreached_flag) == (2, True)
    others = {e.pupil_id: (e.days_unreached, e.unreached_flag) for e in entries[1:]}
    assert others == {school["ben"]: (1, False), school["dan"]: (1, False)}


def test_reaching_a_sibling_yesterday_counts_for_the_family(db, school) -> None:  # noqa: ANN001
    derive_families(db)
    family = family_of(db, school["ava"])
    assert family is not None and set(family.pupil_ids) == {school["ava"], school["ben"]}
    log_call(
        db,
        school["ben"],
        date(2024, 10, 8),
        "spoke",
        "Mrs Sarah Brown",
        "07700 900001",
        "Ava poorly",
    )
    ava = next(e for e in first_day_calls(db, DAY) if e.pupil_id == school["ava"])
    assert (ava.days_unreached, ava.unreached_flag) == (1, False)


def test_no_answer_does_not_count_as_reached(db, school) -> None:  # noqa: ANN001
    log_call(db, school["ava"], date(2024, 10, 8), "no_answer", "Mrs Sarah Brown", "07700 900001")
    ava = next(e for e in first_day_calls(db, DAY) if e.pupil_id == school["ava"])
    assert ava.days_unreached == 2 and ava.calls_today == ()


def test_a_reason_given_recodes_the_mark_as_an_office_change_with_history(db, school) -> None:  # noqa: ANN001
    logged = log_call(
        db,
        school["ava"],
        DAY,
        "spoke",
        "Mrs Sarah Brown",
        "07700 900001",
        "Sickness bug",
        "i",
        True,
    )
    assert [(r.session, r.old_code, r.new_code) for r in logged.recoded] == [
        ("AM", "N", "I"),
        ("PM", "N", "I"),
    ]
    conn = db.raw_connection()
    marks = conn.execute(
        "SELECT session, code, source FROM marks WHERE pupil_id=? AND date=? ORDER BY session",
        (school["ava"], DAY.isoformat()),
    ).fetchall()
    history = conn.execute(
        "SELECT session, old_code, new_code, source, reason FROM mark_changes WHERE pupil_id=? ORDER BY session",
        (school["ava"],),
    ).fetchall()
    conn.close()
    assert marks == [("AM", "I", "office"), ("PM", "I", "office")]
    assert history[0][:4] == ("AM", "N", "I", "office") and "Sickness bug" in history[0][4]
    assert school["ava"] not in {e.pupil_id for e in first_day_calls(db, DAY)}
    (entry,) = timeline(db, school["ava"])
    assert (
        entry.kind == "phone_call"
        and "Sickness bug" in entry.summary
        and "(code I)" in entry.summary
    )


def test_recoding_a_missing_mark_inserts_an_office_mark(db, school) -> None:  # noqa: ANN001
    logged = log_call(
        db, school["ben"], DAY, "spoke", reason_given="Dentist", code="M", recode=True
    )
    assert [(r.old_code, r.new_code) for r in logged.recoded] == [(None, "M"), (None, "M")]


def test_a_bad_code_is_refused_and_nothing_is_logged(db, school) -> None:  # noqa: ANN001
    with pytest.raises(UserError, match="not an attendance code"):
        log_call(db, school["ava"], DAY, "spoke", code="ZZ", recode=True)
    with pytest.raises(UserError):
        log_call(db, school["ava"], DAY, "spoke", code="N", recode=True)
    assert timeline(db, school["ava"]) == ()


def test_no_register_taken_no_list(db, school) -> None:  # noqa: ANN001
    assert first_day_calls(db, date(2024, 10, 12)) == ()  # a Saturday


def test_rows_for_the_command_line_one_per_number(db, school) -> None:  # noqa: ANN001
    rows = call_rows(first_day_calls(db, DAY))
    ava = [r for r in rows if r["forename"] == "Ava"]
    assert [(r["contact_name"], r["phone"]) for r in ava] == [
        ("Mrs Sarah Brown", "07700 900001"),
        ("Mrs Sarah Brown", "01632 960001"),
        ("Mr Tom Brown", "01632 960999"),
    ]
    dan = [r for r in rows if r["forename"] == "Dan"]
    assert dan == [
        {
            "upn": "A100000000004",
            "surname": "Smith",
            "forename": "Dan",
            "reg_group": "4 Ash",
            "days_unreached": 1,
            "contact_name": "",
            "phone": "",
        }
    ]


def test_a_pupil_marked_dash_no_mark_is_on_the_call_list(db, school) -> None:  # noqa: ANN001
    """`-` is the register's "no mark": Łucja (present every day) with `-` on Wednesday
    morning is rung like a pupil with no mark at all."""
    from sqlalchemy import update

    from attendance_desk.storage.models import Mark

    assert school["lucja"] not in {e.pupil_id for e in first_day_calls(db, DAY)}
    with db.session() as s:
        s.execute(
            update(Mark)
            .where(Mark.pupil_id == school["lucja"], Mark.date == DAY, Mark.session == "AM")
            .values(code="-")
        )
    lucja = next(e for e in first_day_calls(db, DAY) if e.pupil_id == school["lucja"])
    assert [session for session, _ in lucja.sessions] == ["AM"]
