"""A small school for the casework tests: Autumn 1 2024 and four pupils.

- Ava Brown (3 Oak) and Ben Brown (5 Elm): siblings sharing Mrs Brown's mobile.
- Łucja Nguyễn (3 Oak): always present.
- Dan Smith (4 Ash): no contacts.
Registers are taken every school day from 2 Sep to Wed 9 Oct 2024 (everyone present) except:
Ava `N N` on Tue 8 and Wed 9 Oct; Ben no marks at all on Wed 9 Oct; Dan `/ N` on Wed 9 Oct.
"""

from __future__ import annotations

from datetime import date, timedelta

from attendance_desk.storage.db import Database
from attendance_desk.storage.models import AcademicYear, Contact, HalfTerm, Mark, Pupil

DAY = date(2024, 10, 9)


def build_school(db: Database, last_day: date = DAY) -> dict[str, int]:
    with db.session() as s:
        year = AcademicYear(name="2024/25", start_date=date(2024, 9, 1), end_date=date(2025, 8, 31))
        year.half_terms = [
            HalfTerm(name="Autumn 1", start_date=date(2024, 9, 2), end_date=date(2024, 10, 25)),
            HalfTerm(name="Autumn 2", start_date=date(2024, 11, 4), end_date=date(2024, 12, 20)),
        ]
        s.add(year)
        mum = dict(
            name="Sarah Brown",
            title="Mrs",
            relationship_to_pupil="Mother",
            phone_mobile="07700 900001",
            phone_home="01632 960001",
            priority=1,
        )
        ava = Pupil(
            upn="A100000000001",
            legal_surname="Brown",
            legal_forename="Ava",
            reg_group="3 Oak",
            year_group="3",
            date_of_birth=date(2016, 5, 1),
        )
        ava.contacts = [
            Contact(**mum),
            Contact(
                name="Tom Brown",
                title="Mr",
                relationship_to_pupil="Father",
                phone_work="01632 960999",
                priority=2,
            ),
        ]
        ben = Pupil(
            upn="A100000000002",
            legal_surname="Brown",
            legal_forename="Ben",
            reg_group="5 Elm",
            year_group="5",
            date_of_birth=date(2014, 3, 2),
        )
        ben.contacts = [Contact(**mum)]
        lucja = Pupil(
            upn="A100000000003",
            legal_surname="Nguyễn",
            legal_forename="Łucja",
            reg_group="3 Oak",
            year_group="3",
        )
        lucja.contacts = [Contact(name="Mai Nguyễn", phone_mobile="07700 900333", priority=1)]
        dan = Pupil(
            upn="A100000000004",
            legal_surname="Smith",
            legal_forename="Dan",
            reg_group="4 Ash",
            year_group="4",
        )
        s.add_all([ava, ben, lucja, dan])
        s.flush()
        ids = {"ava": ava.id, "ben": ben.id, "lucja": lucja.id, "dan": dan.id}
        special = {
            (ava.id, date(2024, 10, 8)): ("N", "N"),
            (ava.id, DAY): ("N", "N"),
            (ben.id, DAY): (None, None),
            (dan.id, DAY): ("/", "N"),
        }
        d = date(2024, 9, 2)
        while d <= last_day:
            if d.weekday() < 5:
                for pid in ids.values():
                    am, pm = special.get((pid, d), ("/", "\\"))
                    for session, code in (("AM", am), ("PM", pm)):
                        if code is not None:
                            s.add(Mark(pupil_id=pid, date=d, session=session, code=code))
            d += timedelta(days=1)
    return ids
