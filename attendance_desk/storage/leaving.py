"""Taking one school of a trust's PostgreSQL database out to a new SQLite file of its own.

`leave_school` copies every row of one school of the trust (and only that school) into a new,
empty file, in one transaction on the file: all of it or, on any error, nothing. The trust's
database is only read, in one snapshot: it is left exactly as it was (whether the school is
then removed from the trust is the trust's own decision, made apart from this).

What each table of the trust gives the file:

- **The school's rows**: every table whose rows carry `school_id` (read from the catalogue),
  the rows of that school, `school_id` 1 (a file holds one school, as school 1). Nothing
  else changes: every id is kept as the trust gave it (the ids are unique across the trust's
  schools already, and SQLite gives a new row the next id past the largest), so the foreign
  keys, the references the schema does not declare and the keys built from ids (a task's and
  a letter's key, a batch's items, a letter's id in an event's details, the audit log's pupil
  and entity ids) all stay as they are. Its settings leave out the trust's database identity:
  the file has its own (a new database, its backups told apart by it).
- **The school** (`schools`): its row, as school 1.
- **The casework staff list** (`staff`, one per database, every school's): the members of
  staff the school's own records name (a case's or a task's owner, who recorded, decided,
  printed or changed something: every `owner`, `who` and `..._by` column of its rows), ids
  kept. The trust's other staff stay behind: their names are not the school's to take (a
  member of the school's staff who has recorded nothing yet is added again in the file's
  Settings).
- **The database's own rows** (`DATABASE_TABLES`): not copied. The schema's revision and who
  the connection is are the file's own; which of the server's logins may use which schools
  means nothing in a file.

Taken out by the trust's owner (the login owning its tables; `attendance_desk_schools()` is
NULL for it) or a PostgreSQL superuser: both read every school's rows, so the trust's whole
audit chain is checked by content, and each statement here names the school, so row-level
security (which a superuser ignores) does not decide which rows go. A member of staff, given
some schools, is refused: it sees only their rows and their part of the chain, and taking a
school's records out of the trust is the trust's decision.

**The audit log.** The trust's chain (storage/audit_chain.py) runs through every school's rows
in id order, interleaved, so it is checked whole first (one that does not verify is refused:
nothing is written). The school's rows keep their content and ids, so each keeps the digest
the trust sealed it with (a row cleared by retention keeps only that), and they are chained
again from the start as the file's own log. Last, one row records the move (`LEAVE_ACTION`):
the trust it came from and the school's number there, the rows moved, the file chain's hash
at every `SEAL_EVERY`th moved row and at the newest (`file_seals`), the trust chain's hash at
the same rows (`trust_seals`) and its newest row (`trust_tip`). `verify_left_chain`
recomputes the file's chain over the moved rows and checks it gives the recorded hashes
(services/audit.py checks it with the file's chain): moved rows rewritten and the file's chain
sealed again over them are caught, as joining.py's `verify_moved_chain` catches a moved
school's rows rewritten in a trust. `trust_vouches` checks the recorded rows against the trust's
database itself, for whoever holds both.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from attendance_desk.errors import DatabaseError, UserError
from attendance_desk.storage.audit_chain import (
    CONTENT,
    GENESIS,
    TOMBSTONE_ACTION,
    ChainReport,
    link,
    require_intact,
    row_digest,
    seal_chain,
)
from attendance_desk.storage.dialect import is_postgres
from attendance_desk.storage.joining import SEAL_EVERY
from attendance_desk.storage.transfer import (
    BATCH,
    OWN_SETTINGS,
    Column,
    Progress,
    columns,
    copying,
    count,
    refuse_school_data,
    same_schema,
)
from attendance_desk.storage.trust import act_for_no_school

# the database's own tables, not a school's: what becomes of the trust's rows
DATABASE_TABLES: dict[str, str] = {
    "alembic_version": "not copied: the schema's revision, the file's own",
    "audit_session": "not copied: who the connection is, the file's own",
    "staff_schools": "not copied: which of the server's logins use which schools",
}
SHARED_TABLES: dict[str, str] = {
    "staff": "the members of staff the school's records name (the list is every school's)",
}
FILE_SCHOOL = 1  # a file holds one school
LEAVE_ACTION, LEAVE_ENTITY = "leave", "trust"  # the file's audit row recording where it came from


@dataclass(frozen=True)
class LeaveResult:
    school_id: int  # the school's number in the trust
    name: str
    urn: str
    rows: dict[str, int]  # rows copied per table
    audit_rows: int  # the school's audit rows, chained again as the file's


def school_in_trust(conn: Any, school_id: int) -> dict[str, Any]:
    """The trust's school `school_id` (its `schools` row by column), or UserError naming the
    schools there."""
    names = [c.name for c in columns(conn, "schools")]
    listed = ", ".join(f'"{n}"' for n in names)
    row = conn.execute(f"SELECT {listed} FROM schools WHERE id = ?", (school_id,)).fetchone()
    if row is None:
        there = conn.execute("SELECT id, name FROM schools ORDER BY id").fetchall()
        named = "; ".join(f"{r[0]} {r[1]}" for r in there)
        raise UserError(
            f"there is no school {school_id} in this database: its schools are {named}; "
            "nothing was written"
        )
    return dict(zip(names, row, strict=True))


def refuse_staff(source: Any, what: str = "take a school out of it to a file") -> None:
    """Only the login owning the trust's tables (or a superuser) takes a school out, or
    removes one."""
    row = source.execute("SELECT attendance_desk_schools() IS NULL").fetchone()
    if not (row and row[0]):
        login = source.execute("SELECT session_user").fetchone()[0]
        raise UserError(
            f"{login} is a member of staff of the trust: only the trust's owner (the login "
            f"owning its database) can {what}; nothing was written"
        )


def _school_column(cols: list[Column]) -> bool:
    return any(c.name == "school_id" for c in cols)


def _names_staff(column: Column) -> bool:
    """A column holding a member of staff's name: an owner, who did something, or `..._by`."""
    return column.name in ("owner", "who") or column.name.endswith("_by")


def staff_named(source: Any, plan: list[tuple[str, list[Column]]], school_id: int) -> list[str]:
    """The names the school's own rows give a member of staff, every one (sorted)."""
    named: set[str] = set()
    for table, cols in plan:
        if table == "schools" or not _school_column(cols):
            continue
        for column in (c for c in cols if _names_staff(c)):
            named.update(
                str(r[0])
                for r in source.execute(
                    f'SELECT DISTINCT "{column.name}" FROM "{table}" WHERE school_id = ? '
                    f'AND "{column.name}" IS NOT NULL',
                    (school_id,),
                )
            )
    return sorted(named)


def _source_rows(
    source: Any, table: str, names: list[str], school_id: int | None, staff: list[str]
) -> Iterator[tuple[Any, ...]]:
    """The rows of `table` to copy (the school's, or, `school_id` None, every row; the staff
    list: those named in `staff`), in batches."""
    listed = ", ".join(f'"{n}"' for n in names)
    if table == "schools":
        cursor = source.execute(f"SELECT {listed} FROM schools WHERE id = ?", (school_id,))
    elif table == "staff":
        cursor = source.execute(f"SELECT {listed} FROM staff WHERE name = ANY(?)", (staff,))
    elif school_id is None:
        cursor = source.execute(f'SELECT {listed} FROM "{table}"')
    else:
        cursor = source.execute(f'SELECT {listed} FROM "{table}" WHERE school_id = ?', (school_id,))
    while True:
        batch = cursor.fetchmany(BATCH)
        if not batch:
            return
        yield from batch


def _as_file_school(
    table: str, names: list[str], rows: Iterator[tuple[Any, ...]]
) -> Iterator[tuple[Any, ...]]:
    """Each row as the file keeps it: school 1; the trust's identity setting left out."""
    school_at = names.index("id" if table == "schools" else "school_id")
    key_at = names.index("key") if table == "app_settings" else -1
    chain_at = names.index("chain") if table == "audit_log" else -1
    for row in rows:
        if key_at >= 0 and row[key_at] in OWN_SETTINGS:
            continue
        values = list(row)
        values[school_at] = FILE_SCHOOL
        if chain_at >= 0:
            values[chain_at] = None  # chained again as the file's own log
        yield tuple(values)


def _counted(rows: Iterator[tuple[Any, ...]], written: list[int]) -> Iterator[tuple[Any, ...]]:
    for row in rows:
        written[0] += 1
        yield row


def _expected(source: Any, table: str, cols: list[Column], school_id: int, staff: list[str]) -> int:
    if table == "schools":
        return 1
    if table == "staff":
        row = source.execute("SELECT count(*) FROM staff WHERE name = ANY(?)", (staff,))
        return int(row.fetchone()[0])
    if not _school_column(cols):
        return count(source, table)
    where = "school_id = ?"
    params: tuple[object, ...] = (school_id,)
    if table == "app_settings":
        where += " AND key NOT IN (" + ", ".join("?" * len(OWN_SETTINGS)) + ")"
        params += tuple(sorted(OWN_SETTINGS))
    row = source.execute(f'SELECT count(*) FROM "{table}" WHERE {where}', params)
    return int(row.fetchone()[0])


def _plan_tables(plan: list[tuple[str, list[Column]]]) -> list[tuple[str, list[Column]]]:
    """The tables copied, each known as a school's, the school itself or shared; a table this
    version does not know how to take out is refused (nothing written)."""
    kept = []
    for table, cols in plan:
        if table in DATABASE_TABLES:
            continue
        if table != "schools" and table not in SHARED_TABLES and not _school_column(cols):
            raise DatabaseError(
                f"the table {table} holds no school's rows and is not the database's own: this "
                "version cannot say which of its rows go with a school; nothing was written"
            )
        kept.append((table, cols))
    return kept


def _trust_tip(source: Any) -> tuple[int, str]:
    row = source.execute(
        "SELECT id, chain FROM audit_log WHERE chain IS NOT NULL ORDER BY id DESC LIMIT 1"
    ).fetchone()
    return (int(row[0]), str(row[1])) if row else (0, GENESIS)


def leave_school(
    source: Any,
    target: Any,
    school_id: int,
    progress: Progress | None = None,
    source_name: str = "",
) -> LeaveResult:
    """Copy school `school_id` of the trust's database `source` into the new, empty file
    `target` (raw connections: PostgreSQL source, SQLite target, both at the same revision), as
    its one school, in one transaction on the file; returns what was done. Raises UserError or
    DatabaseError with nothing written; the source is only read."""
    if not is_postgres(source) or is_postgres(target):
        raise UserError("a school is taken out of a trust's PostgreSQL database to a new file")
    plan = _plan_tables(same_schema(source, target))
    refuse_staff(source)
    refuse_school_data(target)
    copied: dict[str, int] = {}
    # one moment of the trust: the chain checked is the chain copied
    with copying(source, target) as writer:
        # acting for no school, whatever the address says: each statement names the school
        act_for_no_school(source)
        school = school_in_trust(source, school_id)
        require_intact(
            source,
            "the trust's",
            "a school's rows are not taken out of a log that does not check; nothing was written",
        )
        staff = staff_named(source, plan, school_id)
        expected = {t: _expected(source, t, cols, school_id, staff) for t, cols in plan}
        total, done = sum(expected.values()), 0
        writer.begin([t for t, _ in plan])
        writer.clear("audit_log")  # a new file's: none (what opening logged is its own)
        for table, cols in plan:
            if progress:
                progress(table, done, total)
            names = [c.name for c in cols]
            whose = None if table in SHARED_TABLES else school_id
            rows = _source_rows(source, table, names, whose, staff)
            if whose is not None:
                rows = _as_file_school(table, names, rows)
            written = [0]
            writer.write(table, cols, _counted(rows, written))
            copied[table] = written[0]
            there = _count_there(target, table)
            if not written[0] == there == expected[table]:
                raise DatabaseError(
                    f"{table}: {expected[table]} of the school's rows in the trust but "
                    f"{written[0]} copied ({there} in the file); nothing was written"
                )
            done += written[0]
        writer.finish([t for t, _ in plan])
        if progress:
            progress("", total, total)
        seals = _chain_again(target)
        trust = (_trust_seals(source, seals), _trust_tip(source))
        _record_leave(target, school, source_name, seals, trust, copied)
        seal_chain(target)
    return LeaveResult(
        school_id,
        str(school.get("name") or ""),
        str(school.get("urn") or ""),
        copied,
        copied.get("audit_log", 0),
    )


def _count_there(target: Any, table: str) -> int:
    if table == "app_settings":
        marks = ", ".join("?" * len(OWN_SETTINGS))
        row = target.execute(
            f"SELECT count(*) FROM app_settings WHERE key NOT IN ({marks})",
            tuple(sorted(OWN_SETTINGS)),
        ).fetchone()
        return int(row[0])
    return count(target, table)


def _chain_again(target: Any) -> dict[int, tuple[str, str]]:
    """Chain the moved rows as the file's own log, from the start, each with the digest the
    trust sealed it with (computed here for a row the trust had not sealed yet); returns each
    moved row's (digest, chain) by id."""
    previous = GENESIS
    sealed: dict[int, tuple[str, str]] = {}
    updates = []
    for *values, digest in target.execute(
        f"SELECT {CONTENT}, digest FROM audit_log ORDER BY id"
    ).fetchall():
        own = str(digest) if digest is not None else row_digest(tuple(values))
        previous = link(previous, own)
        sealed[int(values[0])] = (own, previous)
        updates.append((own, previous, values[0]))
    target.executemany("UPDATE audit_log SET digest = ?, chain = ? WHERE id = ?", updates)
    return sealed


def _seal_points(ids: list[int]) -> list[int]:
    """The moved rows whose hashes are recorded: every `SEAL_EVERY`th, and the newest."""
    points = [row_id for i, row_id in enumerate(ids) if (i + 1) % SEAL_EVERY == 0]
    if ids and (not points or points[-1] != ids[-1]):
        points.append(ids[-1])
    return points


def _trust_seals(source: Any, sealed: dict[int, tuple[str, str]]) -> dict[int, str]:
    """The trust chain's hash at the recorded rows (those the trust had sealed)."""
    points = _seal_points(sorted(sealed))
    found: dict[int, str] = {}
    for start in range(0, len(points), 1000):
        part = points[start : start + 1000]
        marks = ", ".join("?" * len(part))
        for row_id, chain in source.execute(
            f"SELECT id, chain FROM audit_log WHERE id IN ({marks}) AND chain IS NOT NULL",
            tuple(part),
        ).fetchall():
            found[int(row_id)] = str(chain)
    return found


def _record_leave(
    target: Any,
    school: dict[str, Any],
    source_name: str,
    sealed: dict[int, tuple[str, str]],
    trust: tuple[dict[int, str], tuple[int, str]],
    copied: dict[str, int],
) -> None:
    """The file's audit row saying where its school and its older rows came from."""
    ids = sorted(sealed)
    trust_seals, trust_tip = trust
    record_id = (ids[-1] if ids else 0) + 1
    note = {
        "from": source_name,
        "school": str(school.get("name") or ""),
        "urn": str(school.get("urn") or ""),
        "school_in_trust": int(school["id"]),
        "rows": sum(copied.values()),
        "audit_rows": [ids[0], ids[-1]] if ids else [0, 0],
        "record_id": record_id,
        "ids": "kept as the trust's",
        "file_seals": {str(i): sealed[i][1] for i in _seal_points(ids)},
        "trust_seals": {str(k): v for k, v in sorted(trust_seals.items())},
        "trust_tip": [trust_tip[0], trust_tip[1]],
    }
    target.execute(
        "INSERT INTO audit_log (id, at, who, action, entity, entity_id, pupil_id, field, "
        "old_json, new_json, school_id) VALUES (?, strftime('%Y-%m-%d %H:%M:%f', 'now') || '000', "
        "coalesce((SELECT who FROM audit_session WHERE id = 1), ''), ?, ?, ?, NULL, NULL, NULL, "
        "?, ?)",
        (
            record_id,
            LEAVE_ACTION,
            LEAVE_ENTITY,
            str(school["id"]),
            json.dumps(note),
            FILE_SCHOOL,
        ),
    )


def leaves_recorded(conn: Any) -> list[dict[str, Any]]:
    """Every school taken out of a trust into this database, as its audit row recorded it
    (with the row's `id` and `school_id`), oldest first."""
    rows = conn.execute(
        "SELECT id, school_id, new_json FROM audit_log WHERE action = ? AND entity = ? ORDER BY id",
        (LEAVE_ACTION, LEAVE_ENTITY),
    ).fetchall()
    return [
        {**json.loads(str(text)), "id": int(row_id), "school_id": int(school)}
        for row_id, school, text in rows
        if text
    ]


def _is_tombstone(values: tuple[Any, ...]) -> bool:
    return values[3] == TOMBSTONE_ACTION and all(v is None for v in values[6:])


def verify_left_chain(conn: Any, note: dict[str, Any]) -> ChainReport:
    """The hashes recorded when the school was taken out of its trust, checked again: the moved
    rows (their ids kept), chained from the start with their digests (a row's content
    recomputed; a row cleared by retention since keeps its digest), must give the file's chain
    at every recorded row. A record whose rows have moved on since (into another trust, their
    ids the trust's) is not checked here: that trust's move check covers them."""
    if int(note["id"]) != int(note.get("record_id", -1)):
        return ChainReport(0, None, "its rows moved on since", 0)
    first, last = (int(x) for x in note["audit_rows"])
    seals = {int(k): str(v) for k, v in note["file_seals"].items()}
    tip = max(seals, default=0)
    broken = (
        f"the rows taken out of {note.get('from') or 'the trust'} no longer give the hashes "
        "the move sealed them with"
    )
    previous, checked, stretch, reached = GENESIS, 0, first, tip == 0
    for *values, digest in conn.execute(
        f"SELECT {CONTENT}, digest FROM audit_log WHERE id BETWEEN ? AND ? AND school_id = ? "
        "ORDER BY id",
        (first, last, note["school_id"]),
    ).fetchall():
        row_id = int(values[0])
        own = str(digest) if _is_tombstone(tuple(values)) else row_digest(tuple(values))
        previous = link(previous, own)
        checked += 1
        if row_id in seals:
            if previous != seals[row_id]:
                return ChainReport(checked, stretch, broken, 0)
            stretch, reached = row_id + 1, row_id == tip
    if not reached:
        return ChainReport(checked, stretch, broken, 0)
    return ChainReport(checked, None, "", 0)


def verify_left_chains(conn: Any) -> ChainReport | None:
    """The first school taken out of a trust into this database whose moved rows no longer
    give the hashes recorded then; None when every one does (or there is none)."""
    for note in leaves_recorded(conn):
        report = verify_left_chain(conn, note)
        if not report.intact:
            return report
    return None


def trust_vouches(trust: Any, file: Any) -> ChainReport:
    """Whether the trust's database still vouches for the rows a file took out of it: each
    moved row's digest in the file is the digest the trust's row of the same id has, and the
    trust's chain has the hashes recorded at the move (`trust` read acting for no school, as
    its owner). A row cleared by retention in either since keeps its digest, so still counts."""
    notes = leaves_recorded(file)
    if not notes:
        return ChainReport(0, None, "", 0)
    note = notes[-1]
    first, last = (int(x) for x in note["audit_rows"])
    theirs = {  # a row the trust had not sealed at the move vouches for nothing
        int(r[0]): (str(r[1]), str(r[2]) if r[2] is not None else None)
        for r in trust.execute(
            "SELECT id, digest, chain FROM audit_log WHERE id BETWEEN ? AND ? AND school_id = ? "
            "AND digest IS NOT NULL",
            (first, last, int(note["school_in_trust"])),
        ).fetchall()
    }
    unsealed = {
        int(r[0])
        for r in trust.execute(
            "SELECT id FROM audit_log WHERE id BETWEEN ? AND ? AND school_id = ? "
            "AND digest IS NULL",
            (first, last, int(note["school_in_trust"])),
        ).fetchall()
    }
    checked = 0
    ours = file.execute(
        "SELECT id, digest FROM audit_log WHERE id BETWEEN ? AND ? ORDER BY id", (first, last)
    ).fetchall()
    for row_id, digest in ours:
        if int(row_id) in unsealed:
            continue
        there = theirs.get(int(row_id))
        if there is None or there[0] != str(digest):
            return ChainReport(
                checked, int(row_id), f"row {row_id} is not the trust's row {row_id}", 0
            )
        checked += 1
    lacking = sorted(set(theirs) - {int(r[0]) for r in ours})
    if lacking:
        return ChainReport(
            checked, lacking[0], f"the trust's row {lacking[0]} of the school is not in the file", 0
        )
    for key, chain in note["trust_seals"].items():
        there = theirs.get(int(key))
        if there is None or there[1] != chain:
            return ChainReport(
                checked, int(key), f"the trust's chain no longer has row {key} as recorded", 0
            )
    return ChainReport(checked, None, "", 0)
