"""children_missing_education, worked by hand on the 2024/25 calendar of engine_helpers.

Autumn 1 ends Fri 25 Oct 2024; Autumn 2 starts Mon 4 Nov 2024 (the half term is 28 Oct - 1 Nov).
A pupil present every session from Tue 3 Sep, then `O` (unauthorised) every session from
Mon 21 Oct: the school days counted are 21, 22, 23, 24, 25 Oct (5, then a weekend and the half
term, which neither extend nor break the run) and 4, 5, 6, 7, 8 Nov (5 more): the 10th school day
is Fri 8 Nov.
"""

from __future__ import annotations

from datetime import date as D

from engine_helpers import fill, make_input

from attendance_desk.domain import concern as R
from attendance_desk.domain.case_rules import CASE_RULE_FUNCTIONS
from attendance_desk.domain.cme import children_missing_education, cme_finding
from attendance_desk.domain.pathway import CaseContext, FamilyContact

FIRST = D(2024, 10, 21)  # Mon
TENTH = D(2024, 11, 8)  # Fri: the 10th school day of unauthorised absence from FIRST


def _marks(absent_from: D, to: D, present_after: D | None = None) -> list:  # noqa: ANN001
    over = {(d, s): "O" for d, s, _ in fill(absent_from, to)}
    marks = fill(D(2024, 9, 3), to, overrides=over)
    if present_after is not None:
        marks += fill(present_after, present_after)
    return marks


def _case(*contacts: FamilyContact) -> CaseContext:
    return CaseContext(pupil_id=1, family_contacts=tuple(contacts))


def _input(absent_from: D, as_of: D, *contacts: FamilyContact, born: D | None = None):  # noqa: ANN202
    return make_input(_marks(absent_from, as_of), as_of, case=_case(*contacts), born=born)


def test_the_rule_has_a_stable_id_and_runs_with_the_case_rules() -> None:
    assert R.CHILDREN_MISSING_EDUCATION == "children_missing_education"
    assert R.CHILDREN_MISSING_EDUCATION in R.ALL_RULES
    assert children_missing_education in CASE_RULE_FUNCTIONS


def test_hit_at_exactly_ten_school_days_across_a_weekend_and_the_half_term() -> None:
    call = FamilyContact(D(2024, 10, 22), "Call to Mrs Green: no answer", reached=False)
    letter = FamilyContact(D(2024, 11, 5), "Letter sent: absence", reached=False)
    inp = _input(FIRST, TENTH, call, letter)
    concern = children_missing_education(inp)
    assert concern is not None and concern.rule == "children_missing_education"
    assert len(concern.evidence) == 20  # every session counted, for a person to check
    assert concern.evidence[0].date == FIRST and concern.evidence[-1].date == TENTH
    assert "20 sessions in a row, 10 school days, from Mon 21 Oct 2024 AM" in concern.detail
    assert "to Fri 8 Nov 2024 PM" in concern.detail
    assert "22/10/2024 Call to Mrs Green: no answer; 05/11/2024 Letter sent" in concern.detail
    assert concern.action  # the national action, though the preset's actions predate the rule
    f = cme_finding(inp)
    assert f is not None
    assert (f.run_start, f.run_end, f.school_days, f.raised_on) == (FIRST, TENTH, 10, TENTH)
    assert [a.date for a in f.attempts] == [D(2024, 10, 22), D(2024, 11, 5)]


def test_nine_school_days_are_a_narrow_miss() -> None:
    # the day before the 10th: 9 school days
    assert children_missing_education(_input(FIRST, D(2024, 11, 7))) is None
    # or the run starting a day later, on Tue 22 Oct: 9 school days by Fri 8 Nov ...
    assert children_missing_education(_input(D(2024, 10, 22), TENTH)) is None
    # ... and 10 on Mon 11 Nov
    f = cme_finding(_input(D(2024, 10, 22), D(2024, 11, 11)))
    assert f is not None and f.raised_on == D(2024, 11, 11) and f.school_days == 10


def test_a_session_short_is_a_miss() -> None:
    marks = _marks(FIRST, TENTH)
    marks = [(d, s, "/" if (d, s) == (FIRST, "AM") else c) for d, s, c in marks]
    assert children_missing_education(make_input(marks, TENTH, case=_case())) is None  # 19


def test_a_day_the_family_was_reached_resets_the_count() -> None:
    answered = FamilyContact(D(2024, 10, 23), "Call to Mrs Green: spoke to contact", reached=True)
    # counted from Thu 24 Oct: 24, 25 Oct, 4-8 Nov, 11, 12 Nov = 9 school days by Tue 12 Nov
    assert children_missing_education(_input(FIRST, TENTH, answered)) is None
    assert children_missing_education(_input(FIRST, D(2024, 11, 12), answered)) is None
    # the 10th school day after the call is Wed 13 Nov
    inp = _input(FIRST, D(2024, 11, 13), answered)
    f = cme_finding(inp)
    assert f is not None
    assert (f.run_start, f.raised_on, f.reached_on) == (
        D(2024, 10, 24),
        D(2024, 11, 13),
        answered.date,
    )
    assert answered in f.attempts  # the record still shows the call that reached them
    concern = children_missing_education(inp)
    assert concern is not None and "not reached since Wed 23 Oct 2024" in concern.detail


def test_attempts_that_did_not_reach_the_family_do_not_reset_it() -> None:
    tries = (
        FamilyContact(D(2024, 10, 23), "Call to Mrs Green: no answer", reached=False),
        FamilyContact(D(2024, 11, 6), "Home visit by Ms Ellis: child not seen", reached=False),
    )
    assert children_missing_education(_input(FIRST, TENTH, *tries)) is not None


def test_a_reach_before_the_absence_began_does_not_count() -> None:
    earlier = FamilyContact(D(2024, 10, 18), "Meeting (informal): attended", reached=True)
    assert children_missing_education(_input(FIRST, TENTH, earlier)) is not None


def test_a_present_session_ends_the_run() -> None:
    marks = _marks(FIRST, TENTH, present_after=D(2024, 11, 11))
    inp = make_input(marks, D(2024, 11, 11), case=_case())
    assert children_missing_education(inp) is None


def test_not_raised_without_the_family_contacts_or_before_compulsory_school_age() -> None:
    marks = _marks(FIRST, TENTH)
    assert children_missing_education(make_input(marks, TENTH)) is None  # contacts not read
    # born 1 Sep 2019: five on 1 Sep 2024, of compulsory school age from 31 Dec 2024
    assert children_missing_education(_input(FIRST, TENTH, born=D(2019, 9, 1))) is None
    # born 1 Jun 2019: of compulsory school age from 31 Aug 2024
    assert children_missing_education(_input(FIRST, TENTH, born=D(2019, 6, 1))) is not None
