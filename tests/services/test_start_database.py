"""The database a PC opens when none is named (--db): chosen at the first start or in Settings,
kept for the PC's user without a password (0600), followed by the window and every command; a
server's password kept the PostgreSQL way, in the user's password file, where libpq finds it."""

from __future__ import annotations

import os
import stat
import uuid
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from casework_school import build_school

from attendance_desk.cli import main
from attendance_desk.paths import start_database_file
from attendance_desk.services.database import (
    choose_start_database,
    chosen_database,
    default_database_path,
    keep_server_password,
    server_password_given,
)
from attendance_desk.storage.db import open_database
from tests.conftest import postgres_database


def _mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_a_file_chosen_for_this_pc_is_what_the_commands_open(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert chosen_database() == default_database_path()  # nothing chosen: the data folder's
    school = tmp_path / "office" / "school.sqlite3"
    school.parent.mkdir()
    db = open_database(school)
    try:
        build_school(db)
    finally:
        db.close()
    assert choose_start_database(school) == school.absolute()
    assert chosen_database() == school.absolute()
    assert main(["pupils"]) == 0  # no --db: the file chosen, not a new empty school
    listed = capsys.readouterr().out
    assert "A100000000001" in listed
    assert not default_database_path().exists()
    if os.name == "posix":
        assert _mode(start_database_file()) == 0o600
    assert choose_start_database(None) == default_database_path()
    assert not start_database_file().exists()


def test_a_server_is_kept_without_its_password_and_the_password_goes_to_pgpass(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A login with a password on the real server: the address typed with it is kept without
    it; kept in the password file (0600, one line for the server, port, database and user,
    replaced, others kept), the commands open the server's database with no password given."""
    import psycopg

    pgpass = tmp_path / "pgpass"
    pgpass.write_text("otherhost:5432:*:someone:sec\\:ret\n", encoding="utf-8")
    monkeypatch.setenv("PGPASSFILE", str(pgpass))
    login, password = f"office_{uuid.uuid4().hex[:8]}", "p:w\\" + uuid.uuid4().hex[:6]
    with postgres_database() as url:
        with psycopg.connect(url, autocommit=True) as admin:
            admin.execute(f"CREATE ROLE {login} LOGIN PASSWORD '{password}'")
            admin.execute(f'ALTER DATABASE "{url.rsplit("/", 1)[1]}" OWNER TO {login}')
        try:
            parts = urlsplit(url)
            host = parts.netloc.rsplit("@", 1)[-1]
            quoted = password.replace(":", "%3A").replace("\\", "%5C")
            typed = urlunsplit(parts._replace(netloc=f"{login}:{quoted}@{host}"))
            bare = urlunsplit(parts._replace(netloc=f"{login}@{host}"))
            db = open_database(typed)  # the schema made by the school's own login
            try:
                build_school(db)
            finally:
                db.close()
            assert choose_start_database(typed) == bare
            assert start_database_file().read_text(encoding="utf-8").strip() == bare
            assert password not in start_database_file().read_text(encoding="utf-8")
            monkeypatch.setenv("PGPASSWORD", "")
            with pytest.raises(Exception, match="password"):
                open_database(bare).close()  # no password anywhere yet
            keep_server_password(typed)
            keep_server_password(typed)  # again: still one line for it
            as_query = f"{bare}?password={quoted}"  # the password written as libpq's parameter
            assert server_password_given(as_query)
            keep_server_password(as_query)  # the same line, kept once
            lines = pgpass.read_text(encoding="utf-8").splitlines()
            assert lines[0] == "otherhost:5432:*:someone:sec\\:ret"
            assert len(lines) == 2 and lines[1].endswith(
                ":" + password.replace("\\", "\\\\").replace(":", "\\:")
            )
            if os.name == "posix":
                assert _mode(pgpass) == 0o600
            assert main(["pupils"]) == 0  # no --db, no password: the server's, from pgpass
            assert "A100000000001" in capsys.readouterr().out
            assert main(["demo"]) == 2  # a command for files only says why, and what to do
            assert capsys.readouterr().err.strip() == (
                "attendance-desk: demo: works on a database file, and this PC opens a database "
                "on a server (Settings > This PC): name a file with --db"
            )
        finally:
            with psycopg.connect(url, autocommit=True) as admin:
                admin.execute(f'ALTER DATABASE "{url.rsplit("/", 1)[1]}" OWNER TO CURRENT_USER')
                admin.execute(f"REASSIGN OWNED BY {login} TO CURRENT_USER")
                admin.execute(f"DROP OWNED BY {login}")
    with psycopg.connect(os.environ["ATTENDANCE_DESK_TEST_PG"], autocommit=True) as server:
        server.execute(f"DROP ROLE IF EXISTS {login}")
