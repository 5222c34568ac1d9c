"""What a concern rule receives: one pupil's marks as compact arrays, with the calendar, the
policy, the date and (optionally) the pupil's case.

Marks are held as two parallel sequences in time order, so rules can use `bisect`, `str.count`
and regular expressions instead of Python loops over objects:

- `slots[i]`: the session of mark i as an int, `date.toordinal() * 2 + (0 for AM, 1 for PM)`;
  strictly ascending. `slot_of(d, "AM")` and `date_of_slot(s)` convert.
- `chars[i]`: the code of mark i as ONE character (`ENCODE[code]`; single-character codes are
  themselves, `C1 C2 J1 Y1..Y7` have stand-ins; `decode(ch)` gives the real code back). A mark
  `-` (or a code the table does not know) is `MISSING_CHAR`.
- `cats[i]`: the category of mark i as one character: `P` present, `V` approved activity,
  `I` illness (code I only), `A` other authorised, `U` unauthorised (G N O U), `X` not possible,
  `-` missing. Possible sessions are `PVIAU`; absences are `IAU`.

Only marks while the pupil is on roll are held (admission and leaving dates inclusive), up to
and including `as_of`, from 1 September of the PREVIOUS academic year (so windows and runs can
reach back across the summer). Missing marks are simply absent from the arrays, so "runs over
possible sessions in time order" are runs in `cats` where `X` and `-` are skipped.
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from fractions import Fraction
from types import MappingProxyType

from attendance_desk.domain.calendar import AcademicYear, HalfTermSpan, SchoolCalendar, Term
from attendance_desk.domain.codes import CODES, ILLNESS_CODE, LATE_CODES, Category
from attendance_desk.domain.concern import Evidence
from attendance_desk.domain.figures import Figures
from attendance_desk.domain.pathway import CaseContext
from attendance_desk.domain.policy import WEEK, Policy
from attendance_desk.domain.school_age import compulsory_school_age_from

MISSING_CHAR = "-"
_STAND_INS = iter("abcdefghijklmnopqrstuvwxyz")
ENCODE: dict[str, str] = {code: (code if len(code) == 1 else next(_STAND_INS)) for code in CODES}
DECODE: dict[str, str] = {ch: code for code, ch in ENCODE.items()}
_CAT_LETTER = {
    Category.PRESENT: "P",
    Category.APPROVED_ACTIVITY: "V",
    Category.AUTHORISED: "A",
    Category.UNAUTHORISED: "U",
    Category.NOT_POSSIBLE: "X",
}
CAT_TABLE = str.maketrans(
    {
        ENCODE[c.code]: ("I" if c.code == ILLNESS_CODE else _CAT_LETTER[c.category])
        for c in CODES.values()
    }
)
POSSIBLE = "PVIAU"
ABSENCE_RUN = re.compile(r"[IAU](?:[X-]*[IAU])*")
ILLNESS_RUN = re.compile(r"I(?:[X-]*I)*")
UNAUTHORISED_RUN = re.compile(r"U(?:[X-]*U)*")
SESSIONS = ("AM", "PM")


class _Encoder(dict[str, str]):
    """code -> char; anything unknown (including '-') becomes MISSING_CHAR."""

    def __missing__(self, key: str) -> str:
        return MISSING_CHAR


ENCODER = _Encoder(ENCODE)


def encode(code: str) -> str:
    return ENCODER[code]


def decode(ch: str) -> str:
    return DECODE.get(ch, MISSING_CHAR)


def slot_of(d: date, session: str) -> int:
    return d.toordinal() * 2 + (session == "PM")


def date_of_slot(slot: int) -> date:
    return date.fromordinal(slot >> 1)


def session_of_slot(slot: int) -> str:
    return SESSIONS[slot & 1]


# Each encoded code: (code, its count in figures_from_chars: 0 present, 1 approved activity,
# 2 authorised, 3 unauthorised, 4 not possible, and whether it is a late mark).
_COUNT_OF = {
    Category.PRESENT: 0,
    Category.APPROVED_ACTIVITY: 1,
    Category.AUTHORISED: 2,
    Category.UNAUTHORISED: 3,
    Category.NOT_POSSIBLE: 4,
}
_CHAR_FIGURES: dict[str, tuple[str, int, bool]] = {
    ch: (code, _COUNT_OF[CODES[code].category], code in LATE_CODES) for ch, code in DECODE.items()
}
# The two marks most sessions have (present, morning and afternoon), counted in C first.
_AM_CODE, _PM_CODE = "/", "\\"
_AM_MARK, _PM_MARK = ENCODE[_AM_CODE], ENCODE[_PM_CODE]
assert _CHAR_FIGURES[_AM_MARK][1:] == _CHAR_FIGURES[_PM_MARK][1:] == (0, False)
_WITHOUT_PRESENT = str.maketrans("", "", _AM_MARK + _PM_MARK)


def figures_from_chars(chars: str) -> Figures:
    """Figures for a run of encoded marks, equal to Figures.from_code_counts of the decoded
    codes: the present marks counted in C, then the few others one by one."""
    am, pm = chars.count(_AM_MARK), chars.count(_PM_MARK)
    counts = [am + pm, 0, 0, 0, 0]
    late = 0
    kept: dict[str, int] = {}
    if am:
        kept[_AM_CODE] = am
    if pm:
        kept[_PM_CODE] = pm
    if len(chars) > am + pm:
        rest = chars.translate(_WITHOUT_PRESENT) if am or pm else chars
        for ch in set(rest):  # a handful
            info = _CHAR_FIGURES.get(ch)
            if info is not None:
                n = rest.count(ch)
                code, k, is_late = info
                kept[code] = n
                counts[k] += n
                if is_late:
                    late += n
    present, approved, authorised, unauthorised, _ = counts
    return Figures(
        present + approved + authorised + unauthorised,
        present,
        approved,
        authorised,
        unauthorised,
        late,
        MappingProxyType(kept),
    )


@dataclass(frozen=True, slots=True)
class EvaluationContext:
    """What is the same for every pupil on one evaluation date: the periods the rules use."""

    as_of: date
    calendar: SchoolCalendar
    policy: Policy
    year: AcademicYear
    half_term: HalfTermSpan | None  # containing as_of, or the last that ended before it
    previous_half_term: HalfTermSpan | None  # the one before it in the same academic year
    term: Term | None
    previous_point: date | None  # falling_attendance: ytd is compared with ytd at this date
    penalty_start: date | None  # Monday of the oldest week in the penalty window
    load_start: date  # 1 September of the previous academic year
    # Ordinals of days that have marks but are not school days (INSET `#` days ...), when the
    # loader knows them; None means "work it out per pupil".
    non_school_mark_days: tuple[int, ...] | None = None
    # The sessions of `as_of` whose register has been taken (some pupil has a mark for it);
    # a session not yet taken is neither missing nor possible. None: all of them (not known).
    taken_on_as_of: frozenset[str] | None = None

    @classmethod
    def build(
        cls,
        calendar: SchoolCalendar,
        policy: Policy,
        as_of: date,
        non_school_mark_days: tuple[int, ...] | None = None,
        taken_on_as_of: frozenset[str] | None = None,
    ) -> EvaluationContext:
        year = AcademicYear.containing(as_of)
        half = calendar.half_term_of(as_of)
        if half is not None and half.year != year.name:
            half = None  # the last half term ended in an earlier year
        prev = calendar.previous_half_term(half) if half else None
        if prev is not None and prev.year != year.name:
            prev = None
        term = calendar.term_of(as_of) if half else None
        point: date | None = None
        if policy.falling_attendance.monitoring_point == WEEK:
            weeks = calendar.school_weeks_ending(as_of, 2)
            if len(weeks) == 2:
                point = weeks[0] + timedelta(days=6)
        elif half is not None:
            before = calendar.previous_half_term(half)
            point = before.end if before else None
        if point is not None and point < year.start:
            point = None
        window = calendar.school_weeks_ending(as_of, policy.thresholds.penalty_weeks)
        return cls(
            as_of=as_of,
            calendar=calendar,
            policy=policy,
            year=year,
            half_term=half,
            previous_half_term=prev,
            term=term,
            previous_point=point,
            penalty_start=window[0] if window else None,
            load_start=year.previous.start,
            non_school_mark_days=non_school_mark_days,
            taken_on_as_of=taken_on_as_of,
        )


_EVIDENCE_CACHE: dict[tuple[int, str], Evidence] = {}
_EVIDENCE_CACHE_LIMIT = 100_000
_NOTED_CACHE: dict[tuple[int, str, str], Evidence] = {}  # (slot, char, note) -> Evidence


def _make_evidence(slot: int, ch: str, note: str) -> Evidence:
    return Evidence(date.fromordinal(slot >> 1), SESSIONS[slot & 1], DECODE.get(ch, "-"), note)


def _new_evidence(key: tuple[int, str]) -> Evidence:
    e = _EVIDENCE_CACHE[key] = _make_evidence(key[0], key[1], "")
    return e


class RuleInput:
    """One pupil, as a concern rule sees it. Cheap to build; heavier views are cached.

    Attributes: pupil_id, admission, leaving, born (dates or None), on_roll (on roll on as_of),
    slots, chars, cats (see the module docstring), ctx (EvaluationContext), case
    (CaseContext or None). Shortcuts: as_of, calendar, policy, year, half_term, term.
    """

    __slots__ = (
        "pupil_id",
        "admission",
        "leaving",
        "slots",
        "chars",
        "cats",
        "ctx",
        "case",
        "born",
        "_ytd",
        "_absences",
        "_bounds",
    )

    def __init__(
        self,
        pupil_id: int,
        slots: Sequence[int],
        chars: str,
        ctx: EvaluationContext,
        admission: date | None = None,
        leaving: date | None = None,
        case: CaseContext | None = None,
        cats: str | None = None,
        born: date | None = None,
        bounds_cache: dict[tuple[date | None, date | None], tuple[int, int]] | None = None,
    ) -> None:
        """`bounds_cache`: a dict that remembers `bounds()`, shared by the pupils whose `slots`
        are the very same list (the loader's; None: each call works it out)."""
        self.pupil_id = pupil_id
        self.born = born
        self.admission = admission
        self.leaving = leaving
        self.slots = slots
        self.chars = chars
        self.cats = cats if cats is not None else chars.translate(CAT_TABLE)
        self.ctx = ctx
        self.case = case
        self._ytd: Figures | None = None
        self._absences: tuple[Evidence, ...] | None = None
        self._bounds = bounds_cache

    @classmethod
    def from_marks(
        cls,
        pupil_id: int,
        marks: Iterable[tuple[date, str, str | None]],
        ctx: EvaluationContext,
        admission: date | None = None,
        leaving: date | None = None,
        case: CaseContext | None = None,
        born: date | None = None,
    ) -> RuleInput:
        """Build from (date, "AM"/"PM", code) marks in any order: keeps the marks while on roll,
        from ctx.load_start to ctx.as_of; a None or unknown code is a missing mark."""
        lo = ctx.load_start if admission is None else max(ctx.load_start, admission)
        hi = ctx.as_of if leaving is None else min(ctx.as_of, leaving)
        pairs = sorted(
            (slot_of(d, session), ENCODER[code or "-"])
            for d, session, code in marks
            if lo <= d <= hi
        )
        return cls(
            pupil_id,
            [s for s, _ in pairs],
            "".join(c for _, c in pairs),
            ctx,
            admission,
            leaving,
            case,
            born=born,
        )

    # --- shortcuts ------------------------------------------------------------------------
    @property
    def as_of(self) -> date:
        return self.ctx.as_of

    @property
    def calendar(self) -> SchoolCalendar:
        return self.ctx.calendar

    @property
    def policy(self) -> Policy:
        return self.ctx.policy

    @property
    def year(self) -> AcademicYear:
        return self.ctx.year

    @property
    def half_term(self) -> HalfTermSpan | None:
        return self.ctx.half_term

    @property
    def term(self) -> Term | None:
        return self.ctx.term

    @property
    def on_roll(self) -> bool:
        """On roll on as_of (admission and leaving dates inclusive)."""
        d = self.ctx.as_of
        return (self.admission is None or self.admission <= d) and (
            self.leaving is None or self.leaving >= d
        )

    @property
    def school_age_from(self) -> date | None:
        """The day the pupil reaches compulsory school age; None when the date of birth is
        unknown (the national rules then apply to every session)."""
        return None if self.born is None else compulsory_school_age_from(self.born)

    # --- ranges ---------------------------------------------------------------------------
    def bounds(self, start: date | None, end: date | None) -> tuple[int, int]:
        """Index range [i, j) of the marks dated start..end (both inclusive; None = open)."""
        cache = self._bounds
        if cache is not None:
            found = cache.get((start, end))
            if found is not None:
                return found
        i = 0 if start is None else bisect_left(self.slots, start.toordinal() * 2)
        j = len(self.slots) if end is None else bisect_right(self.slots, end.toordinal() * 2 + 1)
        if cache is not None:
            cache[start, end] = (i, j)
        return i, j

    def figures(self, start: date | None, end: date | None) -> Figures:
        i, j = self.bounds(start, end)
        return figures_from_chars(self.chars[i:j])

    def attendance(self, start: date | None, end: date | None) -> Fraction | None:
        """attended / possible for marks dated start..end; None with no possible session."""
        i, j = self.bounds(start, end)
        return self.attendance_of(i, j)

    def attendance_of(self, i: int, j: int) -> Fraction | None:
        attended, possible = self.counts_of(i, j)
        return Fraction(attended, possible) if possible else None

    def counts_of(self, i: int, j: int) -> tuple[int, int]:
        """(attended, possible) for the marks in [i, j): integers, for comparisons in loops."""
        cats = self.cats
        attended = cats.count("P", i, j) + cats.count("V", i, j)
        possible = j - i - cats.count("X", i, j) - cats.count("-", i, j)
        return attended, possible

    def counts(self, start: date | None, end: date | None) -> tuple[int, int]:
        """(attended, possible) for marks dated start..end (both inclusive)."""
        i, j = self.bounds(start, end)
        return self.counts_of(i, j)

    @property
    def year_to_date(self) -> Figures:
        """Figures from 1 September to as_of (cached)."""
        if self._ytd is None:
            self._ytd = self.figures(self.ctx.year.start, self.ctx.as_of)
        return self._ytd

    # --- marks as people read them --------------------------------------------------------
    def code_at(self, i: int) -> str:
        return DECODE.get(self.chars[i], MISSING_CHAR)

    def date_at(self, i: int) -> date:
        return date.fromordinal(self.slots[i] >> 1)

    def session_at(self, i: int) -> str:
        return SESSIONS[self.slots[i] & 1]

    def evidence(self, i: int, note: str = "") -> Evidence:
        """Evidence for mark i (immutable: one object per session, code and note, shared)."""
        key = (self.slots[i], self.chars[i], note)
        found = _NOTED_CACHE.get(key)
        if found is None:
            if len(_NOTED_CACHE) > _EVIDENCE_CACHE_LIMIT:
                _NOTED_CACHE.clear()
            found = _NOTED_CACHE[key] = _make_evidence(*key)
        return found

    def evidence_list(self, indexes: Sequence[int], note: str = "") -> tuple[Evidence, ...]:
        """Evidence for many marks at once (a tight loop; use it for long lists).

        Evidence is immutable, so one object per (session, code) is shared between pupils.
        """
        slots, chars = self.slots, self.chars
        if note:
            return tuple(_make_evidence(slots[k], chars[k], note) for k in indexes)
        cache = _EVIDENCE_CACHE
        if len(cache) > _EVIDENCE_CACHE_LIMIT:
            cache.clear()
        get = cache.get
        keys = zip(map(slots.__getitem__, indexes), map(chars.__getitem__, indexes), strict=True)
        return tuple([get(key) or _new_evidence(key) for key in keys])

    def code_indexes(
        self, codes: str | Sequence[str], start: date | None = None, end: date | None = None
    ) -> list[int]:
        """Indexes of the marks dated start..end with one of these codes, in time order.

        Fast (str.find in C): prefer it to a loop calling code_at() on every mark.
        """
        i, j = self.bounds(start, end)
        if isinstance(codes, str):
            codes = (codes,)
        out: list[int] = []
        chars = self.chars
        for c in codes:
            ch = ENCODE.get(c)
            if ch is None:
                continue
            k = chars.find(ch, i, j)
            while k >= 0:
                out.append(k)
                k = chars.find(ch, k + 1, j)
        out.sort()
        return out

    def absences_evidence(self) -> tuple[Evidence, ...]:
        """Every absence (authorised or unauthorised) from 1 September to as_of (cached)."""
        if self._absences is None:
            i, j = self.bounds(self.ctx.year.start, self.ctx.as_of)
            self._absences = self.evidence_list(self.possible_indexes(i, j, "IAU"))
        return self._absences

    def marks(
        self, start: date | None = None, end: date | None = None
    ) -> Iterator[tuple[date, str, str]]:
        """(date, "AM"/"PM", code) for marks dated start..end, in time order."""
        i, j = self.bounds(start, end)
        for k in range(i, j):
            yield self.date_at(k), self.session_at(k), self.code_at(k)

    def possible_indexes(self, i: int, j: int, letters: str = POSSIBLE) -> list[int]:
        """Indexes in [i, j) whose category is one of letters (possible sessions by default)."""
        cats = self.cats
        if "P" in letters:  # most marks: one pass
            return [k for k in range(i, j) if cats[k] in letters]
        out: list[int] = []
        for letter in letters:  # rarer categories: let str.find skip ahead in C
            k = cats.find(letter, i, j)
            while k >= 0:
                out.append(k)
                k = cats.find(letter, k + 1, j)
        if len(letters) > 1:
            out.sort()
        return out

    def run_scan_start(self, pattern: re.Pattern[str], index: int) -> int:
        """A position <= index from which `pattern.finditer(cats, pos)` finds exactly the runs
        of a scan of the whole string that start at or after it, including every run that
        reaches `index` (it backs up to just after the last mark that cannot be in a run)."""
        breaks = _RUN_BREAKS.get(pattern)
        if breaks is None or index <= 0:
            return 0
        cats = self.cats
        return max(cats.rfind(ch, 0, index) for ch in breaks) + 1

    def runs(
        self, pattern: re.Pattern[str], minimum: int, since: int = 0
    ) -> list[tuple[int, int, int]]:
        """Runs matching pattern (ABSENCE_RUN, ILLNESS_RUN, UNAUTHORISED_RUN) with at least
        `minimum` possible sessions: (first index, index after last, possible sessions).
        With `since`, only the runs whose last mark is at index `since` or later."""
        out = []
        cats = self.cats
        pos = self.run_scan_start(pattern, since) if since else 0
        for m in pattern.finditer(cats, pos):
            i, j = m.span()
            if j <= since:
                continue
            n = j - i - cats.count("X", i, j) - cats.count("-", i, j)
            if n >= minimum:
                out.append((i, j, n))
        return out


# The categories that end each kind of run (every category not in the run's pattern).
_RUN_BREAKS: dict[re.Pattern[str], str] = {
    ABSENCE_RUN: "PV",
    ILLNESS_RUN: "PVAU",
    UNAUTHORISED_RUN: "PVIA",
}
