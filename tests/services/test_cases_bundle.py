"""The evidence bundle PDF: summary, calendar of marks and chronology, names in any alphabet."""

from __future__ import annotations

import re
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from casework_school import DAY, build_school

from attendance_desk.domain.events import Meeting, Note
from attendance_desk.domain.pathway import Stage
from attendance_desk.services.cases import change_stage
from attendance_desk.services.evidence_bundle import evidence_bundle_data, write_evidence_bundle
from attendance_desk.services.timeline import add_event


def test_bundle_data_and_pdf(db, tmp_path: Path) -> None:  # noqa: ANN001
    ids = build_school(db)
    lucja = ids["lucja"]
    change_stage(db, lucja, Stage.MONITOR, date(2024, 9, 20), "Ms Ellis", "Below 96%")
    add_event(
        db,
        [lucja],
        Meeting("informal", "09:00", "Office", ("Ms Ellis", "Mai Nguyễn"), True, "Plan agreed"),
        date(2024, 9, 25),
        "Ms Ellis",
    )
    add_event(
        db, [lucja], Note("Đã gọi điện: mum rang about the bus"), date(2024, 10, 1), "Ms Ellis"
    )
    data = evidence_bundle_data(db, lucja, DAY)
    assert data.figures.possible == 2 * 28 and data.figures.attended == 2 * 28
    assert [e.kind for e in data.chronology] == ["stage_change", "meeting", "note"]  # oldest first
    path = write_evidence_bundle(db, lucja, DAY, tmp_path / "bundle.pdf")
    assert path.read_bytes().startswith(b"%PDF")
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler is not installed")
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    for expected in (
        "Łucja Nguyễn",
        "Attendance summary",
        "Calendar of marks",
        "Chronology",
        "Đã gọi điện",
        "100.00%",
    ):
        assert expected in text
    pages = subprocess.run(
        ["pdfinfo", str(path)], capture_output=True, text=True, check=True
    ).stdout
    assert re.search(r"^Pages:\s+2$", pages, re.M)


def test_the_bundle_tells_the_truth_as_of_its_date(db, tmp_path: Path) -> None:  # noqa: ANN001
    """A meeting planned after the date is not in it; one planned before and not recorded
    shows as planned; the Enforce reason is in it; a letter noted twice is listed once."""
    from attendance_desk.domain.events import LetterSent

    ids = build_school(db)
    ava = ids["ava"]
    change_stage(db, ava, Stage.FORMALISE, date(2024, 9, 20), "Ms Ellis", "Below 90%")
    add_event(db, [ava], Meeting("fam", "09:15", "Head's office"), date(2024, 10, 7), "Ms Ellis")
    add_event(db, [ava], Meeting("fam", "10:00", "Office"), date(2024, 10, 16), "Ms Ellis")
    add_event(db, [ava], LetterSent("Pathway letter 1", 7), date(2024, 10, 1), "Ms Ellis")
    add_event(db, [ava], LetterSent("Pathway letter 1", 7), date(2024, 10, 1), "Ms Ellis")
    change_stage(
        db,
        ava,
        Stage.ENFORCE,
        DAY,
        "Ms Ellis",
        "Holiday in term time",
        support_not_appropriate="The family booked a holiday; they named no barriers to attendance",
        support_considered=("Home visit",),
    )
    data = evidence_bundle_data(db, ava, DAY)
    kinds = [(e.date, e.label) for e in data.chronology]
    assert kinds == [
        (date(2024, 9, 20), "Stage change"),
        (date(2024, 10, 1), "Letter sent"),
        (date(2024, 10, 7), "Meeting (planned)"),
        (date(2024, 10, 9), "Stage change"),
    ]
    path = write_evidence_bundle(db, ava, DAY, tmp_path / "bundle.pdf")
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler is not installed")
    text = subprocess.run(
        ["pdftotext", "-raw", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    flat = " ".join(text.split())
    assert "Formal attendance meeting (FAM), 09:15, at Head's office: planned" in flat
    assert "16/10/2024" not in flat
    assert "Support considered: Home visit" in flat
    assert "no barriers to attendance" in flat
    assert flat.count("Letter sent: Pathway letter 1") == 1
