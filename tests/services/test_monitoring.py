"""The monitoring service over a real SQLite file and a PostgreSQL database (each test that
takes `school` or `backend_db` runs on both): on-roll rules, leavers, reports, groups,
weekly figures, and agreement with an independent count straight from the marks table."""

from __future__ import annotations

import sqlite3
from collections import Counter
from datetime import date, timedelta
from pathlib import Path

import pytest

from attendance_desk.domain import concern as R
from attendance_desk.domain.figures import Figures
from attendance_desk.services.monitoring import (
    class_league,
    group_figures,
    pupil_overviews,
    pupil_report,
    school_concerns,
    weekly_attendance,
)
from attendance_desk.services.policy import get_policy, set_preset
from attendance_desk.storage.db import Database

D = date
AUTUMN = [
    ("Autumn 1", D(2024, 9, 2), D(2024, 10, 25)),
    ("Autumn 2", D(2024, 11, 4), D(2024, 12, 20)),
]
NOW = "2024-12-20 12:00:00"


def school_days(start: date, end: date) -> list[date]:
    out, d = [], start
    while d <= end:
        if d.weekday() < 5 and not (D(2024, 10, 26) <= d <= D(2024, 11, 3)) and d != D(2024, 9, 2):
            out.append(d)
        d += timedelta(days=1)
    return out


def add_pupil(conn: sqlite3.Connection, pid: int, **kw: object) -> None:
    row = {
        "id": pid,
        "upn": f"A{pid:012d}",
        "legal_surname": f"Surname{pid}",
        "legal_forename": f"Ann{pid}",
        "preferred_forename": None,
        "year_group": "3",
        "reg_group": "3 Cedar",
        "sex": "F",
        "admission_date": None,
        "leaving_date": None,
        "pupil_premium": False,
        "fsm": False,
        "sen_status": "N",
        "eal": False,
        "looked_after": False,
        "child_protection": False,
        "child_in_need": False,
        "created_at": NOW,
        "updated_at": NOW,
    }
    row.update(kw)
    cols = ", ".join(row)
    conn.execute(
        f"INSERT INTO pupils ({cols}) VALUES ({', '.join('?' * len(row))})", list(row.values())
    )


def add_marks(
    conn: sqlite3.Connection, pid: int, days: list[date], code_for=lambda d, s: "/"
) -> None:  # noqa: ANN001
    conn.executemany(
        "INSERT INTO marks (pupil_id, date, session, code, source, updated_at) VALUES (?, ?, ?, ?, 'mis', ?)",
        [(pid, d.isoformat(), s, code_for(d, s), NOW) for d in days for s in ("AM", "PM")],
    )


@pytest.fixture
def school(backend_db: Database) -> Database:
    """Four pupils over Autumn 2024 (term dates entered, INSET 2 Sep), on each backend."""
    db = backend_db
    conn = db.raw_connection()
    conn.execute(
        "INSERT INTO academic_years (id, name, start_date, end_date) VALUES (1, '2024/25', '2024-09-01', '2025-08-31')"
    )
    conn.executemany(
        "INSERT INTO half_terms (academic_year_id, name, start_date, end_date) VALUES (1, ?, ?, ?)",
        [(n, s.isoformat(), e.isoformat()) for n, s, e in AUTUMN],
    )
    conn.execute(
        "INSERT INTO closures (date, kind, description) VALUES ('2024-09-02', 'inset', '')"
    )
    all_days = school_days(D(2024, 9, 3), D(2024, 12, 20))
    # 1: always present; 2: ill every Monday; 3: admitted 4 Nov; 4: left 11 Oct, all O
    add_pupil(conn, 1, preferred_forename="Annie", pupil_premium=True)
    add_pupil(conn, 2, year_group="R", reg_group="R Oak", sex="M", fsm=True, sen_status="K")
    add_pupil(conn, 3, admission_date="2024-11-04")
    add_pupil(conn, 4, leaving_date="2024-10-11")
    add_marks(conn, 1, all_days)
    add_marks(conn, 2, all_days, lambda d, s: "I" if d.weekday() == 0 else "/")
    add_marks(conn, 3, all_days, lambda d, s: "/" if d >= D(2024, 11, 4) else "Z")
    add_marks(conn, 4, all_days, lambda d, s: "O")
    # INSET day coded # for everyone on roll
    conn.executemany(
        "INSERT INTO marks (pupil_id, date, session, code, source, updated_at) VALUES (?, '2024-09-02', ?, '#', 'mis', ?)",
        [(p, s, NOW) for p in (1, 2, 4) for s in ("AM", "PM")],
    )
    conn.commit()
    conn.close()
    return db


def test_overviews_cover_pupils_on_roll_with_year_to_date_figures(school: Database) -> None:
    rows = {o.pupil_id: o for o in pupil_overviews(school, D(2024, 11, 15))}
    assert set(rows) == {1, 2, 3}  # the leaver is not on roll
    one = rows[1]
    assert (one.forename, one.legal_forename, one.upn) == ("Annie", "Ann1", "A000000000001")
    assert one.year.possible == 2 * 49 and one.year.attendance_pct == 100.0
    assert one.band.id == "green" and one.concern_rules == ()
    assert one.trend[-1] == (D(2024, 11, 15), 100.0)
    three = rows[3]  # admitted 4 Nov: Z marks before are outside the roll
    assert three.year.possible == 20 and three.year.code_counts.get("Z") is None
    two = rows[2]
    assert two.year.authorised == 2 * 9  # 9 Mondays to 11 Nov
    assert R.BELOW_EXPECTED in two.concern_rules and two.band.id == "red"


def test_leavers_keep_figures_to_the_leaving_date(school: Database) -> None:
    rows = {o.pupil_id: o for o in pupil_overviews(school, D(2024, 11, 15), include_leavers=True)}
    leaver = rows[4]
    assert not leaver.on_roll
    assert leaver.year.possible == 2 * 29  # 3 Sep to 11 Oct
    assert leaver.year.unauthorised == leaver.year.possible and leaver.severe
    assert leaver.concern_rules == ()
    assert all(c.pupil_id != 4 for c in school_concerns(school, D(2024, 11, 15)))
    on_leaving_day = {c.rule for c in school_concerns(school, D(2024, 10, 11)) if c.pupil_id == 4}
    assert {R.SEVERE_ABSENCE, R.PENALTY_THRESHOLD, R.LA_TEN_DAY_RETURN} <= on_leaving_day


def test_figures_agree_with_an_independent_count_from_the_marks_table(school: Database) -> None:
    as_of = D(2024, 12, 20)
    conn = school.raw_connection()
    expected: dict[int, Counter] = {}
    for pid, d, code, adm, leave in conn.execute(
        "SELECT m.pupil_id, m.date, m.code, p.admission_date, p.leaving_date FROM marks m JOIN pupils p ON p.id = m.pupil_id"
    ):
        if (adm and d < adm) or (leave and d > leave) or d > as_of.isoformat():
            continue
        expected.setdefault(pid, Counter())[code] += 1
    conn.close()
    rows = pupil_overviews(school, as_of, include_leavers=True)
    for o in rows:
        assert o.year == Figures.from_code_counts(expected[o.pupil_id])


def test_every_pupils_marks_are_read_exactly_whatever_their_pattern(school: Database) -> None:
    """A pupil with a mark in every session the school has marks for, from their first mark to
    their last, is known from the count of their marks (3 and 4 here); the others are read mark
    by mark (1: a morning with no mark and a mark on a Saturday; 2: an afternoon with no mark).
    Either way, each pupil's marks on the pupil page and the year's figures are the marks
    table's, two-character codes and `-` marks included."""
    conn = school.raw_connection()
    conn.execute("DELETE FROM marks WHERE pupil_id = 1 AND date = '2024-09-03' AND session = 'AM'")
    conn.execute(
        "INSERT INTO marks (pupil_id, date, session, code, source, updated_at) "
        "VALUES (1, '2024-08-31', 'AM', '#', 'mis', ?)",
        (NOW,),
    )
    conn.execute("DELETE FROM marks WHERE pupil_id = 2 AND date = '2024-10-08' AND session = 'PM'")
    conn.execute("UPDATE marks SET code = 'C1' WHERE pupil_id = 3 AND date = '2024-11-05'")
    conn.execute(
        "UPDATE marks SET code = '-' WHERE pupil_id = 3 AND date = '2024-11-06' AND session = 'AM'"
    )
    conn.commit()
    as_of = D(2024, 11, 15)
    table: dict[int, list[tuple[date, str, str]]] = {}
    for pid, d, session, code, adm, leave in conn.execute(
        "SELECT m.pupil_id, m.date, m.session, m.code, p.admission_date, p.leaving_date"
        " FROM marks m JOIN pupils p ON p.id = m.pupil_id"
        " WHERE m.date >= '2024-09-01' ORDER BY m.pupil_id, m.date, m.session"
    ):
        if (adm and d < adm) or (leave and d > leave) or d > as_of.isoformat():
            continue
        table.setdefault(pid, []).append((D.fromisoformat(d[:10]), session, code))
    conn.close()
    for pid in (1, 2, 3, 4):
        assert list(pupil_report(school, pid, as_of).marks) == table[pid]
    rows = pupil_overviews(school, as_of, include_leavers=True)
    assert [o.pupil_id for o in rows] == [1, 2, 3, 4]
    for o in rows:
        assert o.year == Figures.from_code_counts(Counter(c for _, _, c in table[o.pupil_id]))
    assert rows[0].year.possible == 2 * 49 - 1 and rows[2].year.code_counts["C1"] == 2


def test_pupil_report_has_patterns_recovery_and_concerns(school: Database) -> None:
    report = pupil_report(school, 2, D(2024, 12, 20))
    assert report.upn == "A000000000002" and report.year_group == "R"
    mondays = report.weekday_pattern[0]
    assert (mondays.name, mondays.am_missed, mondays.pm_missed) == ("Mon", 14, 14)
    assert sum(w.missed for w in report.weekday_pattern[1:]) == 0
    assert report.absence_instances == 14  # every Monday is its own instance
    assert all(b.next_to in ("weekend", "holiday") for b in report.break_absences)
    assert len(report.break_absences) == 28  # every Monday follows a weekend or holiday
    assert report.marks[0] == (D(2024, 9, 2), "AM", "#")
    assert report.sessions_to_96 is None or report.sessions_to_96 > 0
    assert {c.rule for c in report.concerns} >= {R.BELOW_EXPECTED, R.PERSISTENT_ABSENCE}
    assert report.monitoring_points[0][0] == D(2024, 10, 25)
    assert report.term.possible == report.year.possible  # Autumn term = the year so far


def test_school_concerns_under_either_preset(school: Database) -> None:
    as_of = D(2024, 11, 15)
    clifford = {(c.pupil_id, c.rule) for c in school_concerns(school, as_of)}
    assert {(2, R.BELOW_EXPECTED), (2, R.FREQUENT_ILLNESS)} <= clifford  # 9 Mondays ill
    set_preset(school, "clifton")
    assert get_policy(school).preset == "clifton"
    clifton = school_concerns(school, as_of)
    below = [c for c in clifton if c.rule == R.BELOW_EXPECTED and c.pupil_id == 2][0]
    assert below.owner == "Family Hub"


def test_groups_with_and_without_reception(school: Database) -> None:
    groups = {(g.kind, g.name): g for g in group_figures(school, D(2024, 12, 20))}
    whole = groups[("school", "Whole school")]
    assert whole.pupils == 4  # the leaver counts to the leaving date
    assert whole.persistent == 2 and whole.severe == 1  # pupil 2 (83%) and the leaver
    assert groups[("year_group", "Reception")].pupils == 1
    assert groups[("fsm", "FSM")].pupils == 1 and groups[("sen", "SEN support (K)")].pupils == 1
    assert groups[("sex", "Male")].pupils == 1
    without = {
        (g.kind, g.name): g for g in group_figures(school, D(2024, 12, 20), include_reception=False)
    }
    assert without[("school", "Whole school")].pupils == 3
    assert ("year_group", "Reception") not in without


def test_weekly_attendance_and_class_league(school: Database) -> None:
    weeks = weekly_attendance(school, D(2024, 11, 15))
    assert weeks[0][0] == D(2024, 9, 2)
    first = weeks[0][1]  # 3-6 Sep: pupils 1, 2, 4 (3 not admitted)
    assert first.possible == 3 * 8 and first.unauthorised == 8
    assert D(2024, 10, 28) not in [w for w, _ in weeks]
    league = class_league(school, D(2024, 11, 15))
    assert [g for g, _ in league] == ["3 Cedar", "R Oak"]
    assert league[0][1].attendance_pct == 100.0


def test_no_term_dates_infers_the_calendar(backend_db: Database) -> None:
    db = backend_db
    conn = db.raw_connection()
    add_pupil(conn, 1)
    days = school_days(D(2024, 9, 3), D(2024, 12, 20))
    add_marks(conn, 1, days, lambda d, s: "I" if d in (D(2024, 11, 8), D(2024, 11, 11)) else "/")
    conn.commit()
    conn.close()
    report = pupil_report(db, 1, D(2024, 11, 15))
    assert report.overview.half_term.possible == 20  # Autumn 2 inferred from 4 Nov
    assert report.absence_instances == 1  # Fri + Mon: one instance


def test_unknown_pupil_is_a_user_error(school: Database) -> None:
    from attendance_desk.errors import UserError

    with pytest.raises(UserError):
        pupil_report(school, 99, D(2024, 11, 15))


def test_demo_school_agrees_with_an_independent_count(tmp_path: Path) -> None:
    from attendance_desk.demo import create_demo_database
    from attendance_desk.storage.db import open_database

    path = tmp_path / "demo.sqlite3"
    as_of = D(2025, 3, 14)
    create_demo_database(path, seed=2024, as_of=as_of)  # a crash here is a failure
    db = open_database(path)
    try:
        rows = pupil_overviews(db, as_of, include_leavers=True)
        assert len(rows) > 400  # the demo school has about 420 pupils
        conn = sqlite3.connect(path)
        year_start = "2024-09-01"
        sql = """SELECT m.pupil_id, m.code, count(*) FROM marks m JOIN pupils p ON p.id = m.pupil_id
                 WHERE m.date >= ? AND m.date <= ?
                   AND (p.admission_date IS NULL OR m.date >= p.admission_date)
                   AND (p.leaving_date IS NULL OR m.date <= p.leaving_date)
                 GROUP BY m.pupil_id, m.code"""
        counts: dict[int, dict[str, int]] = {}
        for pid, code, n in conn.execute(sql, (year_start, as_of.isoformat())):
            counts.setdefault(pid, {})[code] = n
        conn.close()
        for o in rows:
            assert o.year == Figures.from_code_counts(counts.get(o.pupil_id, {}))
    finally:
        db.close()


def test_results_reused_only_while_the_inputs_are_unchanged(school: Database) -> None:
    """The engine keeps its last results per database and reuses a pupil's only when that
    pupil's freshly read marks, row, case, the policy, calendar and date are all unchanged:
    an office edit, an import, a pupil change or a case change shows in the very next call."""
    from attendance_desk.domain.pathway import CaseContext, PartTimeTimetable
    from attendance_desk.services import monitoring

    as_of = D(2024, 11, 15)
    first = {o.pupil_id: o for o in pupil_overviews(school, as_of)}
    school_concerns(school, as_of)
    again = {o.pupil_id: o for o in pupil_overviews(school, as_of)}
    assert all(again[p] is first[p] for p in first)  # nothing changed: nothing re-run
    assert first[1].year.unauthorised == 0 and first[1].concern_rules == ()

    # An office edit on another connection: pupil 1 gets 12 unauthorised sessions.
    conn = school.raw_connection()
    conn.execute(
        "UPDATE marks SET code = 'O' WHERE pupil_id = 1 AND date >= '2024-11-05' AND date <= '2024-11-12'"
    )
    conn.commit()
    conn.close()
    edited = {o.pupil_id: o for o in pupil_overviews(school, as_of)}
    assert edited[1].year.unauthorised == 12 and R.PENALTY_THRESHOLD in edited[1].concern_rules
    assert edited[2] is first[2]  # the other pupils' results are reused
    assert (1, R.PENALTY_THRESHOLD) in {
        (c.pupil_id, c.rule) for c in school_concerns(school, as_of)
    }

    # An import: a new pupil with marks, and a changed leaving date.
    conn = school.raw_connection()
    add_pupil(conn, 5)
    add_marks(conn, 5, school_days(D(2024, 9, 3), D(2024, 11, 15)), lambda d, s: "G")
    conn.execute("UPDATE pupils SET leaving_date = '2024-11-14' WHERE id = 3")
    conn.commit()
    conn.close()
    imported = {o.pupil_id: o for o in pupil_overviews(school, as_of)}
    assert set(imported) == {1, 2, 5} and imported[5].year.attended == 0
    assert R.SEVERE_ABSENCE in imported[5].concern_rules

    # A case given by the caller counts as an input too.
    conn = school.raw_connection()
    conn.execute("UPDATE marks SET code = 'C2' WHERE pupil_id = 2 AND date = '2024-11-15'")
    conn.commit()
    conn.close()
    assert (2, R.PART_TIME_REVIEW) in {(c.pupil_id, c.rule) for c in school_concerns(school, as_of)}
    timetable = PartTimeTimetable(D(2024, 11, 1), None, review_dates=(D(2024, 12, 1),))
    cases = {2: CaseContext(2, part_time_timetables=(timetable,))}
    with_case = {(c.pupil_id, c.rule) for c in school_concerns(school, as_of, cases)}
    assert (2, R.PART_TIME_REVIEW) not in with_case

    # Whatever was reused equals a fresh evaluation.
    reused = (pupil_overviews(school, as_of), school_concerns(school, as_of))
    monitoring._RESULTS.clear()
    assert (pupil_overviews(school, as_of), school_concerns(school, as_of)) == reused


def test_school_snapshot_equals_the_separate_calls_on_the_demo_school(tmp_path: Path) -> None:
    """One read for the list and the dashboard gives exactly what the separate calls give
    (weeks and the class league are worked out from the pupils' marks, not by SQL: two
    independent counts that must agree), on several dates, with the stored results cold
    and warm."""
    from attendance_desk.demo import create_demo_database
    from attendance_desk.services import monitoring
    from attendance_desk.services.monitoring import school_snapshot
    from attendance_desk.storage.db import open_database

    path = tmp_path / "demo.sqlite3"
    create_demo_database(path, seed=2024, as_of=D(2025, 3, 14))
    db = open_database(path)
    try:
        # a term day, the end of a term, a Sunday starting the year, a weekend in a holiday
        for as_of in (D(2025, 3, 14), D(2024, 12, 20), D(2024, 9, 1), D(2025, 1, 5)):
            monitoring._RESULTS.clear()
            snap = school_snapshot(db, as_of)
            monitoring._RESULTS.clear()
            assert snap.as_of == as_of
            assert list(snap.overviews) == pupil_overviews(db, as_of)
            assert list(snap.concerns) == school_concerns(db, as_of)
            assert list(snap.groups) == group_figures(db, as_of)
            assert list(snap.groups_without_reception) == group_figures(
                db, as_of, include_reception=False
            )
            assert list(snap.weekly) == weekly_attendance(db, as_of)
            assert list(snap.league) == class_league(db, as_of)
            assert school_snapshot(db, as_of) == snap  # warm: the rules' results reused
        assert snap.overviews and snap.concerns and snap.weekly
        full = school_snapshot(db, D(2025, 3, 14))
        assert full.league and any(not o.on_roll for o in full.overviews) is False
    finally:
        db.close()


def test_a_register_not_yet_taken_raises_no_missing_marks(school: Database) -> None:
    """Mon 25 Nov 2024: the morning export is in for pupils 1-3, the afternoon not yet."""
    day = D(2024, 11, 25)
    conn = school.raw_connection()
    conn.execute("DELETE FROM marks WHERE date = ? AND session = 'PM'", (day.isoformat(),))
    conn.execute("DELETE FROM marks WHERE date > ?", (day.isoformat(),))
    conn.commit()
    conn.close()

    def missing(as_of: date) -> dict[int, list[tuple[date, str]]]:
        return {
            c.pupil_id: [(e.date, e.session) for e in c.evidence]
            for c in school_concerns(school, as_of)
            if c.rule == R.MISSING_MARKS
        }

    assert missing(day) == {}
    # The next day (nothing taken yet), Monday's afternoon is missing for everyone on roll.
    assert missing(D(2024, 11, 26)) == {p: [(day, "PM")] for p in (1, 2, 3)}
    # One afternoon mark taken on the day: the afternoon register exists, the others are missing.
    conn = school.raw_connection()
    conn.execute(
        "INSERT INTO marks (pupil_id, date, session, code, source, updated_at) "
        "VALUES (1, ?, 'PM', '\\', 'mis', ?)",
        (day.isoformat(), NOW),
    )
    conn.commit()
    conn.close()
    assert missing(day) == {p: [(day, "PM")] for p in (2, 3)}
    one = {o.pupil_id: o for o in pupil_overviews(school, day)}
    # Figures are untouched: a session with no mark is not possible, taken or not.
    # 2: 3 Sep-22 Nov is 20 + 19 + 15 = 54 days = 108 sessions, + Monday AM = 109.
    # 3: admitted 4 Nov: 15 days to 22 Nov = 30 sessions, + Monday AM = 31.
    assert (one[2].year.possible, one[3].year.possible) == (109, 31)
