"""storage/removing.py on a database at the latest schema (PostgreSQL): the school's tables in
an order that deletes each table's rows before those its foreign keys point at, every table
whose rows carry a school (the audit log aside: cleared, not deleted), and a school's name
typed in any spacing or capitals."""

from __future__ import annotations

from attendance_desk.storage.db import open_database
from attendance_desk.storage.removing import same_name, school_tables
from tests.conftest import postgres_database


def test_each_table_goes_before_the_tables_it_points_at() -> None:
    with postgres_database(empty=False) as url:
        db = open_database(url)
        conn = db.raw_connection()
        try:
            order = school_tables(conn)
            edges = conn.execute(
                "SELECT k.conrelid::regclass::text, k.confrelid::regclass::text "
                "FROM pg_constraint k WHERE k.contype = 'f'"
            ).fetchall()
            carrying = {
                r[0]
                for r in conn.execute(
                    "SELECT table_name FROM information_schema.columns WHERE column_name = "
                    "'school_id' AND table_schema = current_schema()"
                ).fetchall()
            }
        finally:
            conn.close()
            db.close()
    assert set(order) == carrying - {"audit_log"}
    assert {"marks", "pupils", "cases", "letters", "staff_schools"} <= set(order)
    pairs = [(c, p) for c, p in edges if c in order and p in order and c != p]
    assert pairs  # marks -> pupils, letters -> letter_batches, ...
    assert all(order.index(child) < order.index(parent) for child, parent in pairs)


def test_the_name_is_the_schools_in_any_spacing_or_capitals() -> None:
    assert same_name("  riverside   PRIMARY ", "Riverside Primary")
    assert not same_name("Riverside", "Riverside Primary")
    assert not same_name("", "")
