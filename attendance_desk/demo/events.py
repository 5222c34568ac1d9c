"""The demo school's particular stories: severe absentees, a part-time timetable, suspensions,
leave for exceptional circumstances, religious observance and a reason still unknown after a week.

They are chosen once per seed and written over the everyday marks as AM/PM overrides.
"""

from __future__ import annotations

import random
from datetime import date
from typing import TYPE_CHECKING

from attendance_desk.demo.school_year import DemoYear

if TYPE_CHECKING:
    from attendance_desk.demo.data import DemoPupil
    from attendance_desk.demo.marks import Day

Overrides = dict[int, dict[str, tuple[str | None, str | None]]]

SEVERE_PUPILS = 2
PART_TIME_DAYS = 30  # about six weeks of mornings only
LEAVE_PER_YEAR = 8
SUSPENSIONS_PER_YEAR = 2
OBSERVANCE_FAMILIES = 6
OLD_UNRESOLVED = 2  # pupils whose `N` is older than five school days: a task for the office


def special_events(
    seed: int,
    calendars: list[tuple[DemoYear, list[Day]]],
    pupils: tuple[DemoPupil, ...] | list[DemoPupil],
    as_of: date,
    register_days: list[Day],
) -> tuple[set[int], Overrides]:
    """The severe absentees' ids, and per pupil the sessions whose codes are set by an event."""
    rng = random.Random(f"{seed}:events")
    first_day = calendars[0][0].start_date
    stayers = [
        p for p in pupils
        if p.admission_date <= first_day and p.leaving_date is None and p.year_group != "R"
    ]  # fmt: skip
    overrides: Overrides = {}

    def put(pupil: DemoPupil, iso: str, am: str | None, pm: str | None) -> None:
        overrides.setdefault(pupil.id, {})[iso] = (am, pm)

    needy = [p for p in stayers if p.fsm or p.child_in_need or p.sen_status != "N"]
    severe = {p.id for p in rng.sample(needy, SEVERE_PUPILS)}

    part_timers = [p for p in stayers if p.sen_status == "E" and p.id not in severe]
    if part_timers and register_days:
        pupil = rng.choice(part_timers)
        for day in register_days[-PART_TIME_DAYS:]:
            put(pupil, day.iso, None, "C2")

    for year, days in calendars:
        usable = [d for d in days if not d.inset and d.date <= as_of]
        if not usable:
            continue
        on_roll = [p for p in pupils if p.class_in(year.start_date.year) is not None]
        for pupil in rng.sample(on_roll, LEAVE_PER_YEAR):
            start = rng.randrange(len(usable))
            for day in usable[start : start + rng.choice((1, 1, 2))]:
                if pupil.on_roll(day.date):
                    put(pupil, day.iso, "C", "C")
        older = [p for p in on_roll if p.year_group in ("4", "5", "6") and p.sex == "M"]
        for pupil in rng.sample(older, min(SUSPENSIONS_PER_YEAR, len(older))):
            start = rng.randrange(len(usable))
            for day in usable[start : start + rng.choice((1, 2))]:
                if pupil.on_roll(day.date):
                    put(pupil, day.iso, "E", "E")
        festival = rng.choice([d for d in usable if d.term in (3, 4)] or usable)
        families = sorted({p.family_id for p in on_roll if p.eal})
        chosen = set(rng.sample(families, min(OBSERVANCE_FAMILIES, len(families))))
        for pupil in on_roll:
            if pupil.family_id in chosen and pupil.on_roll(festival.date):
                put(pupil, festival.iso, "R", "R")

    if len(register_days) > 12:
        old_days = register_days[-10:-7]
        present = [p for p in stayers if p.id not in severe and p.id not in overrides]
        for pupil in rng.sample(present, min(OLD_UNRESOLVED, len(present))):
            put(pupil, rng.choice(old_days).iso, "N", "N")
    return severe, overrides
