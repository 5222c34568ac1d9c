"""Cell values: dates the UK way, session headers, header keys, year groups, names."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from attendance_desk.importers.cells import (
    BadDate,
    clean_text,
    header_key,
    parse_date_value,
    parse_session,
    parse_session_header,
)
from attendance_desk.importers.columns import role_for_header
from attendance_desk.importers.pupils import split_name, year_group


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (date(2024, 9, 2), date(2024, 9, 2)),
        (datetime(2024, 9, 2, 0, 0), date(2024, 9, 2)),
        (45537, date(2024, 9, 2)),
        (45537.0, date(2024, 9, 2)),
        ("45537", date(2024, 9, 2)),
        ("02/09/2024", date(2024, 9, 2)),
        ("2/9/2024", date(2024, 9, 2)),
        ("02-09-2024", date(2024, 9, 2)),
        ("02/09/24", date(2024, 9, 2)),
        ("2024-09-02", date(2024, 9, 2)),
        ("2024-09-02 00:00:00", date(2024, 9, 2)),
        ("12/01/2025", date(2025, 1, 12)),  # UK order: 12 January, never 1 December
        ("", None),
        ("Name", None),
        (3.5, None),
        (7, None),
    ],
)
def test_dates(value: object, expected: date | None) -> None:
    assert parse_date_value(value) == expected


@pytest.mark.parametrize("text", ["31/02/2025", "2025-02-30", "00/01/2025", "12/13/2025"])
def test_impossible_dates_raise(text: str) -> None:
    with pytest.raises(BadDate, match="is not a real date"):
        parse_date_value(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Mon 02/09/2024 AM", (date(2024, 9, 2), "AM")),
        ("Tuesday 03/09/2024 PM", (date(2024, 9, 3), "PM")),
        ("2024-09-02 pm", (date(2024, 9, 2), "PM")),
        ("02/09/2024 (Morning)", (date(2024, 9, 2), "AM")),
        ("Attendance marks 02/09/2024 - 18/07/2025", None),
        ("UPN", None),
    ],
)
def test_session_headers(text: str, expected: tuple[date, str] | None) -> None:
    assert parse_session_header(text) == expected


def test_session_words() -> None:
    assert [parse_session(w) for w in ("AM", "pm", "Morning", "afternoon", "1", "2", "x")] == [
        "AM", "PM", "AM", "PM", "AM", "PM", None,
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("header", "role"),
    [
        ("UPN", "upn"),
        ("Adno", "adno"),
        ("Admission No", "adno"),
        ("Legal Surname", "surname"),
        ("Last Name", "surname"),
        ("First Name", "forename"),
        ("Preferred Forename", "preferred_forename"),
        ("Reg Group", "reg_group"),
        ("Registration Group", "reg_group"),
        ("Form", "reg_group"),
        ("Class", "reg_group"),
        ("NC Year", "year_group"),
        ("Year Group", "year_group"),
        ("DOB", "dob"),
        ("Gender", "sex"),
        ("PP", "pupil_premium"),
        ("SEN Status", "sen_status"),
        ("Raw Mark", "mark"),
        ("Period", "session"),
        ("Contact 2 Phone", "contact2.phone"),
        ("Contact 1 Address Line 3", "contact1.address3"),
        ("  reg. GROUP ", "reg_group"),
    ],
)
def test_mis_column_names(header: str, role: str) -> None:
    assert role_for_header(header) == role


def test_cleaning() -> None:
    assert clean_text(" a\x00b\x1f ") == "ab"
    assert clean_text(2.0) == "2"
    assert header_key("Reg. Group") == "reggroup"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Year R", "R"),
        ("Reception", "R"),
        ("Y3", "3"),
        (2.0, "2"),
        ("6", "6"),
        ("N2", "N"),
        ("", None),
    ],
)
def test_year_groups(value: object, expected: str | None) -> None:
    assert year_group(value) == expected


def test_names() -> None:
    assert split_name("Da Silva, Imani") == ("Da Silva", "Imani")
    assert split_name("Imani Da-Silva") == ("Da-Silva", "Imani")
