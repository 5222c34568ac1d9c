"""The trust's schema facts, declared once: which tables hold a school's rows (each carries
`school_id`) and which casework tables carry a version.

One database may hold several schools (a multi-academy trust on PostgreSQL). Every row a school
owns carries its school; on SQLite (one school) the column's default is that school, so no query
changes. On PostgreSQL the default is the connection's school (the `attendance_desk.school`
setting) and row-level security shows a connection only the schools its role is given
(`staff_schools`). The ORM models do not map `school_id`: inserts leave it to the default.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from attendance_desk.storage.dialect import is_postgres

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
    "audit_log",  # from 0017: each row the school of the pupil it is about, else the connection's
    "register_sessions",  # from 0018: the school of the marks counted (kept by triggers)
)

# Casework a second editor must not overwrite silently (SQLAlchemy `version_id_col`).
VERSIONED: tuple[str, ...] = ("cases", "timeline_events", "tasks", "leave_requests")

SCHOOL_SETTING = "attendance_desk.school"


def owns_table(conn: Any, table: str) -> bool:
    """Whether the connection's role owns `table` (the trust's owner does, a member of staff
    does not), so may drop and make its keys and triggers. SQLite: yes."""
    if not is_postgres(conn):
        return True
    row = conn.execute(
        "SELECT pg_has_role(relowner, 'USAGE') FROM pg_class WHERE oid = to_regclass(?)",
        (table,),
    ).fetchone()
    return bool(row and row[0])


def act_for_no_school(conn: Any) -> None:
    """PostgreSQL, for the rest of the caller's transaction: the connection acts for no school
    (the tables' owner then sees every school's rows under row-level security: each statement
    names the school it means)."""
    conn.execute("SELECT set_config(?, '', true)", (SCHOOL_SETTING,))


@contextmanager
def acting_for_no_school(conn: Any) -> Iterator[None]:
    """PostgreSQL, inside the caller's transaction: the block acts for no school, and the school
    acted for before is acted for again after it."""
    row = conn.execute("SELECT current_setting(?, true)", (SCHOOL_SETTING,)).fetchone()
    act_for_no_school(conn)
    try:
        yield
    finally:
        conn.execute(
            "SELECT set_config(?, ?, true)", (SCHOOL_SETTING, str(row[0] or "") if row else "")
        )


def all_schools_refusal(what: str = "make changes", superuser: bool = False) -> str:
    """What a change is told in a database holding several schools while looking at all of
    them (acting for none): the trust's schools are compared there, and each change is made
    working in one school, so that its rows are that school's. `superuser`: the connection's
    role is a PostgreSQL superuser (or bypasses row-level security), which PostgreSQL never
    keeps to one school, so choosing one would not stop it seeing, and writing over, the
    others' pupils: it only looks, and changes are made as the trust's owner role or staff."""
    if superuser:
        return (
            "This connection's PostgreSQL role is a superuser, which row-level security never "
            "keeps to one school, so in a trust's database it only looks and compares: to "
            f"{what}, connect as the trust's owner role (not a superuser) or as a member of staff"
        )
    return (
        "You are looking at all the trust's schools: choose the school in the toolbar "
        f"(or --school on the command line) to {what}"
    )


CHANNEL = "attendance_desk"  # what the PostgreSQL triggers NOTIFY (migration 0015)


def this_school(backend: str, table: str = "") -> str:
    """A condition on `school_id`: the rows of the school a connection works for, the school its
    new rows get. On PostgreSQL `attendance_desk_school()` (0015): the school acted for, else the
    login role's first, else school 1 (the trust's administrator, acting for none, sees every
    school's settings and templates but reads and writes school 1's). A SQLite file holds one
    school, school 1. For every look-up by a key a school's rows hold apart from other
    schools' (migration 0016: a setting, a letter template, an import shape's name or headings,
    a meeting's kind and day, an academic year's name, a half term's start, a closure's day, a
    pupil's UPN, a file already imported), which neither the ORM's identity nor row-level
    security scopes for the tables' owner (not limited by it, and acting for no school) or a
    member of staff working in all their schools at once. `table`: the table (or alias) to
    qualify the column with, where a statement joins several."""
    column = f"{table}.school_id" if table else "school_id"
    return f"{column} = " + ("attendance_desk_school()" if backend == "postgresql" else "1")


def school_url(url: str, school_id: int | None) -> str:
    """The URL of the same PostgreSQL database, a connection acting for one school (libpq's
    `options` sets `attendance_desk.school` as the connection starts); None: acting for none
    (every school the login role is given)."""
    from urllib.parse import parse_qsl, quote, urlencode, urlsplit, urlunsplit

    parts = urlsplit(url)
    query = [(k, v) for k, v in parse_qsl(parts.query) if k != "options"]
    options = dict(parse_qsl(parts.query)).get("options", "")
    options = re.sub(rf"\s*-c\s*{re.escape(SCHOOL_SETTING)}=\S*", "", options).strip()
    if school_id is not None:
        options = f"{options} -c {SCHOOL_SETTING}={int(school_id)}".strip()
    query += [("options", options)] if options else []
    query_text = urlencode(query, quote_via=quote)
    return urlunsplit(parts._replace(query=query_text))


def grant_schools(
    execute: Callable[[str, tuple[object, ...]], object], login: str, school_ids: list[int]
) -> None:
    """Let the PostgreSQL login role `login` use the database for these schools only (run by
    the tables' owner): the table privileges a member of staff needs, and one `staff_schools`
    row per school; row-level security (0015) does the rest. `execute(sql, params)` runs one
    statement (a PostgreSQL raw connection's execute)."""
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]{0,62}", login):
        raise ValueError(f"{login!r} is not a plain PostgreSQL role name")
    role = f'"{login}"'
    execute(f"GRANT USAGE ON SCHEMA public TO {role}", ())
    execute(f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO {role}", ())
    execute(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {role}", ())
    execute(f"REVOKE INSERT, UPDATE, DELETE ON staff_schools FROM {role}", ())
    for school_id in school_ids:
        execute(
            "INSERT INTO staff_schools (login, school_id) VALUES (?, ?) ON CONFLICT DO NOTHING",
            (login, int(school_id)),
        )
