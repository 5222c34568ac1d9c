"""The call list for a day of the demo school agrees with its register."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

from attendance_desk.demo import create_demo_database
from attendance_desk.services.calls import first_day_calls
from attendance_desk.storage.db import open_database

AS_OF = date(2025, 3, 12)


def test_call_list_for_a_demo_day(tmp_path: Path) -> None:
    path = tmp_path / "demo.sqlite3"
    create_demo_database(path, seed=2024, as_of=AS_OF)
    conn = sqlite3.connect(path)
    with_n = {
        pid
        for (pid,) in conn.execute(
            "SELECT DISTINCT pupil_id FROM marks WHERE date=? AND code='N'", (AS_OF.isoformat(),)
        )
    }
    marked = {
        pid
        for (pid,) in conn.execute(
            "SELECT pupil_id FROM marks WHERE date=? GROUP BY pupil_id HAVING count(*)=2",
            (AS_OF.isoformat(),),
        )
    }
    on_roll = {
        pid
        for (pid,) in conn.execute(
            "SELECT id FROM pupils WHERE (admission_date IS NULL OR admission_date<=?) "
            "AND (leaving_date IS NULL OR leaving_date>=?)",
            (AS_OF.isoformat(), AS_OF.isoformat()),
        )
    }
    conn.close()
    db = open_database(path)
    try:
        entries = first_day_calls(db, AS_OF)
    finally:
        db.close()
    assert entries, "the demo school has absences with no reason on its last day"
    assert {e.pupil_id for e in entries} == (with_n | (on_roll - marked)) & on_roll
    for e in entries:
        assert [c.priority for c in e.contacts] == sorted(c.priority for c in e.contacts)
        assert e.unreached_flag == (e.days_unreached >= 2)
