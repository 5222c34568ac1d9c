"""The first-day call list's log, by keyboard as the officer uses it: Enter logs a call once
something of it is entered, and an Enter too many on the next pupil's fresh form logs nothing
(it logged a "spoke to contact" call nobody made for that child)."""

from __future__ import annotations

import pytest
from casework_school import DAY, build_school
from PySide6.QtCore import Qt

from attendance_desk.storage.db import Database
from attendance_desk.ui import workers
from attendance_desk.ui.signals import SignalHub
from attendance_desk.ui.widgets.call_list import FirstDayCallsWidget


@pytest.fixture
def school(db: Database) -> dict[str, int]:
    return build_school(db)


def calls_logged(db: Database, pupil_id: int) -> list[str]:
    """The outcomes of the phone calls on the pupil's timeline."""
    conn = db.raw_connection()
    try:
        rows = conn.execute(
            "SELECT e.details_json FROM timeline_events e JOIN event_pupils p "
            "ON p.event_id = e.id WHERE e.kind = 'phone_call' AND p.pupil_id = ? ORDER BY e.id",
            (pupil_id,),
        ).fetchall()
    finally:
        conn.close()
    import json

    return [str(json.loads(r[0])["outcome"]) for r in rows]


def test_an_enter_too_many_logs_no_call_for_the_next_pupil(qtbot, db, school) -> None:  # noqa: ANN001
    calls = FirstDayCallsWidget(db, SignalHub())
    qtbot.addWidget(calls)
    calls.show()
    calls.set_date(DAY)
    qtbot.waitUntil(lambda: not calls.loading and calls.model.rowCount() == 3, timeout=10000)
    assert calls.selected().pupil_id == school["ava"]

    # Ava's call: reason, Tab, code, Enter
    qtbot.keyClicks(calls.reason_edit, "Sickness bug overnight")
    qtbot.keyClick(calls.reason_edit, Qt.Key.Key_Tab)
    code = calls.code_combo.lineEdit()
    qtbot.keyClicks(code, "I")
    qtbot.keyClick(code, Qt.Key.Key_Return)
    assert calls_logged(db, school["ava"]) == ["spoke"]
    # Ben (no marks to re-code) stays on the list; the call covered him, so Dan comes next
    qtbot.waitUntil(lambda: not calls.loading and calls.model.rowCount() == 2, timeout=10000)
    assert calls.selected().pupil_id == school["dan"]  # the form cleared
    assert calls.reason_edit.hasFocus() and calls.reason_edit.text() == ""

    # An Enter too many: nothing is logged for Dan, and the form says why
    qtbot.keyClick(calls.reason_edit, Qt.Key.Key_Return)
    assert calls_logged(db, school["dan"]) == []
    said = calls.message.text()
    assert "Nothing entered yet for Dan Smith" in said
    assert "Logged: " in said and "Sickness bug overnight" in said  # Ava's call still in sight

    # Dan's call, its outcome chosen by keyboard: Enter logs it
    qtbot.keyClick(calls.outcome_combo, Qt.Key.Key_Down)
    assert calls.outcome_combo.currentData() == "no_answer"
    qtbot.keyClick(calls.reason_edit, Qt.Key.Key_Return)
    assert calls_logged(db, school["dan"]) == ["no_answer"]
    qtbot.waitUntil(lambda: not calls.loading, timeout=10000)

    # Ben (before Dan on the list) comes up with a new form: an Enter too many logs nothing
    assert calls.selected() is not None and calls.selected().pupil_id == school["ben"]
    before = calls_logged(db, school["ben"])
    qtbot.keyClick(calls.reason_edit, Qt.Key.Key_Return)
    assert calls_logged(db, school["ben"]) == before

    # The Log call button logs the form as it stands: "spoke to contact", nothing said
    qtbot.mouseClick(calls.log_button, Qt.MouseButton.LeftButton)
    assert calls_logged(db, school["ben"]) == [*before, "spoke"]
    workers.wait_all()


def test_a_pupil_taken_off_the_list_elsewhere_does_not_pass_the_call_to_the_next(
    qtbot, db, school
) -> None:  # noqa: ANN001
    """The officer is typing Dan's call when Dan's call is logged on another PC (the list
    reloads without him, as live updates make it): the form is not moved on to another
    child, where Enter would log the reason for the wrong one; what was typed stays."""
    from attendance_desk.services.calls import log_call

    calls = FirstDayCallsWidget(db, SignalHub())
    qtbot.addWidget(calls)
    calls.show()
    calls.set_date(DAY)
    qtbot.waitUntil(lambda: not calls.loading and calls.model.rowCount() == 3, timeout=10000)
    dan = next(i for i, e in enumerate(calls.model.rows) if e.pupil_id == school["dan"])
    calls.table.selectRow(dan)
    qtbot.keyClicks(calls.reason_edit, "Hospital appointment")
    before = {p: calls_logged(db, school[p]) for p in ("ava", "ben")}

    # another PC logs Dan's call and re-codes his day; this window's list reloads
    log_call(db, school["dan"], DAY, "spoke", "Mr Smith", reason_given="Dentist", code="M",
             recode=True)  # fmt: skip
    calls.reload()
    qtbot.waitUntil(lambda: not calls.loading and calls.model.rowCount() == 2, timeout=10000)
    assert calls.selected() is None
    assert calls.reason_edit.text() == "Hospital appointment"
    assert "Dan Smith is off the list" in calls.message.text()

    qtbot.keyClick(calls.reason_edit, Qt.Key.Key_Return)  # nobody chosen: nothing logged
    assert {p: calls_logged(db, school[p]) for p in ("ava", "ben")} == before
    assert calls_logged(db, school["dan"]) == ["spoke"]  # the other PC's call only
    workers.wait_all()
