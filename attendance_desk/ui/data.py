"""What the window loads, gathered from the services off the GUI thread."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from attendance_desk.storage.db import Database
from attendance_desk.ui.models.pupil_list import PupilRow, merge_rows, row_from_roll


def case_contexts(db: Database, as_of: date) -> dict[int, Any]:
    """Each pupil's case for the case-based concerns (empty when cases are not available)."""
    try:
        from attendance_desk.services.cases import case_contexts as load
    except ImportError:
        return {}
    return dict(load(db, as_of))


def case_stages(db: Database) -> dict[int, str]:
    try:
        from attendance_desk.services.cases import open_cases
    except ImportError:
        return {}
    return {pupil_id: case.stage.label for pupil_id, case in open_cases(db).items()}


def last_mark_date(db: Database) -> date | None:
    from attendance_desk.services.school import last_mark_date as last

    return last(db)


def default_as_of(db: Database, today: date | None = None) -> date:
    """Today, or the last day with marks when the register ends before today (a demo, a
    database copied for a meeting)."""
    today = today or date.today()
    last = last_mark_date(db)
    if last is None:
        return today
    return min(today, last)


def roll_rows(db: Database, as_of: date) -> list[PupilRow]:
    """The quick list: names, classes and flags, before the figures arrive."""
    from attendance_desk.services.school import roll

    return [row_from_roll(entry) for entry in roll(db, as_of)]


@dataclass(frozen=True)
class ListData:
    as_of: date
    rows: list[PupilRow]
    bands: list[tuple[str, str]]  # the policy's bands (id, label), highest first


def pupil_rows(db: Database, as_of: date) -> ListData:
    """Every pupil on roll with the engine's figures, band, concerns, case stage and last contact."""
    from attendance_desk.services import monitoring
    from attendance_desk.services.policy import get_policy
    from attendance_desk.services.school import last_contacts

    contexts = case_contexts(db, as_of)
    overviews = monitoring.pupil_overviews(db, as_of, case_contexts=contexts or None)
    try:
        contacts = last_contacts(db, as_of)
    except Exception:  # noqa: BLE001 - the cases tables may not exist in an old schema
        contacts = {}
    rows = merge_rows(overviews, case_stages(db), contacts)
    policy = get_policy(db)
    return ListData(as_of, rows, [(b.id, b.label) for b in policy.bands])
