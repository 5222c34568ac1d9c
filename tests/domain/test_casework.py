"""Moving a case along the pathway (domain/casework.py): who, why, when, and the Enforce gate."""

from __future__ import annotations

from datetime import date

import pytest

from attendance_desk.domain.casework import (
    EnforceGateError,
    StageMoveError,
    SupportItem,
    check_move,
    stage_support,
    substantive,
    support_summary,
)
from attendance_desk.domain.pathway import Stage

ON = date(2024, 11, 4)
WHY = "Three unauthorised sessions after the contract"


def test_every_move_names_who_and_why_and_follows_the_current_stage() -> None:
    move = check_move(Stage.MONITOR, date(2024, 10, 1), Stage.FORMALISE, ON, " Head ", WHY)
    assert (move.from_stage, move.to_stage, move.decided_by) == (
        Stage.MONITOR, Stage.FORMALISE, "Head",
    )  # fmt: skip
    with pytest.raises(StageMoveError, match="already at"):
        check_move(Stage.MONITOR, None, Stage.MONITOR, ON, "Head", WHY)
    with pytest.raises(StageMoveError, match="who decided"):
        check_move(Stage.MONITOR, None, Stage.FORMALISE, ON, " ", WHY)
    with pytest.raises(StageMoveError, match="Say why"):
        check_move(Stage.MONITOR, None, Stage.FORMALISE, ON, "Head", "")
    with pytest.raises(StageMoveError, match="04/11/2024 is before the current stage began"):
        check_move(Stage.MONITOR, date(2024, 11, 5), Stage.FORMALISE, ON, "Head", WHY)


def test_enforce_needs_support_on_record_or_a_real_reason() -> None:
    with pytest.raises(EnforceGateError, match="Enforcement follows support"):
        check_move(Stage.FORMALISE, None, Stage.ENFORCE, ON, "Head", WHY)
    record = [SupportItem(date(2024, 10, 1), "Attendance contract signed")]
    move = check_move(Stage.FORMALISE, None, Stage.ENFORCE, ON, "Head", WHY, record)
    assert move.support_offered == "01/10/2024: Attendance contract signed"
    with pytest.raises(EnforceGateError, match="Tick the support"):
        check_move(
            Stage.FORMALISE, None, Stage.ENFORCE, ON, "Head", WHY,
            support_not_appropriate="The family refused every offer we made in writing",
        )  # fmt: skip
    with pytest.raises(EnforceGateError, match="sign-off"):
        check_move(Stage.FORMALISE, None, Stage.ENFORCE, ON, "Head", WHY, record,
                   signoff_required=True)  # fmt: skip


def test_a_reason_is_five_words_and_25_characters_and_not_a_stock_answer() -> None:
    assert not substantive("n/a")
    assert not substantive("Not applicable")
    assert not substantive("one two three four")  # four words
    assert not substantive("a b c d e f")  # six words, 11 characters
    assert substantive("The family moved away in October")


def test_earlier_support_stages_count_as_support_in_date_order() -> None:
    history = [
        (date(2024, 9, 9), Stage.MONITOR),
        (date(2024, 9, 30), Stage.SUPPORT_TIER_2),
        (date(2024, 10, 21), Stage.FORMALISE),
    ]
    items = stage_support(history)
    assert [i.date for i in items] == [date(2024, 9, 30), date(2024, 10, 21)]
    assert support_summary(list(reversed(items))).splitlines()[0].startswith("30/09/2024")
