"""Every layout and format reads to the same marks; detection is sure only when it should be."""

from __future__ import annotations

from pathlib import Path

import pytest
from filemakers import (
    DAYS,
    MARKS,
    PUPILS,
    day_pair_rows,
    expected_marks,
    long_day_rows,
    long_session_rows,
    roster_rows,
    two_row_header_rows,
    wide_rows,
    write_csv,
    write_ods,
    write_xls,
    write_xlsx,
)

from attendance_desk.importers import ColumnMapping, Layout, inspect_file, parse_file
from attendance_desk.importers.model import ParsedFile
from tests.sample_school import WIDE_MARKS


def marks_by_upn(parsed: ParsedFile) -> dict[tuple[str, str, str], str]:
    reg = parsed.register
    assert reg is not None
    adno_to_upn = {p[1]: p[0] for p in PUPILS}
    out = {}
    for pupil, iso, session, code, _, _ in reg.iter_marks():
        row = reg.pupils[pupil]
        out[(row.upn or adno_to_upn[row.adno or ""], iso, session)] = code
    return out


WRITERS = {
    "xlsx": lambda p, rows: write_xlsx(p.with_suffix(".xlsx"), rows),
    "xlsm": lambda p, rows: write_xlsx(p.with_suffix(".xlsm"), rows),
    "xls": lambda p, rows: write_xls(p.with_suffix(".xls"), rows),
    "ods": lambda p, rows: write_ods(p.with_suffix(".ods"), rows),
    "csv": lambda p, rows: write_csv(p.with_suffix(".csv"), rows),
}
LAYOUTS = {
    "wide": (wide_rows, Layout.WIDE_SESSIONS),
    "pairs": (day_pair_rows, Layout.WIDE_DAY_PAIRS),
    "long_session": (long_session_rows, Layout.LONG_SESSION),
    "long_day": (long_day_rows, Layout.LONG_DAY),
}


@pytest.mark.parametrize("fmt", sorted(WRITERS))
@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_layout_in_every_format_gives_the_same_marks(tmp_path: Path, fmt: str, layout: str):
    make_rows, expected_layout = LAYOUTS[layout]
    path = WRITERS[fmt](tmp_path / f"register_{layout}", make_rows())
    detection = inspect_file(path)
    assert detection.confident, detection.reason
    parsed = parse_file(path)
    assert parsed.layout is expected_layout
    assert marks_by_upn(parsed) == expected_marks()


def test_two_row_header_with_merged_dates(tmp_path: Path) -> None:
    rows, merges = two_row_header_rows(top=2)
    path = write_xlsx(tmp_path / "two_rows.xlsx", [["Ashgrove Primary"], *rows], merges=merges)
    parsed = parse_file(path)
    assert parsed.layout is Layout.WIDE_TWO_ROW
    assert marks_by_upn(parsed) == expected_marks()


@pytest.mark.parametrize("header_dates", ["date", "serial", "text"])
def test_day_columns_headed_by_dates_serials_or_text(tmp_path: Path, header_dates: str) -> None:
    path = write_xlsx(tmp_path / "pairs.xlsx", day_pair_rows(header_dates))
    parsed = parse_file(path)
    assert parsed.layout is Layout.WIDE_DAY_PAIRS
    assert marks_by_upn(parsed) == expected_marks()


@pytest.mark.parametrize(
    "words", [("AM", "PM"), ("Morning", "Afternoon"), ("1", "2"), ("am", "p.m.")]
)
def test_long_layout_session_names(tmp_path: Path, words: tuple[str, str]) -> None:
    path = write_csv(tmp_path / "long.csv", long_session_rows(words))
    assert marks_by_upn(parse_file(path)) == expected_marks()


@pytest.mark.parametrize(
    ("encoding", "delimiter", "bom"),
    [
        ("utf-8", ",", False),
        ("utf-8", ",", True),
        ("utf-8", ";", True),
        ("cp1252", ";", False),
        ("cp1252", "\t", False),
        ("utf-8", "\t", False),
    ],
)
def test_csv_encodings_and_delimiters(tmp_path: Path, encoding: str, delimiter: str, bom: bool):
    rows = long_day_rows()
    if encoding == "cp1252":  # Windows-1252 cannot hold Nguyễn or Łucja
        rows = [
            [("Nguyen" if v == "Nguyễn" else "Lucja" if v == "Łucja" else v) for v in r]
            for r in rows
        ]
    path = write_csv(tmp_path / "long.csv", rows, encoding=encoding, delimiter=delimiter, bom=bom)
    parsed = parse_file(path)
    assert marks_by_upn(parsed) == expected_marks()
    names = {p.forename for p in parsed.register.pupils}  # type: ignore[union-attr]
    assert "Zoë" in names  # é decoded correctly in both encodings


def test_header_names_any_case_and_spacing(tmp_path: Path) -> None:
    rows = long_day_rows()
    rows[0] = [
        "  upn ",
        "LAST NAME",
        "first_name",
        "Registration  Group",
        "DATE",
        "Morning",
        "afternoon",
    ]
    parsed = parse_file(write_csv(tmp_path / "long.csv", rows))
    assert parsed.layout is Layout.LONG_DAY
    assert marks_by_upn(parsed) == expected_marks()
    assert parsed.register.pupils[0].reg_group == "3 Cedar"  # type: ignore[union-attr]


def test_codes_in_any_case_dash_is_no_mark_and_legacy_is_reported(tmp_path: Path) -> None:
    rows = wide_rows(title=False)
    rows[1][4:10] = ["c1", "j1", "-", "y7", "h", " / "]
    parsed = parse_file(write_xlsx(tmp_path / "r.xlsx", rows))
    reg = parsed.register
    assert reg is not None
    got = {(iso, s): c for p, iso, s, c, _, _ in reg.iter_marks() if p == 0}
    assert got == {
        ("2024-09-02", "AM"): "C1",
        ("2024-09-02", "PM"): "J1",
        ("2024-09-03", "PM"): "Y7",
        ("2024-09-04", "AM"): "H",
        ("2024-09-04", "PM"): "\\",  # '/' in an afternoon column is the afternoon's present
    }
    assert reg.legacy == {"H": 1}
    assert any("legacy code H" in w for w in parsed.warnings)


def test_uk_date_order_never_us(tmp_path: Path) -> None:
    rows = long_day_rows()[:2]
    rows[1][4] = "10/02/2025"  # Monday 10 February, not Thursday 2 October
    reg = parse_file(write_csv(tmp_path / "d.csv", rows)).register
    assert reg is not None and reg.dates == {"2025-02-10"}


def test_formula_cells_give_their_cached_value(tmp_path: Path) -> None:
    from filemakers import with_cached_formulas

    path = write_xlsx(tmp_path / "f.xlsx", wide_rows(title=False))
    # E2 is pupil 1, Mon AM; the formula would give something else if it were ever run
    with_cached_formulas(path, {"E2": ('LOWER("X")', "I"), "F2": ("1/0", "M")})
    reg = parse_file(path).register
    assert reg is not None
    got = {(iso, s): c for p, iso, s, c, _, _ in reg.iter_marks() if p == 0}
    assert got[("2024-09-02", "AM")] == "I"
    assert got[("2024-09-02", "PM")] == "M"


def test_stray_control_characters_are_removed_and_reported(tmp_path: Path) -> None:
    rows = wide_rows(title=False)
    rows[1][1] = "O'Brien\x07"
    rows[1][4] = "/\x0b"
    rows[2][5] = "\x00I"
    parsed = parse_file(write_csv(tmp_path / "c.csv", rows))
    reg = parsed.register
    assert reg is not None
    assert reg.pupils[0].surname == "O'Brien"
    assert marks_by_upn(parsed) == expected_marks()
    assert any("control characters" in w for w in parsed.warnings)


def test_unsure_layout_needs_a_mapping_and_reads_with_one(tmp_path: Path) -> None:
    rows = [["Pupil ref", "Child", "When", "Which", "Att"]]
    for p, (upn, _, surname, forename, _, _) in enumerate(PUPILS):
        for d, day in enumerate(DAYS):
            for s, word in enumerate(("AM", "PM")):
                rows.append(
                    [upn, f"{surname}, {forename}", f"{day:%d/%m/%Y}", word, MARKS[p][d][s]]
                )
    path = write_xlsx(tmp_path / "odd.xlsx", rows)
    detection = inspect_file(path)
    assert not detection.confident
    mapping = ColumnMapping(
        Layout.LONG_SESSION, 0, {0: "upn", 1: "name", 2: "date", 3: "session", 4: "mark"}
    )
    assert marks_by_upn(parse_file(path, mapping)) == expected_marks()


def test_roster_with_contacts(tmp_path: Path) -> None:
    parsed = parse_file(write_xlsx(tmp_path / "roster.xlsx", roster_rows()))
    assert parsed.layout is Layout.ROSTER
    assert parsed.roster is not None and len(parsed.roster) == 3
    first = parsed.roster[0]
    assert (first.upn, first.adno, first.dob, first.year_group) == (
        "A123456789012", "000101", PUPILS[0][5], "3",
    )  # fmt: skip
    assert first.contacts[0]["name"] == "Parent O'Brien"


@pytest.mark.parametrize(
    ("name", "layout"),
    [
        ("register_wide_single_header.xlsx", Layout.WIDE_SESSIONS),
        ("register_long_per_day.csv", Layout.LONG_DAY),
        ("register_by_day_pairs.xlsx", Layout.WIDE_DAY_PAIRS),
        ("roster_with_contacts.xlsx", Layout.ROSTER),
        ("term_dates.csv", Layout.TERM_DATES),
        ("closures.csv", Layout.CLOSURES),
    ],
)
def test_samples_are_recognised(name: str, layout: Layout, samples: Path) -> None:
    detection = inspect_file(samples / name)
    assert detection.confident and detection.mapping is not None
    assert detection.mapping.layout is layout
    assert parse_file(samples / name).layout is layout


def test_sample_registers_hold_the_same_marks(samples: Path) -> None:
    """The wide and by-day files match exactly; the long file has no rows for INSET days."""
    roster = parse_file(samples / "roster_with_contacts.xlsx").roster
    assert roster is not None
    upn_of = {p.adno: p.upn for p in roster}

    def marks(name: str) -> dict[tuple[str, str, str], str]:
        reg = parse_file(samples / name).register
        assert reg is not None
        return {
            (reg.pupils[p].upn or upn_of[reg.pupils[p].adno], d, s): c
            for p, d, s, c, _, _ in reg.iter_marks()
        }

    wide = marks("register_wide_single_header.xlsx")
    pairs = marks("register_by_day_pairs.xlsx")
    long = marks("register_long_per_day.csv")
    assert wide == pairs
    assert long == {k: c for k, c in wide.items() if c != "#"}
    assert len(wide) == WIDE_MARKS  # 14 pupils * 193 days * 2, less Reception's blank 2 Sep
    assert {"C1", "J1", "Y7"} <= set(wide.values())


def test_the_register_sheet_is_found_after_a_cover_sheet(tmp_path: Path) -> None:
    from openpyxl import Workbook

    wb = Workbook()
    cover = wb.active
    cover.title = "Cover"
    cover.append(["Ashgrove Primary School"])
    cover.append(["Exported from the MIS on 05/09/2024"])
    marks = wb.create_sheet("Marks by session")
    for row in wide_rows():
        marks.append(row)
    path = tmp_path / "book.xlsx"
    wb.save(path)
    parsed = parse_file(path)
    assert parsed.sheet == "Marks by session"
    assert marks_by_upn(parsed) == expected_marks()


def test_a_totals_row_under_a_register_is_skipped_and_reported(tmp_path: Path) -> None:
    rows = wide_rows(title=False)
    rows.append(["", "Total", "", "", 3, 3, 2, 2, 3, 3])
    parsed = parse_file(write_xlsx(tmp_path / "register.xlsx", rows))
    assert marks_by_upn(parsed) == expected_marks()
    assert parsed.skipped == [(5, "a totals or count row (numbers where marks would be): 'Total'")]
