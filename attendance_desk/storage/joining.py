"""Adding a school to a trust's PostgreSQL database that already holds one or more schools.

`join_school` copies every row of one school's database (its SQLite file, or a database holding
that one school) into the trust's database as a new school, in one transaction on the target:
all of it or, on any error, nothing. The schools already there are not touched.

Every row keeps its values except its keys, which are the trust's now:

- **Surrogate ids.** Every table whose `id` is given by a sequence gets its ids past the
  target's (the sequence's last value, or the largest id, whichever is higher): each id moves by
  the same offset per table, so order is kept (the audit log's above all). The sequences are set
  past the new ids afterwards.
- **References.** Every foreign-key column pointing at such an `id` (read from the target's
  catalogue, never a hand list) moves by the offset of the table it points at. The references
  the schema does not declare (`UNDECLARED`) and the keys built from ids (a task's `source_key`,
  a letter's `letter_key` and its batch's items, a letter's id in a timeline event's details,
  the audit log's `entity_id`) are re-keyed the same way. Composite keys (a mark's pupil, date
  and session) follow their columns.
- **The school.** A new `schools` row with the source's details (its id moved like any other);
  every `school_id` is the new school's. A school with the same URN (or, without a URN, the
  same name) already there is refused.
- **The database's own rows** (`DATABASE_TABLES`) are not copied: the schema's revision, who
  the open connection is, which logins may use which schools (the trust grants its staff the
  new school itself), the database's identity setting; the casework staff list (one per
  database, by name) gains the names not yet in it.

**The audit log.** A row's seal (storage/audit_chain.py) covers its id, its pupil and its entity
id, and the chain runs through the whole database's log in id order, so the moved rows cannot
keep the seals the file gave them: their ids must move past the trust's rows, and their pupil
and entity ids must be the pupils' and records' new ids (the audit list by pupil, retention's
tombstones by pupil and the record histories by entity read them). So, after the source's own
chain has been checked intact (a broken chain is refused, never sealed anew), the moved rows are
re-keyed in those three columns only, their JSON left exactly as written (ids inside it are the
source's numbering: the offsets below translate them), and sealed onto the trust's chain after
its newest row, so the trust's audit check covers them like any other. Last, one row of the new
school records the move (`MOVE_ACTION`): where it came from, the offsets, and the source chain's
hash at every `SEAL_EVERY`th sealed row and at its newest. `verify_moved_chain` maps the moved
rows back with those offsets and recomputes the source's own chain from them, stretch by
stretch: each must give its recorded hash, so the seals the school's file gave still vouch for
every row moved (services/audit.py checks them with the trust's chain). A stretch holding a row
that retention has cleared since (its content, so its hash, gone) is vouched for by the trust's
chain alone.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from attendance_desk.domain import wording
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
from attendance_desk.storage.transfer import (
    OWN_SETTINGS,
    Column,
    Progress,
    columns,
    copying,
    count,
    read_rows,
    same_schema,
)
from attendance_desk.storage.trust import CHANNEL, act_for_no_school

# the database's own tables, not a school's: what becomes of each source's rows
DATABASE_TABLES: dict[str, str] = {
    "alembic_version": "not copied: the schema's revision, the target's own",
    "audit_session": "not copied: who the connection is, the target's own",
    "staff_schools": "not copied: the trust gives its logins the new school (grant_schools)",
    "staff": "merged: the casework staff list is the database's; names not there are added",
}
# references to an `id` the schema does not declare as foreign keys: (table, column) -> table
UNDECLARED: dict[tuple[str, str], str] = {
    ("audit_log", "pupil_id"): "pupils",  # kept after the pupil is removed (retention)
    ("letters", "timeline_event_id"): "timeline_events",
}
# the audit log's `entity` -> the table its `entity_id` is an id of ("mark": the pupil's id,
# then the date and session); other entities (a setting: its key) have no id
AUDIT_ENTITIES: dict[str, str] = {
    "pupil": "pupils",
    "contact": "contacts",
    "case": "cases",
    "case_event": "timeline_events",
    "task": "tasks",
    "policy": "policy",
    "import": "imports",
    "mark": "pupils",
}
MOVE_ACTION, MOVE_ENTITY = "move", "school"  # the audit row recording a school moved in
SEAL_EVERY = 100  # the source chain's hash recorded at every 100th row (and at its newest)


@dataclass(frozen=True)
class JoinResult:
    school_id: int
    name: str
    beside: tuple[str, ...]  # the schools already there, by name
    rows: dict[str, int]  # rows copied per table
    offsets: dict[str, int] = field(default_factory=dict)  # added to each table's ids


def holds_schools(conn: Any) -> bool:
    return count(conn, "schools") > 0


def serial_tables(conn: Any) -> list[str]:
    """The tables whose `id` a sequence gives (PostgreSQL's catalogue)."""
    rows = conn.execute(
        "SELECT table_name FROM information_schema.columns WHERE table_schema = "
        "current_schema() AND column_name = 'id' AND (column_default LIKE 'nextval(%' "
        "OR is_identity = 'YES')"
    ).fetchall()
    return sorted(str(r[0]) for r in rows)


def id_references(conn: Any) -> dict[tuple[str, str], str]:
    """Every single-column foreign key to another table's `id`: (table, column) -> that table
    (the target's catalogue), with the references the schema does not declare."""
    rows = conn.execute(
        "SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, f.attname "
        "FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
        "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1] "
        "JOIN pg_attribute f ON f.attrelid = c.confrelid AND f.attnum = c.confkey[1] "
        "WHERE c.contype = 'f' AND n.nspname = current_schema() AND cardinality(c.conkey) = 1"
    ).fetchall()
    found = {
        (str(t).strip('"'), str(col)): str(ref).strip('"')
        for t, col, ref, key in rows
        if key == "id"
    }
    return {**found, **UNDECLARED}


class Rekey:
    """The source's ids as the target's: each table's offset, and the new school's id."""

    def __init__(self, offsets: dict[str, int], school_id: int) -> None:
        self.offsets = offsets
        self.school_id = school_id

    def of(self, table: str, value: Any) -> Any:
        return None if value is None else int(value) + self.offsets.get(table, 0)

    def _text_id(self, table: str, text: str) -> str:
        return str(self.of(table, text)) if text.isdigit() else text

    def source_key(self, key: str | None) -> str | None:
        """A task's key: `event:EVENT:PUPIL:...` (services/timeline.py), `n:PUPIL:...`
        (services/tasks.py), `cme:PUPIL:...` (domain/cme.py)."""
        if not key:
            return key
        parts = key.split(":")
        if parts[0] == "event" and len(parts) >= 3:
            parts[1] = self._text_id("timeline_events", parts[1])
            parts[2] = self._text_id("pupils", parts[2])
        elif parts[0] in ("n", "cme") and len(parts) >= 2:
            parts[1] = self._text_id("pupils", parts[1])
        return ":".join(parts)

    def letter_key(self, key: str | None) -> str | None:
        """A letter's key: `TEMPLATE:PUPIL-PUPIL...:CONTACT` (domain/letter_fields.py)."""
        if not key:
            return key
        head, sep, rest = key.partition(":")
        pupils, sep2, contact = rest.rpartition(":")
        if not sep or not sep2:
            return key
        ids = "-".join(self._text_id("pupils", p) for p in pupils.split("-"))
        contact = contact if contact == "0" else self._text_id("contacts", contact)
        return f"{head}:{ids}:{contact}"

    def batch_items(self, text: str | None) -> str | None:
        """A letter batch's items: `{"letter": KEY}` or `{"cover": ...}` (letter_register)."""
        if not text:
            return text
        return re.sub(
            r'("letter": ")((?:[^"\\]|\\.)*)(")',
            lambda m: m.group(1) + str(self.letter_key(m.group(2))) + m.group(3),
            text,
        )

    def details(self, text: str | None) -> str | None:
        """A timeline event's details: a letter's id (`letter_id`) as the letters' new id."""
        if not text or "letter_id" not in text:
            return text
        return re.sub(
            r'("letter_id":\s*)(\d+)',
            lambda m: m.group(1) + str(self.of("letters", m.group(2))),
            text,
        )

    def entity_id(self, entity: str, value: str) -> str:
        table = AUDIT_ENTITIES.get(entity)
        if table is None or not value:
            return value
        head, space, rest = value.partition(" ")
        if not head.lstrip("-").isdigit():
            return value
        moved = int(head) + self.offsets.get(table, 0)
        return f"{moved}{space}{rest}"


def _ids_of(rekey: Rekey, table: str) -> Callable[[Any], Any]:
    return lambda value: rekey.of(table, value)


def _transform(
    table: str, cols: list[Column], rekey: Rekey, refs: dict[tuple[str, str], str], serial: set[str]
) -> Callable[[tuple[Any, ...]], tuple[Any, ...]]:
    """What each source row of `table` becomes in the target."""
    steps: list[tuple[int, Callable[[Any], Any]]] = []
    names = [c.name for c in cols]
    for i, name in enumerate(names):
        if name == "school_id":
            steps.append((i, lambda _v: rekey.school_id))
        elif name == "id" and table in serial:
            steps.append((i, _ids_of(rekey, table)))
        elif (table, name) in refs and refs[(table, name)] in serial:
            steps.append((i, _ids_of(rekey, refs[(table, name)])))
        elif (table, name) == ("tasks", "source_key"):
            steps.append((i, rekey.source_key))
        elif (table, name) == ("letters", "letter_key"):
            steps.append((i, rekey.letter_key))
        elif (table, name) == ("letter_batches", "items_json"):
            steps.append((i, rekey.batch_items))
        elif name == "details_json" and table in ("timeline_events", "event_revisions"):
            steps.append((i, rekey.details))
        elif table == "audit_log" and name in ("digest", "chain"):
            steps.append((i, lambda _v: None))  # sealed again on the trust's chain
    entity = names.index("entity") if table == "audit_log" else -1
    entity_at = names.index("entity_id") if table == "audit_log" else -1

    def convert(row: tuple[Any, ...]) -> tuple[Any, ...]:
        values = list(row)
        for i, step in steps:
            values[i] = step(values[i])
        if entity >= 0:
            values[entity_at] = rekey.entity_id(str(row[entity]), str(row[entity_at]))
        return tuple(values)

    return convert


def _one_school(source: Any) -> tuple[dict[str, Any], list[Column]]:
    cols = columns(source, "schools")
    rows = list(read_rows(source, "schools", [c.name for c in cols]))
    if len(rows) != 1:
        raise UserError(
            f"the source holds {len(rows)} schools: a school is moved into a trust from a "
            "database holding that one school"
        )
    return dict(zip([c.name for c in cols], rows[0], strict=True)), cols


def _refuse_same_school(target: Any, school: dict[str, Any]) -> tuple[str, ...]:
    """The target's schools by name; refuses one the same as the school moved in."""
    there = target.execute("SELECT id, name, urn FROM schools ORDER BY id").fetchall()
    urn = str(school.get("urn") or "").strip()
    name = str(school.get("name") or "").strip()
    for school_id, their_name, their_urn in there:
        same = (
            urn == str(their_urn or "").strip()
            if urn
            else name.casefold() == str(their_name or "").strip().casefold()
        )
        if same:
            said = f"URN {urn}" if urn else f"the name {name!r}"
            raise UserError(
                f"the target already holds school {school_id} {their_name!r} with {said}: "
                f"{name!r} is there already; nothing was changed"
            )
    return tuple(str(r[1]) for r in there)


def _refuse_staff(target: Any) -> None:
    """Only the login owning the trust's tables (or a superuser) adds a school: a member of
    staff, given some schools, neither sees every school's ids nor may make a school."""
    row = target.execute("SELECT attendance_desk_schools() IS NULL").fetchone()
    if not (row and row[0]):
        login = target.execute("SELECT session_user").fetchone()[0]
        raise UserError(
            f"{login} is a member of staff of the trust: only the trust's owner (the login "
            "owning its database) can move a school into it; nothing was changed"
        )


def refuse_to_join(target: Any, name: str, urn: str) -> None:
    """What a join refuses before any work, asked before the school is read from a file: a
    member of staff moving it, or the school (`name`, `urn`) there already."""
    _refuse_staff(target)
    _refuse_same_school(target, {"name": name, "urn": urn})


def _offsets(target: Any, serial: list[str]) -> dict[str, int]:
    """Each table's ids in use: the larger of its largest id and its sequence's last value
    (read once every table is locked, so no id is given meanwhile)."""
    offsets = {}
    for table in serial:
        row = target.execute(
            f"SELECT greatest(coalesce(max(id), 0), coalesce(pg_sequence_last_value("
            f"pg_get_serial_sequence(?, 'id')), 0)) FROM \"{table}\"",
            (table,),
        ).fetchone()
        offsets[table] = int(row[0] or 0)
    if "schools" in offsets:  # a school removed (storage/removing.py) keeps its number: its
        # cleared audit entries still carry it, so no school joining later is given it
        row = target.execute("SELECT coalesce(max(school_id), 0) FROM audit_log").fetchone()
        offsets["schools"] = max(offsets["schools"], int(row[0] or 0))
    return offsets


def _source_seals(source: Any) -> dict[int, str]:
    """The source chain's hash at every `SEAL_EVERY`th sealed row, and at its newest."""
    rows = source.execute(
        "SELECT id, chain FROM audit_log WHERE chain IS NOT NULL ORDER BY id"
    ).fetchall()
    kept = {int(r[0]): str(r[1]) for i, r in enumerate(rows) if (i + 1) % SEAL_EVERY == 0}
    if rows:
        kept[int(rows[-1][0])] = str(rows[-1][1])
    return kept


def join_school(
    source: Any, target: Any, progress: Progress | None = None, source_name: str = ""
) -> JoinResult:
    """Copy the one school of `source` into `target` (raw connections, PostgreSQL target
    holding schools, both at the same revision) as a new school, in one transaction on the
    target; returns what was done. Raises UserError or DatabaseError with nothing written."""
    plan = same_schema(source, target)
    _refuse_staff(target)
    school, _ = _one_school(source)
    _refuse_same_school(target, school)  # said before any work; asked again under the lock
    require_intact(
        source, "the source's", "it is not sealed anew into the trust's log; nothing was moved"
    )
    serial = serial_tables(target)
    refs = id_references(target)
    plan = parents_first(plan, refs)
    copied: dict[str, int] = {}
    with copying(source, target) as writer:
        seals = _source_seals(source)
        expected = {
            t: count(source, t) for t, _ in plan if t not in DATABASE_TABLES or t == "staff"
        }
        total, done = sum(expected.values()), 0
        writer.begin([t for t, _ in plan], keep_keys=True)  # each new row checked
        act_for_no_school(target)
        # the tables locked: no school or name added meanwhile (a second move of the same file)
        beside = _refuse_same_school(target, school)
        staff_there = {str(r[0]) for r in target.execute("SELECT name FROM staff").fetchall()}
        offsets = _offsets(target, serial)
        rekey = Rekey(offsets, int(school["id"]) + offsets.get("schools", 0))
        for table, cols in plan:
            if table in DATABASE_TABLES and table != "staff":
                continue
            if progress:
                progress(table, done, total)
            convert = _transform(table, cols, rekey, refs, set(serial))
            rows = read_rows(source, table, [c.name for c in cols], into_postgres=True)
            written = [0]
            kept = _kept(table, cols, rows, staff_there)
            writer.write(table, cols, _counted(map(convert, kept), written))
            copied[table] = written[0]
            _check_count(target, table, cols, rekey.school_id, written[0])
            done += expected[table]
        writer.finish([t for t, _ in plan])
        moved = _audit_range(target, rekey.school_id)
        _record_move(target, rekey, school, source_name, seals, moved, copied)
        seal_chain(target)
        _announce(target, rekey.school_id, copied)
        if progress:
            progress("", total, total)
    return JoinResult(rekey.school_id, str(school["name"]), beside, copied, offsets)


def parents_first(
    plan: list[tuple[str, list[Column]]], refs: dict[tuple[str, str], str]
) -> list[tuple[str, list[Column]]]:
    """The tables in an order that copies each one after the tables its foreign keys point at
    (the keys stay on while a school is added: checked row by row, only the new rows); read
    backwards, an order that deletes each one before them (storage/removing.py)."""
    names = {t for t, _ in plan}
    parents = {
        t: {p for (c, _), p in refs.items() if c == t and p in names and p != t} for t in names
    }
    ordered: list[tuple[str, list[Column]]] = []
    done: set[str] = set()
    waiting = list(plan)
    while waiting:
        ready = [(t, cols) for t, cols in waiting if parents[t] <= done]
        if not ready:
            raise DatabaseError(
                "the tables' foreign keys go round in a circle: " + ", ".join(t for t, _ in waiting)
            )
        ordered += ready
        done |= {t for t, _ in ready}
        waiting = [(t, cols) for t, cols in waiting if t not in done]
    return ordered


def _kept(
    table: str, cols: list[Column], rows: Iterator[tuple[Any, ...]], staff_there: set[str]
) -> Iterator[tuple[Any, ...]]:
    names = [c.name for c in cols]
    if table == "app_settings":
        at = names.index("key")
        return (r for r in rows if r[at] not in OWN_SETTINGS)
    if table == "staff":
        at = names.index("name")
        return (r for r in rows if str(r[at]) not in staff_there)
    return rows


def _counted(rows: Iterator[tuple[Any, ...]], written: list[int]) -> Iterator[tuple[Any, ...]]:
    for row in rows:
        written[0] += 1
        yield row


def _check_count(target: Any, table: str, cols: list[Column], school_id: int, written: int) -> None:
    names = {c.name for c in cols}
    if table == "schools":
        where, params = "id = ?", (school_id,)
    elif "school_id" in names:
        where, params = "school_id = ?", (school_id,)
    else:
        return
    found = int(
        target.execute(f'SELECT count(*) FROM "{table}" WHERE {where}', params).fetchone()[0]
    )
    if found != written:
        raise DatabaseError(
            f"{table}: {written} rows moved but {found} found as the new school's; nothing "
            "was moved"
        )


def _audit_range(target: Any, school_id: int) -> tuple[int, int]:
    row = target.execute(
        "SELECT min(id), max(id) FROM audit_log WHERE school_id = ?", (school_id,)
    ).fetchone()
    return (int(row[0]), int(row[1])) if row and row[0] is not None else (0, 0)


def _record_move(
    target: Any,
    rekey: Rekey,
    school: dict[str, Any],
    source_name: str,
    seals: dict[int, str],
    moved: tuple[int, int],
    copied: dict[str, int],
) -> None:
    """The new school's audit row saying it was moved in, and how to read its older rows."""
    note = {
        "from": source_name,
        "school": str(school.get("name") or ""),
        "urn": str(school.get("urn") or ""),
        "rows": sum(copied.values()),
        "audit_rows": [moved[0], moved[1]],
        "source_seals": {str(k): v for k, v in sorted(seals.items())},
        "ids_added": {t: n for t, n in sorted(rekey.offsets.items()) if n},
    }
    target.execute(
        "INSERT INTO audit_log (at, who, action, entity, entity_id, pupil_id, field, old_json, "
        "new_json, school_id) VALUES ((clock_timestamp() AT TIME ZONE 'UTC'), "
        "coalesce(nullif(current_setting('attendance_desk.who', true), ''), session_user), "
        "?, ?, ?, NULL, NULL, NULL, ?, ?)",
        (MOVE_ACTION, MOVE_ENTITY, str(rekey.school_id), json.dumps(note), rekey.school_id),
    )


def _announce(target: Any, school_id: int, copied: dict[str, int]) -> None:
    """Tell the trust's open windows, as a change made there would (their triggers were off
    while the rows went in): each table the triggers announce that the school brought rows to,
    delivered as the move commits."""
    announced = target.execute(
        "SELECT DISTINCT c.relname FROM pg_trigger t JOIN pg_class c ON c.oid = t.tgrelid "
        "WHERE t.tgfoid = to_regproc('attendance_desk_notify')::oid"
    ).fetchall()
    # the school itself first (the windows' School lists), then each table it brought rows to
    tables = ["schools", *(str(t) for (t,) in announced if copied.get(str(t)))]
    for table in tables:
        note = {"table": table, "school": school_id, "who": "", "pid": 0}
        target.execute("SELECT pg_notify(?, ?)", (CHANNEL, json.dumps(note)))


def moves_recorded(conn: Any) -> list[dict[str, Any]]:
    """Every school moved into the database, as its audit row recorded it (with `school_id`).
    A row is the move's record where it is the school's own row: a school taken out of a
    trust (storage/leaving.py) keeps the record of its move into that trust among its rows,
    naming its number there, which in its file, or in a trust it joins next, is another's."""
    rows = conn.execute(
        "SELECT entity_id, school_id, new_json FROM audit_log WHERE action = ? AND entity = ? "
        "ORDER BY id",
        (MOVE_ACTION, MOVE_ENTITY),
    ).fetchall()
    return [
        {**json.loads(str(text)), "school_id": int(sid)}
        for sid, own, text in rows
        if text and str(sid) == str(own)
    ]


def verify_moved_chain(conn: Any, school_id: int) -> ChainReport:
    """The seals a moved school's own database gave its audit rows, checked again: its rows
    moved in, mapped back to the source's ids by the offsets recorded and chained as its own
    log was, must give the source chain's hashes recorded at the move (every `SEAL_EVERY`th
    row's and the newest's). A stretch holding a row retention has cleared since cannot be
    recomputed: it is checked by the trust's chain only, and the next stretch starts from
    the recorded hash."""
    recorded = [m for m in moves_recorded(conn) if m["school_id"] == school_id]
    if not recorded:
        return ChainReport(0, None, "", 0)
    note = recorded[-1]
    offsets = {str(k): int(v) for k, v in note["ids_added"].items()}
    back = Rekey({t: -n for t, n in offsets.items()}, school_id)
    first, last = (int(x) for x in note["audit_rows"])
    seals = {int(k): str(v) for k, v in note["source_seals"].items()}
    tip_id = max(seals, default=0)
    previous: str | None = GENESIS
    checked, cleared, stretch, reached = 0, 0, first, tip_id == 0
    audit_offset = offsets.get("audit_log", 0)
    broken = (
        f"school {school_id}'s rows moved in from {note.get('from') or 'its file'} no longer "
        "give the hashes its own database sealed them with"
    )
    for values in conn.execute(
        f"SELECT {CONTENT} FROM audit_log WHERE id BETWEEN ? AND ? AND school_id = ? ORDER BY id",
        (first, last, school_id),
    ).fetchall():
        old_id = int(values[0]) - audit_offset
        if old_id > tip_id:
            break
        if values[3] == TOMBSTONE_ACTION and all(v is None for v in values[6:]):
            previous, cleared = None, cleared + 1  # its content, so its hash, is gone
        elif previous is not None:
            original = (
                old_id,
                values[1],
                values[2],
                values[3],
                values[4],
                back.entity_id(str(values[4]), str(values[5])),
                back.of("pupils", values[6]),
                *values[7:],
            )
            previous = link(previous, row_digest(original))
            checked += 1
        if old_id in seals:
            if previous is not None and previous != seals[old_id]:
                return ChainReport(checked, stretch, broken, 0)
            previous, stretch, reached = seals[old_id], int(values[0]) + 1, old_id == tip_id
    if not reached:
        return ChainReport(checked, stretch, broken, 0)
    said = f"{wording.count(cleared, 'row')} cleared by retention" if cleared else ""
    return ChainReport(checked, None, said, 0)


def verify_moved_chains(conn: Any) -> ChainReport | None:
    """The first school moved in (of those the connection sees) whose rows no longer match
    the seals its own database gave them; None when every one matches."""
    for school_id in sorted({int(m["school_id"]) for m in moves_recorded(conn)}):
        report = verify_moved_chain(conn, school_id)
        if not report.intact:
            return report
    return None
