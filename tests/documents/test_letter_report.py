"""The half-termly attendance report for the head and governors, read back with poppler."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from letters_school import AS_OF, has_poppler, make_school, pdf_info, pdf_text  # noqa: E402

from attendance_desk.storage.db import Database  # noqa: E402

pytest.importorskip("attendance_desk.services.monitoring")


@pytest.mark.skipif(not has_poppler(), reason="poppler is not installed")
def test_report_has_figures_groups_and_absence_lists(db: Database, tmp_path: Path) -> None:
    from attendance_desk.services.reports import half_term_report, half_term_report_pdf

    make_school(db)
    report = half_term_report(db, AS_OF)
    assert report.school.pupils == 7
    assert [p.name for p in report.persistent] == [
        "Maximilian-Alexander Featherstonehaugh-Montgomery",
        "Nguyễn Văn An",
        "Zoë O'Brien",
    ]
    path = tmp_path / "report.pdf"
    path.write_bytes(half_term_report_pdf(db, AS_OF))
    assert pdf_info(path)["Page size"].startswith("595.276 x 841.89")
    text = pdf_text(path)
    for needle in (
        "Whole school",
        "Groups",
        "Persistent absence",
        "Nguyễn Văn An",
        "Year 3",
        "94.5%",
        "Attendance by year group",
    ):
        assert needle in text
    assert "None" not in text.replace("None.", "")
    # the national figures name their year, and the chart's line is the table's attendance
    from attendance_desk.domain.national import NATIONAL_PRIMARY_FULL as national

    assert f"National (primary, {national.year})" in text
    assert f"(red: national {national.attendance_pct:g}%)" in text
    assert f"primary schools in England, {national.year}." in " ".join(text.split())  # footnote
    assert half_term_report_pdf(db, AS_OF) == path.read_bytes()
