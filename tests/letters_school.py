"""A small school for the letters tests: two classes, unusual names, a split family, siblings.

Marks run from 2 September 2024 to AS_OF; each pupil misses a set number of sessions.
"""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from attendance_desk.storage.db import Database
from attendance_desk.storage.models import AcademicYear, Contact, HalfTerm, Pupil, School

AS_OF = date(2024, 10, 18)
START = date(2024, 9, 2)


@dataclass(frozen=True)
class P:
    upn: str
    forename: str
    surname: str
    cls: str
    year: str
    absences: int  # sessions missed, authorised (I) first then unauthorised (O)
    unauthorised: int = 0


PUPILS = (
    P("A100000000001", "Łucja", "Kowalska", "3B", "3", 2),
    P("A100000000002", "Zoë", "O'Brien", "3B", "3", 8, 3),
    P("A100000000003", "Nguyễn", "Văn An", "3B", "3", 14, 6),
    P("A100000000004", "Ólafur", "Jónsson", "4K", "4", 0),
    P("A100000000005", "Maximilian-Alexander", "Featherstonehaugh-Montgomery", "4K", "4", 30, 10),
    P("A100000000006", "Amara", "Okafor", "4K", "4", 5),
    P("A100000000007", "Kofi", "Okafor", "3B", "3", 3),
)


def school_days(end: date = AS_OF) -> list[date]:
    days, d = [], START
    while d <= end:
        if d.weekday() < 5:
            days.append(d)
        d += timedelta(days=1)
    return days


def make_school(db: Database, logo: bool = True) -> dict[str, int]:
    """Fill `db`; returns pupil ids by UPN."""
    with db.session() as s:
        s.add(
            School(
                name="St Łucja & St Zoë's C of E Primary School",
                address="1 Church Lane\nClifford\nBristol",
                postcode="BS1 1AA",
                phone="0117 496 0000",
                email="office@stlucja.example",
                urn="123456",
                headteacher="Mr Pieter Krabbendam",
                attendance_officer="Miss Lauren Davidson-Marriott",
                logo=_logo_png() if logo else None,
            )
        )
        year = AcademicYear(name="2024/25", start_date=date(2024, 9, 1), end_date=date(2025, 8, 31))
        year.half_terms = [
            HalfTerm(name="Autumn 1", start_date=date(2024, 9, 2), end_date=date(2024, 10, 25)),
            HalfTerm(name="Autumn 2", start_date=date(2024, 11, 4), end_date=date(2024, 12, 20)),
        ]
        s.add(year)
        for p in PUPILS:
            pupil = Pupil(
                upn=p.upn,
                legal_forename=p.forename,
                legal_surname=p.surname,
                year_group=p.year,
                reg_group=p.cls,
                admission_date=date(2020, 9, 1),
            )
            pupil.contacts = _contacts(p)
            s.add(pupil)
        s.flush()
        ids = {p.upn: p.id for p in s.query(Pupil)}
    _marks(db, ids)
    return ids


def _contacts(p: P) -> list[Contact]:
    if p.surname == "Kowalska":
        return [
            Contact(
                priority=1,
                title="Mrs",
                name="Anna Kowalska-Wiśniewska",
                address_line1="Flat 12, Długa House, 1234 Extraordinarily Long Street Name",
                address_line2="Clifford",
                postcode="BS1 2AB",
            )
        ]
    if p.surname == "O'Brien":
        return [
            Contact(
                priority=1,
                title="Ms",
                name="Siobhán O'Brien",
                address_line1="4 Harbour Road",
                postcode="BS2 3CD",
            ),
            Contact(
                priority=2,
                title="Mr",
                name="Declan O'Brien",
                address_line1="99 Far Away Avenue",
                address_line2="Dublin Road",
                postcode="BS9 9ZZ",
                lives_with_pupil=False,
            ),
        ]
    if p.surname == "Okafor":
        return [
            Contact(
                priority=1,
                title="Mrs",
                name="Ngozi Okafor",
                address_line1="7 Elm Close",
                postcode="BS3 4EF",
            )
        ]
    if p.forename == "Maximilian-Alexander":
        return [
            Contact(
                priority=1,
                title="Dr",
                name="Bartholomew Featherstonehaugh-Montgomery-Worthington",
                address_line1="The Old Rectory, Lower Upper Middle Wallop Lane, "
                "Great Snoring-on-the-Marsh near Little Snoring",
                address_line2="Norfolk",
                postcode="NR21 0AA",
            )
        ]
    return [
        Contact(
            priority=1,
            title=None,
            name=f"Parent of {p.forename}",
            address_line1="1 Main Street",
            postcode="BS5 5AA",
        ),
        Contact(priority=2, name="Grandparent", parental_responsibility=False),
    ]


def _marks(db: Database, ids: dict[str, int]) -> None:
    days = school_days()
    rows = []
    for p in PUPILS:
        codes = []
        for _day in days:
            codes += ["/", "\\"]
        # absences at the end of the period: unauthorised last
        auth = p.absences - p.unauthorised
        for i in range(p.absences):
            codes[-1 - i] = "O" if i < p.unauthorised else "I"
        del auth
        for i, day in enumerate(days):
            rows.append((ids[p.upn], day.isoformat(), "AM", codes[2 * i]))
            rows.append((ids[p.upn], day.isoformat(), "PM", codes[2 * i + 1]))
    conn = db.raw_connection()
    try:
        conn.executemany(
            "INSERT INTO marks (pupil_id, date, session, code, source, updated_at) "
            "VALUES (?, ?, ?, ?, 'mis', '2024-10-18 09:00:00')",
            rows,
        )
        conn.commit()
    finally:
        conn.close()


def _logo_png() -> bytes:
    """A small crest drawn with Qt-free PNG bytes (zlib), so tests need no image files."""
    import struct
    import zlib

    w = h = 64
    raw = b""
    for y in range(h):
        row = b"\x00"
        for x in range(w):
            inside = (x - 32) ** 2 + (y - 32) ** 2 < 30**2
            row += bytes((30, 80, 160)) if inside else bytes((255, 255, 255))
        raw += row

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    ihdr = struct.pack(">IIBBBBB", w, h, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", ihdr)
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def pdf_text(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def pdf_info(path: Path) -> dict[str, str]:
    out = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True).stdout
    info = {}
    for line in out.splitlines():
        key, _, value = line.partition(":")
        info[key.strip()] = value.strip()
    return info


def has_poppler() -> bool:
    return shutil.which("pdftotext") is not None and shutil.which("pdfinfo") is not None


def word_boxes(path: Path, page: int) -> list[tuple[str, float, float, float, float]]:
    """Each word on a page with its box in millimetres from the page's top-left corner."""
    import html
    import re

    out = subprocess.run(
        ["pdftotext", "-f", str(page), "-l", str(page), "-bbox", str(path), "-"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    pt = 25.4 / 72
    words = []
    for m in re.finditer(
        r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">([^<]*)</word>', out
    ):
        x0, y0, x1, y1 = (float(m.group(i)) * pt for i in range(1, 5))
        words.append((html.unescape(m.group(5)), x0, y0, x1, y1))
    return words
