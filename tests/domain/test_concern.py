"""Every rule has a name people read; the ids stay the stable ones of policy-rules.md."""

from __future__ import annotations

from attendance_desk.domain.concern import ALL_RULES, RULE_TITLES, rule_title


def test_every_rule_has_its_own_name() -> None:
    assert set(RULE_TITLES) == set(ALL_RULES)
    assert len(set(RULE_TITLES.values())) == len(ALL_RULES)  # no two rules called alike


def test_abbreviations_and_codes_keep_their_capitals() -> None:
    """Spelling the id out gave "Unresolved n" and "La ten day return"."""
    assert rule_title("unresolved_n") == "Unresolved N codes"
    assert rule_title("la_ten_day_return") == "LA ten-day return"
    assert rule_title("part_time_review") == "Part-time review"


def test_a_rule_this_version_does_not_know_is_spelled_out() -> None:
    assert rule_title("a_newer_rule") == "A newer rule"
