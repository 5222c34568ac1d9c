"""Which backend a plain connection talks to, for the few statements written once per backend."""

from __future__ import annotations


def backend_of(conn: object) -> str:
    """ "sqlite" for a sqlite3 connection, "postgresql" for storage/pg_connection's adapter."""
    return str(getattr(conn, "backend", "sqlite"))


def is_postgres(conn: object) -> bool:
    return backend_of(conn) == "postgresql"


def joined_aggregate(conn: object) -> str:
    """The aggregate that joins a group's text with a separator, (value, separator): SQLite's
    group_concat, PostgreSQL's string_agg (built in, so a database owner who is not a
    superuser needs nothing made for it)."""
    return "string_agg" if is_postgres(conn) else "group_concat"
