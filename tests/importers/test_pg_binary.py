"""The COPY bytes importers/pg_binary.py makes for new marks are psycopg's own for the same rows."""

from __future__ import annotations

from datetime import date, datetime

import pytest

from attendance_desk.importers import pg_binary

psycopg = pytest.importorskip("psycopg")


def _psycopg_bytes(
    rows: list[tuple[object, ...]], types: tuple[str, ...] = pg_binary.TYPES
) -> bytes:
    from psycopg import adapt
    from psycopg._copy_base import BinaryFormatter
    from psycopg.adapt import Transformer

    transformer = Transformer(adapt.AdaptersMap(psycopg.adapters))
    transformer.set_dumper_types(
        [psycopg.adapters.types[name].oid for name in types], psycopg.pq.Format.BINARY
    )
    formatter = BinaryFormatter(transformer)
    out = b"".join(bytes(formatter.write_row(row)) for row in rows)
    return out + bytes(formatter.end())


def test_marks_bytes_are_those_psycopg_writes() -> None:
    now = datetime(2026, 9, 3, 14, 5, 6, 789012)
    columns = [(date(2025, 9, 3), "AM"), (date(2025, 9, 3), "PM"), (date(1999, 12, 31), "AM")]
    rows = pg_binary.MarkRows(columns, import_id=7, now=now, school=2)
    grid = [(41, ["/", None, "N"]), (42, ["\\", "L", "/"]), (43, [None, None, None])]
    singles = [(44, date(2024, 2, 29), "PM", "é")]
    ours = b"".join(
        pg_binary.framed(
            [rows.grid_row(p, codes) for p, codes in grid]
            + [rows.mark(p, d, s, c) for p, d, s, c in singles]
        )
    )
    expected = [
        (p, when, session, code, "mis", 7, now, 2)
        for p, codes in grid
        for (when, session), code in zip(columns, codes, strict=True)
        if code is not None
    ] + [(p, d, s, c, "mis", 7, now, 2) for p, d, s, c in singles]
    assert ours == _psycopg_bytes(expected)


def test_a_row_with_a_code_too_many_is_refused() -> None:
    rows = pg_binary.MarkRows([(date(2025, 9, 3), "AM")], 1, datetime(2025, 9, 3), 1)
    with pytest.raises(ValueError):
        rows.grid_row(1, ["/", "/"])


def test_a_big_loads_bytes_hold_each_marks_own_four_values() -> None:
    """With the import's source, id, time and school left to the columns' defaults, a row is
    the mark's pupil, date, session and code, as psycopg writes those four."""
    columns = [(date(2025, 9, 3), "AM"), (date(2025, 9, 3), "PM")]
    rows = pg_binary.MarkRows(columns, 7, datetime(2026, 9, 3), 2, cells_only=True)
    ours = b"".join(
        pg_binary.framed(
            [rows.grid_row(41, ["/", None]), rows.mark(44, date(2024, 2, 29), "PM", "L")]
        )
    )
    expected = [(41, date(2025, 9, 3), "AM", "/"), (44, date(2024, 2, 29), "PM", "L")]
    four = pg_binary.TYPES[: len(pg_binary.CELL_COLUMNS.split(","))]
    assert ours == _psycopg_bytes(expected, four)
