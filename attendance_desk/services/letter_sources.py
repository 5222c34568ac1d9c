"""What letters are made from: the school, the chosen pupils, their parents and their figures.

Figures and bands come from the monitoring engine (`services.monitoring.pupil_overviews`) when
it is installed; otherwise they are counted here from the register with the same rules
(domain.figures), so letters never disagree with the rest of the application.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from attendance_desk.domain.calendar import AcademicYear
from attendance_desk.domain.figures import Figures
from attendance_desk.domain.letter_fields import AttendanceFacts, PupilFacts, Recipient, SchoolFacts
from attendance_desk.domain.letters import Letterhead
from attendance_desk.domain.wording import count
from attendance_desk.errors import UserError
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Contact, Pupil, School
from attendance_desk.storage.settings import read_setting, write_setting

CLASS_TEACHERS_KEY = "letters.class_teachers"


@dataclass(frozen=True)
class Selection:
    """Which pupils: any mix of UPNs and ids, or everyone in a band, with a concern, in a class,
    or the whole school on roll."""

    upns: tuple[str, ...] = ()
    pupil_ids: tuple[int, ...] = ()
    band: str | None = None
    concern: str | None = None
    class_name: str | None = None
    whole_school: bool = False

    @property
    def is_empty(self) -> bool:
        return not (
            self.whole_school
            or self.upns
            or self.pupil_ids
            or self.band
            or self.concern
            or self.class_name
        )

    def describe(self) -> str:
        if self.whole_school:
            return "the whole school"
        if self.band:
            return f"band {self.band}"
        if self.concern:
            return f"concern {self.concern}"
        if self.class_name:
            return f"class {self.class_name}"
        return count(len(self.upns) + len(self.pupil_ids), "chosen pupil")


@dataclass(frozen=True)
class PupilSource:
    facts: PupilFacts
    figures: AttendanceFacts | None
    band_id: str
    contacts: tuple[Recipient, ...]  # parents with parental responsibility, first = main
    apart: tuple[bool, ...]  # per contact: lives apart from the pupil at another address
    family_key: str
    stage: str = ""  # the open case's stage on the date ("" without one)
    concerns: tuple[str, ...] = ()  # concern rules raised on the date


@dataclass(frozen=True)
class SchoolSource:
    facts: SchoolFacts
    letterhead: Letterhead
    logo: bytes | None


def school_source(s: Session) -> SchoolSource:
    import hashlib

    school = s.scalars(select(School).limit(1)).first()
    if school is None or not school.name.strip():
        raise UserError("the school's details are not set up yet: add them in Settings > School")
    lines = tuple(line.strip() for line in (school.address or "").split("\n") if line.strip())
    facts = SchoolFacts(
        name=school.name.strip(),
        address_lines=lines,
        postcode=(school.postcode or "").strip(),
        phone=(school.phone or "").strip(),
        email=(school.email or "").strip(),
        headteacher=(school.headteacher or "").strip(),
        officer=(school.attendance_officer or "").strip(),
    )
    contact = " \u00b7 ".join(
        part for part in (f"Tel {facts.phone}" if facts.phone else "", facts.email) if part
    )
    head = Letterhead(
        school_name=facts.name,
        address_lines=lines + ((facts.postcode,) if facts.postcode else ()),
        contact_line=contact,
        logo_sha256=hashlib.sha256(school.logo).hexdigest() if school.logo else "",
    )
    return SchoolSource(facts, head, bytes(school.logo) if school.logo else None)


def class_teachers(db: Database) -> dict[str, str]:
    value = read_setting(db, CLASS_TEACHERS_KEY)
    return dict(value) if value else {}


def set_class_teacher(db: Database, class_name: str, teacher: str) -> dict[str, str]:
    """Name a class's teacher (cover sheets and the class teacher's letter); "" removes it."""
    data = class_teachers(db)
    if teacher.strip():
        data[class_name.strip()] = teacher.strip()
    else:
        data.pop(class_name.strip(), None)
    write_setting(db, CLASS_TEACHERS_KEY, dict(sorted(data.items())))
    return data


def _figures(db: Database, pupils: list[Pupil], as_of: date) -> dict[int, tuple[Any, ...]]:
    """pupil id -> (year Figures, half-term Figures, half-term name, band id or "", concern rules)."""
    try:
        from attendance_desk.services.monitoring import pupil_overviews
    except ImportError:
        return _count_figures(db, pupils, as_of)
    from attendance_desk.services.calendar import get_calendar

    half = get_calendar(db).half_term_of(as_of)
    name = half.name if half else ""
    return {
        ov.pupil_id: (ov.year, ov.half_term, name, ov.band.id if ov.band else "", ov.concern_rules)
        for ov in pupil_overviews(db, as_of)
    }


def _count_figures(db: Database, pupils: list[Pupil], as_of: date) -> dict[int, tuple[Any, ...]]:
    from attendance_desk.services.calendar import get_calendar
    from attendance_desk.services.policy import get_policy

    year = AcademicYear.containing(as_of)
    calendar = get_calendar(db)
    half = calendar.half_term_of(as_of)
    policy = get_policy(db)
    ids = {p.id: p for p in pupils}
    counts: dict[int, tuple[dict[str, int], dict[str, int]]] = {pid: ({}, {}) for pid in ids}
    conn = db.raw_connection()
    try:
        rows = conn.execute(
            # pupils first, then each one's range of the marks' primary key
            "SELECT m.pupil_id, m.date, m.code FROM pupils p CROSS JOIN marks m "
            "WHERE m.pupil_id = p.id AND m.date >= ? AND m.date <= ?",
            (year.start.isoformat(), as_of.isoformat()),
        )
        for pid, day, code in rows:
            pupil = ids.get(pid)
            if pupil is None:
                continue
            d = date.fromisoformat(day[:10])
            if (pupil.admission_date and d < pupil.admission_date) or (
                pupil.leaving_date and d > pupil.leaving_date
            ):
                continue
            year_counts, half_counts = counts[pid]
            year_counts[code] = year_counts.get(code, 0) + 1
            if half is not None and d in half:
                half_counts[code] = half_counts.get(code, 0) + 1
    finally:
        conn.close()
    out = {}
    for pid, (yc, hc) in counts.items():
        fig = Figures.from_code_counts(yc)
        band = policy.band_for(fig.attendance)
        out[pid] = (
            fig,
            Figures.from_code_counts(hc),
            half.name if half else "",
            band.id if band else "",
            (),
        )
    return out


def _recipient(contact: Contact, book_bag: bool, note: str = "") -> Recipient:
    lines = tuple(
        line.strip()
        for line in (contact.address_line1, contact.address_line2, contact.address_line3)
        if line and line.strip()
    )
    return Recipient(
        contact_id=contact.id,
        name=(contact.name or "").strip(),
        title=(contact.title or "").strip(),
        address_lines=lines,
        postcode=(contact.postcode or "").strip(),
        book_bag=book_bag,
        copy_note=note,
    )


def _address_key(c: Contact) -> str:
    return " ".join(
        (f"{c.address_line1 or ''} {c.postcode or ''}").lower().replace(",", " ").split()
    )


def _family_ids(s: Session, pupil_ids: list[int]) -> dict[int, int]:
    try:
        from attendance_desk.storage.models.cases import FamilyMember
    except ImportError:
        return {}
    rows = s.execute(
        select(FamilyMember.pupil_id, FamilyMember.family_id).where(
            FamilyMember.pupil_id.in_(pupil_ids)
        )
    )
    return {pid: fid for pid, fid in rows}


def _select_pupils(s: Session, selection: Selection, as_of: date) -> list[Pupil]:
    from attendance_desk.services.school import on_roll_filter

    if selection.is_empty:
        raise UserError(
            "choose the pupils first: a class, a band, a concern, UPNs or the whole school"
        )
    query = select(Pupil).options(selectinload(Pupil.contacts)).where(on_roll_filter(as_of))
    if selection.class_name:
        query = query.where(Pupil.reg_group == selection.class_name)
    elif selection.upns or selection.pupil_ids:
        pupils = list(
            s.scalars(
                select(Pupil)
                .options(selectinload(Pupil.contacts))
                .where(Pupil.upn.in_(selection.upns) | Pupil.id.in_(selection.pupil_ids))
            )
        )
        missing = set(selection.upns) - {p.upn for p in pupils}
        if missing:
            raise UserError(f"no pupil with UPN {', '.join(sorted(missing))}")
        return pupils
    pupils = list(s.scalars(query))
    if selection.class_name and not pupils:
        raise UserError(f"no pupils on roll in class '{selection.class_name}'")
    return pupils


def load_sources(
    db: Database, selection: Selection, as_of: date, post: bool = False
) -> tuple[SchoolSource, list[PupilSource]]:
    """The school and each chosen pupil with parents and figures (in no particular order)."""
    from attendance_desk.services.policy import get_policy

    policy = get_policy(db)
    bands = {band.id: band for band in policy.bands}
    if selection.band and selection.band not in bands:
        raise UserError(
            f"no band '{selection.band}' in the school's policy (bands: {', '.join(bands)})"
        )
    teachers = class_teachers(db)
    with db.session() as s:
        school = school_source(s)
        pupils = _select_pupils(s, selection, as_of)
        families = _family_ids(s, [p.id for p in pupils])
        figures = _figures(db, pupils, as_of)
        if selection.concern:
            from attendance_desk.domain.concern import ALL_RULES

            if selection.concern not in ALL_RULES:
                raise UserError(f"no concern rule '{selection.concern}'")
            pupils = [
                p for p in pupils if p.id in figures and selection.concern in figures[p.id][4]
            ]
        if selection.band:
            pupils = [p for p in pupils if p.id in figures and figures[p.id][3] == selection.band]
        year = AcademicYear.containing(as_of)
        expected = f"{policy.thresholds.expected_pct.normalize():f}%"
        stages = _open_stages(db, as_of)
        out = []
        for pupil in pupils:
            entry = figures.get(pupil.id)
            facts = PupilFacts(
                id=pupil.id,
                forename=pupil.forename.strip(),
                surname=pupil.surname.strip(),
                class_name=(pupil.reg_group or "").strip(),
                year_group=(pupil.year_group or "").strip(),
                class_teacher=teachers.get((pupil.reg_group or "").strip(), ""),
            )
            attendance = None
            band_id = ""
            concerns: tuple[str, ...] = ()
            if entry is not None:
                concerns = tuple(entry[4])
                fig, half_fig, half_name, band_id, _rules = entry
                band = bands.get(band_id)
                start = max(year.start, pupil.admission_date or year.start)
                end = min(as_of, pupil.leaving_date or as_of)
                attendance = AttendanceFacts(
                    possible=fig.possible,
                    attended=fig.attended,
                    authorised=fig.authorised,
                    unauthorised=fig.unauthorised,
                    late=fig.late,
                    period_start=start,
                    period_end=end,
                    half_term_name=half_name,
                    half_term_possible=half_fig.possible,
                    half_term_attended=half_fig.attended,
                    band_id=band_id or "",
                    band_label=band.label if band else "",
                    band_colour=band.colour if band else "",
                    band_owner=band.owner if band else "",
                    band_actions=band.actions if band else (),
                    expected_pct=expected,
                )
            contacts, apart = _recipients(pupil, post)
            main = next((c for c in pupil.contacts if c.parental_responsibility), None)
            if pupil.looked_after:
                main = None  # a looked-after child's letter is never merged with a family's
            family = families.get(pupil.id)
            key = (
                f"f{family}"
                if family
                else (
                    f"c{(main.name or '').lower()}|{_address_key(main)}" if main else f"p{pupil.id}"
                )
            )
            out.append(
                PupilSource(
                    facts,
                    attendance,
                    band_id,
                    contacts,
                    apart,
                    key,
                    stage=stages.get(pupil.id, ""),
                    concerns=concerns,
                )
            )
    return school, out


def _open_stages(db: Database, as_of: date) -> dict[int, str]:
    """pupil id -> the stage of their case open on the date (its last move on or before it)."""
    try:
        from attendance_desk.storage.models.cases import Case, StageChange
    except ImportError:
        return {}
    with db.session() as s:
        rows = s.execute(
            select(Case.pupil_id, StageChange.to_stage)
            .join(StageChange, StageChange.case_id == Case.id)
            .where(Case.opened_on <= as_of, StageChange.date <= as_of)
            .order_by(Case.pupil_id, StageChange.date, StageChange.id)
        ).all()
    latest: dict[int, str] = {}
    for pupil_id, stage in rows:  # in time order: the last move wins
        latest[pupil_id] = stage
    return {pid: stage for pid, stage in latest.items() if stage != "closed"}


SOCIAL_WORKER = "social worker"


def _is_social_worker(contact: Contact) -> bool:
    return SOCIAL_WORKER in (contact.relationship_to_pupil or "").lower()


def _looked_after_recipients(
    pupil: Pupil, post: bool
) -> tuple[tuple[Recipient, ...], tuple[bool, ...]]:
    """A looked-after child's letter goes to the carer on record (posted when an address is
    known), with a posted copy for the social worker; never to "Parent/Carer"."""
    ordered = sorted(pupil.contacts, key=lambda c: (c.priority, c.id))
    workers = [c for c in ordered if _is_social_worker(c)]
    others = [c for c in ordered if not _is_social_worker(c)]
    carer = next((c for c in others if c.lives_with_pupil), others[0] if others else None)
    note = ""
    if carer is not None and workers:
        note = f"A copy of this letter is sent to {pupil.forename}'s social worker."
    recipients: list[Recipient] = []
    if carer is not None:
        has_address = bool(carer.address_line1 or carer.postcode)
        recipients.append(_recipient(carer, book_bag=not has_address, note=note))
    for worker in workers:
        if worker.address_line1 or worker.postcode:
            recipients.append(_recipient(worker, book_bag=False, note=note))
    if not recipients:
        return (Recipient(contact_id=None, name="", book_bag=not post),), (False,)
    return tuple(recipients), tuple(
        r.contact_id != (carer.id if carer else None) for r in recipients
    )


def _recipients(pupil: Pupil, post: bool) -> tuple[tuple[Recipient, ...], tuple[bool, ...]]:
    """The main parent (book bag or post), then a posted copy for each PR parent living apart."""
    if pupil.looked_after:
        return _looked_after_recipients(pupil, post)
    pr = sorted(
        (c for c in pupil.contacts if c.parental_responsibility), key=lambda c: (c.priority, c.id)
    )
    if not pr:
        return (Recipient(contact_id=None, name="", book_bag=not post),), (False,)
    main = next((c for c in pr if c.lives_with_pupil), pr[0])
    apart = [
        c
        for c in pr
        if c is not main
        and not c.lives_with_pupil
        and (c.address_line1 or c.postcode)  # a copy is posted, so it needs an address
        and _address_key(c) != _address_key(main)
    ]
    note = ""
    if apart:
        note = (
            "A copy of this letter is sent to each parent with parental responsibility "
            "for " + pupil.forename + "."
        )
    recipients = [_recipient(main, book_bag=not post, note=note)]
    recipients += [_recipient(c, book_bag=False, note=note) for c in apart]
    return tuple(recipients), (False,) + (True,) * len(apart)


def class_names(db: Database, as_of: date | None = None) -> tuple[str, ...]:
    """Classes with pupils on roll on the date, in natural order (3B before 10A)."""
    from attendance_desk.services.school import on_roll_filter

    with db.session() as s:
        query = select(Pupil.reg_group).distinct().where(Pupil.reg_group.is_not(None))
        if as_of is not None:
            query = query.where(on_roll_filter(as_of))
        names = [n for n in s.scalars(query) if n and n.strip()]
    import re

    def natural(name: str) -> tuple[Any, ...]:
        return tuple(
            (0, int(c), "") if c.isdigit() else (1, 0, c)
            for c in re.split(r"(\d+)", name.casefold())
        )

    return tuple(sorted(names, key=natural))


def band_choices(db: Database) -> tuple[tuple[str, str], ...]:
    """(id, label) of the policy's bands, highest first."""
    from attendance_desk.services.policy import get_policy

    return tuple((b.id, b.label) for b in get_policy(db).bands)
