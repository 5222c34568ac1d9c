"""The integrity check of a database on a PostgreSQL server (the counterpart of SQLite's
`PRAGMA integrity_check` in storage/integrity.py).

PostgreSQL keeps its own pages consistent (write-ahead log, checksums where the cluster has them),
so what is checked here is what the application relies on: every table of the schema there,
the schema revision one this version knows, every audit trigger in place (and, from 0017, the
one that gives each audit row its school), no foreign key or
check constraint left unvalidated, and, where the `amcheck` extension is installed in the
database (`CREATE EXTENSION amcheck`, by its administrator), every B-tree index checked against
its table (`bt_index_check`). Like the SQLite check it runs in a thread of its own from the
open, and every write waits for its verdict.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attendance_desk.domain.wording import noun
from attendance_desk.storage.integrity import IntegrityReport
from attendance_desk.storage.session_counts import PG_TRIGGERS


@dataclass(frozen=True)
class PgCheckResult:
    problems: tuple[str, ...]
    indexes_checked: int  # by amcheck; 0 where it is not installed
    amcheck: bool


def check_postgres(conn: Any) -> PgCheckResult:
    """Check the database behind the psycopg connection `conn` (read only)."""
    from attendance_desk.storage import migrations
    from attendance_desk.storage.models import Base
    from attendance_desk.storage.pg_audit import ORDER_TRIGGER, TRIGGERS

    problems: list[str] = []
    tables = {
        r[0]
        for r in conn.execute(
            "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND c.relkind IN ('r', 'p')"
        )
    }
    revision = None
    if "alembic_version" in tables:
        row = conn.execute("SELECT version_num FROM alembic_version").fetchone()
        revision = row[0] if row else None
    if revision is None or revision not in migrations.known_revisions():
        problems.append(f"schema revision {revision!r} is not one this version knows")
    elif revision == migrations.head_revision():
        missing = sorted(set(Base.metadata.tables) - tables)
        if missing:
            problems.append(f"{noun(len(missing), 'table')} missing: {', '.join(missing)}")
    triggers = {
        r[0]
        for r in conn.execute(
            "SELECT t.tgname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
            "JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND NOT t.tgisinternal AND t.tgenabled <> 'D'"
        )
    }
    absent = sorted(n for n, spec in TRIGGERS.items() if spec[1] in tables and n not in triggers)
    if "audit_log" in tables and ORDER_TRIGGER not in triggers:
        absent.append(ORDER_TRIGGER)
    if _audit_rows_carry_school(conn) and AUDIT_SCHOOL_TRIGGER not in triggers:
        absent.append(AUDIT_SCHOOL_TRIGGER)  # without it a pupil's row takes the wrong school
    if absent:
        problems.append(
            f"{noun(len(absent), 'audit trigger')} missing or disabled: {', '.join(absent)}"
        )
    uncounted = [n for n in PG_TRIGGERS if "register_sessions" in tables and n not in triggers]
    if uncounted:  # the owner's next open makes them again and counts every session again
        problems.append(
            f"{noun(len(uncounted), 'trigger')} counting the register's sessions missing or disabled: "
            f"{', '.join(uncounted)} (opened by the tables' owner, the database makes them again)"
        )
    for (name,) in conn.execute(
        "SELECT c.conname FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
        "WHERE n.nspname = current_schema() AND NOT c.convalidated"
    ):
        problems.append(f"constraint {name} is not validated")
    amcheck = conn.execute("SELECT 1 FROM pg_extension WHERE extname = 'amcheck'").fetchone()
    checked = 0
    if amcheck:
        indexes = conn.execute(
            "SELECT c.oid, c.relname FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid "
            "JOIN pg_am a ON a.oid = c.relam JOIN pg_namespace n ON n.oid = c.relnamespace "
            "WHERE n.nspname = current_schema() AND a.amname = 'btree' AND i.indisvalid"
        ).fetchall()
        for oid, name in indexes:
            try:
                conn.execute("SELECT bt_index_check(%s::regclass, true)", (oid,))
                checked += 1
            except Exception as exc:  # noqa: BLE001 - amcheck reports damage as an error
                problems.append(f"index {name}: {str(exc).strip().splitlines()[0]}")
    return PgCheckResult(tuple(problems), checked, bool(amcheck))


# migration 0017's trigger that gives each new audit row the school of the pupil it is about
AUDIT_SCHOOL_TRIGGER = "audit_log_school_v1"


def _audit_rows_carry_school(conn: Any) -> bool:
    """Whether the audit log has its school column (0017 and later), so needs its trigger."""
    row = conn.execute(
        "SELECT 1 FROM pg_attribute WHERE attrelid = to_regclass('audit_log') "
        "AND attname = 'school_id' AND NOT attisdropped"
    ).fetchone()
    return row is not None


class PgIntegrityCheck:
    """`check_postgres` on a connection of its own, in a thread of its own, with the interface
    of storage/integrity.py's IntegrityCheck (`start`, `started`, `done`, `report`, `require`)."""

    def __init__(self, label: str, connect: Any) -> None:
        self.path = Path(label)
        self._connect = connect  # () -> a psycopg connection
        self._report: IntegrityReport | None = None
        self.result: PgCheckResult | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()

    def start(self) -> None:
        with self._lock:
            if self._thread is None:
                self._thread = threading.Thread(
                    target=self._run, name="pg-integrity-check", daemon=True
                )
                self._thread.start()

    def _run(self) -> None:
        try:
            pg = self._connect()
            try:
                self.result = check_postgres(pg)
            finally:
                pg.close()
            problems = self.result.problems
        except Exception as exc:  # noqa: BLE001 - the server gone: said, not a traceback
            problems = (f"the check could not run: {str(exc).strip().splitlines()[0]}",)
        self._report = IntegrityReport(self.path, not problems, problems, server=True)

    @property
    def started(self) -> bool:
        return self._thread is not None

    @property
    def done(self) -> bool:
        return self._report is not None

    def report(self) -> IntegrityReport:
        self.start()
        assert self._thread is not None
        self._thread.join()
        assert self._report is not None
        return self._report

    def require(self) -> None:
        from attendance_desk.storage.integrity import damage_error

        report = self.report()
        if not report.ok:
            raise damage_error(report)
