"""A school leaves its trust: one school of a trust's PostgreSQL database taken out to a new
SQLite file of its own, every row of that school and only that school, its audit entries
sealed as the file's own log with where they came from, the trust's database left exactly as
it was (issue 17). Needs a PostgreSQL server (ATTENDANCE_DESK_TEST_PG)."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from test_moving import canonical
from test_moving_into_trust import _dump_by_school, _figures, _read, two_files
from trust_school import built_trust, server_role_url, staff_login, trust_owner_database

from attendance_desk.errors import UserError
from attendance_desk.services import moving
from attendance_desk.services.audit import check_audit_chain
from attendance_desk.services.moving import move_between
from attendance_desk.storage import leaving, transfer
from attendance_desk.storage.audit_chain import seal_chain, tombstone_rows, verify_chain
from attendance_desk.storage.db import open_database
from attendance_desk.storage.trust import school_url

__all__ = ["two_files"]  # the two demo schools' files (a module fixture of the join's tests)


@pytest.fixture
def trust(two_files: tuple[Path, Path]) -> Iterator[str]:
    """A trust's database, as its owner (not a superuser), holding the two demo schools, each
    moved in from its file: Wrenbridge (school 1) and Riverside (school 2)."""
    with trust_owner_database() as url:
        move_between(two_files[0], url)
        move_between(two_files[1], url)
        yield url


@pytest.fixture(scope="module")
def kept_trust(two_files: tuple[Path, Path]) -> Iterator[str]:
    """The same trust, built once for the tests that only take a school out of it (which
    leaves the trust's database as it was: the tests that can say so check it)."""
    with trust_owner_database() as url:
        move_between(two_files[0], url)
        move_between(two_files[1], url)
        yield url


def _names(path: Path, table: str) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return sorted(r[1] for r in conn.execute(f'PRAGMA table_info("{table}")'))
    finally:
        conn.close()


def _as_left(trust: str, school_id: int) -> dict[str, list[tuple[Any, ...]]]:
    """The school's rows in the trust as its file must hold them: school 1, every id kept, the
    audit rows' digests kept and their chain the file's own (left out here), the trust's
    identity setting left out; of the casework staff list, those the school's rows name."""
    split = _dump_by_school(trust)
    ours = split[school_id]
    shared = split.get(None, {})
    db = open_database(trust)
    conn = db.raw_connection()
    try:
        names = {
            t: sorted(c.name for c in transfer.columns(conn, t)) for t in transfer.tables(conn)
        }
    finally:
        conn.close()
        db.close()
    named = {
        str(value)
        for table, rows in ours.items()
        for row in rows
        for column, value in zip(names[table], row, strict=True)
        if value is not None and (column in ("owner", "who") or column.endswith("_by"))
    }
    at = names["staff"].index("name")
    staff = [r for r in shared.get("staff", []) if r[at] in named]
    out: dict[str, list[tuple[Any, ...]]] = {"staff": sorted(staff, key=repr)}
    for table, rows in ours.items():
        cols = names[table]
        mapped = []
        for row in rows:
            values = dict(zip(cols, row, strict=True))
            if table == "app_settings" and values["key"] in transfer.OWN_SETTINGS:
                continue
            values["id" if table == "schools" else "school_id"] = 1
            if table == "audit_log":
                values["chain"] = None
            mapped.append(tuple(values[n] for n in cols))
        out[table] = sorted(mapped, key=repr)
    return out


def _file_rows(path: Path) -> dict[str, list[tuple[Any, ...]]]:
    """The file's rows less its own (the schema's revision, who opened it, its identity, the
    move's record), each audit row's chain left out."""
    dump = canonical(path)
    out = {}
    for table, rows in dump.items():
        if table in leaving.DATABASE_TABLES or not rows:
            continue
        cols = _names(path, table)
        if table == "app_settings":
            rows = [r for r in rows if r[cols.index("key")] not in transfer.OWN_SETTINGS]
        if table == "audit_log":
            at = cols.index("action")
            rows = [
                tuple(None if n == "chain" else v for n, v in zip(cols, r, strict=True))
                for r in rows
                if r[at] != leaving.LEAVE_ACTION
            ]
        if rows:
            out[table] = sorted(rows, key=repr)
    return out


def _held(path: Path) -> dict[str, int]:
    conn = sqlite3.connect(path)
    try:
        return transfer.school_rows(conn)
    finally:
        conn.close()


def _audit_check(target: Path | str) -> Any:
    db = open_database(target)
    try:
        db.require_intact()  # the full integrity check of the file
        return check_audit_chain(db)
    finally:
        db.close()


def _trust_state(trust: str) -> tuple[dict[str, list[tuple[Any, ...]]], bool]:
    db = open_database(trust)
    conn = db.raw_connection()
    try:
        return canonical(trust), verify_chain(conn).intact
    finally:
        conn.close()
        db.close()


def test_a_school_leaves_the_trust_with_its_rows_only(kept_trust: str, tmp_path: Path) -> None:
    before = _trust_state(kept_trust)
    assert before[1]
    out = tmp_path / "riverside.sqlite3"
    result = move_between(kept_trust, out, school="Riverside Primary")
    assert (result.school_id, result.school_name, result.taken_out) == (
        2,
        "Riverside Primary",
        True,
    )
    assert result.summary().startswith(
        f'Moved school 2 "Riverside Primary" out of {result.source} to {out} as its one school: '
    )
    assert "The trust's database is unchanged" in result.left_behind
    assert _trust_state(kept_trust) == before  # every row of the trust as it was, seals too
    # every row of school 2 (its ids kept), and nothing of school 1
    expected = _as_left(kept_trust, 2)
    assert _file_rows(out) == {t: rows for t, rows in expected.items() if rows}
    assert {t: n for t, n in result.rows.items() if n} == {
        t: len(rows) for t, rows in expected.items() if rows
    }
    conn = sqlite3.connect(out)
    try:
        pupils = {r[0] for r in conn.execute("SELECT id FROM pupils")}
        audit_ids = {r[0] for r in conn.execute("SELECT id FROM audit_log WHERE action <> 'leave'")}
    finally:
        conn.close()
    assert pupils == {r[0] for r in _read(kept_trust, "SELECT id FROM pupils WHERE school_id = 2")}
    assert not pupils & {
        r[0] for r in _read(kept_trust, "SELECT id FROM pupils WHERE school_id = 1")
    }
    assert audit_ids == {
        r[0] for r in _read(kept_trust, "SELECT id FROM audit_log WHERE school_id = 2")
    }
    # the file opens intact, its own chain verifies, and so do the hashes recorded at the move
    report = _audit_check(out)
    assert report.intact and report.rows == len(audit_ids) + 1
    db = open_database(kept_trust)
    trust_conn = db.raw_connection()
    file_conn = sqlite3.connect(out)
    try:
        note = leaving.leaves_recorded(file_conn)[-1]
        assert (note["from"], note["school_in_trust"], note["school"]) == (
            result.source,
            2,
            "Riverside Primary",
        )
        assert leaving.verify_left_chain(file_conn, note).intact
        vouched = leaving.trust_vouches(trust_conn, file_conn)
        assert vouched.intact and vouched.rows == len(audit_ids)
    finally:
        file_conn.close()
        trust_conn.close()
        db.close()


def test_the_school_s_figures_in_its_file_are_those_the_trust_shows(
    two_files: tuple[Path, Path], kept_trust: str, tmp_path: Path
) -> None:
    out = tmp_path / "riverside.sqlite3"
    move_between(kept_trust, out, school="2")
    figures = _figures(str(out), None)
    assert figures == _figures(kept_trust, 2) == _figures(str(two_files[1]), None)
    assert figures[0][0] > 400  # its pupils, the demo school's


def test_the_file_s_record_of_the_move_catches_its_rows_rewritten(
    trust: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The moved rows are chained again as the file's log; the hashes recorded at the move (every
    10 rows here) catch rows rewritten and the file's chain sealed again over them; a row
    cleared by retention since keeps its digest, so nothing is amiss."""
    monkeypatch.setattr(leaving, "SEAL_EVERY", 10)
    owner = open_database(trust)  # retention cleared one of Riverside's entries in the trust
    conn = owner.raw_connection(write=True)
    try:
        with conn:
            cleared = tombstone_rows(
                conn, "id = (SELECT min(id) + 3 FROM audit_log WHERE school_id = ?)", (2,)
            )
        assert cleared == 1
    finally:
        conn.close()
        owner.close()
    out = tmp_path / "riverside.sqlite3"
    move_between(trust, out, school="Riverside")
    assert _audit_check(out).intact
    db = open_database(out)
    try:
        conn = db.raw_connection(write=True)
        ids = [r[0] for r in conn.execute("SELECT id FROM audit_log ORDER BY id")]
        with conn:
            tombstone_rows(conn, "id = ?", (ids[5],))
        assert check_audit_chain(db).intact
        with conn:  # a moved row rewritten, and the file's chain sealed again from it
            conn.execute("UPDATE audit_log SET who = 'someone else' WHERE id = ?", (ids[25],))
            conn.execute(
                "UPDATE audit_log SET digest = NULL, chain = NULL WHERE id >= ?", (ids[20],)
            )
        seal_chain(conn)
        assert verify_chain(conn).intact  # the file's own chain cannot tell
        conn.close()
        report = check_audit_chain(db)
        assert not report.intact and report.broken_at == ids[19] + 1
        assert "the rows taken out of" in report.reason and "no longer give the hashes" in (
            report.reason
        )
    finally:
        db.close()


def test_a_school_taken_out_goes_straight_to_a_server_and_checks_there(
    two_files: tuple[Path, Path], kept_trust: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Taken out by the server's role (a superuser: it only reads the trust) with a server's
    address as the target, in one move (by way of a file in a folder of its own, deleted
    after): into an empty database as its one school, and into a second trust beside a school
    there. Its figures are the trust's and both audit checks intact each time; taken there a
    second time it is refused before anything is copied (its URN is there), the second trust
    untouched, no file left."""
    passing = tmp_path / "temporary"
    passing.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(passing))
    with trust_owner_database() as empty:
        moved = move_between(server_role_url(kept_trust), empty, school="Riverside")
        assert moved.taken_out and moved.joined_as is None
        assert 'school 2 "Riverside Primary" out of' in moved.summary()
        assert "as its one school" in moved.summary()
        assert _figures(empty, None) == _figures(kept_trust, 2)
        assert _audit_check(empty).intact
    with trust_owner_database() as other:
        move_between(two_files[0], other)
        joined = move_between(server_role_url(kept_trust), other, school="Riverside")
        assert joined.joined_as == 2
        # the staff who went with it, though the other trust had them already (none copied)
        assert joined.staff_went == moved.staff_went == 2 and joined.rows["staff"] == 0
        assert "Of the trust's staff list, 2 went with the school" in joined.left_behind
        assert 'as school 2 beside "Wrenbridge Meadows Primary School"' in joined.summary()
        assert "attendance_desk.school%3D2" in joined.target_address
        assert _figures(other, 2) == _figures(kept_trust, 2)
        assert _audit_check(other).intact
        before = canonical(other)

        def copied_out(*_args: Any) -> Any:
            raise AssertionError("the school was copied out before the refusal")

        monkeypatch.setattr(moving, "leave_school", copied_out)  # refused before any copying
        with pytest.raises(UserError, match="is there already"):
            move_between(server_role_url(kept_trust), other, school="Riverside")
        assert canonical(other) == before
    assert list(passing.iterdir()) == []  # the passing files deleted


def test_who_may_take_a_school_out_and_what_is_refused(trust: str, tmp_path: Path) -> None:
    out = tmp_path / "out.sqlite3"
    with staff_login(trust, [1, 2]) as head:  # a member of staff given both schools
        before = canonical(trust)  # the login's grants in it
        with pytest.raises(UserError, match="only the trust's owner .* can take a school out"):
            move_between(head, out, school="Riverside")
        assert not out.exists()
    with pytest.raises(UserError, match="there is no school 'Nowhere' in this database"):
        move_between(trust, out, school="Nowhere")
    assert not out.exists()
    with pytest.raises(UserError, match="holding 2 schools: name the school to take out"):
        move_between(trust, out)
    assert not out.exists()
    taken = tmp_path / "taken.sqlite3"
    move_between(trust, taken, school="Riverside")
    held = _held(taken)
    with pytest.raises(UserError, match="already holds a school's data"):
        move_between(trust, taken, school="Wrenbridge")
    assert _held(taken) == held
    with pytest.raises(UserError, match="the same database"):  # out of the trust into itself
        move_between(trust, trust, school="Riverside")
    assert canonical(trust) == before


def test_a_trust_whose_audit_log_does_not_verify_lets_no_school_out(
    trust: str, tmp_path: Path
) -> None:
    import psycopg

    with psycopg.connect(server_role_url(trust), autocommit=True) as admin:
        admin.execute(
            "UPDATE audit_log SET who = 'someone else' WHERE id = (SELECT min(id) FROM audit_log "
            "WHERE school_id = 1)"
        )
    out = tmp_path / "out.sqlite3"
    with pytest.raises(UserError, match="the trust's audit log does not verify"):
        move_between(trust, out, school="Riverside")
    assert not out.exists()


def test_a_move_out_of_a_trust_that_fails_part_way_leaves_no_file(
    kept_trust: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = leaving._source_rows

    def failing(conn: Any, table: str, names: list[str], *rest: Any) -> Any:
        if table == "marks":
            raise OSError("the network went down")
        return rows(conn, table, names, *rest)

    before = _trust_state(kept_trust)
    monkeypatch.setattr(leaving, "_source_rows", failing)
    out = tmp_path / "out.sqlite3"
    with pytest.raises(OSError, match="network"):
        move_between(kept_trust, out, school="Riverside")
    assert not out.exists()
    assert _trust_state(kept_trust) == before


def test_the_command_takes_the_school_named_out_and_says_the_trust_is_unchanged(
    kept_trust: str, tmp_path: Path
) -> None:
    out = tmp_path / "riverside.sqlite3"
    command = [sys.executable, "-m", "attendance_desk", "move", "--from", kept_trust]
    done = subprocess.run(
        [*command, "--school", "Riverside Primary", "--to", str(out)],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert 'Moved school 2 "Riverside Primary" out of ' in done.stdout
    assert 'The trust\'s database is unchanged: "Riverside Primary" is still school 2' in (
        done.stdout
    )
    assert f"attendance-desk --db {out}" in done.stdout
    again = subprocess.run(
        [*command, "--school", "Riverside Primary", "--to", str(out)],
        capture_output=True,
        text=True,
    )
    assert again.returncode == 2 and "already holds a school's data" in again.stderr
    unnamed = subprocess.run(
        [*command, "--to", str(tmp_path / "none.sqlite3")], capture_output=True, text=True
    )
    assert unnamed.returncode == 2 and "--school" in unnamed.stderr
    assert not (tmp_path / "none.sqlite3").exists()
    # the address working in one school names it, as --school does
    acting = subprocess.run(
        [sys.executable, "-m", "attendance_desk", "move", "--from", school_url(kept_trust, 1)]
        + ["--to", str(tmp_path / "wrenbridge.sqlite3")],
        capture_output=True,
        text=True,
    )
    assert acting.returncode == 0, acting.stderr
    assert 'Moved school 1 "Wrenbridge Meadows Primary School" out of ' in acting.stdout


def test_the_window_asks_which_school_leaves_the_trust(
    qtbot,  # noqa: ANN001
    trust: str,
    tmp_path: Path,
) -> None:
    """The school chosen, then where it goes: a new file (the first offer), or a server's
    database, here another trust's, where the summary says which school it became."""
    from attendance_desk.ui.dialogs.move_dialog import MoveDialog

    db = open_database(trust)
    try:
        dialog = MoveDialog(db)
        qtbot.addWidget(dialog)
        offered = [dialog.school.itemText(i) for i in range(dialog.school.count())]
        assert offered == ["1 Wrenbridge Meadows Primary School", "2 Riverside Primary"]
        assert dialog.to_file.isChecked() and dialog.to_server.isEnabled()
        dialog.school.setCurrentIndex(1)
        out = tmp_path / "riverside.sqlite3"
        dialog.file.setText(str(out))
        dialog.move_now()
        qtbot.waitUntil(lambda: not dialog.working, timeout=60000)
        said = dialog.status.text()
        assert said.startswith(
            f'Moved school 2 "Riverside Primary" out of the trust to {out} as its one school: '
        )
        assert "The trust's database is unchanged" in said
        with trust_owner_database() as other:
            dialog.server.setText(other)
            dialog.to_server.setChecked(True)
            dialog.school.setCurrentIndex(0)
            dialog.move_now()
            qtbot.waitUntil(lambda: not dialog.working, timeout=60000)
            said = dialog.status.text()
            assert said.startswith('Moved school 1 "Wrenbridge Meadows Primary School" out of ')
            assert "as its one school" in said and "attendance_desk.school" not in said
            assert _figures(other, None) == _figures(trust, 1)
    finally:
        db.close()
    assert _figures(str(out), None) == _figures(trust, 2)
    db = open_database(school_url(trust, 2))  # a window working in Riverside
    try:
        dialog = MoveDialog(db)
        qtbot.addWidget(dialog)
        assert dialog.school.currentText() == "2 Riverside Primary"  # offered first
    finally:
        db.close()


def test_a_trust_built_by_hand_lets_its_second_school_out(tmp_path: Path) -> None:
    """The trust the other trust tests use (Riverside a copy of Oakfield's pupils, marks and
    open cases, made in the trust itself): Riverside's rows only, its audit entries with it."""
    with trust_owner_database(empty=False) as url:
        ids = built_trust(url)
        out = tmp_path / "riverside.sqlite3"
        result = move_between(url, out, school=str(ids["riverside"]))
        expected = _as_left(url, ids["riverside"])
        assert _file_rows(out) == {t: rows for t, rows in expected.items() if rows}
        assert result.rows["pupils"] == len(expected["pupils"]) > 0
        assert _audit_check(out).intact
        assert _figures(str(out), None) == _figures(url, ids["riverside"])


def test_the_record_says_where_the_school_came_from(kept_trust: str, tmp_path: Path) -> None:
    out = tmp_path / "riverside.sqlite3"
    move_between(kept_trust, out, school="Riverside")
    conn = sqlite3.connect(out)
    try:
        row = conn.execute(
            "SELECT action, entity, entity_id, school_id, new_json FROM audit_log "
            "ORDER BY id DESC LIMIT 1"
        ).fetchone()
    finally:
        conn.close()
    assert row[:4] == ("leave", "trust", "2", 1)
    note = json.loads(row[4])
    assert note["ids"] == "kept as the trust's" and note["trust_tip"][0] >= note["audit_rows"][1]
    assert str(note["audit_rows"][1]) in note["file_seals"]


def test_a_database_holding_one_school_is_moved_whole_even_when_named(
    two_files: tuple[Path, Path], tmp_path: Path
) -> None:
    """A database holding school 1 alone is moved back whole (its identity and log exactly), the
    school named or not; a school not there, or --school from a file, is refused."""
    with trust_owner_database() as url:
        move_between(two_files[0], url)
        with pytest.raises(UserError, match="there is no school 'Riverside'"):
            move_between(url, tmp_path / "none.sqlite3", school="Riverside")
        out = tmp_path / "wrenbridge.sqlite3"
        result = move_between(url, out, school="Wrenbridge")
    assert not result.taken_out and "the same on both sides" in result.summary()
    assert not (tmp_path / "none.sqlite3").exists()
    with pytest.raises(UserError, match="is a file holding one school"):
        move_between(out, tmp_path / "again.sqlite3", school="Wrenbridge")
    assert not (tmp_path / "again.sqlite3").exists()


def test_the_staff_the_school_s_records_name_go_with_it_and_no_other(
    trust: str, tmp_path: Path
) -> None:
    """The trust's staff list is every school's: a member of Wrenbridge's staff (the owner of
    one of its cases) and one named nowhere stay behind; Riverside's case owners go, and the
    command says how many went and where to add the rest."""
    import psycopg

    with psycopg.connect(server_role_url(trust)) as conn:
        conn.execute(
            "INSERT INTO staff (name, role, active, created_at) VALUES "
            "('Ms Only Wrenbridge', 'dsl', TRUE, now()), "
            "('Mr Never Named', 'class_teacher', TRUE, now()), "
            "('Mrs Riverside Owner', 'attendance_officer', TRUE, now())"
        )
        for owner, school in (("Ms Only Wrenbridge", 1), ("Mrs Riverside Owner", 2)):
            conn.execute(
                "UPDATE cases SET owner = %s WHERE id = (SELECT min(id) FROM cases "
                "WHERE school_id = %s)",
                (owner, school),
            )
    out = tmp_path / "riverside.sqlite3"
    result = move_between(trust, out, school="Riverside Primary")
    conn = sqlite3.connect(out)
    try:
        staff = {r[0] for r in conn.execute("SELECT name FROM staff")}
    finally:
        conn.close()
    assert "Mrs Riverside Owner" in staff
    assert not staff & {"Ms Only Wrenbridge", "Mr Never Named"}
    owners = {r[0] for r in _read(trust, "SELECT owner FROM cases WHERE school_id = 2")}
    trust_staff = {r[0] for r in _read(trust, "SELECT name FROM staff")}
    assert owners & trust_staff <= staff  # every case owner of Riverside on the list went
    assert f"Of the trust's staff list, {len(staff)} went with the school" in result.left_behind
    assert "Settings > Staff" in result.left_behind
