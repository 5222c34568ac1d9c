"""The MIS sample files, written by the tests themselves (nothing is read from outside the repo).

Ashgrove Primary School, 2024/25, in the shapes a school's MIS exports:

- `term_dates.csv`: `half_term,start,end`, six half terms, ISO dates.
- `closures.csv`: `date,kind,description`: three INSET days (coded `#` in the registers) and the
  5 May bank holiday (no register).
- `roster_with_contacts.xlsx`: one row per pupil with contacts 1 and 2 (real Excel dates).
- `register_wide_single_header.xlsx`: a title row, then one header row `UPN, Surname, Forename,
  Form, Year, Mon 02/09/2024 AM, Mon 02/09/2024 PM, ...`.
- `register_long_per_day.csv`: `UPN, Surname, Forename, Reg Group, Date, AM, PM`, one row per pupil
  per day; INSET days and the bank holiday have no rows.
- `register_by_day_pairs.xlsx`: `Adno, Name, Class`, then one column per day headed by a real
  date, each cell both codes joined (`/\\`, `C1C1`, `/Y7`); no UPN: pupils match by Adno.

Fourteen pupils, two in each class R Oak ... 6 Willow. All three registers hold the same marks.
Register days: 194 weekdays inside the half terms (40 + 35 + 30 + 30 + 24 + 35) less the bank
holiday = 193. The two Reception pupils were admitted on 3 September, so their 2 September cells
are blank: the wide register holds 14 * 193 * 2 - 2 * 2 = 5,400 marks.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from openpyxl import Workbook

HALF_TERMS = [
    ("Autumn 1", date(2024, 9, 2), date(2024, 10, 25)),
    ("Autumn 2", date(2024, 11, 4), date(2024, 12, 20)),
    ("Spring 1", date(2025, 1, 6), date(2025, 2, 14)),
    ("Spring 2", date(2025, 2, 24), date(2025, 4, 4)),
    ("Summer 1", date(2025, 4, 22), date(2025, 5, 23)),
    ("Summer 2", date(2025, 6, 2), date(2025, 7, 18)),
]
INSET = [date(2024, 9, 2), date(2025, 1, 6), date(2025, 2, 24)]
BANK_HOLIDAY = date(2025, 5, 5)
WIDE_MARKS = 5400  # see the module docstring
PUPIL_COUNT = 14

CLASSES = ["R Oak", "1 Ash", "2 Birch", "3 Cedar", "4 Elm", "5 Hazel", "6 Willow"]
# surname, forename, sex, class index; siblings share a surname and their contacts
NAMES = [
    ("Bianchi", "Luca", "M", 0),
    ("Eriksson", "Rowan", "M", 0),
    ("Da Silva", "Imani", "F", 1),
    ("Ibáñez", "Joaquín", "M", 1),
    ("O'Brien", "Zoë", "F", 2),
    ("D'Souza", "Arlo", "M", 2),
    ("Nowak", "Łucja", "F", 3),
    ("Nguyễn", "Minh", "M", 3),
    ("O'Brien", "Cian", "M", 4),  # Zoë's brother
    ("Achterberg", "Yasmin", "F", 4),
    ("Smith", "Jack", "M", 5),
    ("Smith", "Jacob", "M", 5),  # twins
    ("Okafor", "Chidi", "M", 6),
    ("D'Souza", "Maya", "F", 6),  # Arlo's half-sister: contact 1 only is shared
]
# Codes the registers use beyond the plain present marks, with multi-character ones.
ABSENCES = ["I", "I", "M", "O", "G", "L", "C1", "J1", "Y7", "B", "U", "N"]


@dataclass(frozen=True)
class SamplePupil:
    upn: str
    adno: str
    surname: str
    forename: str
    sex: str
    form: str
    year: str  # "R" or "1".."6"
    dob: date
    admitted: date


def upn(serial: int) -> str:
    """A UPN with a valid DfE check letter (weights 2 to 13 on the 12 digits, modulo 23)."""
    digits = f"8733105{serial:05d}"
    total = sum(int(d) * w for d, w in zip(digits, range(2, 14), strict=True))
    return "ABCDEFGHJKLMNPQRTUVWXYZ"[total % 23] + digits


def pupils() -> list[SamplePupil]:
    out = []
    for n, (surname, forename, sex, c) in enumerate(NAMES):
        year = "R" if c == 0 else str(c)
        start = date(2024 - c, 9, 1)
        out.append(
            SamplePupil(
                upn=upn(23500 + n),
                adno=f"{4130 + n:06d}",
                surname=surname,
                forename=forename,
                sex=sex,
                form=CLASSES[c],
                year=year,
                dob=date(2019 - c, 1 + n % 12, 1 + (3 * n) % 28),
                admitted=date(2024, 9, 3) if c == 0 else start + timedelta(days=3),
            )
        )
    return out


def register_days() -> list[date]:
    """Every weekday inside a half term except the bank holiday (INSET days included)."""
    days = []
    for _, start, end in HALF_TERMS:
        day = start
        while day <= end:
            if day.weekday() < 5 and day != BANK_HOLIDAY:
                days.append(day)
            day += timedelta(days=1)
    return days


def marks() -> dict[tuple[str, date], tuple[str, str]]:
    """(UPN, day) -> (AM, PM); "" is no mark. Deterministic."""
    rng = random.Random(2024)
    out: dict[tuple[str, date], tuple[str, str]] = {}
    for p in pupils():
        for day in register_days():
            if day in INSET:
                out[(p.upn, day)] = ("", "") if day < p.admitted else ("#", "#")
                continue
            am, pm = "/", "\\"
            if rng.random() < 0.08:
                am = rng.choice(ABSENCES)
                pm = am if am not in ("L", "U", "B") and rng.random() < 0.7 else "\\"
            out[(p.upn, day)] = (am, pm)
    # the multi-character codes are always there, in both halves of a day
    first = pupils()[4].upn
    out[(first, date(2024, 9, 10))] = ("C1", "C1")
    out[(first, date(2024, 9, 11))] = ("J1", "\\")
    out[(first, date(2024, 9, 12))] = ("/", "Y7")
    out[(first, date(2024, 9, 13))] = ("Y7", "Y7")
    return out


def _xlsx(path: Path, title: str, rows: list[list[Any]]) -> Path:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in rows:
        ws.append(row)
    for row in ws.iter_rows():
        for cell in row:
            if isinstance(cell.value, date):
                cell.number_format = "dd/mm/yyyy"
    wb.save(path)
    return path


def _csv(path: Path, rows: list[list[Any]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\n").writerows(rows)
    return path


def _contacts(p: SamplePupil, n: int) -> list[Any]:
    home = [f"{10 + n} Tannery Row", "Ashgrove Vale", "Ashgrove", f"AG{1 + n % 5} 4EN"]
    family = {"O'Brien": 4, "Smith": 10, "D'Souza": 5}.get(p.surname, n)
    phone = f"07700 900{100 + family:03d}"
    mother = [f"Anne {p.surname}", "Mother", phone, "Y", "Y", *home]
    if p.surname == "D'Souza" and n == 13:  # half-sister: her own second contact
        return mother + [
            "Paul Reid", "Stepfather", "07700 900913", "N", "Y", *home,
        ]  # fmt: skip
    if n % 4 == 3:  # no second contact
        return mother + [""] * 9
    if n % 3 == 0:  # split family: contact 2 lives elsewhere
        away = ["25 Windmill Hill", "", "Ashgrove", "AG2 9RN"]
        return mother + [f"Mark {p.surname}", "Father", f"07700 900{500 + family:03d}",
                         "Y", "N", *away]  # fmt: skip
    return mother + ["Joan Hill", "Grandmother", f"07700 900{700 + family:03d}", "N", "N", *home]


def write_samples(folder: Path) -> Path:
    """Write the six sample files into `folder` and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    everyone = pupils()
    days = register_days()
    marked = marks()

    _csv(
        folder / "term_dates.csv",
        [["half_term", "start", "end"]]
        + [[name, start.isoformat(), end.isoformat()] for name, start, end in HALF_TERMS],
    )
    closures: list[list[Any]] = [["date", "kind", "description"]]
    closures += [[d.isoformat(), "inset", "INSET day (coded # in the register)"] for d in INSET]
    closures.append([BANK_HOLIDAY.isoformat(), "bank_holiday", "Early May bank holiday"])
    _csv(folder / "closures.csv", closures)

    contact_head = [
        "Name", "Relationship", "Phone", "Parental Responsibility", "Lives With Pupil",
        "Address Line 1", "Address Line 2", "Address Line 3", "Postcode",
    ]  # fmt: skip
    roster: list[list[Any]] = [
        ["UPN", "Adno", "Legal Surname", "Legal Forename", "Preferred Forename", "DOB", "Sex",
         "NC Year", "Reg Group", "Admission Date", "Leaving Date", "Pupil Premium", "FSM",
         "SEN Status", "EAL"]
        + [f"Contact {k} {h}" for k in (1, 2) for h in contact_head]
    ]  # fmt: skip
    for n, p in enumerate(everyone):
        roster.append(
            [p.upn, p.adno, p.surname, p.forename, p.forename, p.dob, p.sex,
             p.year if p.year == "R" else int(p.year), p.form, p.admitted, None,
             "Y" if n % 4 == 0 else "N", "Y" if n % 5 == 0 else "N", "ENK"[n % 3],
             "Y" if n % 6 == 1 else "N"]
            + _contacts(p, n)
        )  # fmt: skip
    _xlsx(folder / "roster_with_contacts.xlsx", "Pupils", roster)

    wide: list[list[Any]] = [[f"Attendance marks {days[0]:%d/%m/%Y} - {days[-1]:%d/%m/%Y}"]]
    wide.append(
        ["UPN", "Surname", "Forename", "Form", "Year"]
        + [f"{d:%a %d/%m/%Y} {s}" for d in days for s in ("AM", "PM")]
    )
    for p in everyone:
        cells = [c or None for d in days for c in marked[(p.upn, d)]]
        wide.append([p.upn, p.surname, p.forename, p.form, f"Year {p.year}", *cells])
    _xlsx(folder / "register_wide_single_header.xlsx", "Attendance", wide)

    pairs: list[list[Any]] = [["Adno", "Name", "Class", *days]]
    for p in everyone:
        pairs.append(
            [p.adno, f"{p.surname}, {p.forename}", p.form]
            + ["".join(marked[(p.upn, d)]) or None for d in days]
        )
    _xlsx(folder / "register_by_day_pairs.xlsx", "Marks by day", pairs)

    long: list[list[Any]] = [["UPN", "Surname", "Forename", "Reg Group", "Date", "AM", "PM"]]
    for p in everyone:
        for d in days:
            am, pm = marked[(p.upn, d)]
            if d not in INSET:
                long.append([p.upn, p.surname, p.forename, p.form, f"{d:%d/%m/%Y}", am, pm])
    _csv(folder / "register_long_per_day.csv", long)
    return folder
