"""What a batch of letters holds: letters, and a cover sheet before each class's letters.

Kept apart from documents/batch.py so that the services and screens that only name these
types do not bring in ReportLab at start-up; batch.py re-exports them."""

from __future__ import annotations

from dataclasses import dataclass

from attendance_desk.domain.letters import LetterContent

POST_PILE = "post"  # the cover sheet before the letters that go by post


@dataclass(frozen=True)
class CoverSheet:
    class_name: str
    teacher: str
    letters: int
    title: str
    date_text: str
    kind: str = "bag"  # "bag": a class's book-bag bundle; POST_PILE: the letters to post
    # (letter title, how many) for each letter in the bundle, when a batch mixes letters (the
    # half-termly letter with its adapted and improvement variants); () for one letter only
    # (`title`), as every batch printed before this was kept
    variants: tuple[tuple[str, int], ...] = ()

    def letter_rows(self) -> list[list[str]]:
        """The cover's "Letter" row: the one letter, or each letter with its count."""
        if not self.variants:
            return [["Letter", self.title]]
        if len(self.variants) == 1:
            return [["Letter", str(self.variants[0][0])]]
        return [["Letters", "\n".join(f"{title}: {n}" for title, n in self.variants)]]


BatchItem = LetterContent | CoverSheet
