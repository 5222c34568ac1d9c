"""The layers of design.md hold: domain imports no Qt, no SQLAlchemy and no I/O; ui never
touches SQL directly."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "attendance_desk"
FORBIDDEN_IN_DOMAIN = (
    "PySide6",
    "sqlalchemy",
    "sqlite3",
    "openpyxl",
    "python_calamine",
    "reportlab",
    "alembic",
    "attendance_desk.storage",
    "attendance_desk.services",
    "attendance_desk.ui",
)
FORBIDDEN_IN_UI = ("sqlalchemy", "sqlite3", "reportlab", "attendance_desk.storage")


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def _offenders(folder: str, forbidden: tuple[str, ...]) -> list[str]:
    found = []
    for path in sorted((PACKAGE / folder).rglob("*.py")):
        for name in _imports(path):
            if name.split(".")[0] in forbidden or any(name.startswith(f) for f in forbidden):
                found.append(f"{path.relative_to(PACKAGE)} imports {name}")
    return found


def test_domain_is_pure() -> None:
    assert _offenders("domain", FORBIDDEN_IN_DOMAIN) == []


def test_ui_goes_through_services() -> None:
    assert _offenders("ui", FORBIDDEN_IN_UI) == []
