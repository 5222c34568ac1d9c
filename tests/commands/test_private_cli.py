"""The command line and a school's password (the database encrypted under it): no command
reads, exports or changes data without it; it may come from the environment for a scheduled job; read-only commands work while the
window (another process) holds the database; what the program writes is its owner's only."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from attendance_desk.services.access import PASSWORD_ENV, set_password
from attendance_desk.storage.db import open_database
from attendance_desk.storage.models import Pupil

PASSWORD = "correct horse battery"


def cli(env: dict[str, str], *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "attendance_desk", *args],
        capture_output=True,
        text=True,
        input=stdin,
        timeout=120,
        env=env,
    )


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k != PASSWORD_ENV}
    return {**clean, "XDG_DATA_HOME": str(tmp_path / "appdata")}


@pytest.fixture
def locked(tmp_path: Path) -> Path:
    path = tmp_path / "school.sqlite3"
    db = open_database(path)
    with db.session() as s:
        s.add(Pupil(legal_surname="Khan", legal_forename="Ali", year_group="3"))
    set_password(db, PASSWORD)
    db.close()
    return path


@pytest.mark.parametrize(
    "command",
    [
        ["pupils", "--format", "csv"],
        ["concerns"],
        ["policy", "--preset", "clifton"],
        ["backup"],
        ["restore", "other.sqlite3"],
    ],
)
def test_a_command_without_the_password_is_refused(
    locked: Path, env: dict[str, str], command: list[str]
) -> None:
    before = locked.read_bytes()
    if command[0] == "restore":
        other = locked.with_name("other.sqlite3")
        open_database(other).close()
        command = ["restore", str(other)]
    result = cli(env, "--db", str(locked), *command)
    assert result.returncode == 2, result.stderr
    assert result.stderr.strip().splitlines() == [
        f"attendance-desk: {locked} has a password: type it when asked, or set {PASSWORD_ENV} "
        "(or keep it in the system keyring) for a scheduled job (a file that is damaged "
        "instead: restore a backup)"
    ]
    assert "Khan" not in result.stdout
    assert locked.read_bytes() == before
    assert not (locked.parent / "appdata").exists() or not any(
        (locked.parent / "appdata").rglob("*.sqlite3")
    )


def test_a_wrong_password_is_refused_and_the_right_one_from_the_environment_works(
    locked: Path, env: dict[str, str]
) -> None:
    wrong = cli({**env, PASSWORD_ENV: "not the password"}, "--db", str(locked), "pupils")
    assert wrong.returncode == 2
    assert wrong.stderr.strip().splitlines() == [
        f"attendance-desk: {locked} cannot be opened with this password (or it is not an "
        "Attendance Desk database)"
    ]
    right = cli({**env, PASSWORD_ENV: PASSWORD}, "--db", str(locked), "pupils", "--format", "csv")
    assert right.returncode == 0, right.stderr
    assert "Khan" in right.stdout


HOLDER = textwrap.dedent(
    """
    import sys
    from attendance_desk.storage.db import open_database
    db = open_database(sys.argv[1], password=sys.argv[2])
    print("open", flush=True)
    sys.stdin.readline()
    """
)


def test_read_only_commands_work_while_the_window_holds_the_database(
    locked: Path, env: dict[str, str], tmp_path: Path
) -> None:
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(locked), PASSWORD],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        with_password = {**env, PASSWORD_ENV: PASSWORD}
        for command in (["pupils"], ["concerns"], ["groups"], ["policy"]):
            result = cli(with_password, "--db", str(locked), *command)
            assert result.returncode == 0, (command, result.stderr)
        copy = tmp_path / "copy.sqlite3"
        result = cli(with_password, "--db", str(locked), "backup", "--to", str(copy))
        assert result.returncode == 0, result.stderr
        assert stat.S_IMODE(copy.stat().st_mode) == 0o600
        # an existing file is never replaced without --force
        before = copy.read_bytes()
        again = cli(with_password, "--db", str(locked), "backup", "--to", str(copy))
        assert again.returncode == 2
        assert again.stderr.strip().splitlines() == [
            f"attendance-desk: {copy} already exists: give another name, or --force to replace it"
        ]
        assert copy.read_bytes() == before
        forced = cli(with_password, "--db", str(locked), "backup", "--to", str(copy), "--force")
        assert forced.returncode == 0, forced.stderr
    finally:
        holder.stdin.close()  # type: ignore[union-attr]
        holder.wait(timeout=60)


@pytest.mark.skipif(os.name != "posix", reason="file modes are POSIX")
def test_the_database_and_its_backups_are_the_owners_only(
    tmp_path: Path, env: dict[str, str]
) -> None:
    path = tmp_path / "new.sqlite3"
    # a wide-open umask, as a shared machine might have: the services still keep their files
    # to their owner (the command line also narrows the umask for everything else it writes)
    script = (
        "import os, sys; os.umask(0); from pathlib import Path\n"
        "from attendance_desk.storage.db import open_database\n"
        "from attendance_desk.services.backup import make_backup\n"
        "db = open_database(Path(sys.argv[1])); make_backup(db); db.close()\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", script, str(path)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    backups = list((tmp_path / "appdata").rglob("*.sqlite3"))
    assert len(backups) == 1 and stat.S_IMODE(backups[0].stat().st_mode) == 0o600
