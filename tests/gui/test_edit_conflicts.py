"""The window tells the second editor: a stage move or a call edited on another PC while the
dialog was open is named in the dialog, which shows the record as it is now (nothing of the
other PC's is overwritten), and the window reloads."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from casework_school import DAY, build_school

from attendance_desk.domain.events import EventKind, PhoneCall
from attendance_desk.domain.pathway import Stage
from attendance_desk.services.cases import change_stage, get_case, open_case
from attendance_desk.services.timeline import add_event, edit_event, timeline
from attendance_desk.storage.db import Database
from attendance_desk.ui.dialogs.case_dialogs import EventDialog, StageChangeDialog


@pytest.fixture
def other_pc(db: Database, db_path: Path) -> Iterator[Database]:
    other = Database(db_path)
    yield other
    other.close()


def test_a_stage_move_made_elsewhere_is_shown_and_not_overwritten(qtbot, db, other_pc) -> None:  # noqa: ANN001
    ava = build_school(db)["ava"]
    open_case(db, ava, date(2024, 9, 20), "Ms Ellis", "Below 96%")
    dialog = StageChangeDialog(db, ava, "Ms Ellis")
    qtbot.addWidget(dialog)
    assert "Monitor" in dialog.current_label.text()
    change_stage(other_pc, ava, Stage.FORMALISE, DAY, "Mr Patel", "Contract broken")

    dialog.stage_combo.setCurrentIndex(dialog.stage_combo.findData(Stage.LISTEN_AND_UNDERSTAND))
    dialog.date_edit.setDate(DAY)
    dialog.reason_edit.setPlainText("Phone call made")
    with qtbot.waitSignal(dialog.changed_elsewhere, timeout=5000):
        dialog.save()
    assert "Mr Patel changed this case" in dialog.error.text()
    assert "moved it to Formalise" in dialog.error.text()
    assert "Formalise" in dialog.current_label.text()  # the dialog shows the case as it is now
    case = get_case(db, ava)
    assert case is not None and case.stage is Stage.FORMALISE  # theirs kept

    dialog.save()  # the same move asked again, on what is there now: saved
    assert dialog.error.text() == ""
    case = get_case(other_pc, ava)
    assert case is not None and case.stage is Stage.LISTEN_AND_UNDERSTAND


def test_a_call_edited_elsewhere_is_shown_again_in_the_edit_dialog(qtbot, db, other_pc) -> None:  # noqa: ANN001
    ava = build_school(db)["ava"]
    call = add_event(db, [ava], PhoneCall("Mrs Brown", outcome="no_answer"), DAY, "Ms Ellis")
    assert call.event_id is not None
    dialog = EventDialog(db, EventKind.PHONE_CALL, [ava], "Ms Ellis", call)
    qtbot.addWidget(dialog)
    edit_event(
        other_pc,
        call.event_id,
        PhoneCall("Mrs Brown", outcome="spoke", reason_given="Ava has a cold"),
        DAY,
        "Mr Patel",
        "she rang back",
    )
    dialog.reason_edit.setText("no answer again")
    with qtbot.waitSignal(dialog.changed_elsewhere, timeout=5000):
        dialog.save()
    assert "Mr Patel changed this timeline entry" in dialog.error.text()
    assert dialog.form.values()["reason_given"] == "Ava has a cold"  # shown as it is now
    (entry,) = [e for e in timeline(db, ava) if e.event_id == call.event_id]
    assert entry.details == PhoneCall("Mrs Brown", outcome="spoke", reason_given="Ava has a cold")
