"""Compulsory school age through the services: the engine reads the date of birth, and a
penalty notice is refused for a child not yet of school age."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from casework_school import DAY, build_school

from attendance_desk.domain.events import PenaltyNotice
from attendance_desk.domain.school_age import NotOfSchoolAge
from attendance_desk.services.monitoring import school_concerns
from attendance_desk.services.timeline import add_event
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Contact, Mark, Pupil


@pytest.fixture
def db(backend_db: Database) -> Database:
    """Each test here runs on SQLite and on PostgreSQL (tests/conftest.py: backend_db)."""
    return backend_db


def _reception_child(db, born: date) -> int:  # noqa: ANN001
    """A Reception child with G every session from Mon 30 Sep to Wed 9 Oct 2024 (16 sessions)."""
    with db.session() as s:
        child = Pupil(
            upn="A100000000009",
            legal_surname="Young",
            legal_forename="Rosa",
            year_group="R",
            reg_group="R Willow",
            date_of_birth=born,
        )
        child.contacts = [Contact(name="Jo Young", title="Mrs", priority=1)]
        s.add(child)
        s.flush()
        d = date(2024, 9, 2)
        while d <= DAY:
            if d.weekday() < 5:
                code = "G" if d >= date(2024, 9, 30) else "/"
                s.add(Mark(pupil_id=child.id, date=d, session="AM", code=code))
                s.add(Mark(pupil_id=child.id, date=d, session="PM", code=code))
            d += timedelta(days=1)
        return child.id


def _rules_for(db, pid: int) -> set[str]:  # noqa: ANN001
    return {c.rule for c in school_concerns(db, DAY) if c.pupil_id == pid}


def test_a_four_year_old_is_not_flagged_for_a_penalty(db) -> None:  # noqa: ANN001
    build_school(db)
    pid = _reception_child(db, date(2019, 11, 1))  # school age from 31 Dec 2024
    assert "penalty_threshold" not in _rules_for(db, pid)
    with pytest.raises(NotOfSchoolAge, match="until 31/12/2024"):
        add_event(db, [pid], PenaltyNotice("Mrs Jo Young", DAY), DAY)
    with db.session() as s:
        s.get(Pupil, pid).date_of_birth = date(2019, 6, 1)  # school age from 31 Aug 2024
    assert "penalty_threshold" in _rules_for(db, pid)
    entry = add_event(db, [pid], PenaltyNotice("Mrs Jo Young", DAY), DAY)
    assert entry.details.amount == 160
