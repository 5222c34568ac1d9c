"""Subject access: everything about one pupil, and nothing about anyone else, in Excel and PDF."""

from __future__ import annotations

from datetime import date, datetime
from pathlib import Path

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from attendance_desk.services.subject_access import export_subject_access
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Contact, ImportRecord, Mark, MarkChange, Pupil
from attendance_desk.storage.models.cases import EventPupil, Family, FamilyMember, TimelineEvent


@pytest.fixture
def db(backend_db: Database) -> Database:
    """Each test here runs on SQLite and on PostgreSQL (tests/conftest.py: backend_db)."""
    return backend_db


def make_family(db: Database) -> tuple[int, int]:
    with db.session() as s:
        imp = ImportRecord(file_name="week 1.xlsx", content_hash="ab" * 32, kind="register")
        zoe = Pupil(upn="B873310524515", legal_surname="O'Brien", legal_forename="Zoë")
        harriet = Pupil(upn="M873310524514", legal_surname="O'Brien", legal_forename="Harriet")
        s.add_all([imp, zoe, harriet])
        s.flush()
        s.add(Contact(pupil_id=zoe.id, name='=HYPERLINK("x")', phone_mobile="07700 900123"))
        for pupil, code in ((zoe, "N"), (harriet, "/")):
            for day in (2, 3):
                s.add(
                    Mark(
                        pupil_id=pupil.id,
                        date=date(2024, 9, day),
                        session="AM",
                        code=code,
                        import_id=imp.id,
                    )
                )
        s.add(
            MarkChange(
                pupil_id=zoe.id,
                date=date(2024, 9, 2),
                session="AM",
                old_code="N",
                new_code="I",
                source="office",
                changed_by="office",
                reason="Mum rang: ill",
            )
        )
        family = Family(label="O'Brien family")
        s.add(family)
        s.flush()
        s.add_all(
            [
                FamilyMember(pupil_id=zoe.id, family_id=family.id),
                FamilyMember(pupil_id=harriet.id, family_id=family.id),
            ]
        )
        meeting = TimelineEvent(
            kind="meeting", date=date(2024, 9, 20), summary="Family meeting about Zoë"
        )
        private = TimelineEvent(kind="call", date=date(2024, 9, 3), summary="Harriet only call")
        s.add_all([meeting, private])
        s.flush()
        s.add_all(
            [
                EventPupil(event_id=meeting.id, pupil_id=zoe.id),
                EventPupil(event_id=meeting.id, pupil_id=harriet.id),
                EventPupil(event_id=private.id, pupil_id=harriet.id),
            ]
        )
    with db.session() as s:  # a hand edit, recorded by the audit trigger
        mark = s.get(Mark, (zoe.id, date(2024, 9, 2), "AM"))
        mark.code, mark.source, mark.updated_at = "I", "office", datetime(2024, 9, 2, 9, 30)
    return zoe.id, harriet.id


@pytest.fixture
def exported(db: Database, tmp_path: Path):  # noqa: ANN201
    zoe, harriet = make_family(db)
    return export_subject_access(db, zoe, tmp_path / "out", today=date(2025, 1, 6)), zoe, harriet


def test_the_excel_file_holds_every_section_about_the_pupil(exported) -> None:  # noqa: ANN001
    result, zoe, _harriet = exported
    assert result.xlsx.name == "Zoë O'Brien - subject access - 2025-01-06.xlsx"
    counts = dict(result.counts)
    assert counts["Pupil details"] == 1
    assert counts["Contacts"] == 1
    assert counts["Attendance marks"] == 2  # not her sister's
    assert counts["Mark history"] == 1
    assert counts["Imports that wrote these marks"] == 1
    assert counts["Timeline events"] == 1  # the shared meeting, not her sister's call
    assert counts["Families"] == 1
    # the shared meeting recorded for her, and the hand edit of her mark; nothing of her sister's
    assert counts["Audit log"] == 2
    wb = load_workbook(result.xlsx)
    assert {"Pupil details", "Contacts", "Attendance marks", "Audit log"} <= set(wb.sheetnames)
    details = {r[0]: r[1] for r in wb["Pupil details"].iter_rows(min_row=2, values_only=True)}
    assert details["legal_forename"] == "Zoë" and details["upn"] == "B873310524515"
    contact = wb["Contacts"]
    header = [c.value for c in contact[1]]
    name_cell = contact.cell(2, header.index("name") + 1)
    assert name_cell.value == '=HYPERLINK("x")' and name_cell.data_type == "s"  # never a formula
    events = list(wb["Timeline events"].iter_rows(min_row=2, values_only=True))
    assert any("Family meeting" in str(v) for v in events[0])
    everything = " ".join(
        str(v) for ws in wb.worksheets for row in ws.iter_rows(values_only=True) for v in row
    )
    assert "Harriet only call" not in everything


def test_the_pdf_says_the_same_in_print(exported) -> None:  # noqa: ANN001
    result, _zoe, _harriet = exported
    text = "\n".join(page.extract_text() for page in PdfReader(result.pdf).pages)
    assert "Information held about Zoë O'Brien" in text
    for heading in ("Pupil details (1)", "Contacts (1)", "Attendance marks", "Mark history (1)"):
        assert heading in text
    assert "Family meeting about Zoë" in text and "Mum rang: ill" in text
    assert "Harriet only call" not in text
    assert "02/09/2024" in text  # marks by day, UK dates


def test_an_unknown_pupil_is_a_clear_error(db: Database, tmp_path: Path) -> None:
    from attendance_desk.errors import UserError

    with pytest.raises(UserError, match="no pupil"):
        export_subject_access(db, 999, tmp_path)
