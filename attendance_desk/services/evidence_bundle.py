"""The evidence bundle for a local-authority referral: one PDF per pupil with the attendance
summary, the year's calendar of marks and the whole chronology of the case."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from attendance_desk import private_files
from attendance_desk.documents.evidence_bundle import EvidenceBundleData, build_evidence_pdf
from attendance_desk.domain.calendar import AcademicYear
from attendance_desk.domain.events import LetterSent
from attendance_desk.domain.figures import Figures
from attendance_desk.services.cases import case_history
from attendance_desk.services.letter_register import voided_event_ids
from attendance_desk.services.school import get_school_details, pupil_details
from attendance_desk.services.timeline import TimelineEntry, timeline
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Mark


def evidence_bundle_data(db: Database, pupil_id: int, as_of: date) -> EvidenceBundleData:
    from attendance_desk.services.calendar import get_calendar

    pupil = pupil_details(db, pupil_id)
    year = AcademicYear.containing(as_of)
    calendar = get_calendar(db)
    school = get_school_details(db)
    marks: dict[date, list[str | None]] = {}
    with db.session() as s:
        rows = s.execute(
            select(Mark.date, Mark.session, Mark.code).where(
                Mark.pupil_id == pupil_id, Mark.date >= year.start, Mark.date <= as_of
            )
        ).all()
    codes: list[str] = []
    for day, session, code in rows:
        marks.setdefault(day, [None, None])[0 if session == "AM" else 1] = code
        on_roll = (pupil.admission_date is None or pupil.admission_date <= day) and (
            pupil.leaving_date is None or day <= pupil.leaving_date
        )
        if on_roll:
            codes.append(code)
    void = voided_event_ids(db, pupil_id)  # a void letter stays in the register, not here
    return EvidenceBundleData(
        school_name=school.name or "School",
        pupil=pupil,
        as_of=as_of,
        year=year,
        figures=Figures.from_codes(codes),
        marks={d: (v[0], v[1]) for d, v in marks.items()},
        school_days=frozenset(calendar.school_days(year.start, min(as_of, year.end))),
        cases=case_history(db, pupil_id),
        chronology=as_of_chronology(
            [entry for entry in timeline(db, pupil_id) if entry.event_id not in void], as_of
        ),
        prepared_by=school.attendance_officer,
    )


def as_of_chronology(entries: Sequence[TimelineEntry], as_of: date) -> tuple[TimelineEntry, ...]:
    """The chronology as it stood on `as_of`, oldest first: nothing dated after it (a meeting
    planned for next week has not happened), and each letter once (a letter printed from the
    register and also noted by hand is one letter)."""
    out: list[TimelineEntry] = []
    letters: set[object] = set()
    for e in sorted(entries, key=lambda e: (e.date, e.recorded_at or datetime.min)):
        if e.date > as_of:
            continue
        if isinstance(e.details, LetterSent):
            key = (
                ("id", e.details.letter_id)
                if e.details.letter_id is not None
                else ("title", e.date, e.details.title.casefold())
            )
            if key in letters:
                continue
            letters.add(key)
        out.append(e)
    return tuple(out)


def write_evidence_bundle(db: Database, pupil_id: int, as_of: date, path: Path | str) -> Path:
    """Write the pupil's evidence bundle PDF to `path` and return it."""
    data = evidence_bundle_data(db, pupil_id, as_of)
    path = Path(path)
    private_files.write(path, build_evidence_pdf(data))
    return path
