"""`attendance-desk templates` and `attendance-desk letters ...` on a real database file."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from letters_school import has_poppler, make_school, pdf_info, pdf_text  # noqa: E402

from attendance_desk.cli import main  # noqa: E402
from attendance_desk.storage.db import open_database  # noqa: E402


@pytest.fixture
def school_db(tmp_path: Path) -> Path:
    path = tmp_path / "school.sqlite3"
    db = open_database(path)
    make_school(db)
    db.close()
    return path


def test_templates_lists_ids(school_db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--db", str(school_db), "templates"]) == 0
    ids = capsys.readouterr().out.split()
    assert "half_termly" in ids and "pathway_3" in ids and "leave_reply" in ids


@pytest.mark.skipif(not has_poppler(), reason="poppler is not installed")
def test_letters_for_a_class(
    school_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "out" / "4K.pdf"
    code = main(
        [
            "--db",
            str(school_db),
            "letters",
            "half_termly",
            "--class",
            "4K",
            "--out",
            str(out),
            "--as-of",
            "2024-10-18",
        ]
    )
    assert code == 0, capsys.readouterr().err
    assert "3 letters, 4 pages" in capsys.readouterr().out
    assert pdf_info(out)["Pages"] == "4"
    text = pdf_text(out)
    assert "Ólafur Jónsson" in text and "100.0%" in text and "57.1%" in text


def test_letters_by_upn_with_meeting_details(school_db: Path, tmp_path: Path) -> None:
    out = tmp_path / "fam.pdf"
    args = [
        "--db",
        str(school_db),
        "letters",
        "fam_invitation",
        "--upn",
        "A100000000003",
        "--out",
        str(out),
        "--as-of",
        "2024-10-18",
        "--no-covers",
    ]
    assert main(args) == 2  # the meeting details are missing
    assert not out.exists()
    args += [
        "--meeting-date",
        "Tuesday 5 November 2024",
        "--meeting-time",
        "9:15am",
        "--meeting-place",
        "the school office",
    ]
    assert main(args) == 0 and out.exists()


def test_bad_input_is_one_line_and_exit_2(
    school_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = str(tmp_path / "x.pdf")
    assert main(["--db", str(school_db), "letters", "nope", "--class", "4K", "--out", out]) == 2
    assert "no letter template 'nope'" in capsys.readouterr().err
    assert (
        main(["--db", str(school_db), "letters", "half_termly", "--band", "red", "--out", "x.txt"])
        == 2
    )
    with pytest.raises(SystemExit) as caught:
        main(["--db", str(school_db), "letters", "half_termly", "--out", out])
    assert caught.value.code == 2


@pytest.mark.skipif(not has_poppler(), reason="poppler is not installed")
def test_letters_for_the_whole_school(
    school_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "school.pdf"
    args = ["--db", str(school_db), "letters", "half_termly", "--all", "--out", str(out)]
    assert main([*args, "--as-of", "2024-10-18"]) == 0, capsys.readouterr().err
    # 7 pupils: 7 book-bag letters and the copy posted to the father who lives apart,
    # a cover sheet for 3B and 4K and one for the post
    assert "8 letters, 11 pages" in capsys.readouterr().out
    text = pdf_text(out)
    order = [text.index(name) for name in ("Łucja Kowalska", "Nguyễn Văn An", "Ólafur Jónsson")]
    assert order == sorted(order)
    assert text.index("Letters for the post") > text.index("Amara Okafor")


def test_a_batch_is_not_recorded_twice_unasked_and_a_letter_can_be_voided(
    school_db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "4K.pdf"
    args = ["--db", str(school_db), "letters", "half_termly", "--class", "4K"]
    args += ["--as-of", "2024-10-18", "--date", "2024-10-18", "--out", str(out)]
    assert main(args) == 0
    first = out.read_bytes()
    out.unlink()
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "already in the register" in err and "--reprint" in err and not out.exists()
    assert main([*args, "--reprint"]) == 0
    assert out.read_bytes() == first and "nothing new recorded" in capsys.readouterr().out
    db = open_database(school_db)
    try:
        from attendance_desk.services.letter_register import letter_register

        register = letter_register(db)
    finally:
        db.close()
    assert len(register) == 3
    assert (
        main(["--db", str(school_db), "void-letter", str(register[0].id), "--reason", "wrong"]) == 0
    )
    assert "is now void" in capsys.readouterr().out
