"""Policy presets, half-open bands on exact fractions, JSON round trip and validation."""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction

import pytest

from attendance_desk.domain.policy import Policy, clifford, clifton, preset


def test_clifford_bands_are_half_open() -> None:
    p = clifford()
    assert [b.id for b in p.bands] == ["green", "amber", "red"]
    assert p.band_for(Fraction(24, 25)).id == "green"  # exactly 96%
    assert p.band_for(Fraction(359, 374)).id == "amber"  # 95.99%
    assert p.band_for(Fraction(9, 10)).id == "amber"  # exactly 90%
    assert p.band_for(Fraction(8999, 10000)).id == "red"
    assert p.band_for(None) is None
    assert (
        p.falling_attendance.line_pct == 96 and p.falling_attendance.monitoring_point == "half_term"
    )


def test_clifton_bands_owners_and_falling_line() -> None:
    p = clifton()
    assert [b.id for b in p.bands] == ["green", "class_teacher", "senior_leaders", "family_hub"]
    assert p.band_for(Fraction(93, 100)).id == "class_teacher"
    assert p.band_for(Fraction(9299, 10000)).id == "senior_leaders"
    assert p.band_for(Fraction(1, 10)).owner == "Family Hub"
    assert any("attendance contract" in a for a in p.band_for(Fraction(1, 2)).actions)
    assert p.falling_attendance.line_pct == 93 and p.falling_attendance.monitoring_point == "week"


def test_json_round_trip_keeps_every_setting() -> None:
    p = clifton().with_thresholds(expected_pct=Decimal("95.5"), penalty_sessions=8)
    back = Policy.from_json(p.to_json())
    assert back == p
    assert back.thresholds.expected_pct == Decimal("95.5") and back.preset == "custom"


def test_invalid_settings_are_refused() -> None:
    text = clifford().to_json().replace('"lower_pct": "0"', '"lower_pct": "5"')
    with pytest.raises(ValueError, match="lowest band"):
        Policy.from_json(text)
    with pytest.raises(ValueError, match="preset"):
        preset("other")


def test_action_texts_follow_the_policy_numbers() -> None:
    """A school that changes a number sees it in the action text too (nothing hard-coded)."""
    from attendance_desk.domain import concern as R
    from attendance_desk.domain.policy import preset

    clifton = preset("clifton")
    assert clifton.action_for(R.MEDICAL_REVIEW).action.startswith(
        "No improvement after 6 weeks and attendance below 85%"
    )
    changed = clifton.with_thresholds(
        medical_review_weeks=8, medical_review_pct=Decimal("82.5"), expected_pct=Decimal(95)
    )
    assert changed.action_for(R.MEDICAL_REVIEW).action.startswith(
        "No improvement after 8 weeks and attendance below 82.5%"
    )
    assert "8 weeks" in changed.action_for(R.FREQUENT_ILLNESS).action
    assert changed.action_for(R.BELOW_EXPECTED).action.startswith("Below 95%")
    penalty = changed.with_thresholds(penalty_sessions=8, penalty_weeks=12)
    assert penalty.action_for(R.PENALTY_THRESHOLD).action.startswith(
        "8 unauthorised sessions in 12 school weeks"
    )
    returns = changed.with_thresholds(la_return_sessions=16, sickness_return_sessions=21)
    assert "8 consecutive school days" in returns.action_for(R.LA_TEN_DAY_RETURN).action
    assert "10.5 school days of illness" in returns.action_for(R.SICKNESS_RETURN).action
    for rule in clifton.actions:
        assert "{" not in clifton.action_for(rule).action, rule
