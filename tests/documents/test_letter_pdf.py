"""Letters as PDFs, read back with poppler: A4, page counts, every name intact, reproducible."""

from __future__ import annotations

import sys
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from letters_school import _logo_png, has_poppler, pdf_info, pdf_text, word_boxes  # noqa: E402

from attendance_desk.documents.batch import CoverSheet, build_batch_pdf  # noqa: E402
from attendance_desk.domain.letter_fields import (  # noqa: E402
    AttendanceFacts,
    PupilFacts,
    Recipient,
    SchoolFacts,
    build_letter,
)
from attendance_desk.domain.letters import Letterhead, parse_template  # noqa: E402
from attendance_desk.paths import resource  # noqa: E402

pytestmark = pytest.mark.skipif(not has_poppler(), reason="poppler (pdftotext) is not installed")

NAMES = [
    ("Łucja", "Kowalska"),
    ("Zoë", "Zielińska"),
    ("Nguyễn", "Văn An"),
    ("Ólafur", "Jónsson"),
    ("Seán", "O'Brien"),
]
SCHOOL = SchoolFacts(
    "St Łucja's C of E Primary School",
    ("1 Church Lane", "Clifford"),
    "BS1 1AA",
    "0117 496 0000",
    "office@school.example",
    "Mr Krabbendam",
    "Miss Davidson-Marriott",
)
HEAD = Letterhead(SCHOOL.name, ("1 Church Lane", "Clifford", "BS1 1AA"), "Tel 0117 496 0000")
FIG = AttendanceFacts(
    140,
    131,
    6,
    3,
    1,
    date(2024, 9, 2),
    date(2024, 12, 13),
    "Autumn 2",
    60,
    55,
    "Amber",
    "#f9a825",
    "Attendance Team",
    ("Discussed by the Attendance Team",),
)


def template(tid: str = "half_termly"):  # noqa: ANN201
    return parse_template(resource("templates", f"{tid}.txt").read_text(encoding="utf-8"))


def letters(post: bool = False) -> list:
    out = []
    for i, (fore, sur) in enumerate(NAMES, start=1):
        recipient = Recipient(
            i,
            f"Parent {sur}-Wiśniewska-Featherstonehaugh",
            "Mrs",
            (
                "Flat 12, Długa House, 1234 Extraordinarily Long Street Name Going On And On Forever",
            ),
            "BS1 2AB",
            book_bag=not post,
        )
        out.append(
            build_letter(
                template(),
                [(PupilFacts(i, fore, sur, "3B", "3"), FIG)],
                SCHOOL,
                HEAD,
                recipient,
                date(2024, 12, 13),
            )
        )
    return out


def write(tmp_path: Path, items: list, name: str = "out.pdf", logo: bytes | None = None) -> Path:
    path = tmp_path / name
    path.write_bytes(build_batch_pdf(items, HEAD, logo, "Letters"))
    return path


def test_a4_one_page_per_letter_with_every_name_intact(tmp_path: Path) -> None:
    items = [CoverSheet("3B", "Mrs Smith", 5, "Half-termly attendance letter", "13 December 2024")]
    items += letters(post=True)
    path = write(tmp_path, items, logo=_logo_png())
    info = pdf_info(path)
    assert info["Page size"].startswith("595.276 x 841.89")
    assert info["Pages"] == "6"
    text = pdf_text(path)
    for fore, sur in NAMES:
        assert f"{fore} {sur}" in text
        assert f"Parent {sur}-Wiśniewska-Featherstonehaugh" in text
    assert "93.6%" in text and "Class teacher" in text and "Mrs Smith" in text
    assert "{" not in text and "None" not in text
    assert "Page 1 of" not in text  # one-page letters carry no page numbers


def test_long_address_stays_inside_the_envelope_window(tmp_path: Path) -> None:
    path = write(tmp_path, letters(post=True)[:1])
    boxes = word_boxes(path, 1)
    address = letters(post=True)[0].addressee
    wanted = [w for line in address for w in line.split()]
    # the address block: the words after the date, up to the salutation
    start = next(i for i, b in enumerate(boxes) if b[0] == "Mrs")
    found = boxes[start : start + len(wanted)]
    assert [b[0] for b in found] == wanted  # every word, in order, none cut off
    for _word, x0, y0, x1, y1 in found:  # DL window: 20-110 mm across, 50-85 mm down
        assert 20 <= x0 < x1 <= 110 and 50 <= y0 < y1 <= 85, (_word, x0, y0, x1, y1)


def test_fonts_are_embedded(tmp_path: Path) -> None:
    import subprocess

    path = write(tmp_path, letters()[:1])
    fonts = subprocess.run(["pdffonts", str(path)], capture_output=True, text=True).stdout
    if fonts:
        rows = [line for line in fonts.splitlines()[2:] if "TrueType" in line]
        assert len(rows) >= 2 and all(" yes " in row for row in rows)  # DejaVu, embedded


def test_a_long_letter_runs_over_with_page_numbers(tmp_path: Path) -> None:
    long = letters()[0]
    body = "\n\n".join(["A paragraph that goes on for a while to fill the page. " * 6] * 12)
    long = replace(long, sections=(replace(long.sections[0], body=body),))
    short = letters()[1]
    path = write(tmp_path, [long, short])
    text = pdf_text(path)
    pages = int(pdf_info(path)["Pages"]) - 1  # the short letter has one page
    assert pages >= 2
    assert f"Page 1 of {pages}" in text and f"Page {pages} of {pages}" in text
    assert text.count("Page 1 of") == 1  # the one-page letter has no number
    assert "(continued)" in text


def test_output_is_byte_for_byte_reproducible(tmp_path: Path) -> None:
    items = letters()
    logo = _logo_png()
    assert build_batch_pdf(items, HEAD, logo, "x") == build_batch_pdf(items, HEAD, logo, "x")


def test_markup_in_names_is_printed_not_interpreted(tmp_path: Path) -> None:
    letter = letters()[0]
    letter = replace(letter, addressee=("Mr <b>Smith</b> & Sons",))
    text = pdf_text(write(tmp_path, [letter]))
    assert "Mr <b>Smith</b> & Sons" in text
