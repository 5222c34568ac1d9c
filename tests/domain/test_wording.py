"""Counted words: the papers say "1 pupil" and "3 pupils", never "pupil(s)"."""

from __future__ import annotations

import pytest

from attendance_desk.domain.wording import count, noun


@pytest.mark.parametrize(
    ("n", "words", "said"),
    [
        (0, ("pupil",), "0 pupils"),
        (1, ("pupil",), "1 pupil"),
        (2, ("pupil",), "2 pupils"),
        (1, ("late mark",), "1 late mark"),
        (1, ("class", "classes"), "1 class"),
        (3, ("class", "classes"), "3 classes"),
        (570_000, ("mark",), "570,000 marks"),
    ],
)
def test_a_count_takes_the_noun_that_goes_with_it(
    n: int, words: tuple[str, ...], said: str
) -> None:
    assert count(n, *words) == said


def test_the_noun_alone() -> None:
    assert [noun(n, "table") for n in (0, 1, 2)] == ["tables", "table", "tables"]
    assert noun(2, "child", "children") == "children"
