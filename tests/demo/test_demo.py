"""The demo school: a realistic roll, term dates, and a register calibrated to national figures.

The school is built once per module into a real SQLite file; the figures are computed here
independently, straight from the marks table, with the code categories of domain/codes.py.
"""

from __future__ import annotations

import hashlib
import sqlite3
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest

from attendance_desk.demo import create_demo_database
from attendance_desk.demo.data import generate_demo, upn_check_letter
from attendance_desk.domain.codes import CODES, Category
from attendance_desk.errors import UserError
from attendance_desk.storage.db import open_database
from attendance_desk.storage.models import Pupil, School

AS_OF = date(2026, 3, 12)  # a Thursday in Spring 2 of 2025/26
SEED = 2024


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    summary = create_demo_database(path, seed=SEED, as_of=AS_OF)
    assert summary.startswith("420 pupils, 2 academic years, ")
    return path


@pytest.fixture
def conn(demo_path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"file:{demo_path}?mode=ro", uri=True)
    yield connection
    connection.close()


@pytest.fixture(scope="module")
def previous_year(demo_path: Path) -> dict[str, object]:
    """The full previous year's figures, computed from the marks table alone."""
    conn = sqlite3.connect(f"file:{demo_path}?mode=ro", uri=True)
    start, end = conn.execute(
        "SELECT start_date, end_date FROM academic_years ORDER BY start_date LIMIT 1"
    ).fetchone()
    rows = conn.execute(
        "SELECT pupil_id, date, session, code FROM marks WHERE date BETWEEN ? AND ?", (start, end)
    ).fetchall()
    terms = conn.execute(
        "SELECT h.start_date, h.end_date FROM half_terms h JOIN academic_years y"
        " ON y.id = h.academic_year_id WHERE y.start_date = ? ORDER BY h.start_date",
        (start,),
    ).fetchall()
    conn.close()
    per_pupil: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    codes: Counter[str] = Counter()
    friday_pm, other = [0, 0], [0, 0]
    for pupil_id, day, session, code in rows:
        category = CODES[code].category
        if category is Category.NOT_POSSIBLE:
            continue
        attended = category in (Category.PRESENT, Category.APPROVED_ACTIVITY)
        per_pupil[pupil_id][0] += 1
        per_pupil[pupil_id][1] += attended
        codes[code] += 1
        bucket = friday_pm if session == "PM" and date.fromisoformat(day).weekday() == 4 else other
        bucket[0] += 1
        bucket[1] += not attended
    possible = sum(p for p, _ in per_pupil.values())
    attended_total = sum(a for _, a in per_pupil.values())
    by_category: Counter[Category] = Counter()
    for code, n in codes.items():
        by_category[CODES[code].category] += n
    return {
        "possible": possible,
        "absence": 1 - attended_total / possible,
        "authorised": by_category[Category.AUTHORISED] / possible,
        "unauthorised": by_category[Category.UNAUTHORISED] / possible,
        "pupils": len(per_pupil),
        "pa": sum(1 for p, a in per_pupil.values() if a * 10 <= p * 9),
        "sa": sum(1 for p, a in per_pupil.values() if a * 2 <= p),
        "codes": codes,
        "friday_pm": friday_pm[1] / friday_pm[0],
        "other_sessions": other[1] / other[0],
        "g_days": [r[1] for r in rows if r[3] == "G"],
        "terms": terms,
    }


def test_roll_is_reception_to_year_6_in_two_classes_of_about_thirty(
    conn: sqlite3.Connection,
) -> None:
    day = AS_OF.isoformat()
    rows = conn.execute(
        "SELECT year_group, reg_group, count(*) FROM pupils WHERE admission_date <= ?"
        " AND (leaving_date IS NULL OR leaving_date >= ?) GROUP BY year_group, reg_group",
        (day, day),
    ).fetchall()
    assert sorted({r[0] for r in rows}) == ["1", "2", "3", "4", "5", "6", "R"]
    assert len(rows) == 14
    assert all(25 <= n <= 32 for _, _, n in rows)
    assert 400 <= sum(n for *_, n in rows) <= 440
    assert all(reg.split(" ")[0] == year for year, reg, _ in rows)


def test_pupils_look_like_a_real_roster(conn: sqlite3.Connection) -> None:
    pupils = conn.execute(
        "SELECT upn, legal_surname || legal_forename, date_of_birth, year_group, fsm,"
        " pupil_premium, sen_status, eal, looked_after, leaving_date, admission_date FROM pupils"
    ).fetchall()
    on_roll = [p for p in pupils if p[9] is None]
    assert all(upn[0] == upn_check_letter(upn[1:]) and len(upn) == 13 for upn, *_ in pupils)
    assert len({p[0] for p in pupils}) == len(pupils)
    assert any(not name.isascii() for _, name, *_ in pupils)
    assert any("'" in name for _, name, *_ in pupils)
    share = {i: sum(1 for p in on_roll if p[i]) / len(on_roll) for i in (4, 5, 7)}
    assert 0.17 <= share[4] <= 0.28 and 0.2 <= share[5] <= 0.32 and 0.14 <= share[7] <= 0.28
    assert 0.09 <= sum(p[6] == "K" for p in on_roll) / len(on_roll) <= 0.18
    assert 0.01 <= sum(p[6] == "E" for p in on_roll) / len(on_roll) <= 0.05
    assert 1 <= sum(p[8] for p in on_roll) <= 6
    for _upn, _name, dob, year_group, *_ in on_roll:  # ages fit the year group on 1 September
        index = 0 if year_group == "R" else int(year_group)
        born = date.fromisoformat(dob)
        assert date(2020 - index, 9, 1) <= born <= date(2021 - index, 8, 31)
    assert sum(1 for p in pupils if p[9] is not None and p[3] != "6") >= 2  # moved away
    assert sum(1 for p in pupils if p[10] > "2024-09-30") >= 2  # joined mid-year


def test_siblings_share_contacts_and_split_families_have_two_addresses(
    conn: sqlite3.Connection,
) -> None:
    shared = conn.execute(
        "SELECT name, phone_mobile, count(DISTINCT pupil_id) FROM contacts"
        " WHERE phone_mobile IS NOT NULL GROUP BY name, phone_mobile HAVING count(*) > 1"
    ).fetchall()
    assert len(shared) >= 60
    split = conn.execute(
        "SELECT count(DISTINCT c2.pupil_id) FROM contacts c1 JOIN contacts c2"
        " ON c1.pupil_id = c2.pupil_id AND c1.priority = 1 AND c2.priority > 1"
        " WHERE c2.parental_responsibility AND NOT c2.lives_with_pupil"
        " AND c2.postcode <> c1.postcode"
    ).fetchone()[0]
    assert split >= 20
    per_pupil = conn.execute("SELECT count(*) FROM contacts GROUP BY pupil_id").fetchall()
    assert {n for (n,) in per_pupil} <= {1, 2, 3}
    no_pr = conn.execute(
        "SELECT count(*) FROM contacts WHERE relationship_to_pupil = 'Step-father'"
        " AND parental_responsibility"
    ).fetchone()[0]
    assert no_pr == 0
    phones = conn.execute("SELECT phone_mobile, phone_home FROM contacts").fetchall()
    assert all(m is None or m.startswith("07700 900") for m, _ in phones)
    assert all(h is None or h.startswith("01632 960") for _, h in phones)


def test_two_academic_years_with_half_terms_inset_days_and_a_bank_holiday(
    conn: sqlite3.Connection,
) -> None:
    years = conn.execute("SELECT name, start_date, end_date FROM academic_years").fetchall()
    assert years == [
        ("2024/25", "2024-09-01", "2025-08-31"),
        ("2025/26", "2025-09-01", "2026-08-31"),
    ]
    assert conn.execute("SELECT count(*) FROM half_terms").fetchone()[0] == 12
    kinds = Counter(k for (k,) in conn.execute("SELECT kind FROM closures"))
    assert kinds == {"inset": 10, "bank_holiday": 2}
    assert conn.execute("SELECT count(*) FROM policy").fetchone()[0] == 0
    assert conn.execute("SELECT value_json FROM app_settings WHERE key = 'demo'").fetchone() == (
        "true",
    )


def test_every_pupil_on_roll_has_a_mark_every_session_and_none_after_as_of(
    conn: sqlite3.Connection,
) -> None:
    first, last = conn.execute("SELECT min(date), max(date) FROM marks").fetchone()
    assert first == "2024-09-02" and last <= AS_OF.isoformat()
    bank_holidays = [
        d for (d,) in conn.execute("SELECT date FROM closures WHERE kind = 'bank_holiday'")
    ]
    assert not conn.execute(
        f"SELECT 1 FROM marks WHERE date IN ({','.join('?' * len(bank_holidays))})", bank_holidays
    ).fetchone()
    per_day = dict(conn.execute("SELECT date, count(*) FROM marks GROUP BY date").fetchall())
    assert all(date.fromisoformat(d).weekday() < 5 for d in per_day)
    for day, count in per_day.items():
        roll = conn.execute(
            "SELECT count(*) FROM pupils WHERE admission_date <= ?"
            " AND (leaving_date IS NULL OR leaving_date >= ?)",
            (day, day),
        ).fetchone()[0]
        assert count == 2 * roll, day
    inset = conn.execute(
        "SELECT DISTINCT m.code FROM marks m JOIN closures c ON c.date = m.date"
        " WHERE c.kind = 'inset'"
    ).fetchall()
    assert inset == [("#",)]
    # Marks come from the MIS, except reasons taken on the demo's first-day calls, each of which
    # is an office change with its history row.
    office = conn.execute("SELECT count(*) FROM marks WHERE source = 'office'").fetchone()[0]
    history = conn.execute("SELECT count(*) FROM mark_changes WHERE source = 'office'").fetchone()[
        0
    ]
    assert office == history <= 4
    assert {s for (s,) in conn.execute("SELECT DISTINCT source FROM marks")} <= {"mis", "office"}


def test_a_full_year_matches_the_national_figures(previous_year: dict) -> None:
    figures = previous_year
    assert 400 <= figures["pupils"] <= 440
    assert 0.045 <= figures["absence"] <= 0.065
    assert 0.030 <= figures["authorised"] <= 0.048
    assert 0.010 <= figures["unauthorised"] <= 0.025
    assert 0.10 <= figures["pa"] / figures["pupils"] <= 0.18
    assert 1 <= figures["sa"] <= 0.02 * figures["pupils"]
    assert figures["friday_pm"] > figures["other_sessions"]


def test_illness_is_the_largest_reason_and_the_register_uses_many_codes(
    previous_year: dict,
) -> None:
    codes: Counter[str] = previous_year["codes"]
    absences = {c: n for c, n in codes.items() if CODES[c].category.is_absence}
    assert max(absences, key=absences.__getitem__) == "I"
    assert 0.5 <= absences["I"] / sum(absences.values()) <= 0.67
    assert {"M", "G", "O", "U", "L", "V", "C", "E"} <= set(codes)
    assert 0.005 <= codes["L"] / previous_year["possible"] <= 0.05


def test_unauthorised_holidays_sit_next_to_the_breaks(previous_year: dict) -> None:
    near: set[str] = set()
    for start, end in previous_year["terms"]:
        days = [date.fromisoformat(start) + timedelta(i) for i in range(400)]
        school = [d for d in days if d <= date.fromisoformat(end) and d.weekday() < 5]
        near.update(d.isoformat() for d in school[:6] + school[-5:])
    g_days = previous_year["g_days"]
    assert len(g_days) >= 200
    assert sum(d in near for d in g_days) / len(g_days) >= 0.75


def test_recent_absences_wait_for_a_reason(conn: sqlite3.Connection) -> None:
    recent = conn.execute(
        "SELECT count(*) FROM marks WHERE code = 'N' AND date > ?",
        ((AS_OF - timedelta(days=7)).isoformat(),),
    ).fetchone()[0]
    assert recent >= 3
    part_time = conn.execute("SELECT count(DISTINCT pupil_id) FROM marks WHERE code = 'C2'")
    assert part_time.fetchone()[0] == 1


def test_same_seed_gives_the_same_marks_and_another_seed_does_not(
    demo_path: Path, tmp_path: Path
) -> None:
    def marks_hash(path: Path) -> str:
        conn = sqlite3.connect(path)
        digest = hashlib.sha256()
        marks = "SELECT pupil_id, date, session, code, source FROM marks ORDER BY 1, 2, 3"
        for row in conn.execute(marks):
            digest.update(repr(row).encode())
        for row in conn.execute("SELECT * FROM contacts ORDER BY id"):
            digest.update(repr(row).encode())
        conn.close()
        return digest.hexdigest()

    again = tmp_path / "again.sqlite3"
    create_demo_database(again, seed=SEED, as_of=AS_OF)
    assert marks_hash(again) == marks_hash(demo_path)
    assert generate_demo(SEED + 1, AS_OF).marks != generate_demo(SEED, AS_OF).marks


@pytest.mark.parametrize(
    "as_of", [date(2025, 9, 1), date(2026, 8, 10), date(2027, 1, 16), date(2030, 2, 5)]
)
def test_any_day_gives_a_school_with_marks_only_up_to_that_day(as_of: date) -> None:
    data = generate_demo(SEED, as_of)
    assert data.marks and max(m[1] for m in data.marks) <= as_of.isoformat()
    assert data.years[1].start_date <= as_of <= data.years[1].end_date
    assert 400 <= len(data.on_roll(data.years[0].school_days()[-1])) <= 440


def test_refuses_to_write_over_a_real_school(db_path: Path) -> None:
    db = open_database(db_path)
    with db.session() as s:
        s.add(School(name="Real School"))
        s.add(Pupil(upn="A123456789012", legal_surname="Smith", legal_forename="Ann"))
    db.close()
    for replace in (False, True):
        with pytest.raises(UserError, match="already holds a school"):
            create_demo_database(db_path, as_of=AS_OF, replace_demo=replace)
    conn = sqlite3.connect(db_path)
    assert conn.execute("SELECT legal_surname FROM pupils").fetchall() == [("Smith",)]
    conn.close()


def test_replaces_only_a_demo_and_only_when_asked(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    create_demo_database(path, seed=7, as_of=date(2025, 10, 1))
    with pytest.raises(UserError, match="already holds a demo"):
        create_demo_database(path, seed=7, as_of=date(2025, 10, 1))
    summary = create_demo_database(path, seed=7, as_of=date(2025, 10, 1), replace_demo=True)
    assert "pupils" in summary
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT count(*) FROM schools").fetchone()[0] == 1
    conn.close()


def test_a_demo_open_in_another_copy_is_left_whole(tmp_path: Path) -> None:
    """Starting the demo again while another copy worked in it deleted its files from under
    that copy's window (on Linux it worked on in a deleted file, everything it did lost), then
    failed. Now nothing is touched and the error says who has it."""
    from attendance_desk.storage.writer_lock import DatabaseInUseError
    from tests.another_copy import another_copy

    path = tmp_path / "demo.sqlite3"
    create_demo_database(path, seed=7, as_of=date(2025, 10, 1))
    before = hashlib.sha256(path.read_bytes()).hexdigest()
    with another_copy(path) as holder:
        with pytest.raises(DatabaseInUseError, match="another copy") as caught:
            create_demo_database(path, seed=7, as_of=date(2025, 10, 1), replace_demo=True)
        assert f"process {holder.pid}" in caught.value.holder
        assert path.exists() and hashlib.sha256(path.read_bytes()).hexdigest() == before
    create_demo_database(path, seed=7, as_of=date(2025, 10, 1), replace_demo=True)  # free again
