"""Tasks an event makes and when they fall due (domain/tasks.py), worked by hand."""

from __future__ import annotations

from datetime import date, timedelta

from attendance_desk.domain.events import (
    AttendanceContract,
    IllnessPlan,
    Meeting,
    NoticeToImprove,
    PhoneCall,
)
from attendance_desk.domain.tasks import (
    TaskKind,
    bucket,
    bucket_of,
    closures_for_event,
    tasks_for_event,
    unresolved_n_due,
)

WED = date(2024, 10, 9)


def test_an_illness_plan_is_reviewed_after_the_policys_weeks_unless_a_date_is_set() -> None:
    [spec] = tasks_for_event(IllnessPlan(date(2024, 9, 2)), date(2024, 9, 2), 6)
    assert (spec.kind, spec.due, spec.title) == (
        TaskKind.SIX_WEEK_REVIEW, date(2024, 10, 14), "6-week review of the action plan",
    )  # fmt: skip
    [spec] = tasks_for_event(IllnessPlan(date(2024, 9, 2)), date(2024, 9, 2), 8)
    assert spec.due == date(2024, 10, 28)
    chosen = IllnessPlan(date(2024, 9, 2), review_date=date(2024, 10, 1))
    assert tasks_for_event(chosen, date(2024, 9, 2), 6)[0].due == date(2024, 10, 1)


def test_contract_reviews_notice_ends_missed_meetings_and_follow_ups() -> None:
    contract = AttendanceContract(WED, "terms", (date(2024, 11, 8), date(2024, 10, 11)))
    specs = tasks_for_event(contract, WED, 6)
    assert [(s.kind, s.due, s.key) for s in specs] == [
        (TaskKind.CONTRACT_REVIEW, date(2024, 10, 11), "r0"),
        (TaskKind.CONTRACT_REVIEW, date(2024, 11, 8), "r1"),
    ]
    [end] = tasks_for_event(NoticeToImprove(WED, period_weeks=4), WED, 6)
    assert end.due == WED + timedelta(weeks=4)
    [rearrange] = tasks_for_event(Meeting("fam", attended=False), WED, 6)
    assert rearrange.due == date(2024, 10, 14)  # within 5 days
    assert tasks_for_event(Meeting("fam", attended=True), WED, 6) == []
    [follow] = tasks_for_event(PhoneCall("Mum", follow_up=True), WED, 6)
    assert follow.due == date(2024, 10, 10)


def test_a_call_followed_up_tomorrow_on_a_friday_is_followed_up_on_monday() -> None:
    friday, saturday = date(2024, 10, 11), date(2024, 10, 12)
    [follow] = tasks_for_event(PhoneCall("Mum", follow_up=True), friday, 6)
    assert (follow.due, follow.due.strftime("%a")) == (date(2024, 10, 14), "Mon")
    # a call logged at the weekend (a parent rang back on Saturday) is followed up on Monday too
    [follow] = tasks_for_event(PhoneCall("Mum", follow_up=True), saturday, 6)
    assert follow.due == date(2024, 10, 14)


def test_a_call_that_reaches_the_family_closes_the_follow_ups_of_calls_up_to_its_day() -> None:
    friday, saturday, monday = date(2024, 10, 11), date(2024, 10, 12), date(2024, 10, 14)

    def follow_ups_closed_by(call: PhoneCall, on: date) -> list[date]:
        return [
            c.due_by for c in closures_for_event(call, on) if TaskKind.FOLLOW_UP_CALL in c.kinds
        ]

    [follow] = tasks_for_event(PhoneCall("Mum", outcome="no_answer", follow_up=True), friday, 6)
    assert follow.due == monday
    for reached_on in (friday, saturday):  # rung again that afternoon, or Mum rang back
        # the Friday call's follow-up, due Monday, is closed
        assert follow_ups_closed_by(PhoneCall("Mum", outcome="spoke"), reached_on) == [monday]
    # a Monday call's follow-up (due Tuesday) is not closed by a call the Friday before
    [later] = tasks_for_event(PhoneCall("Mum", outcome="no_answer", follow_up=True), monday, 6)
    assert later.due > follow_ups_closed_by(PhoneCall("Mum", outcome="spoke"), friday)[0]
    # a call that did not reach anyone closes nothing
    assert follow_ups_closed_by(PhoneCall("Mum", outcome="no_answer"), saturday) == []


def test_an_n_is_due_on_the_school_day_after_the_limit() -> None:
    # Next school days skip the weekend: Tue 8 Oct -> Wed 9, Thu 10, Fri 11, Mon 14, Tue 15,
    # Wed 16. Older than 5 school days on the 6th: Wed 16 Oct.
    def next_school_day(d: date) -> date:
        d += timedelta(days=1)
        while d.weekday() >= 5:
            d += timedelta(days=1)
        return d

    assert unresolved_n_due(date(2024, 10, 8), next_school_day, 5) == date(2024, 10, 16)
    assert unresolved_n_due(date(2024, 10, 8), next_school_day, 7) == date(2024, 10, 18)
    assert unresolved_n_due(date(2024, 10, 8), lambda d: None, 5) is None


def test_buckets_run_to_sunday_of_this_week() -> None:
    assert bucket_of(date(2024, 10, 8), WED) == "overdue"
    assert bucket_of(WED, WED) == "due_today"
    assert bucket_of(date(2024, 10, 13), WED) == "this_week"  # Sunday
    assert bucket_of(date(2024, 10, 14), WED) == "later"
    groups = bucket([(3, date(2024, 10, 14)), (1, WED), (2, date(2024, 10, 1))], WED)
    assert (groups.overdue, groups.due_today, groups.this_week, groups.later) == (
        (2,), (1,), (), (3,),
    )  # fmt: skip


def test_this_week_and_later_as_due_dates() -> None:
    from attendance_desk.domain.tasks import due_later, due_this_week

    wed, fri, sat = date(2024, 10, 9), date(2024, 10, 11), date(2024, 10, 12)
    assert due_this_week(wed) == fri and bucket_of(fri, wed) == "this_week"
    assert due_this_week(fri) == fri  # due today
    assert due_this_week(sat) == sat  # the week has no Friday left: today
    assert due_later(wed) == date(2024, 10, 18) and bucket_of(due_later(wed), wed) == "later"
    assert due_later(sat) == date(2024, 10, 18)
