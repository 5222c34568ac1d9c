"""Shared fixtures: a real SQLite file in a temporary folder, never a mock."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from attendance_desk.storage.db import Database, open_database  # noqa: E402


@pytest.fixture(scope="session")
def samples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A folder holding the MIS sample files, written by tests/sample_school.py."""
    from tests.sample_school import write_samples

    return write_samples(tmp_path_factory.mktemp("samples"))


@pytest.fixture(autouse=True)
def _private_app_data(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Backups and settings go to a temporary folder, never the real app-data folder."""
    folder = tmp_path_factory.mktemp("appdata")
    monkeypatch.setenv("XDG_DATA_HOME", str(folder))
    monkeypatch.setenv("APPDATA", str(folder))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(folder / "config"))


@pytest.fixture(autouse=True)
def _nobody_signed_in() -> Iterator[None]:
    """Each test starts (and ends) with no member of staff signed in."""
    from attendance_desk.user import stop_acting

    stop_acting()
    yield
    stop_acting()


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "school.sqlite3"


@pytest.fixture
def db(db_path: Path) -> Iterator[Database]:
    database = open_database(db_path)
    yield database
    database.close()


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A real full disk: a 3 MB tmpfs (needs root); else a process file-size limit."""
    mount = tmp_path / "disk"
    mount.mkdir()
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", "size=3m", "tmpfs", str(mount)], capture_output=True
    )
    if done.returncode != 0:
        pytest.skip("cannot mount a small tmpfs here")
    try:
        yield mount
    finally:
        subprocess.run(["umount", str(mount)], check=False)
