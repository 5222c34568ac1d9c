"""Headings under the names real MIS products use, names and year groups in their spellings,
and every mark spelling (issue 11)."""

from __future__ import annotations

from pathlib import Path

import pytest
from filemakers import wide_rows, write_xlsx

from attendance_desk.importers import parse_file
from attendance_desk.importers.columns import role_for_header, unusable_identity
from attendance_desk.importers.pupils import split_name, year_group


@pytest.mark.parametrize(
    ("heading", "role"),
    [
        ("UPN", "upn"), ("STUDENT_UPN", "upn"), ("Pupil UPN", "upn"), ("upn", "upn"),
        ("Adno", "adno"), ("Admission No", "adno"), ("Admission Number", "adno"),
        ("Student ID", "any_id"), ("Pupil ID", "any_id"), ("student_id", "any_id"),
        ("PersonID", "person_id"), ("Student Unique ID", "person_id"),
        ("Reg", "reg_group"), ("Reg Group", "reg_group"), ("Registration Group", "reg_group"),
        ("REGISTRATION_FORM", "reg_group"), ("Form", "reg_group"), ("Class", "reg_group"),
        ("registration_group", "reg_group"), ("  reg.  GROUP ", "reg_group"),
        ("FIRST_NAME", "forename"), ("LAST_NAME", "surname"), ("Name", "name"),
        ("NC Year", "year_group"), ("Year Group", "year_group"),
    ],
)  # fmt: skip
def test_headings_whatever_their_case_spacing_and_punctuation(heading: str, role: str) -> None:
    assert role_for_header(heading) == role


@pytest.mark.parametrize("heading", ["Former UPN", "Candidate ID", "MIS Ref ID", "Admission Ref"])
def test_identity_looking_headings_that_cannot_be_used(heading: str) -> None:
    assert unusable_identity(heading, role_for_header(heading))


@pytest.mark.parametrize("heading", ["Paid", "Provided", "Video", "Admission Date", "Poss"])
def test_other_headings_are_not_taken_for_identities(heading: str) -> None:
    assert not unusable_identity(heading, role_for_header(heading))


@pytest.mark.parametrize(
    ("text", "expected"),
    [("3", "3"), ("Y3", "3"), ("Year 3", "3"), ("NC Year 3", "3"), ("R", "R"), ("Year R", "R"),
     ("Reception", "R"), (3.0, "3")],
)  # fmt: skip
def test_year_group_spellings(text: object, expected: str) -> None:
    assert year_group(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("O'Brien, Zoë", ("O'Brien", "Zoë")), ("Zoë O'Brien", ("O'Brien", "Zoë")),
     ("O'BRIEN Zoë", ("O'BRIEN", "Zoë")), ("VAN DER BERG Anna Marie", ("VAN DER BERG", "Anna Marie"))],
)  # fmt: skip
def test_combined_names(text: str, expected: tuple[str, str]) -> None:
    assert split_name(text) == expected


def test_every_mark_spelling(tmp_path: Path) -> None:
    rows = wide_rows(title=False)
    rows[1][4:10] = ["z ", "#", "k", "c2", "y1", "/"]  # '/' in an afternoon: present (Arbor)
    rows[2][4:10] = ["-", "", "Y7", "J1", "C1", "\\"]
    reg = parse_file(write_xlsx(tmp_path / "codes.xlsx", rows)).register
    assert reg is not None
    got = {(p, iso, s): c for p, iso, s, c, _, _ in reg.iter_marks() if p < 2}
    assert got == {
        (0, "2024-09-02", "AM"): "Z",
        (0, "2024-09-02", "PM"): "#",
        (0, "2024-09-03", "AM"): "K",
        (0, "2024-09-03", "PM"): "C2",
        (0, "2024-09-04", "AM"): "Y1",
        (0, "2024-09-04", "PM"): "\\",
        (1, "2024-09-03", "AM"): "Y7",
        (1, "2024-09-03", "PM"): "J1",
        (1, "2024-09-04", "AM"): "C1",
        (1, "2024-09-04", "PM"): "\\",
    }
