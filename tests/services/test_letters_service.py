"""Composing, printing and keeping letters for a small school in a real SQLite file."""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from letters_school import AS_OF, has_poppler, make_school, pdf_info, pdf_text  # noqa: E402

from attendance_desk.documents.batch import CoverSheet  # noqa: E402
from attendance_desk.domain.letters import LetterFieldError, LetterTemplateError  # noqa: E402
from attendance_desk.errors import UserError  # noqa: E402
from attendance_desk.services.letter_register import (  # noqa: E402
    letter_register,
    letters_for_pupil,
    merged_text,
    print_letters,
    reprint_batch,
    reprint_letter,
)
from attendance_desk.services.letter_sources import Selection, set_class_teacher  # noqa: E402
from attendance_desk.services.letters import (  # noqa: E402
    ComposeOptions,
    compose,
    edit_letter,
    get_template,
    list_templates,
    render,
    reset_template,
    save_template,
)
from attendance_desk.storage.db import Database  # noqa: E402


@pytest.fixture
def db(backend_db: Database) -> Database:
    """Each test here runs on SQLite and on PostgreSQL (tests/conftest.py: backend_db)."""
    return backend_db


needs_poppler = pytest.mark.skipif(not has_poppler(), reason="poppler is not installed")
DAY = date(2024, 10, 18)


@pytest.fixture
def school(db: Database) -> dict[str, int]:
    return make_school(db)


def test_templates_list_every_shipped_letter(db: Database) -> None:
    ids = [t.id for t in list_templates(db)]
    assert "half_termly" in ids and "leave_reply" in ids and len(ids) >= 15


@needs_poppler
def test_class_batch_sorted_with_cover_sheet_and_split_family_copy(
    db: Database, school: dict[str, int], tmp_path: Path
) -> None:
    set_class_teacher(db, "3B", "Mrs Bethany Smith")
    comp = compose(
        db, "half_termly", Selection(class_name="3B"), AS_OF, ComposeOptions(letter_date=DAY)
    )
    surnames = [letter.sort_surname for letter in comp.letters]
    # book bags by surname, then the copy posted to the parent who lives apart
    assert surnames == ["Kowalska", "O'Brien", "Okafor", "Văn An", "O'Brien"]
    assert isinstance(comp.items[0], CoverSheet)
    assert comp.items[0].letters == 4 and comp.items[0].teacher == "Mrs Bethany Smith"
    copies = [letter for letter in comp.letters if letter.sort_surname == "O'Brien"]
    assert copies[0].addressee[0] == "To the parent/carer of Zoë O'Brien"
    assert copies[1].addressee[0] == "Mr Declan O'Brien"  # lives apart: posted
    assert [letter.postal for letter in comp.letters] == [False] * 4 + [True]
    path = tmp_path / "3B.pdf"
    path.write_bytes(render(comp))
    info = pdf_info(path)
    assert info["Page size"].startswith("595.276 x 841.89") and info["Pages"] == "7"
    text = pdf_text(path)
    for name, pct in [
        ("Łucja Kowalska", "97.1%"),
        ("Zoë O'Brien", "88.6%"),
        ("Nguyễn Văn An", "80.0%"),
        ("Kofi Okafor", "95.7%"),
    ]:
        assert name in text and pct in text
    for parent in ("Anna Kowalska-Wiśniewska", "Siobhán O'Brien", "Declan O'Brien", "Ngozi Okafor"):
        assert parent in text
    assert "Class 3B" in text and "Mrs Bethany Smith" in text
    assert "{" not in text and "}" not in text and "None" not in text


def test_choose_by_band_concern_and_upn(db: Database, school: dict[str, int]) -> None:
    red = compose(db, "half_termly", Selection(band="red"), AS_OF)
    assert {letter.sort_surname for letter in red.letters} == {
        "O'Brien",
        "Văn An",
        "Featherstonehaugh-Montgomery",
    }
    pa = compose(db, "pathway_1", Selection(concern="persistent_absence"), AS_OF)
    assert {letter.pupil_ids[0] for letter in pa.letters} == {
        school["A100000000002"],
        school["A100000000003"],
        school["A100000000005"],
    }
    with pytest.raises(UserError, match="no pupils"):
        compose(db, "pathway_1", Selection(concern="severe_absence"), AS_OF)
    with pytest.raises(UserError, match="no concern rule"):
        compose(db, "pathway_1", Selection(concern="bogus"), AS_OF)
    one = compose(db, "improvement", Selection(upns=("A100000000004",)), AS_OF)
    assert [letter.pupil_name for letter in one.letters] == ["Ólafur Jónsson"]
    with pytest.raises(UserError, match="no band 'purple'"):
        compose(db, "half_termly", Selection(band="purple"), AS_OF)
    with pytest.raises(UserError, match="UPN"):
        compose(db, "half_termly", Selection(upns=("Z999",)), AS_OF)


def test_one_letter_per_family_goes_in_the_youngest_bag(
    db: Database, school: dict[str, int]
) -> None:
    comp = compose(
        db,
        "half_termly",
        Selection(whole_school=True),
        AS_OF,
        ComposeOptions(family_letters=True, cover_sheets=False),
    )
    family = [letter for letter in comp.letters if "Okafor" in letter.pupil_name]
    assert len(family) == 1
    assert family[0].pupil_name == "Amara Okafor and Kofi Okafor" and family[0].class_name == "3B"
    assert len(family[0].sections) == 2


def test_meeting_letters_need_the_meeting_details(db: Database, school: dict[str, int]) -> None:
    with pytest.raises(LetterFieldError, match="meeting_date"):
        compose(db, "fam_invitation", Selection(upns=("A100000000003",)), AS_OF)
    extra = {
        "meeting_date": "Tuesday 5 November 2024",
        "meeting_time": "9:15am",
        "meeting_place": "the school office",
    }
    comp = compose(
        db, "fam_invitation", Selection(upns=("A100000000003",)), AS_OF, ComposeOptions(extra=extra)
    )
    assert "Tuesday 5 November 2024 at 9:15am" in comp.merged[comp.letters[0].key]


def test_an_empty_field_names_the_field_and_the_pupil(db: Database, school: dict[str, int]) -> None:
    with pytest.raises(LetterFieldError) as caught:
        compose(db, "class_teacher_support", Selection(class_name="4K"), AS_OF)
    assert "{class_teacher}" in str(caught.value) and "Class 4K" in str(caught.value)
    set_class_teacher(db, "4K", "Mr Kwame Mensah")
    comp = compose(db, "class_teacher_support", Selection(class_name="4K"), AS_OF)
    assert comp.letters[0].signatures == (("Mr Kwame Mensah", "Class teacher, Class 4K"),)


def test_skip_problems_prints_the_rest_and_lists_them(db: Database, school: dict[str, int]) -> None:
    set_class_teacher(db, "3B", "Mrs Bethany Smith")
    comp = compose(
        db,
        "class_teacher_support",
        Selection(whole_school=True),
        AS_OF,
        ComposeOptions(skip_problems=True),
    )
    # the letter is meant for the amber band: Kofi (3B) and Amara (4K); the other five are
    # left out. Amara's class has no class teacher to sign: listed, the rest printed.
    assert [(letter.class_name, letter.pupil_name) for letter in comp.letters] == [
        ("3B", "Kofi Okafor")
    ]
    assert len(comp.problems) == 1 and "{class_teacher}" in comp.problems[0]
    assert "Amara" in comp.problems[0]
    assert comp.left_out == 5
    assert comp.left_out_note == "5 pupils left out: not in a band this letter is meant for"


def test_a_band_letter_for_the_whole_school_goes_to_the_bands_it_is_meant_for(
    db: Database, school: dict[str, int]
) -> None:
    """The class teacher's supportive letter says attendance is "a little below" what the school
    hopes: a whole-school batch leaves out the children in green and red; pupils chosen one by
    one all get it; a band it is not meant for is refused, saying how to send it anyway."""
    set_class_teacher(db, "3B", "Mrs Bethany Smith")
    set_class_teacher(db, "4K", "Mr Kwame Mensah")
    comp = compose(db, "class_teacher_support", Selection(whole_school=True), AS_OF)
    assert sorted(letter.pupil_name for letter in comp.letters) == ["Amara Okafor", "Kofi Okafor"]
    assert comp.left_out == 5
    # the half-termly letter is meant for every band: the whole school, no one left out
    everyone = compose(db, "half_termly", Selection(whole_school=True), AS_OF)
    assert everyone.pupil_count == 7 and everyone.left_out == 0
    chosen = compose(db, "class_teacher_support", Selection(upns=("A100000000001",)), AS_OF)
    assert chosen.pupil_count == 1 and chosen.left_out == 0
    with pytest.raises(UserError, match="no pupil in band red is in a band .* choose the pupils"):
        compose(db, "class_teacher_support", Selection(band="red"), AS_OF)


def test_printing_keeps_every_letter_and_reprints_identically(
    db: Database, school: dict[str, int]
) -> None:
    comp = compose(
        db, "half_termly", Selection(class_name="3B"), AS_OF, ComposeOptions(letter_date=DAY)
    )
    pdf = render(comp)
    printed = print_letters(db, comp, printed_by="office", pdf=pdf)
    assert printed.letters == 5 and len(printed.letter_ids) == 5 and printed.pages == 7
    assert reprint_batch(db, printed.batch_id) == pdf
    zoe = letters_for_pupil(db, school["A100000000002"])
    assert len(zoe) == 2 and {x.recipient for x in zoe} == {
        "Ms Siobhán O'Brien",
        "Mr Declan O'Brien",
    }
    assert all(x.template_id == "half_termly" and x.printed_by == "office" for x in zoe)
    assert all(len(x.content_sha256) == 64 for x in zoe)
    assert "88.6%" in merged_text(db, zoe[0].id)
    assert reprint_letter(db, zoe[0].id) == reprint_letter(db, zoe[0].id)
    assert len(letter_register(db, template_id="half_termly")) == 5


def test_printed_letters_are_on_the_pupils_timelines(db: Database, school: dict[str, int]) -> None:
    from attendance_desk.services import timeline

    comp = compose(db, "improvement", Selection(upns=("A100000000004",)), AS_OF)
    printed = print_letters(db, comp, printed_by="office")
    assert printed.timeline_events == 1
    entries = timeline.timeline(db, school["A100000000004"])
    kinds = [e.kind for e in entries]
    assert "letter_sent" in kinds
    single = letters_for_pupil(db, school["A100000000004"])[0]
    assert single.timeline_event_id is not None
    # a letter printed on its own keeps the hash of its own PDF, and reprints to it
    import hashlib

    assert hashlib.sha256(reprint_letter(db, single.id)).hexdigest() == single.pdf_sha256


def test_a_school_can_edit_and_reset_a_template(db: Database, school: dict[str, int]) -> None:
    shipped = get_template(db, "improvement")
    text = (
        "---\nid: improvement\ntitle: Well done letter\ndescription: ours\nsigned_by: officer\n"
        "subject: Brilliant, {pupil_forename}!\n---\nWe are so proud of {pupil_forename}.\n"
    )
    saved = save_template(db, text, saved_by="office")
    assert saved.source == "edited" and saved.title == "Well done letter"
    comp = compose(db, "improvement", Selection(upns=("A100000000004",)), AS_OF)
    assert comp.letters[0].subject == "Brilliant, Ólafur!"
    with pytest.raises(LetterTemplateError, match="shoe"):
        save_template(db, text.replace("{pupil_forename}.", "{shoe_size}."))
    reset_template(db, "improvement")
    assert get_template(db, "improvement") == shipped


def test_editing_one_letter_changes_only_that_letter(db: Database, school: dict[str, int]) -> None:
    comp = compose(db, "half_termly", Selection(class_name="4K"), AS_OF)
    key = comp.letters[0].key
    edited = edit_letter(comp, key, "A personal note for this family.\n\n[figures]")
    assert edited.letters[0].sections[0].body.startswith("A personal note")
    assert edited.letters[1] == comp.letters[1]
    with pytest.raises(UserError, match="field"):
        edit_letter(comp, key, "Hello {pupil_forename}")
