"""The CaseContext each pupil's case-based rules read (stage, contracts, plans, timetables,
last year's attendance), and each open case's stage, read with plain SQL.

The window's first screen and the commands that read ask for these; reading them loads no
SQLAlchemy and no models (services/cases.py, which changes cases, does).
"""

from __future__ import annotations

import json
import sqlite3
from collections import Counter, defaultdict
from datetime import date

from attendance_desk.domain.calendar import AcademicYear
from attendance_desk.domain.events import (
    AttendanceContract,
    EventKind,
    IllnessPlan,
    PartTimeTimetableDetails,
    details_from_dict,
    reached_family,
)
from attendance_desk.domain.figures import Figures
from attendance_desk.domain.pathway import (
    SUPPORT_STAGES,
    CaseContext,
    FamilyContact,
    PartTimeTimetable,
    Stage,
)
from attendance_desk.domain.tasks import default_illness_review
from attendance_desk.services.policy import load_policy
from attendance_desk.storage.db import Database
from attendance_desk.storage.dialect import joined_aggregate

# Every case opened by the date with its moves in order (a case with none still counts).
_CASES_SQL = """
SELECT c.id, c.pupil_id, s.date, s.to_stage
FROM cases c LEFT JOIN stage_changes s ON s.case_id = c.id
WHERE c.opened_on <= :as_of{pupil}
ORDER BY c.id, s.date, s.id
"""
_EVENTS_SQL = """
SELECT event_pupils.pupil_id, timeline_events.kind, timeline_events.details_json
FROM event_pupils JOIN timeline_events ON event_pupils.event_id = timeline_events.id
WHERE timeline_events.kind IN (?, ?, ?){pupil}
"""
# One row per pupil with the year's codes joined by a control character no code holds
# (counted in Python): grouping by pupil AND
# code would make SQLite sort every mark of the year in a temporary B-tree (2.5x slower).
_YEAR_COUNTS_SQL = """
SELECT p.id, {join}(m.code, :sep)
FROM pupils p CROSS JOIN marks m
WHERE m.pupil_id = p.id AND m.date >= :start AND m.date <= :end{pupil}
  AND (p.admission_date IS NULL OR m.date >= p.admission_date)
  AND (p.leaving_date IS NULL OR m.date <= p.leaving_date)
GROUP BY p.id
"""


def _day(text: str) -> date:
    return date.fromisoformat(text[:10])


def case_contexts(db: Database, as_of: date, pupil_id: int | None = None) -> dict[int, CaseContext]:
    """Each pupil's CaseContext as of `as_of`: stage, contracts, plans, timetables, last year.
    With `pupil_id`, only that pupil's (a pupil's page need not read the whole school)."""
    conn = db.raw_connection()
    try:
        return _case_contexts(conn, as_of, pupil_id)
    finally:
        conn.close()


def _case_contexts(
    conn: sqlite3.Connection, as_of: date, pupil_id: int | None
) -> dict[int, CaseContext]:
    prev_year = AcademicYear.containing(as_of).previous
    weeks = load_policy(conn).thresholds.medical_review_weeks  # a Frequent Illness plan's review
    stage_rows: dict[int, list[tuple[date, Stage]]] = defaultdict(list)
    open_at_year_end: set[int] = set()
    current: dict[int, tuple[Stage, date]] = {}
    # each case's moves up to the date, and up to the end of last year
    by_case: dict[int, tuple[int, list[tuple[date, Stage]], list[Stage]]] = {}
    params: dict[str, object] = {"as_of": as_of.isoformat()}
    if pupil_id is not None:
        params["pupil"] = pupil_id
    pupil = "" if pupil_id is None else " AND c.pupil_id = :pupil"
    for case_id, owner, when, to_stage in conn.execute(_CASES_SQL.format(pupil=pupil), params):
        entry = by_case.get(case_id)
        if entry is None:
            entry = by_case[case_id] = (owner, [], [])
        if when is None:
            continue
        day = _day(when)
        if day <= as_of:
            entry[1].append((day, Stage(to_stage)))
        if day <= prev_year.end:
            entry[2].append(Stage(to_stage))
    for owner, moves, at_end in by_case.values():
        stage_rows[owner].extend(moves)
        if moves and moves[-1][1] is not Stage.CLOSED:
            current[owner] = (moves[-1][1], moves[-1][0])
        if at_end and at_end[-1] is not Stage.CLOSED:
            open_at_year_end.add(owner)
    kinds = [
        EventKind.ATTENDANCE_CONTRACT.value,
        EventKind.ILLNESS_PLAN.value,
        EventKind.PART_TIME_TIMETABLE.value,
    ]
    events_sql = _EVENTS_SQL.format(
        pupil="" if pupil_id is None else " AND event_pupils.pupil_id = ?"
    )
    events = conn.execute(events_sql, kinds + ([] if pupil_id is None else [pupil_id])).fetchall()
    last_year = _year_counts(conn, prev_year, pupil_id)
    contacts = _family_contacts(conn, prev_year.start, as_of, pupil_id)
    pupil_sql = "SELECT id FROM pupils" + ("" if pupil_id is None else " WHERE id = ?")
    every_pupil = {r[0] for r in conn.execute(pupil_sql, () if pupil_id is None else (pupil_id,))}

    contracts: dict[int, list[date]] = defaultdict(list)
    plans: dict[int, list[date]] = defaultdict(list)
    plan_reviews: dict[int, list[date]] = defaultdict(list)
    timetables: dict[int, list[PartTimeTimetable]] = defaultdict(list)
    for owner, kind, details_json in events:
        details = details_from_dict(kind, json.loads(details_json))
        if isinstance(details, AttendanceContract) and details.signed and details.signed <= as_of:
            contracts[owner].append(details.signed)
        elif isinstance(details, IllnessPlan) and details.started and details.started <= as_of:
            plans[owner].append(details.started)
            review = details.review_date or default_illness_review(details.started, weeks)
            plan_reviews[owner].append(review)
        elif (
            isinstance(details, PartTimeTimetableDetails)
            and details.start
            and details.start <= as_of
        ):
            timetables[owner].append(
                PartTimeTimetable(details.start, details.end, tuple(sorted(details.review_dates)))
            )

    pupils = set(stage_rows) | set(contracts) | set(plans) | set(timetables) | set(last_year)
    pupils |= every_pupil  # each has its family contacts (children missing education)
    out: dict[int, CaseContext] = {}
    for pid in pupils:
        stage, started = current.get(pid, (None, None))
        support_ended = None
        if stage in SUPPORT_STAGES and started is not None:
            ended = [r for r in plan_reviews.get(pid, []) if started <= r <= as_of]
            support_ended = max(ended) if ended else None
        out[pid] = CaseContext(
            pupil_id=pid,
            stage=stage,
            stage_started=started,
            contracts_signed=tuple(sorted(contracts.get(pid, []))),
            illness_plans_started=tuple(sorted(plans.get(pid, []))),
            part_time_timetables=tuple(sorted(timetables.get(pid, []), key=lambda t: t.start)),
            open_case_at_previous_year_end=pid in open_at_year_end,
            previous_year_attendance=last_year.get(pid),
            history=tuple(sorted(stage_rows.get(pid, []), key=lambda m: m[0])),
            support_ended=support_ended,
            family_contacts=tuple(contacts.get(pid, ())),
        )
    return out


# Events that are a try to reach the family (children missing education's record of attempts).
ATTEMPT_KINDS = (
    EventKind.PHONE_CALL.value,
    EventKind.HOME_VISIT.value,
    EventKind.MEETING.value,
    EventKind.LETTER_SENT.value,
)
_CONTACTS_SQL = """
SELECT event_pupils.pupil_id, timeline_events.date, timeline_events.kind,
       timeline_events.summary, timeline_events.details_json
FROM event_pupils JOIN timeline_events ON event_pupils.event_id = timeline_events.id
WHERE timeline_events.kind IN (?, ?, ?, ?) AND timeline_events.date >= ?
  AND timeline_events.date <= ?{pupil}
ORDER BY timeline_events.date, timeline_events.id
"""


def _family_contacts(
    conn: sqlite3.Connection, start: date, as_of: date, pupil_id: int | None = None
) -> dict[int, list[FamilyContact]]:
    """Each pupil's calls, meetings, visits and letters dated start..as_of, oldest first."""
    params: list[object] = [*ATTEMPT_KINDS, start.isoformat(), as_of.isoformat()]
    if pupil_id is not None:
        params.append(pupil_id)
    sql = _CONTACTS_SQL.format(pupil="" if pupil_id is None else " AND event_pupils.pupil_id = ?")
    out: dict[int, list[FamilyContact]] = defaultdict(list)
    for pid, day, kind, summary, details_json in conn.execute(sql, params):
        reached = kind != EventKind.LETTER_SENT.value and reached_family(
            details_from_dict(kind, json.loads(details_json))
        )
        out[pid].append(FamilyContact(_day(day), summary, reached))
    return out


def _year_counts(
    conn: sqlite3.Connection, year: AcademicYear, pupil_id: int | None = None
) -> dict[int, tuple[int, int]]:
    """(attended, possible) per pupil over an academic year, counting sessions while on roll.

    Read as one row per pupil (its codes joined), counted in Python: a year of marks for 2,000
    pupils is 800,000 rows, seconds as ORM rows. CROSS JOIN keeps SQLite walking each pupil's marks
    along the primary key (pupil, date) rather than the date index, which is 4x slower.
    """
    params: dict[str, object] = {
        "start": year.start.isoformat(),
        "end": year.end.isoformat(),
        "sep": "\x1f",
    }
    if pupil_id is not None:
        params["pupil"] = pupil_id
    sql = _YEAR_COUNTS_SQL.format(
        pupil="" if pupil_id is None else " AND p.id = :pupil", join=joined_aggregate(conn)
    )
    out: dict[int, tuple[int, int]] = {}
    for pid, codes in conn.execute(sql, params):
        fig = Figures.from_code_counts(Counter(codes.split("\x1f")))
        if fig.possible:
            out[pid] = (fig.attended, fig.possible)
    return out


def open_case_stages(db: Database) -> dict[int, Stage]:
    """Each open case's stage, by pupil id."""
    conn = db.raw_connection()
    try:
        rows = conn.execute("SELECT pupil_id, stage FROM cases WHERE closed_on IS NULL ORDER BY id")
        return {pid: Stage(stage) for pid, stage in rows}
    finally:
        conn.close()
