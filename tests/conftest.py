"""Shared fixtures: a real SQLite file in a temporary folder (and, for `backend_db`, a real
PostgreSQL database too), never a mock."""

from __future__ import annotations

import atexit
import contextlib
import os
import subprocess
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

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


PG_ENV = "ATTENDANCE_DESK_TEST_PG"
NO_PG = (
    f"no PostgreSQL server: set {PG_ENV} to a server URL (a role that may create databases "
    "and roles), "
    f"e.g. {PG_ENV}=postgresql://attendance@127.0.0.1:5432/postgres (.ci/run does)"
)


_TEMPLATES: dict[str, str] = {}  # server -> a database built to the latest schema, copied


def _school_template(admin: Any, server: str) -> str:
    """A database on the server made by the migrations once per test run (copied for each test
    that wants a new school: CREATE DATABASE ... TEMPLATE, instead of migrating each time)."""
    if server in _TEMPLATES:
        return _TEMPLATES[server]
    name = f"t_template_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = server.rpartition("/")
    open_database(f"{base}/{name}").close()

    def drop() -> None:
        import psycopg

        with contextlib.suppress(psycopg.Error), psycopg.connect(server, autocommit=True) as c:
            c.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    atexit.register(drop)
    _TEMPLATES[server] = name
    return name


@contextlib.contextmanager
def postgres_database(empty: bool = True) -> Iterator[str]:
    """A fresh database on the test server (dropped afterwards): its URL; `empty=False`: a
    copy of one already built to the latest schema. Skips the test, saying why, when no server
    is named or it cannot be reached."""
    server = os.environ.get(PG_ENV, "").strip()
    if not server:
        pytest.skip(NO_PG)
    import psycopg

    name = f"t_{uuid.uuid4().hex[:16]}"
    try:
        admin = psycopg.connect(server, autocommit=True, connect_timeout=5)
    except psycopg.Error as exc:
        pytest.skip(f"{NO_PG} ({PG_ENV} is set, but: {str(exc).strip().splitlines()[0]})")
    try:
        template = "" if empty else f' TEMPLATE "{_school_template(admin, server)}"'
        admin.execute(f'CREATE DATABASE "{name}"{template}')
        base, _, _ = server.rpartition("/")
        try:
            yield f"{base}/{name}"
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        admin.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    """The backend a service-level test runs on: each such test runs on both."""
    return str(request.param)


@pytest.fixture
def backend_target(backend: str, db_path: Path) -> Iterator[Path | str]:
    """What `open_database` is given for the backend: the SQLite file's path, or the URL of a
    fresh database on the PostgreSQL test server, connecting as a login role that owns it and
    is not a superuser, as a school's server is set up (README): row-level security binds
    such an owner (0015), never a superuser, and the tests ran as one until a year's first
    import as the owner was found to take ten times as long."""
    if backend == "sqlite":
        yield db_path
        return
    from trust_school import trust_owner_database

    with trust_owner_database(empty=False) as url:
        yield url


@pytest.fixture
def backend_db(backend_target: Path | str) -> Iterator[Database]:
    """An open, empty school database on each backend: SQLite (a real file) and PostgreSQL
    (a fresh database on the server named by ATTENDANCE_DESK_TEST_PG, its owner's; skipped,
    saying why, when there is none). A service-level test that takes `backend_db` instead of `db` runs on
    both."""
    database = open_database(backend_target)
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
