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
