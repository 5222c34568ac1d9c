"""Penalty notices under the national framework from 19 August 2024.

- First notice to a parent for a child: GBP 160, reduced to GBP 80 if paid within 21 days.
- A second notice to the same parent for the same child within 3 years: GBP 160.
- At most two notices per parent per child in a rolling 3 years, counting only notices issued
  on or after 19 August 2024 and not withdrawn. Past that the next step is prosecution or
  another intervention, never a third notice.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta

from attendance_desk.domain.dates import numeric
from attendance_desk.errors import UserError

FRAMEWORK_START = date(2024, 8, 19)
FULL_AMOUNT = 160
REDUCED_AMOUNT = 80
REDUCED_WITHIN_DAYS = 21
PAY_WITHIN_DAYS = 28
CAP = 2
WINDOW_YEARS = 3


def pounds(amount: int) -> str:
    """An amount as the notice shows it: £160."""
    return f"\u00a3{amount:,}"


def reduced_by(issued: date) -> date:
    """The last day to pay the reduced amount of a first notice."""
    return issued + timedelta(days=REDUCED_WITHIN_DAYS)


def pay_by(issued: date) -> date:
    """The last day to pay the notice at all (then prosecution is considered)."""
    return issued + timedelta(days=PAY_WITHIN_DAYS)


NEXT_STEPS = (
    "Prosecution under section 444 of the Education Act 1996 (ask the local authority's legal team)",
    "Refer to the local authority's School Attendance Panel",
    "Ask the local authority to apply for an Education Supervision Order",
)


class PenaltyCapReached(UserError):
    """A third penalty notice to one parent for one child within 3 years."""

    def __init__(self, message: str, next_steps: tuple[str, ...] = NEXT_STEPS) -> None:
        super().__init__(message)
        self.next_steps = next_steps


@dataclass(frozen=True)
class IssuedNotice:
    """A notice already on record, for one child."""

    parent: str
    issued: date
    withdrawn: bool = False


@dataclass(frozen=True)
class PenaltyDecision:
    allowed: bool
    sequence: int  # 1 or 2 when allowed; the count within the window otherwise
    amount_if_paid_early: int | None  # GBP 80 for a first notice paid within 21 days
    amount: int  # GBP
    counted: tuple[date, ...]  # the notices that count towards the cap
    message: str
    next_steps: tuple[str, ...] = ()


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "prof", "rev"})


def _name_key(name: str) -> str:
    words = name.casefold().replace(".", " ").split()
    if len(words) > 1 and words[0] in TITLES:
        words = words[1:]
    return " ".join(words)


def same_parent(a: str, b: str) -> bool:
    """The same person, whatever the spacing, case or title ("Mrs Sarah Brown", "sarah brown")."""
    return _name_key(a) == _name_key(b)


def counting_notices(notices: Iterable[IssuedNotice], parent: str, on: date) -> tuple[date, ...]:
    """Notices to `parent` that count towards the cap for a notice issued on `on`."""
    window_start = add_years(on, -WINDOW_YEARS)
    return tuple(
        sorted(
            n.issued
            for n in notices
            if same_parent(n.parent, parent)
            and not n.withdrawn
            and n.issued >= FRAMEWORK_START
            and window_start < n.issued <= on
        )
    )


def decide(notices: Iterable[IssuedNotice], parent: str, on: date) -> PenaltyDecision:
    """Whether a notice may be issued to `parent` on `on` for this child, and for how much."""
    counted = counting_notices(notices, parent, on)
    if len(counted) >= CAP:
        first = counted[0]
        return PenaltyDecision(
            allowed=False,
            sequence=len(counted),
            amount_if_paid_early=None,
            amount=0,
            counted=counted,
            message=(
                f"{parent} has already had {len(counted)} penalty notices for this child since "
                f"{numeric(first)}: no further notice can be issued before "
                f"{numeric(add_years(counted[-CAP], WINDOW_YEARS))}. "
                "Consider the next steps instead."
            ),
            next_steps=NEXT_STEPS,
        )
    if counted:
        return PenaltyDecision(
            allowed=True,
            sequence=2,
            amount_if_paid_early=None,
            amount=FULL_AMOUNT,
            counted=counted,
            message=(
                f"Second notice to this parent for this child within {WINDOW_YEARS} years: "
                f"{pounds(FULL_AMOUNT)}, to be paid by {numeric(pay_by(on))} "
                f"({PAY_WITHIN_DAYS} days)"
            ),
        )
    return PenaltyDecision(
        allowed=True,
        sequence=1,
        amount_if_paid_early=REDUCED_AMOUNT,
        amount=FULL_AMOUNT,
        counted=counted,
        message=(
            f"First notice: {pounds(REDUCED_AMOUNT)} if paid by {numeric(reduced_by(on))} "
            f"(within {REDUCED_WITHIN_DAYS} days), otherwise {pounds(FULL_AMOUNT)} by "
            f"{numeric(pay_by(on))} (within {PAY_WITHIN_DAYS} days)"
        ),
    )


def require_allowed(notices: Iterable[IssuedNotice], parent: str, on: date) -> PenaltyDecision:
    decision = decide(notices, parent, on)
    if not decision.allowed:
        raise PenaltyCapReached(decision.message, decision.next_steps)
    return decision


def amount_due(sequence: int, issued: date, paid_on: date | None) -> int:
    """What the parent owes: a first notice paid within 21 days is GBP 80, anything else 160."""
    if sequence == 1 and paid_on is not None and paid_on <= reduced_by(issued):
        return REDUCED_AMOUNT
    return FULL_AMOUNT
