"""The per-pupil evaluation cache: the rules run only for pupils whose inputs changed.

The last evaluation of each database (by path) is kept in `_RESULTS`; see `_Results`.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from attendance_desk.domain.case_rules import CASE_RULE_FUNCTIONS
from attendance_desk.domain.concern import Concern
from attendance_desk.domain.pathway import CaseContext
from attendance_desk.domain.rule_input import EvaluationContext, RuleInput
from attendance_desk.domain.rules import REGISTER_RULE_FUNCTIONS, evaluate
from attendance_desk.services.monitoring.loading import (
    SessionsKey,
    _inputs,
    _Loaded,
    _Raw,
    _read,
)
from attendance_desk.storage.db import Database

if TYPE_CHECKING:
    from attendance_desk.services.monitoring.pupils import PupilOverview

TREND_POINTS = 6  # points on an overview's trend (part of the results' context)


class _PupilResult:
    """One pupil's inputs at the last evaluation, with what was worked out from them."""

    __slots__ = ("row", "slots", "chars", "case", "concerns", "overview")

    def __init__(self, row: tuple[Any, ...], inp: RuleInput, concerns: tuple[Concern, ...]) -> None:
        self.row = row
        self.slots = inp.slots
        self.chars = inp.chars
        self.case = inp.case
        self.concerns = concerns
        self.overview: PupilOverview | None = None

    def same_input(self, row: tuple[Any, ...], inp: RuleInput) -> bool:
        return (
            # most slots lists are the very same object between loads (see _read_from)
            (self.slots is inp.slots or self.slots == inp.slots)
            and self.chars == inp.chars
            and self.row == row
            and self.case == inp.case
        )


@dataclass(frozen=True, slots=True)
class _Results:
    """The last evaluation of one database: the inputs every result depends on, and the results.

    Reuse is decided by comparing the freshly read INPUTS (marks, pupil rows, cases, policy,
    calendar, date, rules) with the stored ones, never by a version number or a time, so an
    import, an office edit or a restored backup always shows in the next call; only the work
    after the read is saved (the rules and the overview, for pupils whose inputs are unchanged).
    """

    context: tuple[Any, ...]
    sessions: dict[SessionsKey, list[int]]
    pupils: dict[int, _PupilResult]


_RESULTS: dict[str, _Results] = {}  # by database path, most recent last
_RESULTS_KEPT = 4
_RESULTS_LOCK = threading.Lock()


def _context_key(ctx: EvaluationContext, rules: tuple[Any, ...]) -> tuple[Any, ...]:
    return (
        ctx.as_of,
        ctx.policy,
        ctx.calendar.fingerprint(),
        ctx.non_school_mark_days,
        ctx.taken_on_as_of,
        rules,
        TREND_POINTS,
    )


def _rules() -> tuple[Any, ...]:
    return REGISTER_RULE_FUNCTIONS + CASE_RULE_FUNCTIONS


def _read_for(db: Database, as_of: date, leavers: bool) -> _Raw:
    """Read the pupils and every mark, sharing the session lists of this database's last read."""
    last = _RESULTS.get(str(db.path))
    known = last.sessions if last is not None else None
    return _read(db, as_of, leavers, known_sessions=known)


def _evaluate(
    db: Database,
    raw: _Raw,
    pupils: Sequence[tuple[Any, ...]],
    case_contexts: Mapping[int, CaseContext] | None,
) -> tuple[_Loaded, dict[int, _PupilResult]]:
    """Run the rules for these pupils (read in `raw`), only for those whose inputs changed
    since the last evaluation of this database (pupil_overviews then school_concerns, or one
    school_snapshot: the rules run once).
    """
    name = str(db.path)
    last = _RESULTS.get(name)
    loaded = _inputs(raw, pupils, case_contexts or None)
    rules = _rules()
    context = _context_key(loaded.ctx, rules)
    old = last.pupils if last is not None and last.context == context else {}
    results: dict[int, _PupilResult] = {}
    for p in loaded.pupils:
        pid = p[0]
        inp = loaded.inputs[pid]
        r = old.get(pid)
        if r is None or not r.same_input(p, inp):
            r = _PupilResult(p, inp, tuple(evaluate(inp, rules)))
        results[pid] = r
    # Keep this evaluation's pupils (and those the last one had that this one did not read,
    # e.g. leavers after a call without them) for the next call.
    kept = {**old, **results} if old else results
    with _RESULTS_LOCK:
        _RESULTS.pop(name, None)
        while _RESULTS and len(_RESULTS) >= _RESULTS_KEPT:  # the oldest database first
            del _RESULTS[next(iter(_RESULTS))]
        _RESULTS[name] = _Results(context, loaded.sessions, kept)
    return loaded, results
