"""each school of a trust has its own keys: settings, templates, years, UPNs ...

Revision ID: 0016
Revises: 0015

On PostgreSQL (a trust's schools in one database): every key and unique constraint of a table a
school owns starts with `school_id`, so a second school can hold what the first holds (a setting,
an edited letter template, the academic year "2024/25" and its half terms, a closure on the same
day, a child who moved between two schools of the trust with the same UPN, a meeting of a kind
on the same day, an import shape's name and signature, a task's source key). Before, the key was
database-wide: under row-level security (0015) a school's head could not see the other school's
row, found none, inserted, and collided with it.

On SQLite nothing changes, on purpose. A SQLite file holds one school: every row's `school_id` is
1 (the column's constant default, 0014), and nothing the application does on SQLite writes a
second school (a trust is a PostgreSQL database; moving a school between the two copies one
school's rows). With one school, a key on (key) and a key on (1, key) allow exactly the same rows,
so rebuilding every one of these tables (SQLite cannot alter a constraint: a batch copy of the
pupils, their settings ... with their audit triggers dropped and made again) would cost an upgrade
of each school's file, and its risk, for no difference a user could notice. The models declare
the keys per school (models/*.py); the reads and writes keyed by name alone (settings, letter
templates) name the connection's school (storage/trust.py `this_school`).

No foreign key refers to these keys (only to `id` columns), and no `ON CONFLICT` names them.
"""

from __future__ import annotations

from alembic import op

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None

# (table, the constraint before, its kind, its columns, its name from now on)
KEYS = (
    ("app_settings", "pk_app_settings", "PRIMARY KEY", ("key",), "pk_app_settings"),
    ("letter_templates", "pk_letter_templates", "PRIMARY KEY", ("id",), "pk_letter_templates"),
    (
        "academic_years",
        "uq_academic_years_name",
        "UNIQUE",
        ("name",),
        "uq_academic_years_school_id_name",
    ),
    (
        "half_terms",
        "uq_half_terms_start_date",
        "UNIQUE",
        ("start_date",),
        "uq_half_terms_school_id_start_date",
    ),
    ("closures", "uq_closures_date", "UNIQUE", ("date",), "uq_closures_school_id_date"),
    ("pupils", "uq_pupils_upn", "UNIQUE", ("upn",), "uq_pupils_school_id_upn"),
    (
        "meetings",
        "uq_meetings_kind_date",
        "UNIQUE",
        ("kind", "date"),
        "uq_meetings_school_id_kind_date",
    ),
    (
        "import_mappings",
        "uq_import_mappings_name",
        "UNIQUE",
        ("name",),
        "uq_import_mappings_school_id_name",
    ),
    (
        "import_mappings",
        "uq_import_mappings_signature",
        "UNIQUE",
        ("signature",),
        "uq_import_mappings_school_id_signature",
    ),
    ("tasks", "uq_tasks_source_key", "UNIQUE", ("source_key",), "uq_tasks_school_id_source_key"),
)


def _swap(table: str, drop: str, kind: str, columns: tuple[str, ...], make: str) -> None:
    listed = ", ".join(f'"{c}"' for c in columns)
    op.execute(
        f'ALTER TABLE {table} DROP CONSTRAINT "{drop}", ADD CONSTRAINT "{make}" {kind} ({listed})'
    )


def upgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return  # one school per SQLite file: its keys stay as they are (see above)
    for table, old, kind, columns, new in KEYS:
        _swap(table, old, kind, ("school_id", *columns), new)


def downgrade() -> None:
    if op.get_bind().dialect.name != "postgresql":
        return
    for table, old, kind, columns, new in KEYS:
        _swap(table, new, kind, columns, old)
