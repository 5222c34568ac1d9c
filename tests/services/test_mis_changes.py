"""A call covers the day, and the changes for the MIS: a reason given on a first-day call
re-codes the pupil's N marks for the whole day, including the afternoon imported later; the
office's codes are listed for the MIS until an import shows the MIS agrees.

The school (tests/casework_school.py) has registers to Tue 8 Oct 2024; the morning export of
Wed 9 Oct has Ava N, Ben N, Łucja and Dan present.
"""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest
from casework_school import DAY, build_school

from attendance_desk.services.calls import first_day_calls, log_call
from attendance_desk.services.importing import apply_import, preview_import
from attendance_desk.services.mis_changes import changes_for_mis
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Mark, Pupil

HEADER = ["UPN", "Surname", "Forename", "Reg Group", "Date", "AM", "PM"]
PUPILS = {
    "ava": ("R100000000001", "Brown", "Ava", "3 Oak"),
    "ben": ("F100000000002", "Brown", "Ben", "5 Elm"),
    "lucja": ("V100000000003", "Nguyễn", "Łucja", "3 Oak"),
    "dan": ("J100000000004", "Smith", "Dan", "4 Ash"),
}


def register(path: Path, marks: dict[str, tuple[str, str]], day: date = DAY) -> Path:
    """A long register (one row per pupil and day) as the MIS exports it."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    for key, (am, pm) in marks.items():
        writer.writerow([*PUPILS[key], f"{day:%d/%m/%Y}", am, pm])
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


MORNING = {"ava": ("N", ""), "ben": ("N", ""), "lucja": ("/", ""), "dan": ("/", "")}
AFTERNOON = {"ava": ("N", "N"), "ben": ("N", "N"), "lucja": ("/", "\\"), "dan": ("/", "N")}


@pytest.fixture
def school(db: Database) -> dict[str, int]:
    ids = build_school(db, last_day=date(2024, 10, 8))
    with db.session() as s:  # UPNs with their right DfE check letters, as an import needs
        for key, (upn, *_rest) in PUPILS.items():
            pupil = s.get(Pupil, ids[key])
            assert pupil is not None
            pupil.upn = upn
    return ids


def mark(db: Database, pupil_id: int, session: str) -> tuple[str, str]:
    with db.session() as s:
        m = s.get(Mark, (pupil_id, DAY, session))
        assert m is not None
        return m.code, m.source


def morning_and_calls(db: Database, school: dict[str, int], tmp_path: Path) -> None:
    apply_import(db, [register(tmp_path / "morning.csv", MORNING)], imported_by="office")
    assert {e.pupil_id for e in first_day_calls(db, DAY)} == {school["ava"], school["ben"]}
    at = datetime(2024, 10, 9, 9, 12)
    log_call(db, school["ava"], DAY, "spoke", "Mrs Sarah Brown", reason_given="sick",
             code="I", recode=True, recorded_by="jo", at=at)  # fmt: skip
    log_call(db, school["ben"], DAY, "spoke", "Mrs Sarah Brown", reason_given="dentist",
             code="M", recode=True, recorded_by="jo", at=at)  # fmt: skip


def test_a_reason_covers_the_afternoon_imported_later(db: Database, school, tmp_path) -> None:  # noqa: ANN001
    morning_and_calls(db, school, tmp_path)
    assert first_day_calls(db, DAY) == ()
    afternoon = register(tmp_path / "afternoon.csv", AFTERNOON)
    preview = preview_import(db, [afternoon])
    notes = " ".join(preview.files[0].warnings)
    assert "Ava Brown 09/10/2024 PM: N in the file; the office's code I is kept" in notes
    assert "Ben Brown 09/10/2024 PM: N in the file; the office's code M is kept" in notes
    result = apply_import(db, [afternoon], imported_by="office")
    # 4 PM marks are new: Ava's and Ben's with the office's codes, Łucja's and Dan's as sent
    assert result.files[0].marks_added == 4
    assert mark(db, school["ava"], "PM") == ("I", "office")
    assert mark(db, school["ben"], "PM") == ("M", "office")
    assert mark(db, school["dan"], "PM") == ("N", "mis")
    # Only Dan (PM N) is on the day's call list now
    assert [(e.pupil_id, e.sessions) for e in first_day_calls(db, DAY)] == [
        (school["dan"], (("PM", "N"),))
    ]


def test_the_changes_for_the_mis_until_the_mis_agrees(db: Database, school, tmp_path) -> None:  # noqa: ANN001
    morning_and_calls(db, school, tmp_path)
    apply_import(db, [register(tmp_path / "afternoon.csv", AFTERNOON)], imported_by="office")
    listed = [(c.pupil, c.session, c.mis_code, c.office_code, c.who) for c in changes_for_mis(db)]
    assert listed == [
        ("Brown, Ava", "AM", "N", "I", "jo"),
        ("Brown, Ben", "AM", "N", "M", "jo"),
        ("Brown, Ava", "PM", "N", "I", "jo"),
        ("Brown, Ben", "PM", "N", "M", "jo"),
    ]
    assert all(c.why.startswith("First-day call: ") for c in changes_for_mis(db))
    assert changes_for_mis(db, date(2024, 10, 8)) == ()
    # The officer enters Ava's I in the MIS; the next export agrees for Ava, not yet for Ben
    corrected = dict(AFTERNOON, ava=("I", "I"))
    apply_import(db, [register(tmp_path / "corrected.csv", corrected)], imported_by="office")
    assert [(c.pupil, c.session) for c in changes_for_mis(db, DAY)] == [
        ("Brown, Ben", "AM"),
        ("Brown, Ben", "PM"),
    ]
    assert mark(db, school["ava"], "AM") == ("I", "office")  # the mark itself is unchanged


def test_the_call_records_the_time_of_day(db: Database, school, tmp_path) -> None:  # noqa: ANN001
    from attendance_desk.services.timeline import timeline

    morning_and_calls(db, school, tmp_path)
    calls = [e for e in timeline(db, school["ava"]) if e.kind == "phone_call"]
    assert calls[0].details.time == "09:12" and calls[0].summary.startswith("09:12 Call to")


def test_changes_for_mis_on_the_command_line(db: Database, school, tmp_path) -> None:  # noqa: ANN001
    morning_and_calls(db, school, tmp_path)
    db_path = str(db.path)
    db.close()
    run = [sys.executable, "-m", "attendance_desk", "--db", db_path, "changes-for-mis"]
    out = subprocess.run([*run, "--date", "2024-10-09", "--format", "json"],
                         capture_output=True, text=True, check=True).stdout  # fmt: skip
    rows = json.loads(out)
    assert [(r["pupil"], r["session"], r["mis_code"], r["office_code"]) for r in rows] == [
        ("Brown, Ava", "AM", "N", "I"),
        ("Brown, Ben", "AM", "N", "M"),
    ]
    text = subprocess.run([*run, "--date", "2024-10-08"], capture_output=True, text=True,
                          check=True).stdout  # fmt: skip
    assert text.splitlines() == [",".join(
        ["upn", "pupil", "reg_group", "date", "session", "mis_code", "office_code", "why", "who",
         "changed_at"])]  # fmt: skip
