"""The audit log: an import, a changed mark in a later import, a hand edit, settings, export."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from attendance_desk.services.audit import audit_rows, export_audit, record_change
from attendance_desk.services.importing import apply_import
from attendance_desk.storage.db import Database
from attendance_desk.storage.models import AppSetting, Mark, Pupil
from tests.sample_school import WIDE_MARKS


@pytest.fixture(autouse=True)
def app_data(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "appdata"))


@pytest.fixture
def register(samples: Path) -> Path:
    return samples / "register_wide_single_header.xlsx"


@pytest.fixture
def school(db: Database, samples: Path) -> Database:
    apply_import(
        db,
        [
            samples / "term_dates.csv",
            samples / "closures.csv",
            samples / "roster_with_contacts.xlsx",
        ],
        imported_by="office",
    )
    return db


def changed_register(register: Path, tmp_path: Path) -> tuple[Path, str, str]:
    """The sample register with one mark changed: returns the file, the UPN and the new code."""
    wb = load_workbook(register)
    ws = wb.active
    assert ws.cell(2, 8).value == "Tue 03/09/2024 AM"
    cell = ws.cell(3, 8)
    cell.value = "M" if cell.value != "M" else "I"
    path = tmp_path / "register-corrected.xlsx"
    wb.save(path)
    return path, ws.cell(3, 1).value, cell.value


def test_an_import_is_one_audit_row_with_its_counts(school: Database, register: Path) -> None:
    result = apply_import(school, [register], imported_by="Mrs Patel")
    added = result.files[0].marks_added
    assert added == WIDE_MARKS  # the whole year
    rows = audit_rows(school, entity="import")
    latest = rows[0]
    assert (latest.action, latest.who, latest.field) == ("import", "Mrs Patel", "register")
    values = json.loads(latest.new_json or "{}")
    assert values["file_name"] == register.name and values["marks_added"] == added
    # new marks are not copied one by one into the log
    assert audit_rows(school, entity="mark") == []


def test_a_mark_changed_by_a_later_import_is_recorded_with_old_and_new(
    school: Database, register: Path, tmp_path: Path
) -> None:
    apply_import(school, [register])
    corrected, upn, new_code = changed_register(register, tmp_path)
    apply_import(school, [corrected], imported_by="Mrs Patel")
    with school.session() as s:
        pupil = s.scalars(select(Pupil).where(Pupil.upn == upn)).one()
        pupil_id, name = pupil.id, f"{pupil.legal_surname}, {pupil.legal_forename}"
    rows = audit_rows(school, entity="mark")
    assert len(rows) == 1
    row = rows[0]
    assert (row.action, row.pupil_id, row.pupil_name) == ("import", pupil_id, name)
    assert row.entity_id == f"{pupil_id} 2024-09-03 AM"
    assert json.loads(row.new_json or "{}")["code"] == new_code
    assert json.loads(row.old_json or "{}")["code"] != new_code
    assert row.who  # the person using the application


def test_a_hand_edit_is_recorded(school: Database, register: Path) -> None:
    apply_import(school, [register])
    with school.session() as s:
        mark = s.scalars(select(Mark).where(Mark.date == date(2024, 9, 10))).first()
        key = (mark.pupil_id, mark.session)
        old_code = mark.code
        mark.code, mark.source = "C", "office"
        record_change(
            s,
            action="update",
            entity="case",
            entity_id=7,
            old={"stage": "watch"},
            new={"stage": "letter 1"},
            by="Mrs Patel",
            pupil_id=mark.pupil_id,
            field="stage",
        )
    rows = audit_rows(school, pupil_id=key[0])
    by_entity = {r.entity: r for r in rows}
    edit = by_entity["mark"]
    assert edit.action == "update" and edit.entity_id == f"{key[0]} 2024-09-10 {key[1]}"
    assert json.loads(edit.old_json or "{}") == {"code": old_code, "source": "mis", "import_id": 4}
    assert json.loads(edit.new_json or "{}")["code"] == "C"
    assert edit.old.startswith(f"code: {old_code}")
    case = by_entity["case"]
    assert (case.who, case.old, case.new) == ("Mrs Patel", "stage: watch", "stage: letter 1")


def test_settings_are_recorded_and_the_password_hash_never_is(db: Database) -> None:
    with db.session() as s:
        s.add(AppSetting(key="lock.idle_minutes", value_json="10"))
        s.add(AppSetting(key="access.password", value_json='{"hash": "secret-hash"}'))
    with db.session() as s:
        s.get(AppSetting, "lock.idle_minutes").value_json = "5"
    rows = audit_rows(db, entity="setting")
    assert [(r.action, r.entity_id, r.old, r.new) for r in rows] == [
        ("update", "lock.idle_minutes", "10", "5"),
        ("insert", "access.password", "", "(hidden)"),
        ("insert", "lock.idle_minutes", "", "10"),
    ]
    assert all("secret" not in (r.new_json or "") for r in rows)


def test_the_export_is_an_excel_file_safe_to_open(db: Database, tmp_path: Path) -> None:
    with db.session() as s:
        s.add(AppSetting(key="letters.footer", value_json=json.dumps("=HYPERLINK(1)")))
    out = export_audit(db, tmp_path / "audit.xlsx")
    assert out.rows == 1
    ws = load_workbook(out.path).active
    header = [c.value for c in ws[1]]
    assert header[:4] == ["When", "Who", "Action", "What"]
    cell = ws.cell(2, header.index("New value") + 1)
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"


def test_casework_is_audited_a_call_with_its_recoded_mark_and_a_stage_move(db: Database) -> None:
    from attendance_desk.domain.pathway import Stage
    from attendance_desk.services.calls import log_call
    from attendance_desk.services.cases import change_stage
    from tests.casework_school import DAY, build_school

    ids = build_school(db)
    ava = ids["ava"]
    log_call(
        db,
        ava,
        DAY,
        "spoke",
        "Sarah Brown",
        "07700 900001",
        "Temperature",
        "I",
        True,
        recorded_by="Mrs Patel",
    )
    change_stage(db, ava, Stage.MONITOR, DAY, "Mr Head", "Two days with no reason")

    rows = audit_rows(db, pupil_id=ava)
    by_entity = {(r.entity, r.action) for r in rows}
    assert ("case_event", "insert") in by_entity
    assert ("case", "update") in by_entity
    call = next(r for r in rows if r.entity == "case_event")
    assert call.who == "Mrs Patel"
    assert json.loads(call.new_json or "{}")["kind"] == "phone_call"
    stage = next(r for r in rows if r.entity == "case" and r.field == "stage")
    assert json.loads(stage.new_json or "{}")["stage"] == Stage.MONITOR.value
    recoded = [r for r in rows if r.entity == "mark"]
    assert recoded and all(json.loads(r.new_json or "{}")["code"] == "I" for r in recoded)
