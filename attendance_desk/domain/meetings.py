"""Who goes to which meeting: the policy's routes (bands and concern rules) applied to pupils.

Pure: the services give each pupil's band and open concerns as of the meeting's date; these
functions say who is on the list and why, and which date a meeting's figures run to. No band
number appears here: every line comes from the policy (domain/policy.py).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from attendance_desk.domain.calendar import SchoolCalendar, monday_of
from attendance_desk.domain.concern import Concern
from attendance_desk.domain.policy import HALF_TERM, MeetingRoute, Policy

BAND_REASON = "band"


@dataclass(frozen=True, slots=True)
class Standing:
    """What the routes read about one pupil on the date: the band and the open concerns."""

    pupil_id: int
    band_id: str | None
    concerns: tuple[Concern, ...] = ()


@dataclass(frozen=True, slots=True)
class Reason:
    """Why a pupil is on a list: their band, or a concern (rule id) with its detail."""

    kind: str  # BAND_REASON or a concern rule id
    text: str


@dataclass(frozen=True, slots=True)
class Placement:
    pupil_id: int
    reasons: tuple[Reason, ...]


@dataclass(frozen=True, slots=True)
class BandChange:
    pupil_id: int
    before: str | None  # band id at the previous point (None: no figures or not on roll)
    after: str | None


def route(policy: Policy, meeting_id: str) -> MeetingRoute:
    """The policy's meeting with this id (hyphens read as underscores); ValueError otherwise."""
    wanted = meeting_id.strip().lower().replace("-", "_")
    for meeting in policy.meetings:
        if meeting.id == wanted:
            return meeting
    names = ", ".join(m.id.replace("_", "-") for m in policy.meetings if not m.per_class)
    raise ValueError(
        f"the policy ({policy.name}) has no '{meeting_id}' meeting"
        + (f"; its meetings are: {names}" if names else "; it names no meetings")
    )


def agenda_routes(policy: Policy) -> tuple[MeetingRoute, ...]:
    """The meetings that have an agenda (not the class teacher's per-class report)."""
    return tuple(m for m in policy.meetings if not m.per_class)


def class_teacher_route(policy: Policy) -> MeetingRoute | None:
    """The route of the class teacher's weekly report, when the policy has one."""
    return next((m for m in policy.meetings if m.per_class), None)


def reasons_for(meeting: MeetingRoute, standing: Standing, policy: Policy) -> tuple[Reason, ...]:
    """Every reason the policy gives for this pupil to be on this meeting's list (none: not on)."""
    reasons: list[Reason] = []
    if standing.band_id is not None and standing.band_id in meeting.bands:
        label = next((b.label for b in policy.bands if b.id == standing.band_id), standing.band_id)
        reasons.append(Reason(BAND_REASON, f"In the band {label}"))
    seen: set[str] = set()
    for concern in standing.concerns:
        if concern.rule in meeting.rules and concern.rule not in seen:
            seen.add(concern.rule)
            reasons.append(Reason(concern.rule, concern.detail))
    return tuple(reasons)


def placements(
    meeting: MeetingRoute, standings: Iterable[Standing], policy: Policy
) -> list[Placement]:
    """The pupils the policy sends to the meeting, each with the reasons, in the given order."""
    out = []
    for standing in standings:
        reasons = reasons_for(meeting, standing, policy)
        if reasons:
            out.append(Placement(standing.pupil_id, reasons))
    return out


def band_changes(
    before: Mapping[int, str | None], after: Mapping[int, str | None]
) -> list[BandChange]:
    """Pupils whose band differs between two points (a pupil missing at one point has None)."""
    out = []
    for pupil_id in sorted(set(before) | set(after)):
        old, new = before.get(pupil_id), after.get(pupil_id)
        if old != new:
            out.append(BandChange(pupil_id, old, new))
    return out


def band_order(policy: Policy) -> dict[str | None, int]:
    """Band ids ranked from the highest band (0) down; no band ranks after them all."""
    ranked = sorted(policy.bands, key=lambda b: b.lower_pct, reverse=True)
    order: dict[str | None, int] = {b.id: i for i, b in enumerate(ranked)}
    order[None] = len(ranked)
    return order


@dataclass(frozen=True, slots=True)
class Week:
    """The week a weekly report covers: Monday to the week-ending date, and the point before."""

    start: date
    end: date
    previous_end: date  # the Sunday before: last week's figures run to here


def week_ending(on: date) -> Week:
    monday = monday_of(on)
    return Week(monday, on, monday - timedelta(days=1))


def last_complete_week_end(on: date, calendar: SchoolCalendar) -> date:
    """The date a weekly report's week ends on unless the officer picks another: the last
    school day of the latest school week with none of its school days still to come on `on`.
    On a Monday that is last week's Friday (the report for "the week ending" today was one
    day long); on the Monday after a holiday, the last day before it; on a Friday, or a
    Thursday before an INSET day, that day. A week whose days to come the calendar does not
    know (no term dates: days inferred from the marks so far) is not over before Friday.
    With no school day on or before `on`: `on`."""
    friday = monday_of(on) + timedelta(days=4)
    coming = calendar.next_school_day(on)
    over = on >= friday or (coming is not None and coming > friday)
    until = on if over else monday_of(on) - timedelta(days=1)
    return calendar.last_school_day_on_or_before(until) or on


def figures_date(meeting: MeetingRoute, calendar: SchoolCalendar, on: date) -> date:
    """The date a meeting's figures run to: the meeting's date for a weekly meeting; for a
    half-term review, the end of the current half term (the one holding the date, or the last
    one before it), or the date when the half term has not ended yet."""
    if meeting.cadence != HALF_TERM:
        return on
    half = calendar.half_term_of(on)
    return on if half is None else min(half.end, on)


def weekday_summary(missed: Sequence[tuple[str, int, int]]) -> str:
    """ "Mon 3/8, Fri 5/8" from (weekday name, sessions missed, possible): days with absence,
    most missed first; "no absence" when none."""
    days = [(name, m, p) for name, m, p in missed if m > 0]
    if not days:
        return "no absence"
    days.sort(key=lambda d: (-d[1] / d[2] if d[2] else 0, -d[1]))
    return ", ".join(f"{name[:3]} {m}/{p}" for name, m, p in days)
