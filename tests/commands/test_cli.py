"""The command line itself: `--help` lists every command, a command imports only its own
module, and `--db` is accepted before or after the command."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

import pytest

from attendance_desk.cli import COMMAND_MODULES, COMMANDS, build_parser, command_in, main
from attendance_desk.storage.db import open_database

ROOT = Path(__file__).resolve().parents[2]


def _subparsers(parser: argparse.ArgumentParser) -> argparse._SubParsersAction:
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))


def test_help_lists_every_command_with_the_line_its_module_gives() -> None:
    everything = _subparsers(build_parser())
    registered = {a.dest: a.help for a in everything._choices_actions}
    assert list(registered) == list(COMMANDS)
    for name, (_module, line) in COMMANDS.items():
        assert registered[name] == line, name
        alone = _subparsers(build_parser(name))
        assert {a.dest: a.help for a in alone._choices_actions}[name] == line


def test_help_names_every_command(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(["--help"])
    assert exit_.value.code == 0
    out = capsys.readouterr().out
    for name in COMMANDS:
        assert f"    {name}" in out


@pytest.mark.parametrize(
    ("argv", "command"),
    [
        ([], None),
        (["--db", "pupils"], None),  # a database file named "pupils": the window
        (["--db", "x.sqlite3", "pupils", "--as-of", "2025-01-01"], "pupils"),
        (["demo", "--db", "x.sqlite3"], "demo"),
        (["--demo"], None),
        (["nonsense"], None),
    ],
)
def test_command_in(argv: list[str], command: str | None) -> None:
    assert command_in(argv) == command


def test_a_command_imports_only_its_own_module(tmp_path: Path) -> None:
    """...and no heavy module it does not use (Alembic too: the schema is current)."""
    open_database(tmp_path / "school.sqlite3").close()
    code = (
        "import sys\n"
        "from attendance_desk.cli import main\n"
        "main(['--db', sys.argv[1], 'policy'])\n"
        "print(sorted(m for m in sys.modules if m.startswith('attendance_desk.commands.')))\n"
        "print(sorted(m for m in ('reportlab', 'openpyxl', 'alembic', 'PySide6') if m in sys.modules))\n"
    )
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    out = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path / "school.sqlite3")],
        capture_output=True,
        text=True,
        env=env,
        check=True,
    ).stdout.splitlines()
    loaded = eval(out[-2])  # noqa: S307 - our own printed list
    assert "attendance_desk.commands.policy" in loaded
    assert set(loaded) <= {"attendance_desk.commands.common", "attendance_desk.commands.policy"}
    assert len(COMMAND_MODULES) > 2
    assert eval(out[-1]) == []  # noqa: S307


def test_db_after_the_command(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    before, after = tmp_path / "before.sqlite3", tmp_path / "after.sqlite3"
    assert main(["policy", "--db", str(after)]) == 0
    assert after.exists() and not before.exists()
    capsys.readouterr()
    # Given twice, the one after the command is the one the command uses.
    assert main(["--db", str(before), "policy", "--db", str(after)]) == 0
    assert not before.exists()
    # Given only before the command, it stands.
    assert main(["--db", str(before), "policy"]) == 0
    assert before.exists()


def test_reading_commands_leave_the_file_as_it_is_whoever_signed_in_last(tmp_path: Path) -> None:
    """The window's officer is the audit's last "who"; a reading command run at the same PC
    under the computer's login changes no byte of the file (it used to name the login in
    the audit on opening, so the next command had to check the whole file again)."""
    import sqlite3

    from attendance_desk.storage.integrity import file_state

    path = tmp_path / "school.sqlite3"
    open_database(path).close()
    conn = sqlite3.connect(path)
    with conn:
        conn.execute("UPDATE audit_session SET who = 'Ms K Ellis' WHERE id = 1")
    conn.close()
    before = file_state(path)
    for command in (["pupils"], ["concerns"], ["groups"], ["calls", "--date", "2026-03-20"]):
        assert main(["--db", str(path), *command]) == 0
        assert file_state(path) == before, command
