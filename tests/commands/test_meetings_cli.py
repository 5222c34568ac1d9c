"""`weekly-report`, `agenda`, `tsm-list` and `report` on a real database file."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from another_copy import another_copy  # noqa: E402
from meetings_school import make_school, pdf_pages, pdf_text  # noqa: E402

from attendance_desk.cli import main  # noqa: E402
from attendance_desk.storage.db import open_database  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("pdftotext") is None, reason="no poppler")


@pytest.fixture
def school_db(tmp_path: Path) -> Path:
    path = tmp_path / "school.sqlite3"
    db = open_database(path)
    make_school(db)
    db.close()
    return path


def run(db: Path, *args: str) -> int:
    return main(["--db", str(db), *args])


def test_weekly_report_and_agenda(
    school_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out" / "weekly.pdf"
    assert run(school_db, "weekly-report", "--week-ending", "2025-03-28", "--out", str(out)) == 0
    assert "2 class pages, 2 pupils" in capsys.readouterr().out
    assert pdf_pages(out) == 2
    one = tmp_path / "3B.pdf"
    args = ("weekly-report", "--class", "3B", "--week-ending", "2025-03-28", "--out", str(one))
    assert run(school_db, *args) == 0
    assert pdf_pages(one) == 1
    slt = tmp_path / "slt.pdf"
    args = ("agenda", "--meeting", "slt", "--date", "2025-03-28", "--out", str(slt))
    assert run(school_db, *args) == 0
    assert "3 pupils on the agenda" in capsys.readouterr().out
    assert "Hal Run" in pdf_text(slt)


def test_bad_input_is_one_line_and_exit_2(
    school_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "x.pdf")
    assert run(school_db, "agenda", "--meeting", "attendance-team", "--out", out) == 2
    assert "its meetings are: slt, family-hub" in capsys.readouterr().err
    assert run(school_db, "weekly-report", "--week-ending", "2025-03-28", "--out", "x.txt") == 2
    assert "--out must name a .pdf file" in capsys.readouterr().err
    code = run(
        school_db, "weekly-report", "--class", "9Z", "--week-ending", "2025-03-28", "--out", out
    )
    assert code == 2 and "no class '9Z'" in capsys.readouterr().err
    assert not Path(out).exists()


def test_tsm_list_as_pdf_and_excel(school_db: Path, tmp_path: Path) -> None:
    from openpyxl import load_workbook

    pdf = tmp_path / "tsm.pdf"
    assert (
        run(school_db, "tsm-list", "--term", "spring", "--date", "2025-03-28", "--out", str(pdf))
        == 0
    )
    text = pdf_text(pdf)
    assert "Targeted Support Meeting: Spring 2024/25" in text
    xlsx = tmp_path / "tsm.xlsx"
    assert run(school_db, "tsm-list", "--date", "2025-03-28", "--out", str(xlsx)) == 0
    sheet = load_workbook(xlsx).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    # persistent absence is 90% or below: Dan 90%, Eve 89%, Gus 80%, Fay 79% (lowest first)
    assert [r[0] for r in rows[1:]] == ["Fay Falling", "Gus Flat", "Eve Hub", "Dan Ninety"]
    assert rows[1][3:8] == [79.0, 79.0, 100, 21, 0]  # term: all 100 sessions are in Spring
    flat = " ".join(text.split())
    assert all(r[0] in flat for r in rows[1:]) and "Ben Edge" not in flat
    assert "Persistent" in flat and "Severe" not in flat


def test_governors_report_from_the_command_line(school_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "governors.pdf"
    assert run(school_db, "report", "--as-of", "2025-03-28", "--out", str(out)) == 0
    text = pdf_text(out)
    assert "Whole school" in text and "Persistent absence" in text


def test_the_papers_are_made_while_the_window_has_the_database_open(
    school_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Each paper only reads: it was refused while another copy (the window) held the file."""
    with another_copy(school_db):
        papers = [
            ("weekly-report", "--week-ending", "2025-03-28"),
            ("agenda", "--meeting", "slt", "--date", "2025-03-28"),
            ("tsm-list", "--date", "2025-03-28"),
            ("report", "--as-of", "2025-03-28"),
        ]
        for n, paper in enumerate(papers):
            out = tmp_path / f"{n}.pdf"
            assert run(school_db, *paper, "--out", str(out)) == 0, capsys.readouterr().err
            assert pdf_pages(out) >= 1
        assert run(school_db, "templates") == 0
        assert "another copy" not in capsys.readouterr().err
