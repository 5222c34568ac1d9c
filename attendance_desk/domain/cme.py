"""Children missing education: when a school must tell the local authority.

A pupil with 10 or more school days of continuous unauthorised absence (the LA ten-day return's
run: `Thresholds.la_return_sessions` consecutive possible sessions, all unauthorised) that is
still going on, whose family the school has not reached since the run began, is referred to the
LA's children missing education team with the record of the attempts made. A contact that
reached the family (a call answered, a meeting held, a home visit that saw the child) means the
school knows where the child is, so no referral is raised.

Removing a pupil from roll needs one of the grounds of the Pupil Registration Regulations (2024,
regulation 9) and a notification to the LA.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from attendance_desk.errors import UserError

REMOVAL_GROUNDS: dict[str, str] = {
    "other_school": "Registered as a pupil at another school",
    "moved_away": "Moved away: no longer lives within a reasonable distance of the school",
    "home_education": "The parent has told the school in writing the child is educated at home",
    "not_returned_after_leave": (
        "Did not return within 10 school days after leave of absence ended, and not located "
        "after reasonable enquiries by the school and the local authority"
    ),
    "missing_20_days": (
        "Continuously absent for 20 school days, whereabouts unknown after reasonable "
        "enquiries by the school and the local authority"
    ),
    "permanently_excluded": "Permanently excluded, the review process completed",
    "medically_unfit": "Certified medically unfit to attend school before leaving age",
    "custody": "In custody for more than four months with no likely return",
    "died": "Has died",
    "left_school_age": "Ceased to be of compulsory school age",
}


class RemovalError(UserError):
    """A removal from roll that cannot be recorded as asked."""


@dataclass(frozen=True)
class Attempt:
    """A try to reach the family: a call, a visit, a letter, a meeting."""

    date: date
    what: str  # the timeline's one-line summary
    reached: bool


@dataclass(frozen=True)
class CmeFinding:
    pupil_id: int
    run_start: date
    run_end: date
    school_days: int  # whole school days of the run (sessions / 2)
    attempts: tuple[Attempt, ...]


def cme_finding(
    pupil_id: int,
    run: tuple[date, date, int] | None,
    attempts: Sequence[Attempt],
    minimum_sessions: int,
    last_school_day: date | None,
) -> CmeFinding | None:
    """A referral is due when the run (first day, last day, sessions) has at least
    `minimum_sessions`, is still going on (it reaches `last_school_day`, the latest school day
    whose register is in), and no attempt since it began reached the family."""
    if run is None or last_school_day is None:
        return None
    start, end, sessions = run
    if sessions < minimum_sessions or end < last_school_day:
        return None
    since = tuple(sorted((a for a in attempts if a.date >= start), key=lambda a: a.date))
    if any(a.reached for a in since):
        return None
    return CmeFinding(pupil_id, start, end, sessions // 2, since)


def check_removal(ground: str, leaving: date, admission: date | None) -> str:
    """The ground's wording; RemovalError when the ground is unknown or the date impossible."""
    if ground not in REMOVAL_GROUNDS:
        raise RemovalError(
            f"'{ground}' is not a ground for removal from roll (one of {', '.join(REMOVAL_GROUNDS)})"
        )
    if admission is not None and leaving < admission:
        raise RemovalError(
            f"The leaving date {leaving:%d/%m/%Y} is before the admission date {admission:%d/%m/%Y}"
        )
    return REMOVAL_GROUNDS[ground]
