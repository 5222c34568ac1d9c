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
