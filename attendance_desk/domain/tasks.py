"""Tasks with due dates: made by timeline events (reviews, ends of periods, missed meetings) and
by the register (an `N` older than 5 school days), and sorted into the caseload's buckets."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from attendance_desk.domain.dates import numeric
from attendance_desk.domain.events import (
    AttendanceContract,
    Details,
    IllnessPlan,
    Meeting,
    NoticeToImprove,
    PartTimeTimetableDetails,
    PhoneCall,
    Referral,
    reached_family,
)

REARRANGE_WITHIN_DAYS = 5
PART_TIME_REVIEW_DAYS = 14  # guidance: reviewed about fortnightly


class TaskKind(StrEnum):
    SIX_WEEK_REVIEW = "six_week_review"
    CONTRACT_REVIEW = "contract_review"
    NOTICE_TO_IMPROVE_END = "notice_to_improve_end"
    REARRANGE_MEETING = "rearrange_meeting"
    UNRESOLVED_N = "unresolved_n"
    PART_TIME_REVIEW = "part_time_review"
    FOLLOW_UP_CALL = "follow_up_call"
    CME_REFERRAL = "cme_referral"
    OTHER = "other"

    @property
    def label(self) -> str:
        return TASK_LABELS[self]


TASK_LABELS = {
    TaskKind.SIX_WEEK_REVIEW: "Illness plan review",
    TaskKind.CONTRACT_REVIEW: "Contract review",
    TaskKind.NOTICE_TO_IMPROVE_END: "End of Notice to Improve",
    TaskKind.REARRANGE_MEETING: "Rearrange missed meeting",
    TaskKind.UNRESOLVED_N: "Unresolved N",
    TaskKind.PART_TIME_REVIEW: "Part-time timetable review",
    TaskKind.FOLLOW_UP_CALL: "Follow-up call",
    TaskKind.CME_REFERRAL: "Children missing education",
    TaskKind.OTHER: "Task",
}


# The tasks that are a review of the support in place: the caseload's "next review" is the
# earliest of these still open when the case has no review date of its own.
REVIEW_KINDS = frozenset(
    {TaskKind.SIX_WEEK_REVIEW, TaskKind.CONTRACT_REVIEW, TaskKind.PART_TIME_REVIEW}
)


def next_weekday(day: date) -> date:
    """The first Monday-to-Friday after `day`: a call followed up "tomorrow" on a Friday is
    followed up on Monday, not on Saturday."""
    day += timedelta(days=1)
    while day.weekday() >= 5:
        day += timedelta(days=1)
    return day


@dataclass(frozen=True)
class TaskSpec:
    kind: TaskKind
    title: str
    due: date
    key: str  # stable within the event: a re-save replaces, never duplicates


def default_illness_review(started: date, review_weeks: int) -> date:
    """When a Frequent Illness plan is reviewed: the policy's medical_review_weeks after it
    starts (the same weeks the medical-review concern waits)."""
    return started + timedelta(weeks=review_weeks)


def tasks_for_event(
    details: Details, event_date: date, illness_review_weeks: int
) -> list[TaskSpec]:
    """The tasks an event makes, each with its due date. `illness_review_weeks` is the policy's
    medical_review_weeks."""
    out: list[TaskSpec] = []
    match details:
        case IllnessPlan(started=started, review_date=review):
            assert started is not None
            due = review or default_illness_review(started, illness_review_weeks)
            title = f"{illness_review_weeks}-week review of the action plan"
            out.append(TaskSpec(TaskKind.SIX_WEEK_REVIEW, title, due, "r"))
        case AttendanceContract(review_dates=reviews, end=end):
            for i, review in enumerate(sorted(reviews)):
                out.append(
                    TaskSpec(TaskKind.CONTRACT_REVIEW, "Review the contract", review, f"r{i}")
                )
            if end is not None:
                out.append(TaskSpec(TaskKind.CONTRACT_REVIEW, "Contract ends: review", end, "end"))
        case PartTimeTimetableDetails(start=start, review_dates=reviews, end=end):
            assert start is not None
            dates = sorted(reviews) or [start + timedelta(days=PART_TIME_REVIEW_DAYS)]
            for i, review in enumerate(dates):
                out.append(
                    TaskSpec(
                        TaskKind.PART_TIME_REVIEW, "Review the part-time timetable", review, f"r{i}"
                    )
                )
            if end is not None:
                out.append(
                    TaskSpec(TaskKind.PART_TIME_REVIEW, "Part-time timetable ends", end, "end")
                )
        case NoticeToImprove(issued=issued, period_weeks=weeks, period_end=end):
            assert issued is not None
            due = end or issued + timedelta(weeks=weeks)
            out.append(
                TaskSpec(
                    TaskKind.NOTICE_TO_IMPROVE_END,
                    "Notice to Improve period ends: update the LA",
                    due,
                    "end",
                )
            )
        case Meeting(attended=False):
            out.append(
                TaskSpec(
                    TaskKind.REARRANGE_MEETING,
                    "Rearrange the missed meeting",
                    event_date + timedelta(days=REARRANGE_WITHIN_DAYS),
                    "rearrange",
                )
            )
        case PhoneCall(follow_up=True):
            out.append(
                TaskSpec(
                    TaskKind.FOLLOW_UP_CALL,
                    "Follow up the call",
                    next_weekday(event_date),
                    "follow",
                )
            )
    return out


def unresolved_n_due(
    n_date: date,
    school_days_after: Callable[[date], date | None],
    limit: int,
) -> date | None:
    """The day an `N` becomes older than `limit` school days (the policy's setting, 5 by
    default: the 6th school day after it), the day the unresolved_n concern is raised.

    `school_days_after(d)` gives the next school day after d (None past the calendar's end).
    """
    day: date | None = n_date
    for _ in range(limit + 1):
        assert day is not None
        day = school_days_after(day)
        if day is None:
            return None
    return day


@dataclass(frozen=True)
class Buckets:
    overdue: tuple[int, ...]
    due_today: tuple[int, ...]
    this_week: tuple[int, ...]  # after today, up to Sunday of this week
    later: tuple[int, ...]


# When a task assigned "this week" or "later" is due (the caseload's own buckets).
WORKING_DAYS = 5


def due_this_week(today: date) -> date:
    """'This week': the Friday of today's week (today, on a Saturday or Sunday)."""
    friday = today - timedelta(days=today.weekday()) + timedelta(days=WORKING_DAYS - 1)
    return max(friday, today)


def due_later(today: date) -> date:
    """'Later': the Friday of next week (after this week, so it shows under Later)."""
    return today - timedelta(days=today.weekday()) + timedelta(days=7 + WORKING_DAYS - 1)


def bucket_of(due: date, today: date) -> str:
    if due < today:
        return "overdue"
    if due == today:
        return "due_today"
    if due <= today + timedelta(days=6 - today.weekday()):
        return "this_week"
    return "later"


def bucket(items: Iterable[tuple[int, date]], today: date) -> Buckets:
    """Sort open tasks (id, due) into overdue / due today / this week / later."""
    groups: dict[str, list[int]] = {"overdue": [], "due_today": [], "this_week": [], "later": []}
    for task_id, due in sorted(items, key=lambda t: (t[1], t[0])):
        groups[bucket_of(due, today)].append(task_id)
    return Buckets(*(tuple(groups[k]) for k in ("overdue", "due_today", "this_week", "later")))


# An attended meeting counts as holding a review due within this many days after it (a review
# is often held a few days early) or any time before it.
REVIEW_HELD_WITHIN_DAYS = 7
REVIEW_KINDS = frozenset(
    {
        TaskKind.SIX_WEEK_REVIEW,
        TaskKind.CONTRACT_REVIEW,
        TaskKind.PART_TIME_REVIEW,
        TaskKind.NOTICE_TO_IMPROVE_END,
    }
)


@dataclass(frozen=True)
class Closure:
    """Open tasks an event completes: those of `kinds` due on or before `due_by`."""

    kinds: frozenset[TaskKind]
    due_by: date
    outcome: str


def closures_for_event(details: Details, event_date: date) -> list[Closure]:
    """What an event does to the pupil's open tasks: an attended meeting closes the missed
    meeting's "rearrange" task and holds the reviews due up to a week after it; a call that
    reached the family closes the follow-ups of the calls made up to its day; reaching the family (a call
    answered, a meeting attended, a visit that saw the child) or the referral to the LA's
    children missing education team closes the children-missing-education task."""
    out: list[Closure] = []
    if reached_family(details):
        out.append(
            Closure(
                frozenset({TaskKind.CME_REFERRAL}),
                event_date,
                f"Family reached on {numeric(event_date)}: the school knows where the child is",
            )
        )
    elif isinstance(details, Referral) and details.agency == "la_cme":
        out.append(
            Closure(
                frozenset({TaskKind.CME_REFERRAL}),
                event_date,
                f"Referred to the LA's children missing education team on {numeric(event_date)}",
            )
        )
    match details:
        case Meeting(attended=True):
            out.append(
                Closure(
                    frozenset({TaskKind.REARRANGE_MEETING}),
                    # meetings missed on or before this one
                    event_date + timedelta(days=REARRANGE_WITHIN_DAYS),
                    f"Meeting held on {numeric(event_date)}",
                )
            )
            out.append(
                Closure(
                    REVIEW_KINDS,
                    event_date + timedelta(days=REVIEW_HELD_WITHIN_DAYS),
                    f"Reviewed at the meeting on {numeric(event_date)}",
                )
            )
        case PhoneCall() if details.reached:
            # every follow-up of a call made up to this one's day: each is due on the weekday
            # after its call, so a morning's unanswered call, reached that afternoon (or a
            # Friday's, reached at the weekend), is not left to be rung again
            out.append(
                Closure(
                    frozenset({TaskKind.FOLLOW_UP_CALL}),
                    next_weekday(event_date),
                    f"Family reached on {numeric(event_date)}",
                )
            )
    return out
