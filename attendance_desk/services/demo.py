"""Demo school generator (placeholder until the generator lands)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from attendance_desk.storage.db import open_database


def create_demo_database(
    path: Path, seed: int = 2024, as_of: date | None = None, replace_demo: bool = False
) -> str:
    db = open_database(path)
    db.close()
    return "empty"
