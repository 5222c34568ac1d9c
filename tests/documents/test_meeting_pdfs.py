"""The meeting papers read back with poppler: exactly the pupils the policy puts on each."""

from __future__ import annotations

import re
import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from meetings_school import PUPILS, WEEK_END, make_school, pdf_pages, pdf_text  # noqa: E402

from attendance_desk.storage.db import Database  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="no poppler")


def on_page(text: str) -> set[str]:
    return {name for name in PUPILS if name in text}


def section(page: str, heading: str) -> str:
    """The text from a heading to the next bold heading line (a line ending in ': N')."""
    start = page.index(heading)
    rest = page[start + len(heading) :]
    end = re.search(r"\n ?\S[^\n]*: \d+\n", rest)
    return rest[: end.start()] if end else rest


def test_weekly_report_lists_exactly_each_classes_band_pupils(db: Database, tmp_path: Path) -> None:
    from attendance_desk.services.weekly_report import weekly_report_pdf

    make_school(db)
    path = tmp_path / "weekly.pdf"
    path.write_bytes(weekly_report_pdf(db, WEEK_END))
    assert pdf_pages(path) == 2
    b3, k4 = pdf_text(path).split("\f")[:2]
    assert "class 3B" in b3 and "class 4K" in k4
    band = "Pupils in the band Class teacher (93-95.99%): "
    assert on_page(section(b3, band + "1")) == {"Ben Edge"}
    assert on_page(section(k4, band + "1")) == {"Jo Late"}
    assert on_page(section(k4, "Absent for a week or more (tell SLT): 1")) == {"Hal Run"}
    assert on_page(section(k4, "Late this week: 1")) == {"Jo Late"}
    assert on_page(section(b3, "Band changes since last week: 2")) == {"Ben Edge", "Cara Miss"}
    assert "92.2% (below the expectation)" in b3 and "94.3%" in b3
    one = tmp_path / "4K.pdf"
    one.write_bytes(weekly_report_pdf(db, WEEK_END, "4K"))
    assert pdf_pages(one) == 1 and "class 4K" in pdf_text(one)


def test_agendas_hold_exactly_the_pupils_sent_and_last_times_actions(
    db: Database, tmp_path: Path
) -> None:
    from datetime import date

    from attendance_desk.services.meetings import ActionInput, agenda_pdf, record_agreed_actions

    ids = make_school(db)
    for meeting, expected in (
        ("slt", {"Fay Falling", "Dan Ninety", "Hal Run"}),
        ("family-hub", {"Fay Falling", "Gus Flat", "Eve Hub", "Kim Ill"}),
    ):
        path = tmp_path / f"{meeting}.pdf"
        path.write_bytes(agenda_pdf(db, meeting, WEEK_END))
        text = pdf_text(path)
        assert on_page(text) == expected, meeting
        assert f"{len(expected)} pupils on the agenda" in text  # never "pupil(s)"
    record_agreed_actions(
        db,
        "slt",
        WEEK_END,
        [ActionInput(ids["Dan Ninety"], "SLT phone call to parents", "Mrs Head", date(2025, 4, 4))],
    )
    path = tmp_path / "next.pdf"
    path.write_bytes(agenda_pdf(db, "slt", date(2025, 4, 4)))
    text = " ".join(pdf_text(path).split())
    assert "SLT phone call to parents (Mrs Head, by 04/04/2025; open)" in text
