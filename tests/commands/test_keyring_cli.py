"""A scheduled import reads the school's password from the system keyring: tested with a real
keyring backend (keyrings.alt's file keyring, chosen with PYTHON_KEYRING_BACKEND as a school
would choose its own), the password stored with keyring's own API, the command run as a real
process with nobody at a terminal and no ATTENDANCE_DESK_PASSWORD."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

pytest.importorskip("keyring")
pytest.importorskip("keyrings.alt.file")

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "importers"))

from filemakers import wide_rows, write_xlsx  # noqa: E402

from attendance_desk.services.access import KEYRING_SERVICE, PASSWORD_ENV, set_password  # noqa: E402
from attendance_desk.storage.cipher import is_encrypted  # noqa: E402
from attendance_desk.storage.db import open_database  # noqa: E402
from attendance_desk.storage.models import Pupil  # noqa: E402

PASSWORD = "correct horse battery"
REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    clean = {k: v for k, v in os.environ.items() if k != PASSWORD_ENV}
    return {
        **clean,
        "XDG_DATA_HOME": str(tmp_path / "appdata"),  # the file keyring lives in here too
        "PYTHON_KEYRING_BACKEND": "keyrings.alt.file.PlaintextKeyring",
    }


@pytest.fixture
def school(tmp_path: Path) -> Path:
    path = tmp_path / "school.sqlite3"
    db = open_database(path)
    with db.session() as s:
        s.add(Pupil(legal_surname="Khan", legal_forename="Ali", year_group="3"))
    set_password(db, PASSWORD)  # the file is encrypted under it
    db.close()
    assert is_encrypted(path)
    return path


def _run(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, input="", timeout=180,
        env=env, cwd=REPO,
    )  # fmt: skip


def _keep_in_keyring(env: dict[str, str], user: str, password: str) -> None:
    done = _run(
        env, "-c",
        "import sys, keyring; print(type(keyring.get_keyring()).__name__); "
        "keyring.set_password(sys.argv[1], sys.argv[2], sys.argv[3])",
        KEYRING_SERVICE, user, password,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "PlaintextKeyring"  # the real backend, not a stand-in


def test_a_scheduled_import_reads_the_password_from_the_keyring(
    school: Path, env: dict[str, str], tmp_path: Path
) -> None:
    register = write_xlsx(tmp_path / "register.xlsx", wide_rows())
    refused = _run(env, "-m", "attendance_desk", "--db", str(school), "import", str(register))
    assert refused.returncode == 2 and "has a password" in refused.stderr  # nothing kept yet

    _keep_in_keyring(env, str(school), PASSWORD)
    assert any((tmp_path / "appdata").rglob("keyring_pass.cfg"))  # written by the backend
    done = _run(env, "-m", "attendance_desk", "--db", str(school), "import", str(register))
    assert done.returncode == 0, done.stderr
    assert "16 marks added" in done.stdout
    listed = _run(env, "-m", "attendance_desk", "--db", str(school), "pupils", "--format", "csv")
    assert listed.returncode == 0 and "Khan" in listed.stdout


def test_the_database_named_by_a_shorter_path_finds_the_same_entry(
    school: Path, env: dict[str, str]
) -> None:
    _keep_in_keyring(env, str(school), PASSWORD)
    done = subprocess.run(
        [sys.executable, "-m", "attendance_desk", "--db", school.name, "pupils"],
        capture_output=True, text=True, input="", timeout=180,
        env={**env, "PYTHONPATH": str(REPO)}, cwd=school.parent,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "Khan" in done.stdout


def test_a_wrong_password_in_the_keyring_is_refused(school: Path, env: dict[str, str]) -> None:
    _keep_in_keyring(env, str(school), "not the password")
    before = school.read_bytes()
    done = _run(env, "-m", "attendance_desk", "--db", str(school), "pupils")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr and done.stderr.count("\n") == 1
    assert "Khan" not in done.stdout
    assert school.read_bytes() == before
