"""Reading the pupils and their marks, and turning them into each pupil's RuleInput.

Marks are read with ONE raw SQL query (a string of dates and a string of codes per pupil, in
time order) and turned into compact arrays (domain/rule_input.py); everything after that is
pure domain code.
"""

from __future__ import annotations

import sqlite3
from bisect import bisect_left
from collections.abc import Mapping, Sequence
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
# of history kept. CROSS JOIN keeps SQLite walking the pupils first (the date index would be
# slower). Each group_concat comes in time order; the loader still checks.
_MARKS_SQL = """
SELECT p.id, group_concat(m.date || m.session, ','), group_concat(m.code, ',')
FROM pupils p CROSS JOIN marks m
{where} AND m.pupil_id = p.id AND m.date >= :load_start AND m.date <= :as_of
GROUP BY p.id
"""


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
    sessions: dict[str, list[int]]  # each distinct string of sessions read -> its slots


@dataclass(frozen=True, slots=True)
class _Raw:
    """What one read of the database gives, before any evaluation context is built."""

    as_of: date
    calendar: SchoolCalendar
    policy: Policy
    pupils: list[tuple[Any, ...]]  # rows of _PUPIL_SQL with dates parsed
    marks: dict[int, tuple[list[int], str]]  # pupil -> (slots, chars) as read (not trimmed)
    sessions: dict[str, list[int]]  # each distinct string of sessions read -> its slots
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
    known_sessions: Mapping[str, list[int]] | None = None,
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
    known_sessions: Mapping[str, list[int]] | None = None,
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
    known_sessions: Mapping[str, list[int]] | None = None,
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
    wanted = {p[0]: p for p in pupils}
    slot_map = _SlotMap()
    enc = ENCODER.__getitem__
    shared: dict[str, list[int]] = {}  # most pupils share one string of sessions
    known = known_sessions or {}  # from an earlier load: the same list for the same string
    raw: dict[int, tuple[list[int], str]] = {}
    for pid, keys, codes in conn.execute(_MARKS_SQL.format(where=where), params):
        if pid not in wanted:
            continue
        slots = shared.get(keys)
        if slots is None:
            slots = list(map(slot_map.__getitem__, keys.split(",")))
            if known.get(keys) == slots:  # the list an earlier load made: the same object
                slots = known[keys]
            if slots != sorted(slots):  # SQL does not promise the order: check, and sort
                order = sorted(range(len(slots)), key=slots.__getitem__)
                codes = ",".join([codes.split(",")[k] for k in order])
                slots = [slots[k] for k in order]
                raw[pid] = (slots, "".join(map(enc, codes.split(","))))
                continue
            shared[keys] = slots
        n = len(slots)
        # Every code one character exactly when the commas sit at every odd position.
        if len(codes) == 2 * n - 1 and codes[1::2].count(",") == n - 1 and codes.isascii():
            chars = codes[::2].translate(_SINGLE_CHAR_CODES)
        else:
            chars = "".join(map(enc, codes.split(",")))
        raw[pid] = (slots, chars)
    return _Raw(as_of, calendar, policy, pupils, raw, shared, taken_sessions(conn, as_of))


def taken_sessions(conn: sqlite3.Connection, day: date) -> frozenset[str]:
    """The sessions of `day` whose register was taken: some pupil has a mark for it."""
    rows = conn.execute(
        "SELECT DISTINCT session FROM marks WHERE date = ? AND code NOT IN ('-', '')",
        (day.isoformat(),),
    )
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
    for p in pupils:
        pid, admission, leaving = p[0], p[10], p[11]
        slots, chars = raw.marks.get(pid, ([], ""))
        if slots and (
            (admission is not None and admission > load_start)
            or (leaving is not None and leaving < as_of)
        ):
            lo = 0 if admission is None else bisect_left(slots, admission.toordinal() * 2)
            hi = len(slots) if leaving is None else bisect_left(slots, leaving.toordinal() * 2 + 2)
            slots, chars = slots[lo:hi], chars[lo:hi]
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
        )
    return _Loaded(ctx, list(pupils), inputs, raw.sessions)
