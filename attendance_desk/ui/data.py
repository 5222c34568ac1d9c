"""What the window loads, gathered from the services off the GUI thread.

The pupil list and the dashboard share one reading of the cases (`case_contexts`) and ONE read
of the marks (`monitoring.school_snapshot`): the list's load brings the dashboard's figures
with it, and the dashboard shows them when it is on screen.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from attendance_desk import clock
from attendance_desk.domain.concern import Concern
from attendance_desk.domain.figures import Figures
from attendance_desk.domain.pathway import CaseContext
from attendance_desk.services import case_context, monitoring
from attendance_desk.services.database import Database
from attendance_desk.services.policy import get_policy
from attendance_desk.services.school import last_contacts, roll
from attendance_desk.services.school import last_mark_date as _last_mark_date
from attendance_desk.ui.models import dashboard as dm
from attendance_desk.ui.models.pupil_list import PupilRow, merge_rows, row_from_roll

Contexts = Mapping[int, CaseContext]


def case_contexts(db: Database, as_of: date, pupil_id: int | None = None) -> dict[int, CaseContext]:
    """Each pupil's case for the case-based concerns (one pupil's with `pupil_id`)."""
    return dict(case_context.case_contexts(db, as_of, pupil_id))


def case_stages(db: Database) -> dict[int, str]:
    return {pupil_id: stage.label for pupil_id, stage in case_context.open_case_stages(db).items()}


def last_mark_date(db: Database) -> date | None:
    return _last_mark_date(db)


def default_as_of(db: Database, today: date | None = None) -> date:
    """Today, or the last day with marks when the register ends before today (a demo, a
    database copied for a meeting)."""
    today = today or clock.today()
    last = last_mark_date(db)
    if last is None:
        return today
    return min(today, last)


def roll_rows(db: Database, as_of: date) -> list[PupilRow]:
    """The quick list: names, classes and flags, before the figures arrive."""
    return [row_from_roll(entry) for entry in roll(db, as_of)]


@dataclass(frozen=True)
class DashboardData:
    as_of: date
    groups: list[dm.GroupRow]
    weekly: list[tuple[date, float | None]]
    league: list[dm.LeagueRow]
    concerns: list[dm.ConcernRow]
    # Worked out with the rest (from the same read); None: ask group_rows_without_reception.
    groups_without_reception: list[dm.GroupRow] | None = None


@dataclass(frozen=True)
class ListData:
    as_of: date
    rows: list[PupilRow]
    bands: list[tuple[str, str]]  # the policy's bands (id, label), highest first
    contexts: Contexts = field(default_factory=dict)  # shared with the dashboard
    dashboard: DashboardData | None = None  # from the same read of the marks


def pupil_rows(db: Database, as_of: date) -> ListData:
    """Every pupil on roll with the engine's figures, band, concerns, case stage and last
    contact, and the dashboard's figures: ONE read of the marks for both."""
    contexts = case_contexts(db, as_of)
    snapshot = monitoring.school_snapshot(db, as_of, case_contexts=contexts or None)
    rows = merge_rows(snapshot.overviews, case_stages(db), last_contacts(db, as_of))
    policy = get_policy(db)
    bands = [(b.id, b.label) for b in policy.bands]
    return ListData(as_of, rows, bands, contexts, dashboard_from_snapshot(snapshot))


# -- the dashboard ---------------------------------------------------------------------------


def weekly_points(weekly: Iterable[tuple[date, Figures]]) -> list[tuple[date, float | None]]:
    """(Monday, attendance %) for the weekly chart, from the engine's (Monday, Figures)."""
    return [(monday, dm.figures_pct(figures)) for monday, figures in weekly]


def _concern_rows(
    concerns: Iterable[Concern], names: Mapping[int, tuple[str, str | None]]
) -> list[dm.ConcernRow]:
    rows = []
    for c in concerns:
        name, reg_group = names.get(c.pupil_id, (f"Pupil {c.pupil_id}", ""))
        rows.append(
            dm.ConcernRow(
                c.pupil_id,
                name,
                reg_group or "",
                c.rule,
                c.owner or "No owner set",
                c.detail,
                c.action,
                len(c.evidence),
            )
        )
    return rows


def dashboard_from_snapshot(snapshot: monitoring.SchoolSnapshot) -> DashboardData:
    """The dashboard's rows from the engine's snapshot (no further reading)."""
    names = {o.pupil_id: (f"{o.surname}, {o.forename}", o.reg_group) for o in snapshot.overviews}
    return DashboardData(
        as_of=snapshot.as_of,
        groups=dm.group_rows(snapshot.groups),
        weekly=weekly_points(snapshot.weekly),
        league=dm.league_rows(snapshot.league),
        concerns=_concern_rows(snapshot.concerns, names),
        groups_without_reception=dm.group_rows(snapshot.groups_without_reception),
    )


def load_dashboard(db: Database, as_of: date, contexts: Contexts | None = None) -> DashboardData:
    """The dashboard's figures, from one read of the marks. `contexts`: the cases as the
    pupil list read them (read here when not given)."""
    if contexts is None:
        contexts = case_contexts(db, as_of)
    return dashboard_from_snapshot(monitoring.school_snapshot(db, as_of, contexts or None))


def group_rows_without_reception(db: Database, as_of: date) -> list[dm.GroupRow]:
    return dm.group_rows(monitoring.group_figures(db, as_of, include_reception=False))
