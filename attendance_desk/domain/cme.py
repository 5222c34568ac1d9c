"""Children missing education: when a school must tell the local authority.

Rule `children_missing_education` (a case rule: it reads the family contacts on the timeline).
Raised for a pupil on roll and of compulsory school age whose unauthorised absence has run
continuously for 10 school days or more (`Thresholds.la_return_sessions` consecutive possible
sessions, all unauthorised, as the LA ten-day return counts them) and is still going on (no
possible session after it in the register), with the family not reached in those days.

Readings where the words leave room:
- The run is read as every run is (policy-rules.md): over possible sessions in time order;
  weekends, holidays (a half term), missing marks and not-possible sessions neither extend nor
  break it; any other possible session (present, illness, authorised) ends it.
- Reaching the family (a call answered, a meeting attended, a home visit that saw the child)
  means the school knows where the child is that day: the count starts again the day after it,
  so 10 further school days with no one reached raise the concern again.
- Only sessions on or after the day compulsory school age began count (domain/school_age.py).
- The record of attempts is every call, meeting, visit and letter since the run began, oldest
  first; "school days" are the counted sessions / 2, rounded down.

Removing a pupil from roll needs one of the grounds of the Pupil Registration Regulations (2024,
regulation 9) and a notification to the LA.
"""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass
from datetime import date, timedelta

from attendance_desk.domain import concern as R
from attendance_desk.domain.concern import Concern
from attendance_desk.domain.dates import numeric
from attendance_desk.domain.pathway import FamilyContact
from attendance_desk.domain.rule_input import POSSIBLE, UNAUTHORISED_RUN, RuleInput
from attendance_desk.domain.rules import make_concern, when
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


Attempt = FamilyContact  # a try to reach the family: a call, a visit, a letter, a meeting


@dataclass(frozen=True)
class CmeFinding:
    pupil_id: int
    run_start: date  # the first day counted: the run's, or the day after the family was reached
    run_end: date
    school_days: int  # whole school days counted (sessions / 2)
    attempts: tuple[Attempt, ...]  # every attempt since the run began, oldest first
    sessions: tuple[int, ...] = ()  # the indexes (in the RuleInput) of the sessions counted
    reached_on: date | None = None  # the last day the family was reached during the run
    raised_on: date | None = None  # the day the count reached the threshold

    @property
    def key(self) -> str:
        """Stable for one episode: the task and the timeline note are made once for it."""
        return f"cme:{self.pupil_id}:{self.run_start.isoformat()}"


def cme_finding(inp: RuleInput) -> CmeFinding | None:
    """The pupil's continuous unauthorised absence that needs a referral, or None (see the
    module docstring for each reading)."""
    minimum = inp.policy.thresholds.la_return_sessions
    case = inp.case
    cats = inp.cats
    if case is None or case.family_contacts is None or not inp.on_roll:
        return None
    if cats.count("U") < minimum:
        return None
    school_age = inp.school_age_from
    if school_age is not None and school_age > inp.as_of:
        return None
    last = max(cats.rfind(ch) for ch in POSSIBLE)
    if last < 0 or cats[last] != "U":
        return None  # the latest possible session is not an unauthorised absence
    i, j, _ = inp.runs(UNAUTHORISED_RUN, 1, since=last)[-1]
    began = inp.date_at(i)
    attempts = tuple(c for c in case.family_contacts if began <= c.date <= inp.as_of)
    reached = [c.date for c in attempts if c.reached]
    first_day = began
    if reached:
        first_day = max(first_day, max(reached) + timedelta(days=1))
    if school_age is not None:
        first_day = max(first_day, school_age)
    k = max(i, bisect_left(inp.slots, first_day.toordinal() * 2))
    counted = inp.possible_indexes(k, j)
    if len(counted) < minimum:
        return None
    return CmeFinding(
        inp.pupil_id,
        inp.date_at(counted[0]),
        inp.date_at(counted[-1]),
        len(counted) // 2,
        attempts,
        tuple(counted),
        max(reached) if reached else None,
        inp.date_at(counted[minimum - 1]),
    )


def attempts_text(attempts: tuple[Attempt, ...]) -> str:
    """ "24/09/2024 Call to Mr Smith: no answer; ..." or a sentence saying there are none."""
    if not attempts:
        return "no attempt to reach the family is on record"
    return "; ".join(
        f"{numeric(a.date)} {a.what}{' (reached)' if a.reached else ''}" for a in attempts
    )


def children_missing_education(inp: RuleInput) -> Concern | None:
    finding = cme_finding(inp)
    if finding is None:
        return None
    first, last = finding.sessions[0], finding.sessions[-1]
    since = (
        f"since {when(finding.reached_on)}, when last reached"
        if finding.reached_on is not None
        else "since it began"
    )
    detail = (
        f"Unauthorised absence for {len(finding.sessions)} sessions in a row, "
        f"{finding.school_days} school days, from {when(inp.date_at(first))} "
        f"{inp.session_at(first)} to {when(inp.date_at(last))} {inp.session_at(last)}, still "
        f"going on; the family not reached {since}. Attempts: {attempts_text(finding.attempts)}"
    )
    return make_concern(
        inp, R.CHILDREN_MISSING_EDUCATION, detail, inp.evidence_list(finding.sessions)
    )


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
