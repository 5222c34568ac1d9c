"""Which backend a plain connection talks to, for the few statements written once per backend."""

from __future__ import annotations


def backend_of(conn: object) -> str:
    """ "sqlite" for a sqlite3 connection, "postgresql" for storage/pg_connection's adapter."""
    return str(getattr(conn, "backend", "sqlite"))


def is_postgres(conn: object) -> bool:
    return backend_of(conn) == "postgresql"
