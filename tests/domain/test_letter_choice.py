"""Which half-termly letter a family gets: adapted, improvement or standard."""

from __future__ import annotations

import pytest

from attendance_desk.domain.letter_choice import (
    HALF_TERMLY,
    HALF_TERMLY_ADAPTED,
    IMPROVEMENT,
    half_termly_variant,
)
from attendance_desk.domain.pathway import Stage


@pytest.mark.parametrize(
    ("stage", "concerns", "expected"),
    [
        ("", (), HALF_TERMLY),
        ("", ("below_expected",), HALF_TERMLY),
        ("", ("improved", "below_expected"), IMPROVEMENT),
        (Stage.EXPECT.value, ("improved",), IMPROVEMENT),  # not yet working with the school
        (Stage.MONITOR.value, (), HALF_TERMLY),
        (Stage.LISTEN_AND_UNDERSTAND.value, (), HALF_TERMLY_ADAPTED),  # the first such stage
        (Stage.SUPPORT_TIER_2.value, ("improved",), HALF_TERMLY_ADAPTED),  # adapted wins
        (Stage.FORMALISE.value, (), HALF_TERMLY_ADAPTED),
        (Stage.ENFORCE.value, (), HALF_TERMLY_ADAPTED),
        (Stage.CLOSED.value, (), HALF_TERMLY),
    ],
)
def test_the_policy_chooses_the_letter(
    stage: str, concerns: tuple[str, ...], expected: str
) -> None:
    assert half_termly_variant(stage, concerns) == expected
