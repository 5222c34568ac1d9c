"""Leave-of-absence requests: the register, the decision and who made it, the `leave_reply`
letter, and the `G` marks on the dates of a refused request (casework school, Autumn 2024)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import date, timedelta

import pytest
from casework_school import build_school

from attendance_desk.errors import UserError
from attendance_desk.services.leave import (
    decide_leave,
    leave_letter,
    leave_register,
    print_leave_letter,
    record_leave_request,
)
from attendance_desk.services.timeline import timeline
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Mark, School


@pytest.fixture
def db(backend_db: Database) -> Database:
    """Each test here runs on SQLite and on PostgreSQL (tests/conftest.py: backend_db)."""
    return backend_db


def _school_details(db) -> None:  # noqa: ANN001
    with db.session() as s:
        s.add(
            School(
                name="Clifton Primary",
                address="1 Church Lane",
                postcode="BS1 1AA",
                phone="0117 496 0000",
                headteacher="Mr Krabbendam",
            )
        )


def test_a_refused_request_its_letter_and_the_g_marks(db) -> None:  # noqa: ANN001
    ava = build_school(db)["ava"]
    _school_details(db)
    req = record_leave_request(
        db, ava, date(2024, 9, 2), date(2024, 9, 30), date(2024, 10, 4), "Family holiday to Spain"
    )
    assert req.decision is None and req.decision_label == "Not decided"
    with pytest.raises(UserError, match="exceptional circumstances"):
        decide_leave(db, req.request_id, "authorised", date(2024, 9, 5), "Mr Krabbendam", "n/a")
    with pytest.raises(UserError, match="record the decision"):
        leave_letter(db, req.request_id)
    refused = decide_leave(db, req.request_id, "refused", date(2024, 9, 5), "Mr Krabbendam")
    assert (refused.decision, refused.decided_by) == ("refused", "Mr Krabbendam")
    # the family went anyway: G from Mon 30 Sep to Wed 2 Oct (6 sessions), back on Thursday
    with db.session() as s:
        for k in range(3):
            for session in ("AM", "PM"):
                s.get(Mark, (ava, date(2024, 9, 30) + timedelta(days=k), session)).code = "G"
    (info,) = leave_register(db, ava)
    assert len(info.g_marks) == 6 and info.g_marks[0] == (date(2024, 9, 30), "AM")
    assert info.codes == {"G": 6, "/": 2, "\\": 2}
    letter = leave_letter(db, req.request_id)
    (body,) = letter.merged.values()
    assert "Thank you for your request of 2 September 2024" in body
    assert "from 30 September 2024 to 4 October 2024" in body
    assert "the leave cannot be authorised" in body
    assert "penalty notice of £160 per parent (£80 if paid within 21 days)" in body
    assert "authorised from" not in body and "exceptional (" not in body
    printed = print_leave_letter(db, req.request_id)
    assert printed.letters == 1
    assert any(e.kind == "letter_sent" for e in timeline(db, ava))


def test_an_authorised_request_says_why(db) -> None:  # noqa: ANN001
    ben = build_school(db)["ben"]
    _school_details(db)
    req = record_leave_request(
        db, ben, date(2024, 9, 10), date(2024, 10, 3), date(2024, 10, 3), "Grandfather's funeral"
    )
    ok = decide_leave(
        db,
        req.request_id,
        "authorised",
        date(2024, 9, 11),
        "Mr Krabbendam",
        "Funeral of a close relative abroad, one day only",
    )
    assert ok.decision_label == "Authorised (exceptional circumstances)"
    letter = leave_letter(db, req.request_id)
    (body,) = letter.merged.values()
    assert "Thank you for your request of 10 September 2024" in body
    assert "yours are exceptional (Funeral of a close relative abroad, one day only)" in body
    assert "The leave is authorised** from 3 October 2024 to 3 October 2024" in body
    assert "back in school on the first school day after 3 October 2024" in body
    # none of the refusal's words: no "cannot be authorised", no penalty notice
    assert "cannot be authorised" not in body and "penalty" not in body
    with pytest.raises(UserError, match="before it starts"):
        record_leave_request(db, ben, date(2024, 9, 10), date(2024, 10, 3), date(2024, 10, 2), "x")


def _pdf_text(pdf: bytes, tmp_path) -> str:  # noqa: ANN001
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler is not installed")
    path = tmp_path / "letter.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
    return " ".join(out.split())


def test_each_decision_prints_its_own_letter(db, tmp_path) -> None:  # noqa: ANN001
    ids = build_school(db)
    _school_details(db)
    ben = record_leave_request(
        db, ids["ben"], date(2024, 9, 10), date(2024, 10, 3), date(2024, 10, 4), "Funeral"
    )
    decide_leave(
        db,
        ben.request_id,
        "authorised",
        date(2024, 9, 11),
        "Mr Krabbendam",
        "To attend his grandfather's funeral in Kraków.",
    )
    ava = record_leave_request(
        db, ids["ava"], date(2024, 9, 2), date(2024, 9, 30), date(2024, 10, 4), "Holiday"
    )
    decide_leave(db, ava.request_id, "refused", date(2024, 9, 5), "Mr Krabbendam")
    authorised = _pdf_text(print_leave_letter(db, ben.request_id).pdf, tmp_path)
    assert "Your request for leave for Ben" in authorised
    assert "yours are exceptional (To attend his grandfather's funeral in Kraków)" in authorised
    assert "The leave is authorised from 3 October 2024 to 4 October 2024" in authorised
    assert "cannot be authorised" not in authorised and "penalty" not in authorised
    assert "Mr Krabbendam" in authorised and "Headteacher" in authorised
    refused = _pdf_text(print_leave_letter(db, ava.request_id).pdf, tmp_path)
    assert "the leave cannot be authorised" in refused
    assert "penalty notice of £160 per parent (£80 if paid within 21 days)" in refused
    assert "is authorised from" not in refused and "exceptional (" not in refused
