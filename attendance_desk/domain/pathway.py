"""The support-first pathway: the stages a pupil's case moves through."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum


class Stage(StrEnum):
    EXPECT = "expect"
    MONITOR = "monitor"
    LISTEN_AND_UNDERSTAND = "listen_and_understand"
    SUPPORT_TIER_1 = "facilitate_support_tier_1"
    SUPPORT_TIER_2 = "facilitate_support_tier_2"
    SUPPORT_TIER_3 = "facilitate_support_tier_3"
    FORMALISE = "formalise_support"
    ENFORCE = "enforce"
    CLOSED = "closed"

    @property
    def label(self) -> str:
        return STAGE_LABELS[self]


STAGE_LABELS = {
    Stage.EXPECT: "Expect",
    Stage.MONITOR: "Monitor",
    Stage.LISTEN_AND_UNDERSTAND: "Listen and Understand",
    Stage.SUPPORT_TIER_1: "Facilitate Support (tier 1)",
    Stage.SUPPORT_TIER_2: "Facilitate Support (tier 2)",
    Stage.SUPPORT_TIER_3: "Facilitate Support (tier 3)",
    Stage.FORMALISE: "Formalise Support",
    Stage.ENFORCE: "Enforce",
    Stage.CLOSED: "Closed",
}
SUPPORT_STAGES = frozenset({Stage.SUPPORT_TIER_1, Stage.SUPPORT_TIER_2, Stage.SUPPORT_TIER_3})


@dataclass(frozen=True, slots=True)
class FamilyContact:
    """A try to reach the family: a call, a visit, a letter, a meeting (children missing
    education reads these: a contact that reached the family means the school knows where the
    child is)."""

    date: date
    what: str  # the timeline's one-line summary
    reached: bool


@dataclass(frozen=True, slots=True)
class PartTimeTimetable:
    start: date
    end: date | None
    review_dates: tuple[date, ...] = ()


@dataclass(frozen=True, slots=True)
class CaseContext:
    """What the case-based concern rules need to know about one pupil's case, as of a date."""

    pupil_id: int
    stage: Stage | None = None  # None: no open case
    stage_started: date | None = None
    contracts_signed: tuple[date, ...] = ()
    illness_plans_started: tuple[date, ...] = ()
    part_time_timetables: tuple[PartTimeTimetable, ...] = ()
    open_case_at_previous_year_end: bool = False
    previous_year_attendance: tuple[int, int] | None = None  # (attended, possible) at 31 Aug
    history: tuple[tuple[date, Stage], ...] = field(default=())  # (date moved, new stage)
    support_ended: date | None = None  # at a Facilitate Support tier: when its plan ended
    # Calls, meetings, visits and letters on or before the date, oldest first; None: not read
    # (then children_missing_education is not raised, as the school may have reached them).
    family_contacts: tuple[FamilyContact, ...] | None = None
