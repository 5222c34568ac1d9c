"""The importers' plain SQL names its tables from the models, and every statement it runs is
valid against the schema the migrations make."""

from __future__ import annotations

import ast
import os
import re
import sqlite3
import subprocess
import sys
from pathlib import Path

from attendance_desk.importers import tables
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Mark
from attendance_desk.storage.models.base import Base

IMPORTERS = Path(tables.__file__).parent
TABLE_WORDS = re.compile(r"\b(?:FROM|INTO|UPDATE|JOIN)\s+([a-z_]+)\b")
NOT_TABLES = {
    "json_each", "temp", "sqlite_master", "json_array_elements_text", "pg_constraint",
    "pg_attribute", "pg_class", "pg_index", "generate_series", "pg_temp", "pg_settings",
    "json_populate_recordset", "pg_trigger", "pg_am", "pg_attrdef", "pg_roles",
}  # fmt: skip


TABLE_NAMES = (
    "MARKS", "MARK_CHANGES", "MIS_CHANGES", "DAY_REASONS", "IMPORTS", "PUPILS", "CONTACTS",
    "ACADEMIC_YEARS", "HALF_TERMS", "CLOSURES",
)  # fmt: skip


def names_missing_from_models(named: dict[str, tuple[str, ...]]) -> list[str]:
    """Each table and column named that the models do not have."""
    missing = []
    for table, names in named.items():
        model = Base.metadata.tables.get(table)
        if model is None:
            missing.append(table)
            continue
        missing += [f"{table}.{n}" for n in names if n not in model.columns]
    return missing


def test_every_name_is_the_models_and_a_wrong_one_is_found() -> None:
    assert Mark.__tablename__ == tables.MARKS
    assert tables.INSERT_MARK.startswith("INSERT INTO marks (pupil_id, date, session, code,")
    named = {getattr(tables, n): () for n in TABLE_NAMES}
    for table, cols in tables.NAMED_COLUMNS.items():
        named[table] = cols
    assert set(tables.NAMED_COLUMNS) == {tables.MARKS, tables.MARK_CHANGES, tables.IMPORTS}
    assert len(tables.NAMED_COLUMNS[tables.MARKS]) == 7
    assert names_missing_from_models(named) == []
    # the check finds a column, or a table, the models do not have
    wrong = {**named, tables.MARKS: ("pupil_id", "mark_code"), "mark": ()}
    assert names_missing_from_models(wrong) == ["marks.mark_code", "mark"]


def test_importing_loads_no_orm() -> None:
    """The names are plain strings: the import path never loads SQLAlchemy for them."""
    code = (
        "import sys\n"
        "import attendance_desk.importers.tables, attendance_desk.importers.batch\n"
        "print(sorted(m for m in ('sqlalchemy', 'attendance_desk.storage.models') "
        "if m in sys.modules))\n"
    )
    root = Path(tables.__file__).resolve().parents[2]
    out = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(root)},
        check=True,
    )
    assert out.stdout.strip() == "[]"


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
