"""The code table agrees with the national reference, and day cells split against it."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from attendance_desk.domain.codes import CODES, UnknownCodeError, normalise, split_day_cell

# The national attendance code table, copied beside the test.
REFERENCE = Path(__file__).with_name("attendance-codes.csv")


def _reference_rows() -> list[dict[str, str]]:
    with REFERENCE.open(encoding="utf-8") as fh:
        return [row for row in csv.DictReader(fh) if row["category"] != "missing"]


def test_every_reference_code_has_the_same_category_and_flags() -> None:
    rows = _reference_rows()
    assert {r["code"] for r in rows} == set(CODES)
    for row in rows:
        code = CODES[row["code"]]
        assert code.category.value == row["category"], row["code"]
        assert code.is_possible == (row["possible_session"] == "yes"), row["code"]
        assert code.counts_toward_penalty == (row["counts_toward_penalty_threshold"] == "yes")
        assert code.legacy == row["status"].startswith("legacy"), row["code"]
        if row["counts_as_attending"] != "n/a":
            assert code.is_attending == (row["counts_as_attending"] == "yes"), row["code"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("/\\", ("/", "\\")),
        ("C1C1", ("C1", "C1")),
        ("J1\\", ("J1", "\\")),
        ("/Y7", ("/", "Y7")),
        ("Y7Y7", ("Y7", "Y7")),
        ("ii", ("I", "I")),
        ("/-", ("/", None)),
        ("", (None, None)),
        ("CC1", ("C", "C1")),
    ],
)
def test_day_cells_split_against_the_code_table(cell: str, expected: tuple) -> None:
    assert split_day_cell(cell) == expected


@pytest.mark.parametrize("cell", ["/", "/\\/", "AA", "C3C1"])
def test_a_cell_that_is_not_two_marks_is_an_error(cell: str) -> None:
    with pytest.raises(UnknownCodeError):
        split_day_cell(cell)


def test_normalise_accepts_any_case_and_no_mark_tokens() -> None:
    assert normalise(" c1 ") == "C1"
    assert normalise("-") is None
    assert normalise("") is None
    with pytest.raises(UnknownCodeError):
        normalise("Q1")
