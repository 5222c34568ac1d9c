"""Log a call from the first-day list and see it on the pupil's timeline; the timeline widget's
filter, and the caseload view."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from casework_school import DAY, build_school
from PySide6.QtCore import Qt

from attendance_desk.domain.events import EventKind, Note
from attendance_desk.domain.pathway import Stage
from attendance_desk.services.cases import change_stage
from attendance_desk.services.timeline import add_event
from attendance_desk.ui import workers
from attendance_desk.ui.signals import SignalHub
from attendance_desk.ui.widgets.call_list import FirstDayCallsWidget
from attendance_desk.ui.widgets.case_timeline import CaseTimelineWidget
from attendance_desk.ui.widgets.caseload import CaseloadWidget


@pytest.fixture
def school(db) -> dict[str, int]:  # noqa: ANN001
    return build_school(db)


def wait_loaded(qtbot, widget: CaseTimelineWidget) -> None:  # noqa: ANN001
    """Wait for the timeline's worker to answer (it reads off the GUI thread)."""
    qtbot.waitUntil(lambda: not widget.loading, timeout=10000)


def test_timeline_loads_on_a_worker_and_shows_a_new_event(qtbot, db, school, monkeypatch) -> None:  # noqa: ANN001, E501
    """The case and timeline are read off the GUI thread; after `case_changed` the newly
    logged event appears, and an older, slower answer never overwrites a newer one."""
    from attendance_desk.ui.widgets import case_timeline

    ava = school["ava"]
    add_event(db, [ava], Note("First note"), date(2024, 9, 25), "Ms Ellis")
    threads: list[threading.Thread] = []
    hold = threading.Event()  # set: the next read is held back after reading
    release = threading.Event()
    slow_read = threading.Event()  # the held-back read has read
    real_load = case_timeline.load_timeline

    def spying_load(db_, pupil_id):  # noqa: ANN001, ANN202
        threads.append(threading.current_thread())
        slow = hold.is_set()
        hold.clear()
        data = real_load(db_, pupil_id)
        if slow:
            slow_read.set()
            release.wait(10)  # answers late, with what it read before the newer event
        return data

    monkeypatch.setattr(case_timeline, "load_timeline", spying_load)
    hub = SignalHub()
    widget = CaseTimelineWidget(db, hub)
    qtbot.addWidget(widget)
    try:
        widget.set_pupil(ava)
        assert widget.loading and widget.list.count() == 0  # asked for; the GUI did not wait
        with qtbot.waitSignal(widget.loaded, timeout=10000):
            pass
        assert threads and threading.main_thread() not in threads
        assert widget.list.count() == 1 and "First note" in widget.list.item(0).text()

        # A note logged elsewhere, then the hub says Ava's case changed: it appears.
        add_event(db, [ava], Note("Rang mum, in tomorrow"), date(2024, 10, 2), "Ms Ellis")
        with qtbot.waitSignal(widget.loaded, timeout=10000):
            hub.case_changed.emit(ava)
        assert widget.list.count() == 2
        assert "Rang mum, in tomorrow" in widget.list.item(0).text()

        # A slow read (two events), then a third event and a fresh read (three): the slow
        # answer arrives last and is dropped.
        hold.set()
        widget.reload()
        qtbot.waitUntil(slow_read.is_set, timeout=10000)  # it read two events, and waits
        add_event(db, [ava], Note("Home visit booked"), date(2024, 10, 3), "Ms Ellis")
        with qtbot.waitSignal(widget.loaded, timeout=10000):
            hub.case_changed.emit(ava)
        assert widget.list.count() == 3
        release.set()
        workers.wait_all()
        qtbot.wait(100)  # the late answer reaches the GUI thread, and is ignored
        assert widget.list.count() == 3 and "Home visit booked" in widget.list.item(0).text()
        assert not widget.loading
    finally:
        release.set()
        workers.wait_all()


def test_log_a_call_from_the_list_and_see_it_on_the_timeline(qtbot, db, school) -> None:  # noqa: ANN001
    hub = SignalHub()
    calls = FirstDayCallsWidget(db, hub)
    timeline = CaseTimelineWidget(db, hub)
    qtbot.addWidget(calls)
    qtbot.addWidget(timeline)
    calls.set_date(DAY)
    qtbot.waitUntil(lambda: not calls.loading and calls.model.rowCount() == 3, timeout=10000)
    timeline.set_pupil(school["ava"])
    wait_loaded(qtbot, timeline)
    assert timeline.list.count() == 0

    # Ava is first (not reached for two days): her mother's mobile is offered first.
    assert calls.selected().pupil_id == school["ava"]
    assert calls.model.index(0, 0).data() == "\u26a0"
    assert "07700 900001" in calls.number_combo.currentText()
    qtbot.keyClicks(calls.reason_edit, "Sickness bug overnight")
    calls.code_combo.setCurrentText("I")
    qtbot.keyClick(calls.reason_edit, Qt.Key.Key_Return)

    assert calls.last_logged is not None and len(calls.last_logged.recoded) == 2
    assert "re-coded" in calls.message.text()
    qtbot.waitUntil(lambda: not calls.loading and calls.model.rowCount() == 2, timeout=10000)
    qtbot.waitUntil(lambda: timeline.list.count() == 1, timeout=10000)
    text = timeline.list.item(0).text()
    assert "Phone call" in text and "Sickness bug overnight" in text and "(code I)" in text
    workers.wait_all()


def test_timeline_newest_first_with_a_filter(qtbot, db, school) -> None:  # noqa: ANN001
    ava = school["ava"]
    change_stage(db, ava, Stage.MONITOR, date(2024, 9, 20), "Ms Ellis", "Below 96%")
    add_event(db, [ava], Note("Older note"), date(2024, 9, 25), "Ms Ellis")
    add_event(db, [ava], Note("Newer note"), date(2024, 10, 2), "Ms Ellis")
    hub = SignalHub()
    widget = CaseTimelineWidget(db, hub)
    qtbot.addWidget(widget)
    widget.set_pupil(ava)
    wait_loaded(qtbot, widget)
    assert widget.stage_label.text() == "Monitor since Fri 20 Sep 2024"
    texts = [widget.list.item(i).text() for i in range(widget.list.count())]
    assert "Newer note" in texts[0] and "Older note" in texts[1] and "Stage" in texts[2]
    widget.filter_combo.setCurrentIndex(widget.filter_combo.findData(EventKind.NOTE.value))
    assert widget.list.count() == 2
    assert set(widget.add_actions) == set(EventKind)


def test_add_a_meeting_through_the_dialog(qtbot, db, school) -> None:  # noqa: ANN001
    hub = SignalHub()
    widget = CaseTimelineWidget(db, hub)
    qtbot.addWidget(widget)
    widget.set_pupil(school["ben"])
    wait_loaded(qtbot, widget)
    dialog = widget.add_event(EventKind.MEETING)
    dialog.form.editors["place"].setText("Family room")
    dialog.form.editors["attended"].setCurrentIndex(2)  # No
    dialog.save()
    assert dialog.error.text() == ""
    qtbot.waitUntil(lambda: widget.list.count() == 1, timeout=10000)
    assert "did not attend" in widget.list.item(0).text()


def test_stage_dialog_enforce_gate_message(qtbot, db, school) -> None:  # noqa: ANN001
    change_stage(db, school["dan"], Stage.MONITOR, date(2024, 9, 20), "Ms Ellis", "Below 96%")
    hub = SignalHub()
    widget = CaseTimelineWidget(db, hub)
    qtbot.addWidget(widget)
    widget.set_pupil(school["dan"])
    wait_loaded(qtbot, widget)
    dialog = widget.change_stage()
    dialog.stage_combo.setCurrentIndex(dialog.stage_combo.findData(Stage.ENFORCE))
    dialog.by_edit.setText("Head")
    dialog.reason_edit.setPlainText("Holiday in term time")
    dialog.save()
    assert "support" in dialog.error.text()
    dialog.not_appropriate_edit.setText("n/a")
    dialog.tick("Home visit")
    dialog.save()
    assert "not a reason a panel can read" in dialog.error.text()
    dialog.not_appropriate_edit.setText(
        "Term-time holiday booked; the family told us of no barriers"
    )
    dialog.save()
    qtbot.waitUntil(lambda: widget.stage_label.text().startswith("Enforce"), timeout=10000)
    workers.wait_all()


def test_caseload_shows_overdue_today_and_this_week(qtbot, db, school) -> None:  # noqa: ANN001
    add_event(db, [school["ava"]], Note("x"), DAY)
    from attendance_desk.domain.events import Meeting

    add_event(db, [school["ava"]], Meeting("fam", attended=False), date(2024, 10, 4))  # due 9 Oct
    hub = SignalHub()
    widget = CaseloadWidget(db, hub)
    qtbot.addWidget(widget)
    widget.set_today(DAY)
    qtbot.waitUntil(
        lambda: not widget.loading and widget.current is not None and widget.current.today == DAY,
        timeout=10000,
    )
    assert widget.tree.topLevelItem(1).text(0) == "Due today (1)"
    item = widget.tree.topLevelItem(1).child(0)
    assert "Rearrange" in item.text(0)
    item.setCheckState(0, Qt.CheckState.Checked)
    widget.reload()
    qtbot.waitUntil(lambda: not widget.loading, timeout=10000)
    assert widget.tree.topLevelItem(1).text(0) == "Due today (0)"
    workers.wait_all()
