"""A school that has left its trust removed from the trust's PostgreSQL database: a backup of
the whole database first, then every row of that school and only that school, its audit
entries cleared with their seals kept (the trust's log still verifies), one entry recording
the removal; refused, with nothing changed, for a name mistyped, a member of staff, the school
the window works in and the trust's last school; and the school's file may join the trust
again once it is gone (issue 17). Needs a PostgreSQL server (ATTENDANCE_DESK_TEST_PG)."""

from __future__ import annotations

import json
import stat
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from test_moving_into_trust import _dump_by_school, two_files
from test_moving_out_of_trust import trust
from trust_school import staff_login

from attendance_desk.errors import UserError
from attendance_desk.services.audit import check_audit_chain
from attendance_desk.services.moving import move_between
from attendance_desk.services.school_removal import remove_from_trust, remove_from_trust_at
from attendance_desk.storage.audit_chain import TOMBSTONE_ACTION
from attendance_desk.storage.db import open_database
from attendance_desk.storage.removing import REMOVE_ACTION, removals_recorded
from attendance_desk.storage.trust import school_url

# the two demo schools' files (a module fixture of the join's tests), and the trust holding
# both, Wrenbridge (school 1) and Riverside (school 2), as its owner (the leaving's tests)
__all__ = ["trust", "two_files"]

RIVERSIDE = "Riverside Primary"


def _rows(url: str, sql: str) -> list[tuple[Any, ...]]:
    db = open_database(url)
    conn = db.raw_connection()
    try:
        return [tuple(r) for r in conn.execute(sql).fetchall()]
    finally:
        conn.close()
        db.close()


TRIGGERS = (
    "SELECT c.relname, t.tgname, pg_get_triggerdef(t.oid) FROM pg_trigger t "
    "JOIN pg_class c ON c.oid = t.tgrelid WHERE NOT t.tgisinternal ORDER BY 1, 2"
)


def test_a_school_that_left_is_removed_and_the_other_school_is_kept_exactly(
    trust: str, tmp_path: Path
) -> None:
    before = _dump_by_school(trust)
    triggers = _rows(trust, TRIGGERS)
    left = move_between(trust, tmp_path / "riverside.sqlite3", school=RIVERSIDE)
    assert left.taken_out and _dump_by_school(trust) == before  # leaving only reads

    outcome = remove_from_trust_at(trust, "Riverside", RIVERSIDE)

    after = _dump_by_school(trust)
    assert outcome.removed.school_id == 2 and outcome.removed.name == RIVERSIDE
    # every row Riverside had is gone, its audit entries aside (cleared, their seals kept)
    assert set(after[2]) == {"audit_log"}
    for table, rows in before[2].items():
        if table != "audit_log":
            assert outcome.removed.rows.get(table, 0) == len(rows), table
    assert outcome.removed.rows["marks"] > 10_000 and outcome.removed.rows["pupils"] > 100
    assert _rows(trust, "SELECT count(*) FROM marks WHERE school_id = 2") == [(0,)]
    # its entries: as many as before plus the removal's, every one cleared but that one
    theirs = _rows(
        trust,
        "SELECT action, who, entity, entity_id, old_json, new_json, digest IS NOT NULL "
        "FROM audit_log WHERE school_id = 2 ORDER BY id",
    )
    assert len(theirs) == len(before[2]["audit_log"]) + 1
    assert all(r[:6] == (TOMBSTONE_ACTION, "", "", "", None, None) and r[6] for r in theirs[:-1])
    assert theirs[-1][0] == REMOVE_ACTION
    assert outcome.removed.audit_cleared == len(before[2]["audit_log"])
    # Wrenbridge's rows and the database's own are exactly as they were
    assert after[1] == before[1]
    shared_before = {t: r for t, r in before[None].items() if t != "staff_schools"}
    assert {t: r for t, r in after[None].items() if t != "staff_schools"} == shared_before
    # the trust's log verifies, through the cleared entries
    db = open_database(trust)
    try:
        assert check_audit_chain(db).intact
        conn = db.raw_connection()
        try:
            (recorded,) = removals_recorded(conn)
        finally:
            conn.close()
    finally:
        db.close()
    assert recorded["school"] == RIVERSIDE and recorded["school_in_trust"] == 2
    assert recorded["rows"]["marks"] == outcome.removed.rows["marks"]
    assert _rows(trust, TRIGGERS) == triggers  # every trigger dropped for it is back
    # the whole database as it was, in a backup only its owner can read
    assert outcome.backup.is_file() and outcome.backup.stat().st_size > 100_000
    assert stat.S_IMODE(outcome.backup.stat().st_mode) & 0o077 == 0
    assert "Riverside" in outcome.summary() and str(outcome.backup) in outcome.summary()


def test_a_removal_refused_changes_nothing(trust: str) -> None:
    with staff_login(trust, [1, 2]) as staff:  # a member of staff given both schools
        before = _dump_by_school(trust)
        with pytest.raises(UserError, match="only the trust's owner"):
            remove_from_trust_at(staff, "Riverside", RIVERSIDE)
        with pytest.raises(UserError, match="type the school's name"):
            remove_from_trust_at(trust, "Riverside", "Riverside")
        with pytest.raises(UserError, match="no school|not one of"):
            remove_from_trust_at(trust, "Hillside", "Hillside")
        working_in = open_database(school_url(trust, 2))  # a window working in Riverside
        try:
            with pytest.raises(UserError, match="works in"):
                remove_from_trust(working_in, 2, RIVERSIDE)
        finally:
            working_in.close()
        assert _dump_by_school(trust) == before
    remove_from_trust_at(trust, "Riverside", RIVERSIDE)
    wrenbridge = _rows(trust, "SELECT name FROM schools")[0][0]
    with pytest.raises(UserError, match="holding several schools|only school"):
        remove_from_trust_at(trust, 1, str(wrenbridge))
    assert _rows(trust, "SELECT count(*) FROM pupils WHERE school_id = 1") != [(0,)]


def test_the_file_that_left_joins_the_trust_again_once_removed(trust: str, tmp_path: Path) -> None:
    out = tmp_path / "riverside.sqlite3"
    move_between(trust, out, school=RIVERSIDE)
    with pytest.raises(UserError):
        move_between(out, trust)  # still in the trust: refused
    remove_from_trust_at(trust, RIVERSIDE, RIVERSIDE)
    move_between(out, trust)
    # a new number: 2 stays the removed school's, named by its cleared audit entries
    assert _rows(trust, "SELECT id, name FROM schools ORDER BY id")[1:] == [(3, RIVERSIDE)]
    pupils = _rows(
        trust,
        "SELECT count(*) FROM pupils p JOIN schools s ON s.id = p.school_id "
        f"WHERE s.name = '{RIVERSIDE}'",
    )
    assert pupils[0][0] > 100


def test_the_command_removes_a_school_only_with_its_name_typed(trust: str, tmp_path: Path) -> None:
    def run(*words: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "attendance_desk", "remove-school", "--from", trust, *words],
            capture_output=True,
            text=True,
        )

    file = tmp_path / "typo.sqlite3"
    not_a_trust = subprocess.run(
        [sys.executable, "-m", "attendance_desk", "remove-school", "--from", str(file)]
        + ["--school", "Riverside", "--confirm", RIVERSIDE],
        capture_output=True,
        text=True,
    )
    assert not_a_trust.returncode == 2 and "not a trust's database" in not_a_trust.stderr
    assert not file.exists()  # never made by a typo
    wrong = run("--school", "Riverside", "--confirm", "Wrenbridge")
    assert wrong.returncode == 2 and "nothing was removed" in wrong.stderr
    assert _rows(trust, "SELECT count(*) FROM schools") == [(2,)]
    done = run("--school", "Riverside", "--confirm", RIVERSIDE)
    assert done.returncode == 0, done.stderr
    assert "Removed school 2" in done.stdout and "marks" in done.stdout
    assert _rows(trust, "SELECT count(*) FROM schools") == [(1,)]
    note = _rows(trust, f"SELECT new_json FROM audit_log WHERE action = '{REMOVE_ACTION}'")
    assert json.loads(str(note[0][0]))["school"] == RIVERSIDE
