"""Register marks for the demo school, calibrated to the national figures for primary schools.

Each pupil has an absence "propensity" drawn from a skewed (log-normal) distribution, doubled
for free-school-meal pupils and raised for SEN, so persistent absence lands at 10-18% of pupils.
Illness comes in runs of 1-5 days (more in winter, and in the last week before a break);
medical appointments take single sessions; families take unauthorised holidays (`G`) together,
next to half terms and the summer; Friday afternoons lose more. A few pupils are severe
absentees, one is on a part-time timetable (`C2`), classes go on trips (`V`), and the newest
absences still wait for a reason (`N`). Every random draw comes from a `random.Random` seeded
with the seed and a stable key, so the same seed and `as_of` give the same marks.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from attendance_desk.demo.school_year import DemoYear

if TYPE_CHECKING:
    from attendance_desk.demo.data import DemoPupil, MarkRow

SEASON = {9: 0.7, 10: 0.95, 11: 1.15, 12: 1.35, 1: 1.35, 2: 1.2, 3: 1.05, 4: 0.85, 5: 0.8,
          6: 0.75, 7: 0.8}  # fmt: skip
ILLNESS_RUNS = ((1, 40), (2, 25), (3, 17), (4, 10), (5, 6), (8, 2))  # days, weight
MEAN_RUN = sum(d * w for d, w in ILLNESS_RUNS) / sum(w for _, w in ILLNESS_RUNS)
SPREAD = 0.7  # sigma of the log-normal propensity
STRUGGLING, STRUGGLING_FACTOR = 0.12, 3.0  # a minority of families miss three times as much
ILLNESS_RATE = 0.032  # share of sessions lost to illness by a pupil of average propensity
HOLIDAY_RUNS = ((2, 15), (3, 25), (4, 15), (5, 30), (7, 5), (10, 10))


@dataclass(frozen=True, slots=True)
class Day:
    """A day with a register: its ISO date, weekday, and where it sits in the term."""

    date: date
    iso: str
    weekday: int
    inset: bool
    season: float
    before_break: bool  # one of the last five school days before a holiday
    term: int  # half-term index 0-5


@dataclass(frozen=True, slots=True)
class Profile:
    """How a pupil tends to miss school: per-day and per-session rates."""

    illness: float  # chance of an illness starting on a school day
    other: float  # chance of an unexplained (O) day
    medical: float  # per session
    late: float  # per morning present
    late_after_close: float  # per morning present
    friday_pm: float  # extra chance of missing Friday afternoon
    severe: bool


def school_days(year: DemoYear) -> list[Day]:
    """Every weekday in term that is not a bank holiday (INSET days included, flagged)."""
    closures = {c.date: c.kind for c in year.closures}
    days: list[Day] = []
    for term, ht in enumerate(year.half_terms):
        in_term = [d for d in year.term_weekdays() if ht.start <= d <= ht.end]
        pupil_days = [d for d in in_term if d not in closures]
        last_five = set(pupil_days[-5:])
        for d in in_term:
            kind = closures.get(d)
            if kind == "bank_holiday":
                continue
            days.append(
                Day(d, d.isoformat(), d.weekday(), kind == "inset", SEASON.get(d.month, 1.0),
                    d in last_five, term)
            )  # fmt: skip
    return days


def make_profile(rng: random.Random, pupil: DemoPupil, severe: bool) -> Profile:
    """A pupil's rates: a skewed propensity, twice as high with FSM, higher with SEN."""
    propensity = rng.lognormvariate(0.0, SPREAD) / math.exp(SPREAD**2 / 2)
    if rng.random() < STRUGGLING:
        propensity *= STRUGGLING_FACTOR
    propensity /= 1 + STRUGGLING * (STRUGGLING_FACTOR - 1)
    if pupil.fsm:
        propensity *= 1.9
    propensity *= {"E": 1.7, "K": 1.3}.get(pupil.sen_status, 1.0)
    if pupil.child_in_need or pupil.child_protection:
        propensity *= 1.3
    propensity /= 1.27  # keep the school's mean near 1
    lateness = rng.lognormvariate(0.0, 1.0) / 1.65 * (1.5 if pupil.fsm else 1.0)
    return Profile(
        illness=ILLNESS_RATE * propensity / MEAN_RUN,
        other=0.0038 * propensity**1.4,
        medical=0.0045 * (2.0 if pupil.sen_status == "E" else 1.0),
        late=min(0.3, 0.028 * lateness),
        late_after_close=min(0.05, 0.0035 * lateness),
        friday_pm=0.018 * propensity,
        severe=severe,
    )


def _run(rng: random.Random, runs: tuple[tuple[int, int], ...]) -> int:
    return rng.choices([d for d, _ in runs], weights=[w for _, w in runs])[0]


def family_holidays(seed: int, family_id: int, year: DemoYear, days: list[Day]) -> set[str]:
    """ISO dates of a family's term-time holidays in `year`: runs next to a break."""
    rng = random.Random(f"{seed}:holidays:{family_id}:{year.name}")
    if random.Random(f"{seed}:holiday-family:{family_id}").random() > 0.22:
        return set()
    trips = (1 if rng.random() < 0.8 else 0) + (1 if rng.random() < 0.2 else 0)
    pupil_days = [d for d in days if not d.inset]
    taken: set[str] = set()
    for _ in range(trips):
        term = rng.randrange(6)
        in_term = [d.iso for d in pupil_days if d.term == term]
        length = min(_run(rng, HOLIDAY_RUNS), len(in_term) // 3)
        after = term > 0 and rng.random() < 0.35  # after a break, else just before one
        taken.update(in_term[:length] if after else in_term[-length:])
    return taken


def class_trips(seed: int, year: DemoYear, days: list[Day]) -> dict[str, set[str]]:
    """Each class's trip days (`V` for the whole class): one or two a year."""
    rng = random.Random(f"{seed}:trips:{year.name}")
    candidates = [d.iso for d in days if not d.inset and not d.before_break and d.weekday < 4]
    from attendance_desk.demo.names import CLASS_NAMES

    trips: dict[str, set[str]] = {}
    for pair in CLASS_NAMES.values():
        for name in pair:
            trips[name] = set(rng.sample(candidates, 1 if rng.random() < 0.6 else 2))
    return trips


N_CHANCE = (0.8, 0.45, 0.25, 0.1)  # chance a recent absence still has no reason, by school days ago


def generate_marks(
    seed: int,
    years: tuple[DemoYear, ...],
    pupils: tuple[DemoPupil, ...] | list[DemoPupil],
    as_of: date,
) -> list[MarkRow]:
    """Every session of every pupil on roll, from the first year's start up to `as_of`."""
    from attendance_desk.demo.events import special_events

    calendars = [(year, school_days(year)) for year in years]
    register_days = [d for _, days in calendars for d in days if not d.inset and d.date <= as_of]
    recent = {d.iso: age for age, d in enumerate(reversed(register_days[-len(N_CHANCE) :]))}
    severe, overrides = special_events(seed, calendars, pupils, as_of, register_days)
    trips = {year.name: class_trips(seed, year, days) for year, days in calendars}
    rows: list[MarkRow] = []
    for pupil in pupils:
        rng = random.Random(f"{seed}:marks:{pupil.upn}")
        profile = make_profile(rng, pupil, pupil.id in severe)
        for year, days in calendars:
            klass = pupil.class_in(year.start_date.year)
            if klass is None:
                continue
            holidays = (
                set() if pupil.looked_after else family_holidays(seed, pupil.family_id, year, days)
            )
            _pupil_year(
                rng, pupil, profile, days, as_of, holidays, trips[year.name][klass],
                overrides.get(pupil.id, {}), recent, rows,
            )  # fmt: skip
    return rows


def _pupil_year(
    rng: random.Random,
    pupil: DemoPupil,
    profile: Profile,
    days: list[Day],
    as_of: date,
    holidays: set[str],
    trips: set[str],
    overrides: dict[str, tuple[str | None, str | None]],
    recent: dict[str, int],
    rows: list[MarkRow],
) -> None:
    pid, admitted, left = pupil.id, pupil.admission_date, pupil.leaving_date or date.max
    run_code, run_left, absent = "", 0, False
    random_ = rng.random
    for day in days:
        when = day.date
        if when > as_of:
            break
        if when < admitted or when > left:
            continue
        iso = day.iso
        if day.inset:
            rows.append((pid, iso, "AM", "#"))
            rows.append((pid, iso, "PM", "#"))
            continue
        am: str | None = None
        pm: str | None = None
        if iso in holidays:
            am = pm = "G"
        elif run_left:
            am = pm = run_code
            run_left -= 1
        elif profile.severe:
            absent = random_() < (0.8 if absent else 0.25)
            if absent:
                am = pm = "O" if random_() < 0.6 else "I"
        else:
            boost = day.season * (1.3 if day.before_break else 1.0)
            r = random_()
            hazard = profile.illness * boost
            if r < hazard:
                length = _run(rng, ILLNESS_RUNS)
                if length == 1 and random_() < 0.15:
                    pm = "I"  # sent home ill at lunchtime
                else:
                    am = pm = run_code = "I"
                    run_left = length - 1
            elif r < hazard + profile.other * boost * (1.5 if day.weekday in (0, 4) else 1.0):
                am = pm = run_code = "O"
                run_left = 1 if random_() < 0.2 else 0
        special = overrides.get(iso)
        if special is not None:
            am = special[0] or am
            pm = special[1] or pm
        if am is None:
            r = random_()
            if r < profile.medical:
                am = "M"
            elif r < profile.medical + profile.late_after_close:
                am = "U"
            elif r < profile.medical + profile.late_after_close + profile.late:
                am = "L"
            else:
                am = "/"
        if pm is None:
            r = random_()
            friday = profile.friday_pm if day.weekday == 4 else 0.0
            if r < friday:
                pm = "I" if random_() < 0.7 else "O"
            elif r < friday + profile.medical * 0.8:
                pm = "M"
            else:
                pm = "\\"
        if iso in trips:
            am = "V" if am in ("/", "L") else am
            pm = "V" if pm == "\\" else pm
        age = recent.get(iso)
        if age is not None and (am in ("I", "O") or pm in ("I", "O")) and random_() < N_CHANCE[age]:
            am = "N" if am in ("I", "O") else am
            pm = "N" if pm in ("I", "O") else pm
        rows.append((pid, iso, "AM", am))
        rows.append((pid, iso, "PM", pm))
