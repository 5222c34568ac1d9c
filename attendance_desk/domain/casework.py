"""Rules of the case pathway: stage moves, the Enforce gate, and what each stage offers."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from attendance_desk.domain.dates import numeric
from attendance_desk.domain.pathway import SUPPORT_STAGES, Stage
from attendance_desk.errors import UserError


class StageMoveError(UserError):
    """A stage move that cannot be recorded as asked."""


class EnforceGateError(StageMoveError):
    """Moving to Enforce without support on record or a reason support was not appropriate."""


@dataclass(frozen=True)
class SupportItem:
    """A piece of support on the record: an event or an earlier stage."""

    date: date
    description: str


@dataclass(frozen=True)
class StageMove:
    """A checked move, ready to store."""

    from_stage: Stage | None
    to_stage: Stage
    on: date
    decided_by: str
    reason: str
    support_offered: str = ""
    support_not_appropriate: str = ""
    support_considered: tuple[str, ...] = ()
    signed_off_by: str = ""


# The support the two policies offer (Clifford tiers 1-3 and Formalise; Clifton Facilitate and
# Formalise Support): the checklist a reason "support was not appropriate" must tick from.
SUPPORT_OPTIONS: tuple[str, ...] = (
    "Phone call and face-to-face meeting with the family",
    "Key person named to work with the family",
    "Morning calls, key person welcome, adapted start times",
    "Early Help Assessment offered",
    "Home visit",
    "School nurse, GP or CAMHS referral (with consent)",
    "Frequent Illness Protocol action plan",
    "Attendance contract or parenting contract",
    "Part-time timetable",
    "Travel assistance advice",
    "Parenting course or other external agency",
    "Local authority attendance team",
)
# A reason must say something: this many characters and words at least, and not a stock
# non-answer such as "n/a".
MIN_REASON_CHARS = 25
MIN_REASON_WORDS = 5
NON_ANSWERS = frozenset(
    {"n/a", "na", "n.a.", "none", "nil", "no", "nothing", "not applicable", "-", "see above"}
)


def substantive(text: str) -> bool:
    """Whether a written reason says something: not a stock non-answer, long enough."""
    words = text.split()
    cleaned = " ".join(words).casefold().strip(" .")
    return (
        cleaned not in NON_ANSWERS
        and len(cleaned) >= MIN_REASON_CHARS
        and len(words) >= MIN_REASON_WORDS
    )


def check_not_appropriate(considered: Sequence[str], reason: str) -> None:
    """A reason support was not appropriate names what was considered and says why."""
    if not considered:
        raise EnforceGateError(
            "Tick the support that was considered for the family before saying it was not "
            "appropriate"
        )
    if not substantive(reason):
        raise EnforceGateError(
            f"Say why the support considered was not appropriate for this family, in a sentence "
            f"(at least {MIN_REASON_WORDS} words): '{reason.strip() or '(nothing)'}' is not a "
            "reason a panel can read"
        )


def check_move(
    current: Stage | None,
    current_since: date | None,
    to_stage: Stage,
    on: date,
    decided_by: str,
    reason: str,
    support_on_record: Sequence[SupportItem] = (),
    support_offered: str = "",
    support_not_appropriate: str = "",
    support_considered: Sequence[str] = (),
    signoff_required: bool = False,
    signed_off_by: str = "",
) -> StageMove:
    """Check a move of a case from `current` to `to_stage` and return what to record.

    Any stage may follow any other (the guidance has no fixed timeline), but every move names
    who decided and why. Moving to Enforce needs the support that was offered (from the record,
    or described here in a sentence) or a reason support was not appropriate that ticks what was
    considered (SUPPORT_OPTIONS) and says why in words (`substantive`); with `signoff_required`
    it also needs who signed it off. Otherwise EnforceGateError says what is missing.
    """
    if current == to_stage:
        raise StageMoveError(f"The case is already at {to_stage.label}")
    if not decided_by.strip():
        raise StageMoveError("Say who decided the move")
    if not reason.strip():
        raise StageMoveError(f"Say why the case moves to {to_stage.label}")
    if current_since is not None and on < current_since:
        raise StageMoveError(
            f"The move's date {numeric(on)} is before the current stage began "
            f"({numeric(current_since)})"
        )
    offered = support_offered.strip()
    not_appropriate = support_not_appropriate.strip()
    considered = tuple(c.strip() for c in support_considered if c.strip())
    signed = signed_off_by.strip()
    if to_stage is Stage.ENFORCE:
        on_record = support_summary(support_on_record) if support_on_record else ""
        if offered and not on_record and not substantive(offered):
            raise EnforceGateError(
                "Describe the support that was offered in a sentence (what, when, and how the "
                f"family responded): '{offered}' is not enough"
            )
        if not offered:
            offered = on_record
        if not_appropriate or considered:
            check_not_appropriate(considered, not_appropriate)
        if not offered and not not_appropriate:
            raise EnforceGateError(
                "Enforcement follows support: record the support that was offered to the "
                "family, or tick what was considered and say why it was not appropriate, "
                "before moving to Enforce"
            )
        if signoff_required and not signed:
            raise EnforceGateError("The school requires the headteacher's sign-off to Enforce")
    else:
        considered, signed = (), ""
    return StageMove(
        from_stage=current,
        to_stage=to_stage,
        on=on,
        decided_by=decided_by.strip(),
        reason=reason.strip(),
        support_offered=offered,
        support_not_appropriate=not_appropriate,
        support_considered=considered,
        signed_off_by=signed,
    )


def support_summary(items: Sequence[SupportItem]) -> str:
    return "\n".join(f"{numeric(i.date)}: {i.description}" for i in sorted(items, key=_by_date))


def _by_date(item: SupportItem) -> date:
    return item.date


def stage_support(history: Sequence[tuple[date, Stage]]) -> list[SupportItem]:
    """Earlier stages that were themselves support (Facilitate Support, Formalise Support)."""
    return [
        SupportItem(when, f"Case at {stage.label}")
        for when, stage in history
        if stage in SUPPORT_STAGES or stage is Stage.FORMALISE
    ]


STAGE_OFFERS: dict[Stage, tuple[str, ...]] = {
    Stage.EXPECT: ("Attendance expectations shared with the family",),
    Stage.MONITOR: (
        "Half-termly letter with the % and colour",
        "Weekly class teacher report",
        "First-day calls",
    ),
    Stage.LISTEN_AND_UNDERSTAND: (
        "Phone call, then a face-to-face meeting",
        "Name a key person",
        "Capture the child's voice (Three Houses)",
        "Record the barriers",
    ),
    Stage.SUPPORT_TIER_1: ("Regular communication", "Attendance meeting"),
    Stage.SUPPORT_TIER_2: (
        "Key person welcome, morning calls",
        "Attendance contract",
        "Early Help Assessment offer",
        "School nurse / CAMHS referral with consent",
    ),
    Stage.SUPPORT_TIER_3: (
        "Part-time timetable (time-limited, reviewed fortnightly)",
        "Frequent Illness Protocol: meeting, GP advised, 6-week action plan",
        "Early Help, parenting course",
    ),
    Stage.FORMALISE: (
        "Pathway letter / FAM invitation",
        "Attendance contract",
        "Referral with consent; LA attendance team",
    ),
    Stage.ENFORCE: (
        "Weekly reviews",
        "Referral to the LA legal team (ELIT)",
        "Notice to Improve, penalty notice, attendance panel or prosecution",
    ),
    Stage.CLOSED: (),
}
