"""The case-based concern rules (policy-rules.md): each reads the pupil's marks and CaseContext.

Readings where the words leave room:
- unauthorised_after_warning: the window opens the day AFTER the stage began (at Formalise
  Support) or after the Facilitate Support plan ended (`CaseContext.support_ended`, the
  Frequent Illness plan's review date); a session on that date itself does not count.
- contract_breach: sessions count from the day after the contract was signed (Clifton: "from at
  least one day after the date the attendance contract was signed"), up to the end (Sunday) of
  the 10th school week whose Monday is on or after the Monday of that day's week; school weeks
  skip holidays. The latest contract that is breached is reported.
- medical_review: once the review date (plan start + 6 weeks) is reached, "no improvement" means
  attendance over the plan's 6 weeks is not above attendance over the 6 weeks before it, and
  "attendance" is year-to-date attendance, compared on exact fractions (< 85%).
- part_time_review: `C2` marks this academic year not covered by a timetable on record (start
  to end, both inclusive), or a running timetable whose review dates have all passed (with none
  given, its first review is due 14 days after its start).
- focus_family: previous academic year's attendance below the expectation, or a case open on
  31 August of that year.
- children_missing_education: see domain/cme.py.
"""

from __future__ import annotations

from datetime import date, timedelta
from fractions import Fraction

from attendance_desk.domain import concern as R
from attendance_desk.domain.calendar import monday_of
from attendance_desk.domain.cme import children_missing_education
from attendance_desk.domain.codes import PART_TIME_CODE
from attendance_desk.domain.concern import Concern
from attendance_desk.domain.pathway import SUPPORT_STAGES, CaseContext, PartTimeTimetable, Stage
from attendance_desk.domain.rule_input import RuleInput
from attendance_desk.domain.rules import line_of, make_concern, pct, when
from attendance_desk.domain.wording import count, noun

PART_TIME_FIRST_REVIEW_DAYS = 14


def _unauthorised_indexes(inp: RuleInput, start: date, end: date) -> list[int]:
    i, j = inp.bounds(start, end)
    return inp.possible_indexes(i, j, "U")


def warning_start(case: CaseContext) -> tuple[date, str] | None:
    """The date after which a further unauthorised session raises the concern, and why."""
    if case.stage is Stage.FORMALISE and case.stage_started is not None:
        return case.stage_started, f"the case moved to {Stage.FORMALISE.label}"
    if (
        case.stage in SUPPORT_STAGES
        and case.support_ended is not None
        and (case.stage_started is None or case.support_ended >= case.stage_started)
    ):
        return case.support_ended, "Facilitate Support ended"
    return None


def unauthorised_after_warning(inp: RuleInput) -> Concern | None:
    case = inp.case
    if case is None or case.stage is None:
        return None
    start = warning_start(case)
    if start is None or start[0] >= inp.as_of:
        return None
    since, why = start
    indexes = _unauthorised_indexes(inp, since + timedelta(days=1), inp.as_of)
    if len(indexes) < inp.policy.thresholds.unauthorised_after_warning_sessions:
        return None
    detail = f"{count(len(indexes), 'unauthorised session')} since {why} on {when(since)}"
    return make_concern(
        inp, R.UNAUTHORISED_AFTER_WARNING, detail, [inp.evidence(k) for k in indexes]
    )


def contract_window(inp: RuleInput, signed: date) -> tuple[date, date]:
    """First and last day in which unauthorised sessions count against a contract."""
    first = signed + timedelta(days=1)
    weeks = inp.calendar.school_weeks(first, date.max)[
        : inp.policy.thresholds.contract_breach_weeks
    ]
    last = (weeks[-1] if weeks else monday_of(first)) + timedelta(days=6)
    return first, last


def contract_breach(inp: RuleInput) -> Concern | None:
    case = inp.case
    if case is None or not case.contracts_signed:
        return None
    need = inp.policy.thresholds.contract_breach_sessions
    for signed in sorted(case.contracts_signed, reverse=True):
        if signed >= inp.as_of:
            continue
        first, last = contract_window(inp, signed)
        indexes = _unauthorised_indexes(inp, first, min(last, inp.as_of))
        if len(indexes) >= need:
            weeks = inp.policy.thresholds.contract_breach_weeks
            detail = (
                f"{len(indexes)} unauthorised sessions since the attendance contract signed on "
                f"{when(signed)} (within {weeks} school weeks, to {when(last)})"
            )
            return make_concern(inp, R.CONTRACT_BREACH, detail, [inp.evidence(k) for k in indexes])
    return None


def medical_review(inp: RuleInput) -> Concern | None:
    case = inp.case
    if case is None or not case.illness_plans_started:
        return None
    t = inp.policy.thresholds
    started = max(case.illness_plans_started)
    review = started + timedelta(weeks=t.medical_review_weeks)
    if inp.as_of < review:
        return None
    before = inp.attendance(
        started - timedelta(weeks=t.medical_review_weeks), started - timedelta(days=1)
    )
    during = inp.attendance(started, review - timedelta(days=1))
    if during is not None and before is not None and during > before:
        return None  # improved
    ytd = inp.year_to_date.attendance
    if ytd is None or ytd >= line_of(t.medical_review_pct):
        return None
    detail = (
        f"Frequent Illness plan from {when(started)}: {pct(during)} in its {t.medical_review_weeks} "
        f"weeks against {pct(before)} before; year to date {pct(ytd)}, below {t.medical_review_pct}%"
    )
    i, j = inp.bounds(started, review - timedelta(days=1))
    evidence = [inp.evidence(k) for k in inp.possible_indexes(i, j, "IAU")]
    return make_concern(inp, R.MEDICAL_REVIEW, detail, evidence)


def _covers(timetable: PartTimeTimetable, day: date) -> bool:
    return timetable.start <= day and (timetable.end is None or day <= timetable.end)


def review_overdue(timetable: PartTimeTimetable, as_of: date) -> date | None:
    """The passed review date of a running timetable with no review still to come, else None."""
    if timetable.end is not None and timetable.end < as_of:
        return None
    reviews = timetable.review_dates or (
        timetable.start + timedelta(days=PART_TIME_FIRST_REVIEW_DAYS),
    )
    if all(r < as_of for r in reviews):
        return max(reviews)
    return None


def part_time_review(inp: RuleInput) -> Concern | None:
    case = inp.case
    timetables = case.part_time_timetables if case is not None else ()
    c2 = inp.code_indexes(PART_TIME_CODE, inp.year.start, inp.as_of)  # str.find, not a loop
    if not c2:
        return None
    uncovered = [k for k in c2 if not any(_covers(t, inp.date_at(k)) for t in timetables)]
    if uncovered:
        detail = (
            f"{len(uncovered)} C2 (part-time timetable) {noun(len(uncovered), 'session')} "
            "with no part-time timetable on record"
        )
        return make_concern(inp, R.PART_TIME_REVIEW, detail, [inp.evidence(k) for k in uncovered])
    for t in sorted(timetables, key=lambda t: t.start, reverse=True):
        passed = review_overdue(t, inp.as_of)
        if passed is not None and any(_covers(t, inp.date_at(k)) for k in c2):
            detail = (
                f"The part-time timetable from {when(t.start)} was due for review on "
                f"{when(passed)} and has no later review date"
            )
            evidence = [inp.evidence(k) for k in c2 if _covers(t, inp.date_at(k))]
            return make_concern(inp, R.PART_TIME_REVIEW, detail, evidence)
    return None


def focus_family(inp: RuleInput) -> Concern | None:
    case = inp.case
    expected = inp.policy.thresholds.expected_pct
    if case is not None and case.previous_year_attendance is not None:
        attended, possible = case.previous_year_attendance
        last_year = Fraction(attended, possible) if possible else None
    else:
        start = inp.ctx.load_start
        last_year = inp.attendance(start, date(start.year + 1, 8, 31))
    below = last_year is not None and last_year < line_of(expected)
    open_case = case is not None and case.open_case_at_previous_year_end
    if not below and not open_case:
        return None
    reasons = []
    if below:
        reasons.append(f"ended last year at {pct(last_year)}, below the expected {expected}%")
    if open_case:
        reasons.append("had an open case at the end of last year")
    return make_concern(inp, R.FOCUS_FAMILY, "Focus family: " + " and ".join(reasons))


CASE_RULE_FUNCTIONS = (
    unauthorised_after_warning,
    contract_breach,
    medical_review,
    part_time_review,
    focus_family,
    children_missing_education,
)
