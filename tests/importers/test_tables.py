"""The importers' plain SQL names its tables from the models, and every statement it runs is
valid against the schema the migrations make."""

from __future__ import annotations

import ast
import re
import sqlite3
from pathlib import Path

import pytest

from attendance_desk.importers import tables
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Mark
from attendance_desk.storage.models.base import Base

IMPORTERS = Path(tables.__file__).parent
TABLE_WORDS = re.compile(r"\b(?:FROM|INTO|UPDATE|JOIN)\s+([a-z_]+)\b")
NOT_TABLES = {"json_each", "temp", "sqlite_master"}


def test_names_come_from_the_models_and_a_wrong_one_is_refused_at_once() -> None:
    assert Mark.__tablename__ == tables.MARKS
    assert tables.INSERT_MARK.startswith("INSERT INTO marks (pupil_id, date, session, code,")
    with pytest.raises(LookupError, match="marks has no column mark_code"):
        tables.columns(Mark, "pupil_id", "mark_code")


def _literal_sql() -> list[tuple[str, str]]:
    found = []
    for path in sorted(IMPORTERS.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                found.append((path.name, node.value))
    return found


def test_no_importer_spells_a_table_name_itself() -> None:
    """Table names in SQL come from `tables` (f-string parts), never typed into a literal."""
    spelled = [
        (name, m[1])
        for name, text in _literal_sql()
        for m in TABLE_WORDS.finditer(text)
        if m[1] not in NOT_TABLES and name != "tables.py"
    ]
    assert spelled == []
    assert set(Base.metadata.tables) >= {
        tables.MARKS, tables.MARK_CHANGES, tables.MIS_CHANGES, tables.DAY_REASONS,
        tables.IMPORTS, tables.PUPILS, tables.CONTACTS, tables.ACADEMIC_YEARS,
        tables.HALF_TERMS, tables.CLOSURES,
    }  # fmt: skip


def test_the_built_statements_compile_against_the_migrated_schema(db: Database) -> None:
    conn = sqlite3.connect(db.path)
    try:
        conn.execute(
            f"EXPLAIN {tables.INSERT_MARK} VALUES (1, '2024-09-02', 'AM', '/', 'mis', 1, '')"
        )
        conn.execute(
            f"EXPLAIN {tables.INSERT_MARK_CHANGE} VALUES (1, '', '', '', '', '', 1, '', '', '')"
        )
        conn.execute(
            f"EXPLAIN {tables.INSERT_IMPORT} VALUES ('', '', '', '', '', '', 0, 0, 0, 0, 0, '')"
        )
    finally:
        conn.close()
