"""Figures: categories, legacy codes, exact percentages and PA/SA lines."""

from __future__ import annotations

from fractions import Fraction

from hypothesis import given
from hypothesis import strategies as st

from attendance_desk.domain.codes import CODES
from attendance_desk.domain.figures import Figures, pct_2dp, sum_figures
from attendance_desk.domain.rule_input import ENCODER, figures_from_chars


def test_each_category_counts_on_its_side() -> None:
    f = Figures.from_codes(
        ["/", "\\", "L", "V", "K", "I", "M", "C2", "G", "N", "U", "#", "D", "Y3", None]
    )
    assert (f.present, f.approved_activity, f.authorised, f.unauthorised) == (3, 2, 3, 3)
    assert f.possible == 11 and f.attended == 5
    assert f.late == 2  # L and U
    assert f.code_counts["Y3"] == 1 and "-" not in f.code_counts


def test_legacy_codes_count_under_their_own_category() -> None:
    f = Figures.from_codes(["H", "F", "J", "Y", "/"])
    assert f.authorised == 2  # H, F
    assert f.approved_activity == 1  # J counted as approved activity
    assert f.possible == 4  # Y is not a possible session
    assert f.attended == 2
    assert f.legacy_marks == 4


def test_no_possible_session_has_no_percentage() -> None:
    f = Figures.from_codes(["#", "X"])
    assert f.attendance is None and f.attendance_pct is None and f.absence_pct is None
    assert not f.persistent and not f.severe


def test_exactly_90_percent_is_persistent_and_exactly_50_severe() -> None:
    assert Figures.from_codes(["/"] * 18 + ["I"] * 2).persistent  # 18/20 = 90%
    assert not Figures.from_codes(["/"] * 181 + ["I"] * 20).persistent  # 90.05%
    half = Figures.from_codes(["/"] * 10 + ["O"] * 10)
    assert half.severe and half.persistent
    assert not Figures.from_codes(["/"] * 11 + ["O"] * 10).severe  # 52.38%


def test_percentages_round_half_up_on_the_exact_fraction() -> None:
    assert pct_2dp(Fraction(24, 25)) == "96.00"
    assert pct_2dp(Fraction(359, 374)) == "95.99"  # 95.98930...
    assert pct_2dp(Fraction(19999, 200000)) == "10.00"  # 9.9995 exactly: half rounds up
    assert pct_2dp(Fraction(1, 3)) == "33.33"
    assert pct_2dp(None) is None


def test_adding_figures_adds_every_count() -> None:
    a = Figures.from_codes(["/", "I"])
    b = Figures.from_codes(["L", "G", "#"])
    total = sum_figures([a, b])
    assert total == Figures.from_codes(["/", "I", "L", "G", "#"])


codes = st.lists(st.sampled_from(sorted(CODES) + ["-"]), max_size=60)


@given(codes)
def test_attended_never_exceeds_possible_and_pct_in_range(marks: list[str]) -> None:
    f = Figures.from_codes([m if m != "-" else None for m in marks])
    assert 0 <= f.attended <= f.possible
    if f.possible:
        assert 0 <= f.attendance_pct <= 100
        assert 0 <= f.absence_pct <= 100
        assert f.attendance + f.absence == 1
    if f.severe:
        assert f.persistent


@given(codes, st.data())
def test_turning_an_absence_into_present_never_lowers_attendance(marks: list[str], data) -> None:  # noqa: ANN001
    absences = [i for i, m in enumerate(marks) if m in CODES and CODES[m].is_absence]
    before = Figures.from_codes(m if m != "-" else None for m in marks)
    if not absences:
        return
    i = data.draw(st.sampled_from(absences))
    changed = list(marks)
    changed[i] = data.draw(st.sampled_from(["/", "\\", "L", "V"]))
    after = Figures.from_codes(m if m != "-" else None for m in changed)
    assert after.possible == before.possible
    assert after.attendance >= before.attendance


@given(st.lists(st.sampled_from([*CODES, "-", "?", "ZZ"]), max_size=400))
def test_figures_of_a_pupils_marks_equal_figures_of_their_codes(codes: list[str]) -> None:
    """The engine's figures (from the marks as it holds them, one character a code) are the
    figures of the same codes, percentages included; a missing mark and an unknown code count
    for nothing."""
    f = figures_from_chars("".join(ENCODER[c] for c in codes))
    expected = Figures.from_codes(c for c in codes if c in CODES)
    assert f == expected and dict(f.code_counts) == dict(expected.code_counts)
    assert f.attendance_pct == (None if f.attendance is None else float(f.attendance * 100))
    assert f.absence_pct == (None if f.absence is None else float(f.absence * 100))
