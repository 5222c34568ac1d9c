"""The register stays true: all or nothing, no batch recorded twice unasked, void letters,
reprints that are not new letters, and "Last contact" that is a conversation."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import textwrap
from datetime import date
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from letters_school import AS_OF, has_poppler, make_school, pdf_info  # noqa: E402

from attendance_desk.errors import UserError  # noqa: E402
from attendance_desk.services.letter_register import (  # noqa: E402
    letter_register,
    letters_for_pupil,
    matching_batch,
    print_letters,
    reprint_batch,
    reprint_letter,
    void_letter,
)
from attendance_desk.services.letter_sources import Selection  # noqa: E402
from attendance_desk.services.letters import ComposeOptions, compose, render  # noqa: E402
from attendance_desk.storage.db import Database, open_database  # noqa: E402

DAY = date(2024, 10, 18)


def class_4k(db: Database):  # noqa: ANN201
    return compose(
        db, "half_termly", Selection(class_name="4K"), AS_OF, ComposeOptions(letter_date=DAY)
    )


def counts(path: Path) -> tuple[int, int, int]:
    """(batches, letters, letter_sent events) in the file, read with plain sqlite3."""
    conn = sqlite3.connect(path)
    try:
        return (
            conn.execute("SELECT count(*) FROM letter_batches").fetchone()[0],
            conn.execute("SELECT count(*) FROM letters").fetchone()[0],
            conn.execute(
                "SELECT count(*) FROM timeline_events WHERE kind = 'letter_sent'"
            ).fetchone()[0],
        )
    finally:
        conn.close()


def test_an_unwritable_output_records_no_letter(db: Database, tmp_path: Path) -> None:
    make_school(db)
    comp = class_4k(db)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the folder should be")
    with pytest.raises(UserError, match="cannot write"):
        print_letters(db, comp, "office", out=blocker / "4K.pdf")
    assert letter_register(db) == ()
    assert counts(db.path) == (0, 0, 0)
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".part")] == []
    # the same batch then goes through whole to a good place
    printed = print_letters(db, comp, "office", out=tmp_path / "4K.pdf")
    assert (tmp_path / "4K.pdf").read_bytes() == printed.pdf
    assert counts(db.path) == (1, 3, 3)


def test_stopping_the_batch_keeps_nothing(db: Database, tmp_path: Path) -> None:
    make_school(db)
    comp = class_4k(db)
    seen: list[tuple[int, int]] = []
    with pytest.raises(UserError, match="stopped"):
        print_letters(
            db,
            comp,
            "office",
            out=tmp_path / "4K.pdf",
            progress=lambda done, total: seen.append((done, total)),
            cancel=lambda: len(seen) > 0,  # stop once it has begun
        )
    assert seen == [(0, 3)]
    assert counts(db.path) == (0, 0, 0) and not (tmp_path / "4K.pdf").exists()


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import date
    sys.path.insert(0, {tests!r})
    from attendance_desk.services import letter_register
    from attendance_desk.services.letter_sources import Selection
    from attendance_desk.services.letters import ComposeOptions, compose
    from attendance_desk.storage.db import open_database

    real = letter_register.save_pdf

    def save_then_die(pdf, path):
        real(pdf, path)  # the PDF is whole and in place ...
        os.kill(os.getpid(), signal.SIGKILL)  # ... and the process dies before the commit

    letter_register.save_pdf = save_then_die
    db = open_database({db!r})
    comp = compose(db, "half_termly", Selection(class_name="4K"), date(2024, 10, 18),
                   ComposeOptions(letter_date=date(2024, 10, 18)))
    letter_register.print_letters(db, comp, "office", out={out!r})
    """
)


@pytest.mark.skipif(not has_poppler(), reason="poppler is not installed")
def test_killed_before_the_commit_leaves_no_letter_recorded(db: Database, tmp_path: Path) -> None:
    make_school(db)
    path = db.path
    db.close()
    out = tmp_path / "4K.pdf"
    script = KILLER.format(tests=str(Path(__file__).parents[1]), db=str(path), out=str(out))
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stderr.decode()
    assert pdf_info(out)["Pages"] == "4"  # the file was moved into place whole
    assert counts(path) == (0, 0, 0)  # but nothing was committed
    again = open_database(path)
    try:
        assert letter_register(again) == ()
    finally:
        again.close()


def test_killed_at_any_moment_the_register_and_file_agree(tmp_path: Path) -> None:
    """A real `attendance-desk letters` process killed with SIGKILL at several moments: either
    the letters are recorded and the whole PDF is in place, or no letter is recorded."""
    path = tmp_path / "school.sqlite3"
    db = open_database(path)
    make_school(db)
    db.close()
    seen = set()
    for delay in (0.3, 0.8, 1.5, 2.5, 60):
        out = tmp_path / f"out-{delay}.pdf"
        before = counts(path)
        proc = subprocess.Popen(
            [sys.executable, "-m", "attendance_desk", "--db", str(path), "letters", "half_termly"]
            + ["--all", "--again", "--as-of", "2024-10-18", "--out", str(out)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        try:
            proc.wait(timeout=delay)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
        after = counts(path)
        if after == before:
            seen.add("nothing")
        else:
            seen.add("whole")
            assert after == (before[0] + 1, before[1] + 8, before[2] + 8)
            assert out.stat().st_size > 0 and pdf_info(out)["Pages"] == "11"
    assert "whole" in seen  # the last run was left to finish


def test_the_same_batch_is_found_before_it_is_recorded_again(db: Database) -> None:
    make_school(db)
    comp = class_4k(db)
    pdf = render(comp)
    assert matching_batch(db, comp, pdf) is None
    printed = print_letters(db, comp, "office", pdf=pdf)
    match = matching_batch(db, comp, pdf)
    assert match is not None and match.batch_id == printed.batch_id and match.identical
    assert "3 letters" in match.describe() and "by office" in match.describe()
    # the same letters with one edited still match (same pupils, recipients, template, date)
    from attendance_desk.services.letters import edit_letter

    edited = edit_letter(comp, comp.letters[0].key, "Changed words.")
    match = matching_batch(db, edited, render(edited))
    assert match is not None and not match.identical
    # another class, or another date, is a new batch
    other = compose(
        db, "half_termly", Selection(class_name="3B"), AS_OF, ComposeOptions(letter_date=DAY)
    )
    assert matching_batch(db, other, render(other)) is None
    later = compose(
        db,
        "half_termly",
        Selection(class_name="4K"),
        AS_OF,
        ComposeOptions(letter_date=date(2024, 10, 21)),
    )
    assert matching_batch(db, later, render(later)) is None


def test_a_reprint_is_identical_and_not_a_new_letter(db: Database) -> None:
    ids = make_school(db)
    comp = class_4k(db)
    printed = print_letters(db, comp, "office")
    before = letter_register(db)
    assert reprint_batch(db, printed.batch_id) == printed.pdf
    one = letters_for_pupil(db, ids["A100000000004"])[0]
    assert reprint_letter(db, one.id).startswith(b"%PDF")
    assert letter_register(db) == before
    assert counts(db.path) == (1, 3, 3)


def test_a_void_letter_stays_in_the_register_and_leaves_the_bundle(db: Database) -> None:
    from attendance_desk.services.evidence_bundle import evidence_bundle_data

    ids = make_school(db)
    olafur = ids["A100000000004"]
    print_letters(db, class_4k(db), "office")
    letter = letters_for_pupil(db, olafur)[0]
    bundle = evidence_bundle_data(db, olafur, AS_OF)
    assert [e.event_id for e in bundle.chronology] == [letter.timeline_event_id]
    with pytest.raises(UserError, match="say why"):
        void_letter(db, letter.id, "Miss Davidson-Marriott", "  ")
    void = void_letter(db, letter.id, "Miss Davidson-Marriott", "sent to the wrong address")
    assert void.void and void.voided_by == "Miss Davidson-Marriott"
    assert void.void_reason == "sent to the wrong address"
    kept = letters_for_pupil(db, olafur)
    assert len(kept) == 1 and kept[0].void  # kept, marked void
    assert evidence_bundle_data(db, olafur, AS_OF).chronology == ()
    # the other pupils' letters are untouched
    assert not letters_for_pupil(db, ids["A100000000006"])[0].void
    with pytest.raises(UserError, match="already voided"):
        void_letter(db, letter.id, "office", "again")


def test_last_contact_is_a_call_meeting_or_visit_not_a_book_bag_letter(db: Database) -> None:
    from attendance_desk.domain.events import PhoneCall
    from attendance_desk.services.school import last_contacts
    from attendance_desk.services.timeline import add_event

    ids = make_school(db)
    print_letters(db, class_4k(db), "office")
    assert last_contacts(db, AS_OF) == {}
    add_event(db, [ids["A100000000005"]], PhoneCall(contact_name="Dr F-M"), date(2024, 10, 2))
    assert last_contacts(db, AS_OF) == {ids["A100000000005"]: date(2024, 10, 2)}
