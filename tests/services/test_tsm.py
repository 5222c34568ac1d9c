"""The Targeted Support Meeting list: who is on it, their figures, support and next steps."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from meetings_school import WEEK_END, make_school  # noqa: E402

from attendance_desk.errors import UserError  # noqa: E402
from attendance_desk.services.tsm import tsm_list  # noqa: E402
from attendance_desk.storage.db import Database  # noqa: E402


@pytest.fixture
def db(backend_db: Database) -> Database:
    """Each test here runs on SQLite and on PostgreSQL (tests/conftest.py: backend_db)."""
    return backend_db


def test_persistent_absentees_with_figures_support_and_next_steps(db: Database) -> None:
    from attendance_desk.domain.events import Referral
    from attendance_desk.domain.pathway import Stage
    from attendance_desk.services.cases import open_case
    from attendance_desk.services.tasks import add_task
    from attendance_desk.services.timeline import add_event

    ids = make_school(db)
    dan = ids["Dan Ninety"]
    open_case(db, dan, date(2025, 3, 3), "officer", "Mondays", Stage.SUPPORT_TIER_2, "Mrs Cole")
    add_event(db, [dan], Referral("school_nurse", "given"), date(2025, 3, 12))
    add_task(db, dan, "Review with the school nurse", date(2025, 4, 2))
    tsm = tsm_list(db, WEEK_END, "spring")
    assert tsm.title == "Targeted Support Meeting: Spring 2024/25"
    # 90% or below, lowest first: Fay 79/100, Gus 80/100, Eve 89/100, Dan 90/100 (the edge);
    # Ben (93%) and Jo (95.4%) are not persistent absentees
    assert [(r.name, r.attendance, r.level) for r in tsm.rows] == [
        ("Fay Falling", "79.0%", "Persistent"),
        ("Gus Flat", "80.0%", "Persistent"),
        ("Eve Hub", "89.0%", "Persistent"),
        ("Dan Ninety", "90.0%", "Persistent"),
    ]
    row = tsm.rows[-1]
    assert (row.possible, row.authorised, row.unauthorised) == (100, 10, 0)
    assert row.pattern.startswith("Mon 10/20; 10 spells of absence")
    assert row.support.splitlines()[0] == "Case: Facilitate Support (tier 2); key person Mrs Cole"
    assert "12/03/2025 Referral to School nurse: consent given" in row.support
    assert row.next_steps == "Review with the school nurse (by 02/04/2025)"
    assert tsm.rows[0].support == "none recorded"
    assert tsm.rows[0].next_steps.startswith("Persistent absence")  # the policy's action


def test_term_names_and_dates_are_checked(db: Database) -> None:
    make_school(db)
    with pytest.raises(UserError, match="not a term"):
        tsm_list(db, WEEK_END, "winter")
    with pytest.raises(UserError, match="summer term of 2024/25 has no dates"):
        tsm_list(db, WEEK_END, "summer")
    autumn = tsm_list(db, WEEK_END, "autumn")  # to the end of Autumn 2 (20 Dec)
    assert autumn.as_of == date(2024, 12, 20) and autumn.rows == ()  # Jan pupils not on roll
