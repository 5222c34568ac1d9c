"""The same school on SQLite and on PostgreSQL gives the same figures, concerns and casework.

One small school (tests/casework_school.py: four pupils, Autumn 1 2024, a family, absences and
a missing register) with a case and a call logged is built in an SQLite file and in a database
on the PostgreSQL test server; every screen-level answer is then compared, number for number.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from attendance_desk.services.calls import first_day_calls
from attendance_desk.services.caseload import open_case_rows
from attendance_desk.services.cases import case_contexts, open_case
from attendance_desk.services.monitoring import (
    class_league,
    group_figures,
    pupil_overviews,
    pupil_report,
    school_concerns,
    school_snapshot,
    weekly_attendance,
)
from attendance_desk.storage.db import Database, open_database
from tests.casework_school import DAY, build_school
from tests.conftest import postgres_database


def answers(db: Database) -> dict[str, Any]:
    """Everything the window shows for the school, as plain values."""
    ids = build_school(db)
    open_case(db, ids["ava"], date(2024, 10, 1), "Ms Ellis", "Below 96%")
    contexts = case_contexts(db, DAY)
    return {
        "ids": ids,
        "overviews": pupil_overviews(db, DAY, include_leavers=True),
        "concerns": school_concerns(db, DAY),
        "concerns with cases": school_concerns(db, DAY, case_contexts=contexts),
        "groups": group_figures(db, DAY),
        "weekly": weekly_attendance(db, DAY),
        "league": class_league(db, DAY),
        "snapshot": school_snapshot(db, DAY, contexts),
        "report": pupil_report(db, ids["ava"], DAY),
        "calls": first_day_calls(db, DAY),
        "caseload": open_case_rows(db, DAY),
        "contexts": contexts,
    }


@pytest.fixture
def on_both(tmp_path: Path) -> Iterator[tuple[Database, Database]]:
    with postgres_database() as url:
        lite = open_database(tmp_path / "school.sqlite3")
        pg = open_database(url)
        try:
            yield lite, pg
        finally:
            pg.close()
            lite.close()


def test_the_same_school_gives_the_same_answers_on_both_backends(
    on_both: tuple[Database, Database],
) -> None:
    lite, pg = on_both
    assert (lite.backend, pg.backend) == ("sqlite", "postgresql")
    expected, got = answers(lite), answers(pg)
    # not an empty agreement: the school has concerns, a case, a call to make
    assert expected["concerns"] and expected["caseload"] and expected["calls"]
    assert any(o.year.possible for o in expected["overviews"])
    for key in expected:
        assert got[key] == expected[key], key
