"""Templates and merge fields: every letter the policies name, and no blank ever printed."""

from __future__ import annotations

from datetime import date

import pytest

from attendance_desk.domain.letter_fields import (
    AttendanceFacts,
    PupilFacts,
    Recipient,
    SchoolFacts,
    build_letter,
    colour_name,
    content_from_json,
    content_to_json,
    percent,
)
from attendance_desk.domain.letters import (
    FIELDS,
    LetterFieldError,
    Letterhead,
    LetterTemplateError,
    fields_used,
    format_template,
    merge_text,
    parse_body,
    parse_template,
)
from attendance_desk.paths import resource

POLICY_LETTERS = {
    "half_termly",
    "half_termly_adapted",
    "improvement",
    "class_teacher_support",
    "pathway_1",
    "pathway_2",
    "pathway_3",
    "frequent_illness_meeting",
    "medical_absence",
    "fam_invitation",
    "fam_rearranged",
    "fam_did_not_attend",
    "post_fam_contract",
    "notice_to_improve",
    "leave_reply",
}
SCHOOL = SchoolFacts(
    "Clifford All Saints", ("1 Lane",), "BS1 1AA", "0117 000", "o@x.example", "Mr K", "Miss D"
)
HEAD = Letterhead("Clifford All Saints", ("1 Lane", "BS1 1AA"), "Tel 0117 000")
FIG = AttendanceFacts(
    200,
    186,
    10,
    4,
    2,
    date(2024, 9, 2),
    date(2025, 2, 7),
    "Spring 1",
    50,
    46,
    "Amber",
    "#f9a825",
    "Attendance Team",
    ("Phone call", "Meeting"),
)


def shipped() -> dict[str, object]:
    out = {}
    for path in resource("templates").glob("*.txt"):
        template = parse_template(path.read_text(encoding="utf-8"))
        out[template.id] = template
    return out


def test_every_letter_the_policies_name_ships() -> None:
    templates = shipped()
    assert set(templates) >= POLICY_LETTERS
    for template in templates.values():
        assert template.title and template.description
        assert set(fields_used(template.body)) <= set(FIELDS)


def test_a_letters_description_speaks_in_the_schools_own_policy() -> None:
    """The class teacher's letter said "93% to 95.99%" under every policy: under Clifford's it
    goes to the Amber band, 90% to under 96%. Its description now reads the policy."""
    from dataclasses import replace

    from attendance_desk.domain.policy import clifford, clifton

    templates = shipped()
    teacher, illness = templates["class_teacher_support"], templates["frequent_illness_meeting"]
    assert "the Amber band (90% to under 96%)" in teacher.description_for(clifford())
    assert "the Class teacher (93-95.99%) band" in teacher.description_for(clifton())
    stricter = replace(
        clifford(), thresholds=replace(clifford().thresholds, illness_instances_term=4)
    )
    assert "3 or more illness absences in a half term, or 4 in a term" in illness.description_for(
        stricter
    )
    for template in templates.values():  # no policy number written into a description
        for policy in (clifford(), clifton()):
            assert "{" not in template.description_for(policy), template.id


def test_band_ranges_in_words() -> None:
    from attendance_desk.domain.policy import clifford

    policy = clifford()
    spans = [policy.band_span(b) for b in policy.bands]
    assert spans == ["96% or more", "90% to under 96%", "below 90%"]


def test_penalty_letters_carry_the_national_amounts() -> None:
    templates = shipped()
    for tid in ("pathway_3", "leave_reply"):
        assert "{penalty_amount}" in templates[tid].body
        assert "{penalty_reduced}" in templates[tid].body


def test_template_round_trips_through_the_editor_format() -> None:
    template = shipped()["fam_invitation"]
    again = parse_template(format_template(template))
    assert again.body == template.body and again.subject == template.subject
    assert again.extra_fields == ("meeting_date", "meeting_time", "meeting_place")


@pytest.mark.parametrize(
    "text, message",
    [
        ("id: x\ntitle: t\nsubject: s\n---\nbody", "must start"),
        ("---\nid: x\ntitle: t\nsubject: s\n---\nHello {nonsense}", "nonsense"),
        ("---\nid: x\ntitle: t\nsubject: s\n---\nHello { there", "not part of a field"),
        ("---\nid: X Y\ntitle: t\nsubject: s\n---\nbody", "template id"),
        ("---\nid: x\ntitle: t\n---\nbody", "subject"),
    ],
)
def test_bad_templates_are_refused_with_a_reason(text: str, message: str) -> None:
    with pytest.raises(LetterTemplateError, match=message):
        parse_template(text)


@pytest.mark.parametrize("value", ["", "   ", None, "None", "TBC"])
def test_an_empty_field_stops_the_letter_naming_field_and_pupil(value: object) -> None:
    with pytest.raises(LetterFieldError) as caught:
        merge_text("Meet on {meeting_date}.", {"meeting_date": value}, pupil="Zoë O'Brien (3B)")
    assert "{meeting_date}" in str(caught.value) and "Zoë O'Brien" in str(caught.value)
    assert caught.value.field_name == "meeting_date"


def test_an_unknown_field_stops_the_letter() -> None:
    with pytest.raises(LetterFieldError, match="unknown field"):
        merge_text("Hi {pupil_shoe_size}", {}, pupil="Zoë")


def test_body_markup() -> None:
    blocks = parse_body(
        "First line\ncontinues.\n\n[figures]\nIntro:\n- one\n- two\n  wrapped\n\nEnd."
    )
    assert [b.kind for b in blocks] == ["p", "figures", "p", "bullets", "p"]
    assert blocks[0].text == "First line continues."
    assert blocks[3].items == ("one", "two wrapped")


def test_percent_is_exact_and_rounds_half_up() -> None:
    assert percent(2, 3) == "66.7%"
    assert percent(191, 200) == "95.5%"
    assert percent(1919, 2000) == "96.0%"  # 95.95 rounds up
    assert percent(0, 0) == ""


def test_colour_words_for_parents() -> None:
    assert colour_name("#f9a825") == "amber"
    assert colour_name("#c62828") == "red"
    assert colour_name("Green") == "green"


def _letter(recipient: Recipient, pupils=None, extra=None):  # noqa: ANN001, ANN202
    template = shipped()["half_termly"]
    pupils = pupils or [(PupilFacts(1, "Zoë", "O'Brien", "3B", "3"), FIG)]
    return build_letter(template, pupils, SCHOOL, HEAD, recipient, date(2025, 2, 7), extra)


def test_book_bag_letter_is_addressed_to_the_parent_carer() -> None:
    letter = _letter(Recipient(5, "Siobhán O'Brien", "Ms"))
    assert letter.addressee[0] == "To the parent/carer of Zoë O'Brien"
    assert "Ms Siobhán O'Brien" in letter.addressee[-1]
    assert letter.salutation == "Dear Ms O'Brien,"
    assert "93.0%" in letter.sections[0].body and "Amber" in letter.sections[0].body
    # the band's part is written for parents (the template's [band: amber] section), not the
    # policy's staff actions
    assert "a little below what we expect" in letter.sections[0].body
    assert "Phone call" not in letter.sections[0].body


def test_posted_letter_needs_an_address() -> None:
    posted = _letter(Recipient(5, "Siobhán O'Brien", "Ms", ("4 Harbour Road",), "BS2 3CD", False))
    assert posted.addressee == ("Ms Siobhán O'Brien", "4 Harbour Road", "BS2 3CD")
    with pytest.raises(LetterFieldError, match="no address"):
        _letter(Recipient(5, "Siobhán O'Brien", "Ms", book_bag=False))


def test_family_letter_has_a_section_per_child() -> None:
    pupils = [
        (PupilFacts(1, "Amara", "Okafor", "4K", "4"), FIG),
        (PupilFacts(2, "Kofi", "Okafor", "3B", "3"), FIG),
    ]
    letter = _letter(Recipient(5, "Ngozi Okafor", "Mrs"), pupils)
    assert letter.subject == "Amara and Kofi's attendance so far this school year"
    assert [s.heading for s in letter.sections] == [
        "Amara Okafor (Class 4K)",
        "Kofi Okafor (Class 3B)",
    ]
    assert letter.class_name == "3B"  # the youngest child's bag
    assert letter.pupil_ids == (1, 2)


def test_a_missing_signer_stops_the_letter() -> None:
    school = SchoolFacts("S", (), "", "0117", "e@x", "", "")
    with pytest.raises(LetterFieldError, match="officer_name"):
        build_letter(
            shipped()["half_termly"],
            [(PupilFacts(1, "Zoë", "O'Brien", "3B", "3"), FIG)],
            school,
            HEAD,
            Recipient(None, ""),
            date(2025, 2, 7),
        )


def test_letter_inputs_round_trip_as_canonical_json() -> None:
    letter = _letter(Recipient(5, "Siobhán O'Brien", "Ms"))
    text = content_to_json(letter, HEAD)
    back, head = content_from_json(text)
    assert back == letter and head == HEAD
    assert content_to_json(back, head) == text


def test_band_sections_speak_to_each_band_in_words_for_parents() -> None:
    from dataclasses import replace

    template = shipped()["half_termly"]
    recipient = Recipient(5, "Siobhán O'Brien", "Ms")
    pupil = PupilFacts(1, "Zoë", "O'Brien", "3B", "3")
    for band_id, label, words in (
        ("green", "Green", "Well done, Zoë"),
        ("family_hub", "Family Hub (below 90%)", "Family Hub team will ring you"),
    ):
        fig = replace(FIG, band_id=band_id, band_label=label)
        body = build_letter(template, [(pupil, fig)], SCHOOL, HEAD, recipient, date(2025, 2, 7))
        text = body.sections[0].body
        assert words in text and "[band" not in text and "[end band]" not in text
        assert "little below what we expect" not in text
    stranger = replace(FIG, band_id="purple", band_label="Purple")
    with pytest.raises(LetterFieldError, match="no \\[band: ...\\] section"):
        build_letter(template, [(pupil, stranger)], SCHOOL, HEAD, recipient, date(2025, 2, 7))


def test_band_sections_must_be_closed() -> None:
    head = "---\nid: t\ntitle: T\nsubject: S\n---\n"
    with pytest.raises(LetterTemplateError, match="no \\[end band\\]"):
        parse_template(head + "[band: green]\nHello\n")
    with pytest.raises(LetterTemplateError, match="without a \\[band"):
        parse_template(head + "Hello\n[end band]\n")


def test_a_body_splits_into_the_editor_parts_and_joins_back() -> None:
    from attendance_desk.domain.letters import join_parts, split_parts

    body = (
        "Hello {pupil_forename}.\n\n[figures]\n\n**Next**\n\n[band: green]\nWell done.\n"
        "[end band]\n[band: amber, red]\nLet us talk.\n- a call\n- a meeting\n[end band]\n\n"
        "Thank you.\n"
    )
    parts = split_parts(body)
    assert parts is not None
    assert parts.opening == "Hello {pupil_forename}.\n\n[figures]\n\n**Next**"
    assert parts.band_words == (
        (("green",), "Well done."),
        (("amber", "red"), "Let us talk.\n- a call\n- a meeting"),
    )
    assert parts.closing == "Thank you."
    again = split_parts(join_parts(parts))
    assert again == parts
    # words for everyone between two band sections: edited as a whole
    assert split_parts("[band: green]\nA\n[end band]\nB\n[band: red]\nC\n[end band]\n") is None
    assert split_parts("Just words.\n") == type(parts)(opening="Just words.")


def test_a_letter_is_meant_for_the_bands_its_template_names() -> None:
    """By band id or label, in any case; a template that names no bands is for every band."""
    text = (
        "---\nid: x\ntitle: X\ndescription: d\nbands: class_teacher, Amber\n"
        "signed_by: officer\nsubject: s\n---\nBody.\n"
    )
    template = parse_template(text)
    assert template.is_for_band("amber", "Amber band")
    assert template.is_for_band("ct", "CLASS_TEACHER")  # a policy whose label is the id
    assert not template.is_for_band("green", "Green")
    assert not template.is_for_band("", "")  # no band (no figures yet)
    everyone = parse_template(text.replace("bands: class_teacher, Amber\n", ""))
    assert everyone.is_for_band("green", "Green") and everyone.is_for_band("")
