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


BatchItem = LetterContent | CoverSheet
