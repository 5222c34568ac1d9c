"""The whole school in one batch: class order, book bags apart from the post, the carer named.

Read back from the PDF with poppler, page by page."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from letters_school import AS_OF, has_poppler, make_school, pdf_text, word_boxes  # noqa: E402

from attendance_desk.services.letter_sources import Selection, set_class_teacher  # noqa: E402
from attendance_desk.services.letters import ComposeOptions, compose, render  # noqa: E402
from attendance_desk.storage.db import Database  # noqa: E402
from attendance_desk.storage.models import Contact, Pupil  # noqa: E402

needs_poppler = pytest.mark.skipif(not has_poppler(), reason="poppler is not installed")


def add_pupil(
    db: Database, like: int, *, forename: str, surname: str, cls: str, **kw: object
) -> int:
    """A pupil with the same marks as pupil `like` (so the letter has figures)."""
    contacts = kw.pop("contacts", [])
    with db.session() as s:
        pupil = Pupil(
            upn=None,
            legal_forename=forename,
            legal_surname=surname,
            year_group=cls[0],
            reg_group=cls,
            admission_date=date(2020, 9, 1),
            **kw,
        )
        pupil.contacts = list(contacts)  # type: ignore[arg-type]
        s.add(pupil)
        s.flush()
        new_id = pupil.id
    conn = db.raw_connection()
    try:
        conn.execute(
            "INSERT INTO marks (pupil_id, date, session, code, source, updated_at) "
            "SELECT ?, date, session, code, source, updated_at FROM marks WHERE pupil_id = ?",
            (new_id, like),
        )
        conn.commit()
    finally:
        conn.close()
    return new_id


def looked_after_child(db: Database, ids: dict[str, int]) -> int:
    return add_pupil(
        db,
        ids["A100000000004"],
        forename="Tia",
        surname="Marsh",
        cls="4K",
        looked_after=True,
        contacts=[
            Contact(
                priority=1,
                title="Mrs",
                name="Jane Holloway",
                relationship_to_pupil="Foster carer",
                address_line1="12 Orchard Way",
                address_line2="Clifford",
                postcode="BS7 7HH",
                parental_responsibility=False,
                lives_with_pupil=True,
            ),
            Contact(
                priority=2,
                title="Mr",
                name="Sam Patel",
                relationship_to_pupil="Social worker",
                address_line1="County Hall",
                address_line2="Children's Services",
                postcode="BS1 9CC",
                parental_responsibility=False,
                lives_with_pupil=False,
            ),
        ],
    )


def pages(path: Path) -> list[str]:
    return pdf_text(path).split("\f")[:-1]


@needs_poppler
def test_whole_school_in_class_order_with_the_post_last(db: Database, tmp_path: Path) -> None:
    ids = make_school(db)
    looked_after_child(db, ids)
    add_pupil(  # left before the date: not on roll, no letter
        db,
        ids["A100000000004"],
        forename="Gone",
        surname="Aardvark",
        cls="3B",
        leaving_date=date(2024, 10, 1),
        contacts=[Contact(priority=1, name="Left Parent", address_line1="1 Road")],
    )
    set_class_teacher(db, "4K", "Mr Tom Reid")
    comp = compose(
        db,
        "half_termly",
        Selection(whole_school=True),
        AS_OF,
        ComposeOptions(letter_date=AS_OF, variants=False),
    )
    path = tmp_path / "school.pdf"
    path.write_bytes(render(comp))
    text = pages(path)

    # each page is a cover sheet or a letter; a letter's first page names the pupil in "Re:"
    sequence: list[str] = []
    for page in text:
        if "(continued)" in page.splitlines()[0]:
            continue  # a letter's later page
        if "Letters for book bags" in page:
            cls = "3B" if "Class                        3B" in page else "4K"
            bundle = page.split("Letters in this bundle")[1].split()[0]
            sequence.append(f"cover {cls} {bundle}")
        elif "Letters for the post" in page:
            sequence.append("cover post " + page.split("Letters to post")[1].split()[0])
        else:
            re_line = next(line for line in page.splitlines() if "Re: " in line)
            sequence.append(re_line.split("Re: ")[1].split(",")[0].strip())
    assert sequence == [
        "cover 3B 4",  # the split family's posted copy is not in the bag count
        "Łucja Kowalska",
        "Zoë O'Brien",
        "Kofi Okafor",
        "Nguyễn Văn An",
        "cover 4K 3",  # the looked-after child's letters go by post
        "Maximilian-Alexander Featherstonehaugh-Montgomery",
        "Ólafur Jónsson",
        "Amara Okafor",
        "cover post 3",
        "Zoë O'Brien",  # to her father, who lives apart
        "Tia Marsh",  # to her foster carer ...
        "Tia Marsh",  # ... and a copy to her social worker
    ]
    assert "Aardvark" not in "".join(text)
    assert "Mr Tom Reid" in text[5]

    carer, worker = text[11], text[12]
    assert "Dear Mrs Holloway," in carer and "Mrs Jane Holloway" in carer
    assert "12 Orchard Way" in carer and "Parent/Carer" not in carer
    assert "Dear Mr Patel," in worker and "County Hall" in worker
    # the carer's address shows in a DL window (20-110 mm across, 50-85 mm down)
    boxes = word_boxes(path, 12)
    for word in ("Mrs", "Holloway", "Orchard", "BS7", "7HH"):
        _w, x0, y0, x1, y1 = next(b for b in boxes if b[0] == word)
        assert 20 <= x0 < x1 <= 110 and 50 <= y0 < y1 <= 85, (word, x0, y0, x1, y1)
    assert [letter.postal for letter in comp.letters] == [False] * 7 + [True] * 3


def test_no_choice_of_pupils_is_not_the_whole_school(db: Database) -> None:
    from attendance_desk.errors import UserError

    make_school(db)
    with pytest.raises(UserError, match="choose the pupils"):
        compose(db, "half_termly", Selection(), AS_OF)
    with pytest.raises(UserError, match="choose the pupils"):
        compose(db, "half_termly", Selection(upns=()), AS_OF)
