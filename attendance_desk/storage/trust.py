"""The trust's schema facts, declared once: which tables hold a school's rows (each carries
`school_id`) and which casework tables carry a version.

One database may hold several schools (a multi-academy trust on PostgreSQL). Every row a school
owns carries its school; on SQLite (one school) the column's default is that school, so no query
changes. On PostgreSQL the default is the connection's school (the `attendance_desk.school`
setting) and row-level security shows a connection only the schools its role is given
(`staff_schools`). The ORM models do not map `school_id`: inserts leave it to the default.
"""

from __future__ import annotations

# Every table whose rows belong to one school (the migration adding `school_id` froze a copy).
SCHOOL_OWNED: tuple[str, ...] = (
    "academic_years",
    "half_terms",
    "closures",
    "policy",
    "app_settings",
    "pupils",
    "contacts",
    "marks",
    "mark_changes",
    "imports",
    "import_mappings",
    "mis_changes",
    "day_reasons",
    "families",
    "family_members",
    "cases",
    "stage_changes",
    "timeline_events",
    "event_pupils",
    "event_revisions",
    "tasks",
    "leave_requests",
    "letter_templates",
    "letter_batches",
    "letters",
    "meetings",
    "meeting_actions",
)

# Casework a second editor must not overwrite silently (SQLAlchemy `version_id_col`).
VERSIONED: tuple[str, ...] = ("cases", "timeline_events", "tasks", "leave_requests")

SCHOOL_SETTING = "attendance_desk.school"
