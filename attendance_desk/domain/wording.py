"""Counted words as the school writes them: "1 pupil", "2 pupils", "1 late mark", never
"pupil(s)" (the papers go to meetings and home to parents)."""

from __future__ import annotations


def count(n: int, singular: str, plural: str | None = None) -> str:
    """`n` and the noun that goes with it: `count(1, "pupil")` is "1 pupil", `count(3,
    "pupil")` "3 pupils", `count(2, "class", "classes")` "2 classes"; thousands are grouped."""
    return f"{n:,} {singular if n == 1 else (plural or singular + 's')}"


def noun(n: int, singular: str, plural: str | None = None) -> str:
    """The noun alone, for `n` of it: `noun(1, "page")` is "page", `noun(0, "page")` "pages"."""
    return singular if n == 1 else (plural or singular + "s")
