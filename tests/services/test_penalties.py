"""Penalty notices through the services, worked by hand on the casework school (Autumn 2024):
the parent comes from the contacts with parental responsibility, the threshold is checked, the
amount and the dates follow the national rules, and a third notice is refused."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from casework_school import DAY, build_school

from attendance_desk.domain.events import PenaltyNotice
from attendance_desk.domain.penalty import PenaltyCapReached
from attendance_desk.errors import UserError
from attendance_desk.services.penalties import BelowThreshold, penalty_parents, penalty_preview
from attendance_desk.services.timeline import add_event
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Contact, Mark


@pytest.fixture
def db(backend_db: Database) -> Database:
    """Each test here runs on SQLite and on PostgreSQL (tests/conftest.py: backend_db)."""
    return backend_db


WHY = "Ten days of holiday booked in term time, agreed with the LA before the register"


def _ten_g(db, pupil_id: int, upto: int = 10) -> None:  # noqa: ANN001
    """`upto` G sessions: Mon 30 Sep to Fri 4 Oct 2024 (AM and PM), replacing present marks."""
    with db.session() as s:
        d, n = date(2024, 9, 30), 0
        while n < upto:
            for session in ("AM", "PM"):
                if n < upto:
                    mark = s.get(Mark, (pupil_id, d, session))
                    mark.code = "G"
                    n += 1
            d += timedelta(days=1)


@pytest.fixture
def school(db) -> dict[str, int]:  # noqa: ANN001
    ids = build_school(db)
    with db.session() as s:  # Ava's father has no parental responsibility
        for c in s.query(Contact).filter(
            Contact.pupil_id == ids["ava"], Contact.name == "Tom Brown"
        ):
            c.parental_responsibility = False
    return ids


def test_only_contacts_with_parental_responsibility_are_offered(db, school) -> None:  # noqa: ANN001
    assert penalty_parents(db, school["ava"]) == ("Mrs Sarah Brown",)
    _ten_g(db, school["ava"], 6)  # with Ava's two Ns: 10
    with pytest.raises(UserError, match="not one of the pupil's contacts"):
        add_event(db, [school["ava"]], PenaltyNotice("Mr Tom Brown", DAY), DAY)
    with pytest.raises(UserError, match="no contact with parental responsibility"):
        add_event(
            db, [school["dan"]], PenaltyNotice("Mr Smith", DAY, below_threshold_reason=WHY), DAY
        )


def test_below_the_threshold_warns_and_needs_a_reason(db, school) -> None:  # noqa: ANN001
    ben = school["ben"]  # every mark present; 9 G makes 9 of 10
    _ten_g(db, ben, 9)
    preview = penalty_preview(db, ben, DAY, "Mrs Sarah Brown")
    assert (preview.sessions, preview.threshold, preview.below_threshold) == (9, 10, True)
    assert "Only 9 unauthorised sessions" in preview.warning()
    with pytest.raises(BelowThreshold, match="Only 9"):
        add_event(db, [ben], PenaltyNotice("Mrs Sarah Brown", DAY), DAY)
    with pytest.raises(BelowThreshold):
        add_event(
            db, [ben], PenaltyNotice("Mrs Sarah Brown", DAY, below_threshold_reason="n/a"), DAY
        )
    entry = add_event(
        db, [ben], PenaltyNotice("Mrs Sarah Brown", DAY, below_threshold_reason=WHY), DAY
    )
    assert entry.details.below_threshold_reason == WHY


def test_at_the_threshold_no_reason_is_needed_and_amounts_follow_the_rules(db, school) -> None:  # noqa: ANN001
    ben = school["ben"]
    _ten_g(db, ben, 10)
    preview = penalty_preview(db, ben, DAY, "Mrs Sarah Brown")
    assert (preview.sessions, preview.below_threshold, preview.warning()) == (10, False, "")
    # first notice issued Wed 9 Oct: £80 by Wed 30 Oct (21 days), £160 by Wed 6 Nov (28 days)
    assert preview.decision.message == (
        "First notice: £80 if paid by 30/10/2024 (within 21 days), otherwise £160 by "
        "06/11/2024 (within 28 days)"
    )
    first = add_event(
        db,
        [ben],
        PenaltyNotice(
            "Mrs Sarah Brown", DAY, status="paid", paid_on=date(2024, 10, 30), la_reference="PN-1"
        ),
        DAY,
    )
    assert first.details.amount == 80 and "£80" in first.summary and "LA ref PN-1" in first.summary
    late = add_event(
        db,
        [ben],
        PenaltyNotice("Mrs Sarah Brown", DAY, status="paid", paid_on=date(2024, 10, 31)),
        DAY,
    )
    assert late.details.amount == 160  # a second notice: £160 whenever it is paid
    with pytest.raises(PenaltyCapReached) as refused:
        add_event(db, [ben], PenaltyNotice("Mrs Sarah Brown", DAY), DAY)
    assert any("section 444" in step for step in refused.value.next_steps)
