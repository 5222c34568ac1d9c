"""Reading the pupils and their marks, and turning them into each pupil's RuleInput.

Marks are read with ONE raw SQL query (a string of codes per pupil, in time order, with the
sessions that have marks; a pupil's sessions are read too only when the count of their marks
does not tell them) and turned into compact arrays (domain/rule_input.py); everything after
that is pure domain code.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left
from collections.abc import Container, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from attendance_desk.domain.calendar import AcademicYear, SchoolCalendar
from attendance_desk.domain.pathway import CaseContext
from attendance_desk.domain.policy import Policy
from attendance_desk.domain.rule_input import (
    CAT_TABLE,
    ENCODE,
    ENCODER,
    MISSING_CHAR,
    EvaluationContext,
    RuleInput,
)
from attendance_desk.services.calendar import load_calendar
from attendance_desk.services.policy import load_policy
from attendance_desk.storage.db import Database
from attendance_desk.storage.dialect import is_postgres, joined_aggregate

# Single-character codes read as themselves; any other ASCII character is a missing mark.
_SINGLE_CHAR_CODES = str.maketrans(
    {chr(c): (chr(c) if ENCODE.get(chr(c)) == chr(c) else MISSING_CHAR) for c in range(128)}
)

# The last column says whether the pupil is on roll on the date (the same test as the WHERE
# clause of a load without leavers), so one load with leavers serves both.
_PUPIL_SQL = """
SELECT id, upn, legal_surname, legal_forename, preferred_surname, preferred_forename,
       year_group, reg_group, sex, date_of_birth, admission_date, leaving_date,
       pupil_premium, fsm, sen_status, eal, looked_after, child_protection, child_in_need,
       (admission_date IS NULL OR admission_date <= :as_of)
       AND (leaving_date IS NULL OR leaving_date >= :as_of)
FROM pupils p {where} ORDER BY id
"""
_ON_ROLL = 19  # index of that column in a pupil row
# Only the marks the date needs (1 September of the previous academic year to the date), of
# only the pupils read: for each pupil a range of the primary key (pupil_id, date, session) of
# the WITHOUT ROWID table, so the cost follows the pupils and the two years, never the years
# of history kept. CROSS JOIN keeps SQLite walking the pupils first.
#
# ONE statement (one snapshot of the database) gives two kinds of rows:
# - the sessions that have any mark from load_start to the date, whoever's: from the register of
#   sessions (register_sessions, kept by triggers on marks: a row per session with marks), 1 for
#   a morning, 2 for an afternoon (id NULL);
# - for each pupil: the first date, the number of marks, the last date, and the codes in time
#   order (SQLite gives a pupil's rows in key order: _codes_in_key_order checks the plan).
# A pupil's sessions are all among the sessions found, so a pupil with exactly as many marks as
# there are sessions found from the first date to the last has a mark in every one of them:
# that pupil's sessions are known without reading them (most pupils, most days). The sessions of
# the others are read with _KEYED_SQL (on PostgreSQL, everyone's: see _read_marks).
_MARKS_SQL = """
SELECT NULL, date, CASE WHEN session = 'AM' THEN 1 ELSE 2 END, NULL, NULL
FROM register_sessions WHERE date >= :load_start AND date <= :as_of
UNION ALL
SELECT p.id,
       (SELECT min(f.date) FROM marks f
        WHERE f.pupil_id = p.id AND f.date >= :load_start AND f.date <= :as_of),
       count(*),
       (SELECT max(f.date) FROM marks f
        WHERE f.pupil_id = p.id AND f.date >= :load_start AND f.date <= :as_of),
       {join}(m.code, ',')
FROM pupils p CROSS JOIN marks m
{where} AND m.pupil_id = p.id AND m.date >= :load_start AND m.date <= :as_of
GROUP BY p.id
"""
# Each mark's session with its code, for the pupils whose sessions are not known from the
# counts. Each group_concat comes in time order on SQLite; the loader still checks.
_KEYED_SQL = """
SELECT p.id, {join}(m.date || m.session, ','), {join}(m.code, ',')
FROM pupils p CROSS JOIN marks m
{where} AND m.pupil_id = p.id AND m.date >= :load_start AND m.date <= :as_of
GROUP BY p.id
"""
# A key of the distinct lists of sessions read: the string of a pupil's sessions as read, or
# (first slot, last slot, length) of a run of the sessions found.
SessionsKey = str | tuple[int, int, int]
_KEY_ORDER: dict[tuple[str, str], bool] = {}  # (connection's module, SQL) -> the plan's verdict


class _SlotMap(dict[str, int]):
    """ "YYYY-MM-DDAM" -> date ordinal * 2 + session, computed once per distinct key."""

    def __missing__(self, key: str) -> int:
        value = date.fromisoformat(key[:10]).toordinal() * 2 + (key[10:] == "PM")
        self[key] = value
        return value


def _d(text: str | None) -> date | None:
    return date.fromisoformat(text[:10]) if text else None


@dataclass(frozen=True, slots=True)
class _Loaded:
    ctx: EvaluationContext
    pupils: list[tuple[Any, ...]]  # rows of _PUPIL_SQL with dates parsed
    inputs: dict[int, RuleInput]
    sessions: dict[SessionsKey, list[int]]  # each distinct list of sessions read


@dataclass(frozen=True, slots=True)
class _Raw:
    """What one read of the database gives, before any evaluation context is built."""

    as_of: date
    calendar: SchoolCalendar
    policy: Policy
    pupils: list[tuple[Any, ...]]  # rows of _PUPIL_SQL with dates parsed
    marks: dict[int, tuple[list[int], str]]  # pupil -> (slots, chars) as read (not trimmed)
    sessions: dict[SessionsKey, list[int]]  # each distinct list of sessions read
    taken: frozenset[str] = frozenset()  # sessions of as_of whose register was taken


def _load(
    db: Database,
    as_of: date,
    *,
    leavers: bool,
    pupil_id: int | None = None,
    case_contexts: Mapping[int, CaseContext] | None = None,
    policy: Policy | None = None,
    calendar: SchoolCalendar | None = None,
    known_sessions: Mapping[SessionsKey, list[int]] | None = None,
) -> _Loaded:
    raw = _read(db, as_of, leavers, pupil_id, policy, calendar, known_sessions)
    return _inputs(raw, raw.pupils, case_contexts)


def _read(
    db: Database,
    as_of: date,
    leavers: bool,
    pupil_id: int | None = None,
    policy: Policy | None = None,
    calendar: SchoolCalendar | None = None,
    known_sessions: Mapping[SessionsKey, list[int]] | None = None,
) -> _Raw:
    conn = db.raw_connection()
    try:
        return _read_from(conn, as_of, leavers, pupil_id, policy, calendar, known_sessions)
    finally:
        conn.close()


def _read_from(
    conn: sqlite3.Connection,
    as_of: date,
    leavers: bool,
    pupil_id: int | None,
    policy: Policy | None,
    calendar: SchoolCalendar | None,
    known_sessions: Mapping[SessionsKey, list[int]] | None = None,
) -> _Raw:
    year = AcademicYear.containing(as_of)
    year_start = year.start
    load_start = year.previous.start
    # The calendar the rules use: the years of the marks read, and the rest of this one.
    calendar = calendar or load_calendar(conn, since=load_start, until=year.end)
    policy = policy or load_policy(conn)
    # Pupils on roll on the date, or (with leavers) at any time from 1 September to the date.
    first_day = year_start if leavers else as_of
    where = "WHERE (p.admission_date IS NULL OR p.admission_date <= :as_of) AND (p.leaving_date IS NULL OR p.leaving_date >= :first_day)"
    params: dict[str, object] = {
        "as_of": as_of.isoformat(),
        "first_day": first_day.isoformat(),
        "load_start": load_start.isoformat(),
    }
    if pupil_id is not None:  # one pupil's page: whatever their dates
        where = "WHERE p.id = :pupil_id"
        params["pupil_id"] = pupil_id
    pupils = []
    for row in conn.execute(_PUPIL_SQL.format(where=where), params):
        row = list(row)
        row[9], row[10], row[11] = _d(row[9]), _d(row[10]), _d(row[11])
        row[_ON_ROLL] = bool(row[_ON_ROLL])
        pupils.append(tuple(row))
    wanted = {p[0] for p in pupils}
    raw, shared = _read_marks(conn, where, params, wanted, known_sessions or {})
    return _Raw(as_of, calendar, policy, pupils, raw, shared, taken_sessions(conn, as_of))


def _read_marks(
    conn: sqlite3.Connection,
    where: str,
    params: Mapping[str, object],
    wanted: Container[int],
    known: Mapping[SessionsKey, list[int]],
) -> tuple[dict[int, tuple[list[int], str]], dict[SessionsKey, list[int]]]:
    """Each pupil's (slots, chars) in time order, and the distinct lists of slots: pupils with
    the same sessions share one list, the very list `known` (an earlier read) has when equal."""
    shared: dict[SessionsKey, list[int]] = {}
    if is_postgres(conn):
        # PostgreSQL reads every mark's session: an aggregate in a stated order sorts each
        # pupil's marks, which costs more than the sessions do (and nothing else promises it)
        rows = conn.execute(_KEYED_SQL.format(where=where, join=joined_aggregate(conn)), params)
        return dict(_read_keyed((r for r in rows if r[0] in wanted), shared, known)), shared
    ordered = _codes_in_key_order(conn, where, params)
    sql = _MARKS_SQL.format(where=where, join=joined_aggregate(conn))
    found: dict[int, int] = {}  # date ordinal -> 1 morning, 2 afternoon, 3 both
    written: dict[int, str] = {}  # date ordinal -> the date as the marks hold it
    groups = []
    for pid, first, n, last, codes in conn.execute(sql, params):
        if pid is None:
            o = date.fromisoformat(first[:10]).toordinal()
            if written.setdefault(o, first) != first:  # one day written two ways: two marks
                ordered = False  # could share a session
            found[o] = found.get(o, 0) | n
        elif pid in wanted:
            groups.append((pid, first, n, last, codes))
    sessions = sorted(o * 2 + k for o, flags in found.items() for k in (0, 1) if flags >> k & 1)
    raw: dict[int, tuple[list[int], str]] = {}
    runs: dict[tuple[int, int], list[int]] = {}
    unknown: list[int] = []  # pupils whose sessions are read with their marks
    for pid, first, n, last, codes in groups:
        i = bisect_left(sessions, date.fromisoformat(first[:10]).toordinal() * 2)
        j = bisect_left(sessions, date.fromisoformat(last[:10]).toordinal() * 2 + 2)
        chars = _chars(codes, n) if ordered and j - i == n else None
        if chars is None:
            unknown.append(pid)
            continue
        slots = runs.get((i, j))
        if slots is None:
            slots = sessions[i:j]
            key = (slots[0], slots[-1], n)
            if known.get(key) == slots:  # the list an earlier read made: the same object
                slots = known[key]
            runs[i, j] = shared[key] = slots
        raw[pid] = (slots, chars)
    if unknown:
        ids = ",".join(str(int(pid)) for pid in unknown)
        keyed = _KEYED_SQL.format(where=f"WHERE p.id IN ({ids})", join=joined_aggregate(conn))
        raw.update(_read_keyed(conn.execute(keyed, params), shared, known))
    return raw, shared


def _chars(codes: str, n: int) -> str | None:
    """The n codes read (joined by commas) as one character each; None when they are not n."""
    # Every code one character exactly when the commas sit at every odd position.
    if len(codes) == 2 * n - 1 and codes[1::2].count(",") == n - 1 and codes.isascii():
        return codes[::2].translate(_SINGLE_CHAR_CODES)
    parts = codes.split(",")
    return "".join(map(ENCODER.__getitem__, parts)) if len(parts) == n else None


def _codes_in_key_order(conn: sqlite3.Connection, where: str, params: Mapping[str, object]) -> bool:
    """Whether SQLite's plan for _MARKS_SQL walks each pupil's marks through the primary key,
    with no sort between the rows and the aggregate (then each pupil's codes come in time
    order). Asked once per SQLite library and statement."""
    sql = _MARKS_SQL.format(where=where, join=joined_aggregate(conn))
    key = (type(conn).__module__, sql)
    verdict = _KEY_ORDER.get(key)
    if verdict is None:
        plan = [str(r[3]) for r in conn.execute(f"EXPLAIN QUERY PLAN {sql}", params)]
        verdict = _KEY_ORDER[key] = any(
            d.startswith("SEARCH m USING PRIMARY KEY (pupil_id=?") for d in plan
        ) and not any("TEMP B-TREE" in d or d.startswith("SCAN m") for d in plan)
    return verdict


def _read_keyed(
    rows: Iterable[tuple[int, str, str]],
    shared: dict[SessionsKey, list[int]],
    known: Mapping[SessionsKey, list[int]],
) -> Iterator[tuple[int, tuple[list[int], str]]]:
    """(pupil, (slots, chars)) from rows of _KEYED_SQL, put in time order when they are not."""
    slot_map = _SlotMap()
    enc = ENCODER.__getitem__
    for pid, keys, codes in rows:
        slots = shared.get(keys)
        if slots is None:
            slots = list(map(slot_map.__getitem__, keys.split(",")))
            if known.get(keys) == slots:  # the list an earlier load made: the same object
                slots = known[keys]
            if slots != sorted(slots):  # SQL does not promise the order: check, and sort
                order = sorted(range(len(slots)), key=slots.__getitem__)
                codes = ",".join([codes.split(",")[k] for k in order])
                slots = [slots[k] for k in order]
                yield pid, (slots, "".join(map(enc, codes.split(","))))
                continue
            shared[keys] = slots
        n = len(slots)
        chars = _chars(codes, n)
        yield pid, (slots, chars if chars is not None else "".join(map(enc, codes.split(","))))


# Each session of the day: its row of the register of sessions (some mark other than '-', '').
_TAKEN_SQL = """
SELECT DISTINCT session FROM register_sessions WHERE date = :day AND marks > blank
"""


def taken_sessions(conn: sqlite3.Connection, day: date) -> frozenset[str]:
    """The sessions of `day` whose register was taken: some pupil has a mark for it."""
    rows = conn.execute(_TAKEN_SQL, {"day": day.isoformat()})
    return frozenset(str(r[0]) for r in rows)


def _context(raw: _Raw, pupils: Sequence[tuple[Any, ...]]) -> EvaluationContext:
    """The evaluation context for these pupils: the days with marks that are not school days
    are worked out from THEIR marks (as a load of just these pupils would)."""
    days: set[int] = set()
    seen: set[int] = set()
    for p in pupils:
        slots = raw.marks.get(p[0], ((), ""))[0]
        if id(slots) not in seen:  # most pupils share one list
            seen.add(id(slots))
            days.update(s >> 1 for s in slots)
    is_school = raw.calendar.is_school_ordinal
    non_school = tuple(sorted(d for d in days if not is_school(d)))
    return EvaluationContext.build(raw.calendar, raw.policy, raw.as_of, non_school, raw.taken)


def _inputs(
    raw: _Raw,
    pupils: Sequence[tuple[Any, ...]],
    case_contexts: Mapping[int, CaseContext] | None,
    ctx: EvaluationContext | None = None,
) -> _Loaded:
    """Each pupil's RuleInput: the marks while on roll, from 1 September of the previous year."""
    ctx = ctx or _context(raw, pupils)
    load_start = ctx.load_start
    as_of = raw.as_of
    cases = case_contexts or {}
    inputs: dict[int, RuleInput] = {}
    # Pupils whose marks fall in the same sessions share one list of slots, and one record of
    # where each period starts and ends in it.
    bounds: dict[int, tuple[list[int], dict[Any, tuple[int, int]]]] = {}
    for p in pupils:
        pid, admission, leaving = p[0], p[10], p[11]
        slots, chars = raw.marks.get(pid, ([], ""))
        if slots and (
            (admission is not None and admission > load_start)
            or (leaving is not None and leaving < as_of)
        ):
            lo = 0 if admission is None else bisect_left(slots, admission.toordinal() * 2)
            hi = len(slots) if leaving is None else bisect_left(slots, leaving.toordinal() * 2 + 2)
            if lo > 0 or hi < len(slots):
                slots, chars = slots[lo:hi], chars[lo:hi]
        shared = bounds.get(id(slots))
        if shared is None:  # the list is kept with its record: its id stays its own
            shared = bounds[id(slots)] = (slots, {})
        inputs[pid] = RuleInput(
            pid,
            slots,
            chars,
            ctx,
            admission,
            leaving,
            cases.get(pid),
            chars.translate(CAT_TABLE),
            born=p[9],
            bounds_cache=shared[1],
        )
    return _Loaded(ctx, list(pupils), inputs, raw.sessions)
