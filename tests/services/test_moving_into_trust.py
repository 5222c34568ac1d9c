"""A trust's database gains a second school by moving the school's SQLite file into it: every
row kept, the ids the trust's, the school already there untouched, the audit chains verifiable
(issue 17). Needs a PostgreSQL server (ATTENDANCE_DESK_TEST_PG)."""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from test_moving import canonical
from trust_school import staff_login, trust_owner_database

from attendance_desk.demo import create_demo_database
from attendance_desk.errors import UserError
from attendance_desk.services.letter_register import matching_batch, print_letters
from attendance_desk.services.letter_sources import Selection
from attendance_desk.services.letters import ComposeOptions, compose, edit_letter, render
from attendance_desk.services.monitoring import pupil_overviews
from attendance_desk.services.moving import move_between
from attendance_desk.services.trust import trust_dashboard
from attendance_desk.storage import joining, transfer
from attendance_desk.storage.audit_chain import verify_chain
from attendance_desk.storage.db import open_database
from attendance_desk.storage.joining import moves_recorded, verify_moved_chain
from attendance_desk.storage.trust import school_url
from tests.conftest import postgres_database

AS_OF = date(2026, 3, 20)


@pytest.fixture(scope="module")
def two_files(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """Two demo schools (different children, marks and casework), the second renamed with
    its own URN, as two schools of a trust keep them in their files before joining it."""
    folder = tmp_path_factory.mktemp("join")
    first, second = folder / "wrenbridge.sqlite3", folder / "riverside.sqlite3"
    create_demo_database(first, seed=7, as_of=AS_OF)
    create_demo_database(second, seed=11, as_of=AS_OF)
    conn = sqlite3.connect(second)
    with conn:
        conn.execute("UPDATE schools SET name = 'Riverside Primary', urn = '123456'")
    conn.close()
    for path in (first, second):  # a class's letters printed: the register, their timelines
        db = open_database(path)
        try:
            print_letters(db, _cedar_letters(db), "office")
        finally:
            db.close()
    return first, second


def _cedar_letters(db: Any) -> Any:
    return compose(
        db, "half_termly", Selection(class_name="3 Cedar"), AS_OF, ComposeOptions(letter_date=AS_OF)
    )


@pytest.fixture
def trust(two_files: tuple[Path, Path]) -> Iterator[str]:
    """A trust's database, as its owner (not a superuser), holding the first school."""
    with trust_owner_database() as url:
        move_between(two_files[0], url)
        yield url


def _read(url: str, sql: str, params: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    db = open_database(url)
    conn = db.raw_connection()
    try:
        return [tuple(r) for r in conn.execute(sql, params).fetchall()]
    finally:
        conn.close()
        db.close()


def _school_of(table: str, names: list[str], row: tuple[Any, ...]) -> int | None:
    if table == "schools":
        return int(row[names.index("id")])
    return int(row[names.index("school_id")]) if "school_id" in names else None


def _dump_by_school(url: str) -> dict[int | None, dict[str, list[tuple[Any, ...]]]]:
    """The canonical dump of the trust's database, split by school (None: the database's own
    rows), each table's rows with their column names sorted."""
    whole = canonical(url)
    db = open_database(url)
    conn = db.raw_connection()
    try:
        names = {t: sorted(c.name for c in transfer.columns(conn, t)) for t in whole}
    finally:
        conn.close()
        db.close()
    split: dict[int | None, dict[str, list[tuple[Any, ...]]]] = {}
    for table, rows in whole.items():
        for row in rows:
            school = _school_of(table, names[table], row)
            split.setdefault(school, {}).setdefault(table, []).append(row)
    return split


def _mapped_back(url: str, school_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """The moved school's rows with the ids it had in its file (the offsets its move recorded),
    as test_moving's canonical dump gives them: what the file's own dump must equal."""
    db = open_database(url)
    conn = db.raw_connection()
    try:
        note = next(m for m in moves_recorded(conn) if m["school_id"] == school_id)
        refs = joining.id_references(conn)
        serial = set(joining.serial_tables(conn))
        names = {
            t: sorted(c.name for c in transfer.columns(conn, t)) for t in transfer.tables(conn)
        }
    finally:
        conn.close()
        db.close()
    back = joining.Rekey({t: -n for t, n in note["ids_added"].items()}, 1)
    dump = _dump_by_school(url)[school_id]
    mapped: dict[str, list[tuple[Any, ...]]] = {}
    for table, rows in dump.items():
        cols = names[table]
        out = []
        for row in rows:
            values = dict(zip(cols, row, strict=True))
            if table == "audit_log" and values["action"] == joining.MOVE_ACTION:
                continue  # the move's own record
            for name in cols:
                if name == "school_id":
                    values[name] = 1
                elif name == "id" and table in serial:
                    values[name] = back.of(table, values[name])
                elif (table, name) in refs and refs[(table, name)] in serial:
                    values[name] = back.of(refs[(table, name)], values[name])
            if table == "tasks":
                values["source_key"] = back.source_key(values["source_key"])
            if table == "letters":
                values["letter_key"] = back.letter_key(values["letter_key"])
            if table == "letter_batches":
                values["items_json"] = back.batch_items(values["items_json"])
            if table in ("timeline_events", "event_revisions"):
                values["details_json"] = back.details(values["details_json"])
            if table == "audit_log":
                values["entity_id"] = back.entity_id(values["entity"], values["entity_id"])
                values["digest"] = values["chain"] = None  # sealed anew on the trust's chain
            out.append(tuple(values[n] for n in cols))
        mapped[table] = sorted(out, key=repr)
    return mapped


def _file_dump(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The file's canonical dump less what stays the database's own (storage/joining.py)."""
    dump = canonical(path)
    names = {}
    conn = sqlite3.connect(path)
    try:
        for table in dump:
            names[table] = sorted(r[1] for r in conn.execute(f'PRAGMA table_info("{table}")'))
    finally:
        conn.close()
    out = {}
    for table, rows in dump.items():
        if table in joining.DATABASE_TABLES:
            continue
        cols = names[table]
        if table == "app_settings":
            rows = [r for r in rows if r[cols.index("key")] not in transfer.OWN_SETTINGS]
        if table == "audit_log":
            at_digest, at_chain = cols.index("digest"), cols.index("chain")
            rows = [
                tuple(None if i in (at_digest, at_chain) else v for i, v in enumerate(r))
                for r in rows
            ]
        out[table] = sorted(rows, key=repr)
    return out


def _figures(url: str, school_id: int | None) -> tuple[Any, list[Any]]:
    """A school's dashboard figures and its pupils' overviews (their ids left out), read acting
    for that school (None: a file, its one school)."""
    db = open_database(url if school_id is None else school_url(url, school_id))
    try:
        board = trust_dashboard(db, AS_OF)
        row = board.schools[0] if school_id is None else board.school(school_id)
        figures = (row.pupils, row.figures, row.persistent, row.severe, dict(row.cases))
        pupils = sorted(
            (replace(o, pupil_id=0) for o in pupil_overviews(db, AS_OF)), key=lambda o: o.upn or ""
        )
        return figures, pupils
    finally:
        db.close()


def test_a_second_school_joins_the_trust_with_every_row_kept(
    two_files: tuple[Path, Path], trust: str
) -> None:
    first, second = two_files
    before = _dump_by_school(trust)
    result = move_between(second, trust)
    assert result.school_id == 2 and result.school_name == "Riverside Primary"
    assert result.summary().startswith(
        f'Moved {second} to {result.target} as school 2 "Riverside Primary" beside '
        '"Wrenbridge Meadows Primary School": '
    )
    after = _dump_by_school(trust)
    assert after[1] == before[1]  # the school already there: every row as it was, seals too
    staff_before, staff_after = before.get(None, {}), after.get(None, {})
    assert staff_after.get("staff_schools") == staff_before.get("staff_schools")
    # the new school: the file's rows, ids mapped back, the database's own rows left out
    moved = _file_dump(second)
    assert _mapped_back(trust, 2) == {t: rows for t, rows in moved.items() if rows}
    # the rows per table reported, as each table's count of the new school's rows
    assert {t: n for t, n in result.rows.items() if t != "staff"} == {
        t: len(rows) for t, rows in moved.items()
    }
    names = {r[0] for r in _read(trust, "SELECT name FROM staff")}
    conn = sqlite3.connect(second)
    assert {r[0] for r in conn.execute("SELECT name FROM staff")} <= names
    conn.close()
    # both schools' audit rows verify: the trust's chain, and the file's own seals
    db = open_database(trust)
    conn = db.raw_connection()
    try:
        assert verify_chain(conn).intact
        sealed = verify_moved_chain(conn, 2)
        assert sealed.intact and sealed.rows == len(moved["audit_log"])
    finally:
        conn.close()
        db.close()


def test_each_school_of_the_trust_has_the_figures_of_its_file(
    two_files: tuple[Path, Path], trust: str
) -> None:
    first, second = two_files
    move_between(second, trust)
    assert _figures(trust, 1) == _figures(str(first), None)
    assert _figures(trust, 2) == _figures(str(second), None)
    with staff_login(trust, [2]) as head:  # Riverside's head, given school 2 only
        seen = _read(head, "SELECT upn FROM pupils ORDER BY upn")
        conn = sqlite3.connect(second)
        assert seen == [tuple(r) for r in conn.execute("SELECT upn FROM pupils ORDER BY upn")]
        conn.close()
        db = open_database(head)
        conn2 = db.raw_connection()
        try:
            assert verify_chain(conn2).intact  # its rows by content, the others' by hash
        finally:
            conn2.close()
            db.close()


def test_a_school_already_there_or_a_member_of_staff_adds_nothing(
    two_files: tuple[Path, Path], trust: str
) -> None:
    first, second = two_files
    with staff_login(trust, [1]) as head:  # Wrenbridge's head
        before = canonical(trust)
        with pytest.raises(UserError, match="already holds school 1 .* with URN 990417"):
            move_between(first, trust)
        with pytest.raises(UserError, match="only the trust's owner"):
            move_between(second, head)
        assert canonical(trust) == before


def test_a_move_into_a_trust_that_fails_part_way_writes_nothing(
    two_files: tuple[Path, Path], trust: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    read = joining.read_rows

    def failing(conn: Any, table: str, names: list[str], into_postgres: bool = False) -> Any:
        if table == "marks":
            raise OSError("the network went down")
        return read(conn, table, names, into_postgres)

    before = canonical(trust)
    monkeypatch.setattr(joining, "read_rows", failing)
    with pytest.raises(OSError, match="network"):
        move_between(two_files[1], trust)
    monkeypatch.undo()
    assert canonical(trust) == before
    assert move_between(two_files[1], trust).school_id == 2  # and it can be done again


def test_the_command_says_the_school_was_added_beside_the_others_and_windows_show_it(
    two_files: tuple[Path, Path], trust: str
) -> None:
    from attendance_desk.storage.live import Listener

    listening = Listener(trust)  # the trust's window open on another PC
    command = [sys.executable, "-m", "attendance_desk", "move", "--from", str(two_files[1])]
    done = subprocess.run([*command, "--to", trust], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    heard = {(n["table"], n["school"]) for n in listening.wait(5)}
    listening.close()
    assert {("schools", 2), ("pupils", 2), ("marks", 2), ("cases", 2)} <= heard  # at once
    assert 'as school 2 "Riverside Primary" beside "Wrenbridge Meadows Primary School"' in (
        done.stdout
    )
    again = subprocess.run([*command, "--to", trust], capture_output=True, text=True)
    assert again.returncode == 2 and "is there already" in again.stderr


def test_the_keys_built_from_ids_are_the_trust_s_ids() -> None:
    """A task's key, a letter's key and its batch's items, a letter's id in an event's details
    and an audit row's entity id: the source's ids in them become the target's (and back)."""
    rekey = joining.Rekey({"pupils": 100, "contacts": 10, "timeline_events": 7, "letters": 3}, 2)
    assert rekey.source_key("event:11:171:end") == "event:18:271:end"
    assert rekey.source_key("n:5:2026-01-05:AM") == "n:105:2026-01-05:AM"
    assert rekey.source_key("cme:5:2026-01-05") == "cme:105:2026-01-05"
    assert rekey.source_key("elsewhere:5") == "elsewhere:5"
    assert rekey.letter_key("t_fam:4-9:2") == "t_fam:104-109:12"
    assert rekey.letter_key("t_fam:4:0") == "t_fam:104:0"
    items = '[{"cover": {"title": "x"}}, {"letter": "t_fam:4-9:2"}]'
    assert rekey.batch_items(items) == '[{"cover": {"title": "x"}}, {"letter": "t_fam:104-109:12"}]'
    sent = '{"title": "FAM invitation", "letter_id": 6}'
    assert rekey.details(sent) == '{"title": "FAM invitation", "letter_id": 9}'
    assert rekey.details('{"letter_id": null}') == '{"letter_id": null}'
    assert rekey.entity_id("mark", "5 2026-01-05 AM") == "105 2026-01-05 AM"
    assert rekey.entity_id("case_event", "11") == "18"
    assert rekey.entity_id("setting", "letters.class_teachers") == "letters.class_teachers"
    back = joining.Rekey({t: -n for t, n in rekey.offsets.items()}, 1)
    assert back.letter_key(rekey.letter_key("t_fam:4-9:2")) == "t_fam:4-9:2"


def test_every_id_column_is_re_keyed_or_said_to_be_left() -> None:
    """Every integer column naming another row's id (`..._id`) is a foreign key the move reads
    from the catalogue, or a reference declared in storage/joining.py: a new one is not left
    pointing at the source's ids unnoticed."""
    with postgres_database(empty=False) as url:
        found = _read(
            url,
            "SELECT table_name, column_name FROM information_schema.columns WHERE "
            "table_schema = 'public' AND column_name LIKE '%\\_id' AND data_type = 'integer' "
            "AND column_name <> 'school_id'",
        )
        db = open_database(url)
        conn = db.raw_connection()
        try:
            refs = joining.id_references(conn)
        finally:
            conn.close()
            db.close()
    assert {(str(t), str(c)) for t, c in found} <= set(refs)


def test_the_window_says_the_school_was_added_beside_the_others(
    qtbot,  # noqa: ANN001
    two_files: tuple[Path, Path],
    trust: str,
) -> None:
    from attendance_desk.services.access import open_for_command_line
    from attendance_desk.ui.dialogs.move_dialog import MoveDialog

    db = open_for_command_line(two_files[1])
    try:
        dialog = MoveDialog(db)
        qtbot.addWidget(dialog)
        dialog.server.setText(trust)
        dialog.to_server.setChecked(True)
        dialog.move_now()
        qtbot.waitUntil(lambda: not dialog.working, timeout=60000)
        said = dialog.status.text()
        assert said.startswith(
            'Moved as school 2 "Riverside Primary" beside "Wrenbridge Meadows Primary School": '
        )
        assert "attendance_desk.school%3D2" in said  # --db opens the school added
        assert str(urlsplit(trust).password) not in said  # the password never shown
    finally:
        db.close()


def test_the_file_s_own_seals_still_vouch_for_the_rows_moved(
    two_files: tuple[Path, Path], trust: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The moved rows are sealed anew on the trust's chain; the seals the school's file gave
    them are checked again too (its hash every 10 rows here), so rows rewritten and sealed over
    again are caught; a stretch holding a row retention cleared is left to the trust's chain."""
    from attendance_desk.services.audit import check_audit_chain
    from attendance_desk.storage.audit_chain import seal_chain, tombstone_rows

    monkeypatch.setattr(joining, "SEAL_EVERY", 10)
    move_between(two_files[1], trust)
    db = open_database(trust)
    try:
        assert check_audit_chain(db).intact
        conn = db.raw_connection(write=True)
        first = int(conn.execute("SELECT min(id) FROM audit_log WHERE school_id = 2").fetchone()[0])
        with conn:  # retention clears a moved row's content: nothing is amiss
            tombstone_rows(conn, "id = ?", (first + 5,))
        report = check_audit_chain(db)
        assert report.intact
        sealed = verify_moved_chain(conn, 2)
        assert sealed.intact and sealed.reason == "1 row cleared by retention"
        with conn:  # a moved row rewritten, and the trust's chain sealed again over it
            conn.execute("UPDATE audit_log SET who = 'someone else' WHERE id = ?", (first + 20,))
            conn.execute("UPDATE audit_log SET digest = NULL, chain = NULL WHERE id >= ?", (first,))
        seal_chain(conn)
        assert verify_chain(conn).intact  # the trust's own chain cannot tell
        conn.close()
        report = check_audit_chain(db)
        assert not report.intact and report.broken_at == first + 20
        assert f"school 2's rows moved in from {two_files[1]} no longer give the hashes" in (
            report.reason
        )
    finally:
        db.close()


def test_a_class_s_letters_are_known_as_printed_after_the_move(
    two_files: tuple[Path, Path], trust: str
) -> None:
    """The letters register's keys and a letter's place on each pupil's timeline name the
    pupils' and letters' new ids: the same letters composed again in the trust are found as
    printed already, and each 'letter sent' names a letter to that pupil."""
    result = move_between(two_files[1], trust)
    db = open_database(school_url(trust, result.school_id))
    try:
        again = _cedar_letters(db)
        edited = edit_letter(again, again.letters[0].key, "Changed words.")  # not the same PDF
        match = matching_batch(db, edited, render(edited))
        assert match is not None and match.letters == len(again.letters) > 30  # some to two
        assert not match.identical  # found by its letters' keys, not the PDF's bytes
        printed = len(again.letters)
    finally:
        db.close()
    sent = _read(
        trust,
        "SELECT e.details_json, ep.pupil_id FROM timeline_events e JOIN event_pupils ep "
        "ON ep.event_id = e.id WHERE e.kind = 'letter_sent' AND e.school_id = 2 "
        "AND e.details_json NOT LIKE '%null}'",
    )
    letters = dict(_read(trust, "SELECT id, pupil_id FROM letters WHERE school_id = 2"))
    assert len(sent) == printed
    assert min(letters) > max(_read(trust, "SELECT id FROM letters WHERE school_id = 1"))[0]
    assert all(letters[json.loads(d)["letter_id"]] == pupil for d, pupil in sent)


def test_the_same_school_moved_twice_at_once_joins_once(
    two_files: tuple[Path, Path], trust: str, tmp_path: Path
) -> None:
    """Two PCs moving the same file into the trust at the same moment: one adds it, the other
    is refused once the first has committed (the check is made again under the move's lock)."""
    from concurrent.futures import ThreadPoolExecutor

    copies = []
    for pc in ("office", "head"):  # each PC its own copy of the school's file
        copies.append(tmp_path / f"{pc}.sqlite3")
        shutil.copyfile(two_files[1], copies[-1])

    def move(source: Path) -> str:
        try:
            return move_between(source, trust).summary()
        except UserError as exc:
            return str(exc)

    with ThreadPoolExecutor(2) as pool:
        said = sorted(pool.map(move, copies))
    assert "is there already" in said[1] and said[0].startswith("Moved "), said
    assert _read(trust, "SELECT count(*) FROM schools") == [(2,)]


def test_a_trust_s_database_is_not_moved_out_to_a_file_whole(
    two_files: tuple[Path, Path], trust: str, tmp_path: Path
) -> None:
    """A file holds one school: the trust's database, working in no school, is refused unless
    a school is named (tests/services/test_moving_out_of_trust.py takes one out), and no file
    is left."""
    move_between(two_files[1], trust)
    target = tmp_path / "out.sqlite3"
    with pytest.raises(UserError, match="is a trust's database holding 2 schools: name the"):
        move_between(trust, target)
    assert not target.exists()
