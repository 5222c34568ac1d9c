"""The half-termly letter each family gets, as the policy decides, read back from the PDF.

The letters school's registers are carried on to Friday 15 November 2024 (Autumn 2), every pupil
present from 21 October, so by hand (Autumn 1 = 80 sessions, 2 Sep - 25 Oct; Autumn 2 to date =
20 sessions):
  Łucja    2 missed: Autumn 1 97.5%, year 98/100 = 98.0%  -> standard (never below)
  Zoë      8 missed: Autumn 1 90.0%, Autumn 2 100%, year 92.0% -> improvement (+10 points)
  Nguyễn  14 missed, open case at Listen and Understand    -> adapted
  Ólafur   0 missed: 100%                                  -> standard
  Max     30 missed: Autumn 1 62.5%, Autumn 2 100%         -> improvement
  Amara    5 missed: Autumn 1 93.75%, Autumn 2 100%        -> improvement
  Kofi     3 missed: Autumn 1 96.25% (not below before)    -> standard, year 97.0%
"""

from __future__ import annotations

import sys
from datetime import date, timedelta
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from letters_school import has_poppler, make_school, pdf_text  # noqa: E402

from attendance_desk.domain.pathway import Stage  # noqa: E402
from attendance_desk.services.cases import open_case  # noqa: E402
from attendance_desk.services.letter_register import letters_for_pupil, print_letters  # noqa: E402
from attendance_desk.services.letter_sources import Selection  # noqa: E402
from attendance_desk.services.letters import ComposeOptions, compose, render  # noqa: E402
from attendance_desk.storage.db import Database  # noqa: E402

AS_OF = date(2024, 11, 15)
needs_poppler = pytest.mark.skipif(not has_poppler(), reason="poppler is not installed")


def carry_on_to_autumn_2(db: Database, ids: dict[str, int]) -> None:
    days = [date(2024, 10, 21) + timedelta(days=i) for i in range(5)]
    days += [date(2024, 11, 4) + timedelta(days=i) for i in range(12) if i % 7 < 5]
    conn = db.raw_connection()
    try:
        conn.executemany(
            "INSERT INTO marks (pupil_id, date, session, code, source, updated_at) "
            "VALUES (?, ?, ?, ?, 'mis', '2024-11-15 09:00:00')",
            [
                (pid, day.isoformat(), session, "/" if session == "AM" else "\\")
                for pid in ids.values()
                for day in days
                for session in ("AM", "PM")
            ],
        )
        conn.commit()
    finally:
        conn.close()


@pytest.fixture
def school(db: Database) -> dict[str, int]:
    ids = make_school(db)
    carry_on_to_autumn_2(db, ids)
    open_case(
        db,
        ids["A100000000003"],
        date(2024, 10, 1),
        "Miss Davidson-Marriott",
        "agreed with the family after the meeting",
        stage=Stage.LISTEN_AND_UNDERSTAND,
    )
    return ids


def by_pupil(text: str) -> dict[str, str]:
    """Each letter's first page by the pupil named in its "Re:" line (posted copies skipped)."""
    out: dict[str, str] = {}
    for page in text.split("\f"):
        for line in page.splitlines():
            if "Re: " in line:
                out.setdefault(line.split("Re: ")[1].split(",")[0].strip(), page)
                break
    return out


@needs_poppler
def test_each_family_gets_the_letter_the_policy_decides(
    db: Database, school: dict[str, int], tmp_path: Path
) -> None:
    comp = compose(
        db, "half_termly", Selection(whole_school=True), AS_OF, ComposeOptions(letter_date=AS_OF)
    )
    assert dict(comp.variant_counts()) == {
        "Half-termly attendance letter": 3,
        "Improvement letter (well done)": 4,  # Zoë's goes to both parents
        "Adapted half-termly letter (families already working with us)": 1,
    }
    path = tmp_path / "school.pdf"
    path.write_bytes(render(comp))
    pages = by_pupil(pdf_text(path))
    standard, adapted = "We write to every family", "already working closely with us"
    improvement = "has really improved"
    expected = {
        "Łucja Kowalska": standard,
        "Zoë O'Brien": improvement,
        "Nguyễn Văn An": adapted,
        "Ólafur Jónsson": standard,
        "Maximilian-Alexander Featherstonehaugh-Montgomery": improvement,
        "Amara Okafor": improvement,
        "Kofi Okafor": standard,
    }
    for pupil, words in expected.items():
        page = " ".join(pages[pupil].split())
        assert words in page, pupil
        for other in {standard, adapted, improvement} - {words}:
            assert other not in page, (pupil, other)
    assert "Well done, Zoë!" in pages["Zoë O'Brien"]
    assert "100.0%" in pages["Zoë O'Brien"]  # Autumn 2, the half term it praises

    # the register keeps which letter each family got
    printed = print_letters(db, comp, printed_by="office", pdf=path.read_bytes())
    assert printed.letters == 8
    kept = letters_for_pupil(db, school["A100000000003"])
    assert [(k.template_id, k.template_title) for k in kept] == [
        ("half_termly_adapted", "Adapted half-termly letter (families already working with us)")
    ]
    assert {k.template_id for k in letters_for_pupil(db, school["A100000000002"])} == {
        "improvement"
    }


@needs_poppler
def test_no_pupil_at_or_above_the_expectation_is_told_they_are_below_it(
    db: Database, school: dict[str, int], tmp_path: Path
) -> None:
    """The standard letter for everyone (variants off): Zoë has 100% this half term but 92.0%
    for the year, so she is told she is below for the year, in the year's words."""
    comp = compose(
        db,
        "half_termly",
        Selection(whole_school=True),
        AS_OF,
        ComposeOptions(letter_date=AS_OF, variants=False),
    )
    path = tmp_path / "school.pdf"
    path.write_bytes(render(comp))
    pages = {k: " ".join(v.split()) for k, v in by_pupil(pdf_text(path)).items()}
    year = {
        "Łucja Kowalska": "98.0%",
        "Zoë O'Brien": "92.0%",
        "Ólafur Jónsson": "100.0%",
        "Amara Okafor": "95.0%",
        "Kofi Okafor": "97.0%",
    }
    for pupil, pct in year.items():
        page = pages[pupil]
        assert f"attendance so far this school year is {pct}" in page, pupil
        below = "below what we expect" in page
        assert below == (float(pct[:-1]) < 96), pupil
        if below:  # the claim names its period, the year, as the figure does
            assert "So far this school year, " + pupil.split()[0] in page
    zoe = pages["Zoë O'Brien"]
    assert "Attendance this half term (Autumn 2) 100.0%" in zoe
    # the only words about this half term's attendance are the figure's own label
    assert "attendance this half term" not in zoe.lower().replace(
        "attendance this half term (autumn 2)", ""
    )


def _reading_order(path: Path) -> str:
    """The PDF's text in reading order (a wrapped table cell stays in one piece)."""
    import subprocess

    return subprocess.run(
        ["pdftotext", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


@needs_poppler
def test_the_cover_sheets_name_the_letters_in_each_bundle(
    db: Database, school: dict[str, int], tmp_path: Path
) -> None:
    """3B: Łucja and Kofi standard, Zoë improvement, Nguyễn adapted; 4K: Ólafur standard, Max
    and Amara improvement; the post: Zoë's copy for her other parent (improvement)."""
    from attendance_desk.services.letter_register import reprint_batch

    comp = compose(
        db, "half_termly", Selection(whole_school=True), AS_OF, ComposeOptions(letter_date=AS_OF)
    )
    path = tmp_path / "school.pdf"
    path.write_bytes(render(comp))
    covers = [
        " ".join(p.split())
        for p in _reading_order(path).split("\f")
        if "Cover sheet" in p or "For the office" in p
    ]
    assert len(covers) == 3
    three_b, four_k, post = covers
    assert "3B" in three_b and "Letters in this bundle 4" in three_b
    assert "Half-termly attendance letter: 2" in three_b
    assert "Adapted half-termly letter (families already working with us): 1" in three_b
    assert "Improvement letter (well done): 1" in three_b
    assert "4K" in four_k and "Half-termly attendance letter: 1" in four_k
    assert "Improvement letter (well done): 2" in four_k and "Adapted" not in four_k
    assert "Letters to post 1" in post and "Letter Improvement letter (well done)" in post
    assert "Half-termly attendance letter" not in post
    # kept as printed: the batch reprints byte for byte with its covers
    printed = print_letters(db, comp, printed_by="office", pdf=path.read_bytes())
    assert reprint_batch(db, printed.batch_id) == path.read_bytes()
