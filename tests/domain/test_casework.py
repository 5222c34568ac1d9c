"""The Enforce gate, worked by hand: support on record, or a reason that names what was
considered and says why in words; and the headteacher's sign-off when the school asks for it."""

from __future__ import annotations

from datetime import date

import pytest

from attendance_desk.domain.casework import (
    MIN_REASON_CHARS,
    SUPPORT_OPTIONS,
    EnforceGateError,
    SupportItem,
    check_move,
    substantive,
)
from attendance_desk.domain.pathway import Stage

ON = date(2025, 2, 3)
SINCE = date(2025, 1, 6)
REASON = "Term-time holiday booked; the family told us of no barriers to attendance"
HOME_VISIT = SUPPORT_OPTIONS[4]


def enforce(**kw: object) -> object:
    return check_move(Stage.FORMALISE, SINCE, Stage.ENFORCE, ON, "Ms Ellis", "10 G marks", **kw)  # type: ignore[arg-type]


def test_support_on_record_opens_the_gate() -> None:
    move = enforce(support_on_record=[SupportItem(date(2025, 1, 10), "Informal meeting")])
    assert move.support_offered == "10/01/2025: Informal meeting"  # type: ignore[attr-defined]


@pytest.mark.parametrize("reason", ["n/a", "N/A ", "none", "not applicable", "no", "holiday"])
def test_a_non_answer_is_refused_even_with_a_tick(reason: str) -> None:
    with pytest.raises(EnforceGateError, match="not a reason a panel can read"):
        enforce(support_not_appropriate=reason, support_considered=[HOME_VISIT])


def test_a_reason_needs_what_was_considered() -> None:
    with pytest.raises(EnforceGateError, match="Tick the support that was considered"):
        enforce(support_not_appropriate=REASON)


def test_nothing_at_all_is_refused() -> None:
    with pytest.raises(EnforceGateError, match="Enforcement follows support"):
        enforce()


def test_a_ticked_option_and_a_real_reason_open_the_gate() -> None:
    move = enforce(support_not_appropriate=REASON, support_considered=[HOME_VISIT, " "])
    assert move.support_considered == (HOME_VISIT,)  # type: ignore[attr-defined]
    assert move.support_not_appropriate == REASON  # type: ignore[attr-defined]


def test_the_length_edge() -> None:
    # five words: 24 characters is refused, 25 accepted
    short = "abcd efgh ijkl mnop qrs"  # 23
    assert len(short) == 23 and not substantive(short)
    assert not substantive(short + "t")  # 24
    assert substantive(short + "tu") and MIN_REASON_CHARS == 25  # 25
    assert not substantive("abcdefghij abcdefghij abcdefghij")  # long but 3 words


def test_typed_support_without_a_record_must_say_something() -> None:
    with pytest.raises(EnforceGateError, match="is not enough"):
        enforce(support_offered="n/a")
    move = enforce(support_offered="Early Help offered 12/12/2024; mother declined the referral")
    assert move.support_offered.startswith("Early Help")  # type: ignore[attr-defined]


def test_headteacher_sign_off_when_required() -> None:
    record = [SupportItem(date(2025, 1, 10), "Informal meeting")]
    with pytest.raises(EnforceGateError, match="headteacher's sign-off"):
        enforce(support_on_record=record, signoff_required=True)
    move = enforce(support_on_record=record, signoff_required=True, signed_off_by="Mr Krabbendam")
    assert move.signed_off_by == "Mr Krabbendam"  # type: ignore[attr-defined]


def test_other_moves_need_no_support() -> None:
    move = check_move(Stage.MONITOR, SINCE, Stage.FORMALISE, ON, "Ms Ellis", "no change")
    assert move.support_considered == () and move.signed_off_by == ""
