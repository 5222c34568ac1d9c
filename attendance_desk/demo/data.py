"""The demo school as plain frozen dataclasses: school, term dates, pupils with contacts, marks.

Pure and deterministic: everything comes from `random.Random` seeded with the given seed (and
strings derived from it), and the only date it looks at is `as_of`.
"""

from __future__ import annotations

import random
import struct
import zlib
from dataclasses import dataclass
from datetime import date

from attendance_desk import clock
from attendance_desk.demo.family import Child, DemoContact, Household, make_households
from attendance_desk.demo.names import CLASS_NAMES, NICKNAMES
from attendance_desk.demo.school_year import DemoYear, academic_year
from attendance_desk.domain.calendar import academic_start_year
from attendance_desk.domain.staff import Role

YEAR_GROUPS = ("R", "1", "2", "3", "4", "5", "6")
CLASS_SIZE = 30
UPN_LETTERS = "ABCDEFGHJKLMNPQRTUVWXYZ"  # DfE check letters: I, O and S are not used
UPN_LA, UPN_SCHOOL = "996", "2417"  # invented local authority and establishment numbers

__all__ = [
    "DemoContact",
    "DemoData",
    "DemoPupil",
    "DemoSchool",
    "generate_demo",
    "upn_check_letter",
]


@dataclass(frozen=True, slots=True)
class DemoSchool:
    name: str
    address: str  # lines separated by "\n"
    postcode: str
    phone: str
    email: str
    urn: str
    headteacher: str
    attendance_officer: str


@dataclass(frozen=True, slots=True)
class DemoPupil:
    """A pupil as the roster holds it, plus the family and class stream the generator used."""

    id: int
    upn: str
    admission_number: str
    legal_surname: str
    legal_forename: str
    preferred_forename: str | None
    preferred_surname: str | None
    date_of_birth: date
    sex: str
    year_group: str
    reg_group: str
    admission_date: date
    leaving_date: date | None
    pupil_premium: bool
    fsm: bool
    sen_status: str
    eal: bool
    looked_after: bool
    child_protection: bool
    child_in_need: bool
    family_id: int
    entry_year: int  # the September the pupil started Reception (or would have)
    stream: int  # 0 or 1: which of the year group's two classes
    contacts: tuple[DemoContact, ...]

    def class_in(self, start_year: int) -> str | None:
        """The pupil's class in the academic year starting `start_year` (None outside R-6)."""
        index = start_year - self.entry_year
        if not 0 <= index < len(YEAR_GROUPS):
            return None
        return CLASS_NAMES[YEAR_GROUPS[index]][self.stream]

    def on_roll(self, day: date) -> bool:
        return self.admission_date <= day and (
            self.leaving_date is None or day <= self.leaving_date
        )


MarkRow = tuple[int, str, str, str]  # pupil id, ISO date, "AM"/"PM", code


@dataclass(frozen=True, slots=True)
class DemoData:
    as_of: date
    school: DemoSchool
    logo_png: bytes
    years: tuple[DemoYear, DemoYear]  # the previous, complete year and the current one
    pupils: tuple[DemoPupil, ...]
    marks: tuple[MarkRow, ...]  # sorted by pupil, date, session

    def on_roll(self, day: date | None = None) -> list[DemoPupil]:
        day = day or self.as_of
        return [p for p in self.pupils if p.on_roll(day)]


SCHOOL = DemoSchool(
    name="Wrenbridge Meadows Primary School",
    address="Furlong Road\nUpper Wrenbridge\nWrenbridge",
    postcode="WQ2 4HT",
    phone="01632 960000",
    email="office@wrenbridge-meadows.example.org",
    urn="990417",
    headteacher="Mrs Harriet Okonkwo-Blake",
    attendance_officer="Mr Dafydd Ellis",
)

# The demo school's staff list, so the demo starts as a school does: "who is using Attendance
# Desk?", and every record made in it carries that name (a class teacher may only look).
STAFF = (
    (SCHOOL.attendance_officer, Role.ATTENDANCE_OFFICER),
    (SCHOOL.headteacher, Role.HEADTEACHER),
    ("Ms Nia Pritchard", Role.DSL),
    ("Mrs Ceri Hughes", Role.CLASS_TEACHER),
)


def upn_check_letter(digits: str) -> str:
    """The DfE check letter for the 12 digits of a UPN (weights 2 to 13, modulo 23)."""
    total = sum(int(d) * weight for weight, d in enumerate(digits, start=2))
    return UPN_LETTERS[total % 23]


def generate_demo(seed: int = 2024, as_of: date | None = None) -> DemoData:
    """The whole demo school for `seed`, with marks up to and including `as_of`."""
    from attendance_desk.demo.marks import generate_marks

    as_of = as_of or clock.today()
    current = academic_start_year(as_of)
    years = (academic_year(current - 1), academic_year(current))
    pupils = _make_pupils(random.Random(f"{seed}:pupils"), years, as_of)
    marks = generate_marks(seed, years, pupils, as_of)
    return DemoData(as_of, SCHOOL, school_logo_png(), years, tuple(pupils), tuple(marks))


def _make_pupils(
    rng: random.Random, years: tuple[DemoYear, DemoYear], as_of: date
) -> list[DemoPupil]:
    """Fill both classes of every year group; movers leave last year, joiners take their places."""
    previous, current = years
    current_start = current.start_date.year
    entry_years = list(range(current_start - 7, current_start + 1))  # last year's Year 6 ... R
    households = make_households(rng, entry_years, CLASS_SIZE)
    leave_days = [d for d in previous.school_days() if d.month in (11, 12, 1, 2, 3, 4, 5)]
    school_days = [d for y in years for d in y.school_days() if d <= as_of]
    moved = {h.id: rng.choice(leave_days) for h in households if h.moves_away}
    secondary = previous.school_days()[-1]  # last year's Year 6 left at the end of the year
    rows: list[dict[str, object]] = []
    for household in households:
        for child in household.children:
            admitted, left = _admission_day(child.entry_year), moved.get(household.id)
            if household.replaces is not None:
                after = [d for d in school_days if d > moved[household.replaces[0]]][5:]
                admitted = rng.choice(after) if after else school_days[-1]
            if child.entry_year == entry_years[0]:
                left = secondary
            rows.append(_pupil_row(rng, household, child, admitted, left, current_start))
    rows.sort(key=lambda r: (r["admission_date"], r["legal_surname"], r["legal_forename"]))
    return _number_pupils(rows)


def _admission_day(entry_year: int) -> date:
    """The first day of Reception for children starting school in September `entry_year`."""
    return academic_year(entry_year).first_pupil_day()


def _pupil_row(
    rng: random.Random,
    household: Household,
    child: Child,
    admitted: date,
    left: date | None,
    current_start: int,
) -> dict[str, object]:
    start = academic_start_year(left) if left is not None else current_start
    year_group = YEAR_GROUPS[min(start - child.entry_year, len(YEAR_GROUPS) - 1)]
    nickname = NICKNAMES.get(child.forename)
    return {
        "legal_surname": child.surname,
        "legal_forename": child.forename,
        "preferred_forename": nickname if nickname and rng.random() < 0.6 else None,
        "preferred_surname": child.preferred_surname,
        "date_of_birth": child.date_of_birth,
        "sex": child.sex,
        "year_group": year_group,
        "reg_group": CLASS_NAMES[year_group][child.stream],
        "admission_date": admitted,
        "leaving_date": left,
        "pupil_premium": child.pupil_premium,
        "fsm": household.fsm,
        "sen_status": child.sen_status,
        "eal": household.eal,
        "looked_after": household.kind == "foster",
        "child_protection": household.child_protection,
        "child_in_need": household.child_in_need,
        "family_id": household.id,
        "entry_year": child.entry_year,
        "stream": child.stream,
        "contacts": household.contacts_for(child),
    }


def _number_pupils(rows: list[dict[str, object]]) -> list[DemoPupil]:
    """Ids, admission numbers and UPNs (with valid check letters) in order of admission."""
    serials: dict[int, int] = {}
    pupils: list[DemoPupil] = []
    for number, row in enumerate(rows, start=1):
        admitted = row["admission_date"]
        assert isinstance(admitted, date)
        allocated = admitted.year
        serials[allocated] = serials.get(allocated, 100) + 7
        digits = f"{UPN_LA}{UPN_SCHOOL}{allocated % 100:02d}{serials[allocated] % 1000:03d}"
        upn = upn_check_letter(digits) + digits
        pupils.append(DemoPupil(id=number, upn=upn, admission_number=f"{3100 + number:06d}", **row))  # type: ignore[arg-type]
    return pupils


def school_logo_png(size: int = 96) -> bytes:
    """A small round badge: a green disc, a gold ring and a white bridge arch over blue water."""
    rows = bytearray()
    c = (size - 1) / 2
    for y in range(size):
        rows.append(0)  # PNG filter type: none
        for x in range(size):
            r = ((x - c) ** 2 + (y - c) ** 2) ** 0.5 / c
            arch = ((x - c) ** 2 + (y - c * 1.25) ** 2) ** 0.5 / c
            if r > 1.0:
                pixel = (0, 0, 0, 0)
            elif r > 0.86:
                pixel = (212, 160, 23, 255)
            elif y > c * 1.25 and r < 0.86:
                pixel = (40, 96, 160, 255)
            elif 0.42 < arch < 0.56:
                pixel = (255, 255, 255, 255)
            else:
                pixel = (31, 102, 64, 255)
            rows.extend(pixel)

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(bytes(rows), 9))
        + chunk(b"IEND", b"")
    )
