"""Leave-of-absence requests: the register (asked on, dates, reason, the decision and who made
it), the decision letter from the `leave_reply` template, and the marks that followed.

The law lets the headteacher grant leave in term time only in exceptional circumstances: an
authorised request must say what they were. Either decision gets the `leave_reply` letter, in
the words the template has for it ([decision: refused] / [decision: authorised]; an authorised
reply names the circumstances); absence on the dates of a refused request is coded `G`
(holiday not authorised).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from attendance_desk.domain.casework import MIN_REASON_WORDS, substantive
from attendance_desk.errors import UserError
from attendance_desk.services.letter_register import PrintedBatch, print_letters
from attendance_desk.services.letter_sources import Selection
from attendance_desk.services.letters import ComposeOptions, Composition, compose
from attendance_desk.services.staff import require_can_change
from attendance_desk.services.versions import check_version, conflicts
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Mark, Pupil
from attendance_desk.storage.models.cases import LeaveRequest
from attendance_desk.user import current_user

DECISIONS = {"authorised": "Authorised (exceptional circumstances)", "refused": "Refused"}
LEAVE_TEMPLATE = "leave_reply"
HOLIDAY_NOT_AUTHORISED = "G"


@dataclass(frozen=True)
class LeaveInfo:
    request_id: int
    pupil_id: int
    pupil_name: str
    asked_on: date
    first_day: date
    last_day: date
    reason: str
    decision: str | None  # "authorised" | "refused" | None (not decided yet)
    decided_on: date | None
    decided_by: str
    decision_note: str
    codes: dict[str, int]  # the marks on the dates of the leave, by code
    g_marks: tuple[tuple[date, str], ...]  # the `G` sessions on those dates
    version: int = 1  # what an edit names (services/versions.py)

    @property
    def decision_label(self) -> str:
        return DECISIONS.get(self.decision or "", "Not decided")


def _infos(db: Database, rows: list[tuple[LeaveRequest, Pupil]]) -> tuple[LeaveInfo, ...]:
    out = []
    with db.session() as s:
        for r, p in rows:
            marks = s.execute(
                select(Mark.date, Mark.session, Mark.code).where(
                    Mark.pupil_id == r.pupil_id, Mark.date >= r.first_day, Mark.date <= r.last_day
                )
            ).all()
            out.append(
                LeaveInfo(
                    r.id,
                    r.pupil_id,
                    f"{p.forename} {p.surname}",
                    r.asked_on,
                    r.first_day,
                    r.last_day,
                    r.reason,
                    r.decision,
                    r.decided_on,
                    r.decided_by,
                    r.decision_note,
                    dict(Counter(code for _, _, code in marks)),
                    tuple(sorted((d, sn) for d, sn, c in marks if c == HOLIDAY_NOT_AUTHORISED)),
                    r.version,
                )
            )
    return tuple(out)


def leave_register(db: Database, pupil_id: int | None = None) -> tuple[LeaveInfo, ...]:
    """Every request (or one pupil's), newest first, with the marks on its dates."""
    with db.session() as s:
        query = select(LeaveRequest, Pupil).join(Pupil, Pupil.id == LeaveRequest.pupil_id)
        if pupil_id is not None:
            query = query.where(LeaveRequest.pupil_id == pupil_id)
        rows = [(r, p) for r, p in s.execute(query.order_by(LeaveRequest.asked_on.desc()))]
        for r, p in rows:
            s.expunge(r)
            s.expunge(p)
    return _infos(db, rows)


def record_leave_request(
    db: Database, pupil_id: int, asked_on: date, first_day: date, last_day: date, reason: str
) -> LeaveInfo:
    require_can_change("record a leave request")
    if last_day < first_day:
        raise UserError(
            f"The leave ends ({last_day:%d/%m/%Y}) before it starts ({first_day:%d/%m/%Y})"
        )
    if not reason.strip():
        raise UserError("Say what the parent gave as the reason for the leave")
    with db.session() as s:
        if s.get(Pupil, pupil_id) is None:
            raise UserError(f"There is no pupil with id {pupil_id}")
        row = LeaveRequest(
            pupil_id=pupil_id,
            asked_on=asked_on,
            first_day=first_day,
            last_day=last_day,
            reason=reason.strip(),
            recorded_by=current_user(),
        )
        s.add(row)
        s.flush()
        request_id = row.id
    return _one(db, request_id)


def _one(db: Database, request_id: int) -> LeaveInfo:
    found = [i for i in leave_register(db) if i.request_id == request_id]
    if not found:
        raise UserError(f"There is no leave request {request_id}")
    return found[0]


def decide_leave(
    db: Database,
    request_id: int,
    decision: str,
    on: date,
    decided_by: str,
    note: str = "",
    expected_version: int | None = None,
) -> LeaveInfo:
    """Authorise (exceptional circumstances, said in words) or refuse a request."""
    require_can_change("decide a leave request")
    if decision not in DECISIONS:
        raise UserError(f"'{decision}' is not a decision (authorised or refused)")
    if not decided_by.strip():
        raise UserError("Say who decided (the headteacher decides leave in term time)")
    if decision == "authorised" and not substantive(note):
        raise UserError(
            "Leave in term time is authorised only in exceptional circumstances: say what they "
            f"are (at least {MIN_REASON_WORDS} words)"
        )
    with db.session() as s:
        row = s.get(LeaveRequest, request_id)
        if row is None:
            raise UserError(f"There is no leave request {request_id}")
        check_version(db, "leave", row.id, row.version, expected_version)
        if on < row.asked_on:
            raise UserError(
                f"The decision ({on:%d/%m/%Y}) is before the request ({row.asked_on:%d/%m/%Y})"
            )
        row.decision, row.decided_on = decision, on
        row.decided_by, row.decision_note = decided_by.strip(), note.strip()
        with conflicts(db, "leave", row.id):
            s.flush()
    return _one(db, request_id)


def _long(d: date) -> str:
    return f"{d.day} {d:%B %Y}"


def _as_clause(note: str) -> str:
    """The decision's words as they read in brackets inside a sentence (no full stop)."""
    return " ".join(note.split()).rstrip(".")


def leave_letter(db: Database, request_id: int, letter_date: date | None = None) -> Composition:
    """The decision letter from the `leave_reply` template, in the words for the decision:
    refused, or authorised in the exceptional circumstances the decision names."""
    info = _one(db, request_id)
    if info.decision not in DECISIONS:
        raise UserError(
            "The leave_reply letter gives the parent the headteacher's decision: record the "
            "decision (authorised or refused) first"
        )
    extra = {
        "request_date": _long(info.asked_on),
        "leave_start": _long(info.first_day),
        "leave_end": _long(info.last_day),
    }
    if info.decision == "authorised":
        extra["leave_circumstances"] = _as_clause(info.decision_note)
    options = ComposeOptions(
        letter_date=letter_date or info.decided_on, extra=extra, decision=info.decision
    )
    return compose(
        db, LEAVE_TEMPLATE, Selection(pupil_ids=(info.pupil_id,)), info.decided_on, options
    )


def print_leave_letter(db: Database, request_id: int) -> PrintedBatch:
    """Print the decision letter and keep it in the letters register and on the timeline."""
    require_can_change("print letters")
    return print_letters(db, leave_letter(db, request_id), current_user())
