"""What the integration added, driven as a person would: a read-only window, the retention
dialog, the evidence bundle and subject access buttons, the letters register on the pupil
page, and term dates in Settings."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt

from attendance_desk.demo import create_demo_database
from attendance_desk.errors import UserError
from attendance_desk.services import calendar as calendar_service
from attendance_desk.services import retention
from attendance_desk.services.letter_register import letters_for_pupil, print_letters
from attendance_desk.services.letter_sources import Selection
from attendance_desk.services.letters import ComposeOptions, compose
from attendance_desk.storage.db import Database, open_database
from attendance_desk.storage.models import Pupil
from attendance_desk.ui import data, workers
from attendance_desk.ui.dialogs.retention_dialog import RetentionDialog
from attendance_desk.ui.dialogs.settings_dialog import SettingsDialog
from attendance_desk.ui.main_window import MainWindow
from attendance_desk.ui.signals import SignalHub

AS_OF = date(2025, 3, 14)


@pytest.fixture(scope="module")
def demo_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("demo") / "demo.sqlite3"
    create_demo_database(path, seed=2024, as_of=AS_OF)
    return path


def make_window(qtbot, db: Database, tmp_path: Path, load: bool = True) -> MainWindow:  # noqa: ANN001
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(db, as_of=AS_OF, settings=settings, load=load)
    qtbot.addWidget(win)
    win.show()
    return win


def open_pupil(qtbot, win: MainWindow, pupil_id: int) -> None:  # noqa: ANN001
    win.open_pupil(pupil_id)
    page = win.pupil_page
    qtbot.waitUntil(
        lambda: page.data is not None and page.data.details.pupil_id == pupil_id, timeout=20000
    )


def test_read_only_window_turns_off_writing(qtbot, demo_path: Path, tmp_path: Path) -> None:  # noqa: ANN001
    db = open_database(demo_path, read_only=True)
    try:
        win = make_window(qtbot, db, tmp_path, load=False)
        assert "read-only" in win.windowTitle()
        assert win.read_only_label.isVisible()
        assert not win.act_import.isEnabled()
        assert not win.act_settings.isEnabled()
        assert not win.act_retention.isEnabled()
        win.show_page("First-day calls")
        calls = win.pages["First-day calls"].ensure()
        assert not calls.log_button.isEnabled()
        assert calls.log_selected() is None
        win.close()
        workers.wait_all()
    finally:
        db.close()


def test_retention_removes_only_after_confirmation(qtbot, db: Database) -> None:  # noqa: ANN001
    with db.session() as s:
        s.add(Pupil(legal_surname="Gone", legal_forename="Long", leaving_date=date(2012, 7, 20)))
        s.add(Pupil(legal_surname="Here", legal_forename="Still"))
    dialog = RetentionDialog(db)
    qtbot.addWidget(dialog)
    assert [leaver.name for leaver in dialog.leavers] == ["Gone, Long"]
    assert dialog.remove_button.isEnabled()
    # Untick the pupil as a person would (select the tick, press Space): nothing to remove.
    dialog.show()
    dialog.table.setFocus()
    dialog.table.setCurrentIndex(dialog.model.index(0, 0))
    qtbot.keyClick(dialog.table, Qt.Key.Key_Space)
    assert dialog.ticked() == [] and not dialog.remove_button.isEnabled()
    qtbot.keyClick(dialog.table, Qt.Key.Key_Space)
    assert dialog.ticked() == dialog.leavers and dialog.remove_button.isEnabled()
    asked: list[int] = []
    dialog.confirm = lambda leavers: asked.append(len(leavers)) or False  # type: ignore[method-assign]
    assert dialog.remove_ticked() is None
    assert asked == [1]
    assert len(retention.pupils_due_for_removal(db)) == 1  # declined: nothing removed
    dialog.confirm = lambda leavers: True  # type: ignore[method-assign]
    result = dialog.remove_ticked()
    assert result is not None and result.removed == 1
    assert retention.pupils_due_for_removal(db) == []
    with db.session() as s:
        assert [p.legal_surname for p in s.query(Pupil)] == ["Here"]
    assert dialog.model.rowCount() == 0


def test_leavers_model_passes_modeltester(qtmodeltester) -> None:  # noqa: ANN001
    from attendance_desk.services.retention import Leaver
    from attendance_desk.ui.dialogs.retention_dialog import LeaversModel

    model = LeaversModel()
    model.set_rows(
        [
            Leaver(1, "Gone, Long", "A123", "6", "6 Willow", date(2012, 7, 20)),
            Leaver(2, "Away, Far", None, None, None, date(2013, 7, 19)),
        ]
    )
    assert model.setData(model.index(1, 0), Qt.CheckState.Unchecked, Qt.ItemDataRole.CheckStateRole)
    assert [leaver.pupil_id for leaver in model.ticked()] == [1]
    assert model.index(0, 4).data() == "Fri 20 Jul 2012"
    qtmodeltester.check(model)


def test_evidence_bundle_and_subject_access(qtbot, demo_path: Path, tmp_path: Path) -> None:  # noqa: ANN001
    db = open_database(demo_path)
    try:
        win = make_window(qtbot, db, tmp_path, load=False)
        pupil_id = data.roll_rows(db, AS_OF)[5].pupil_id
        open_pupil(qtbot, win, pupil_id)
        page = win.pupil_page
        assert page.evidence_button.isEnabled()
        target = tmp_path / "bundle.pdf"
        page.save_evidence_bundle(target)
        qtbot.waitUntil(lambda: "saved to" in page.action_message.text(), timeout=30000)
        assert target.read_bytes()[:5] == b"%PDF-"
        folder = tmp_path / "sar"
        page.save_subject_access(folder)
        qtbot.waitUntil(lambda: "export saved" in page.action_message.text(), timeout=30000)
        assert sorted(p.suffix for p in folder.iterdir()) == [".pdf", ".xlsx"]
        workers.wait_all()
    finally:
        db.close()


def test_letters_tab_lists_a_printed_letter(qtbot, demo_path: Path, tmp_path: Path) -> None:  # noqa: ANN001
    db = open_database(demo_path)
    try:
        win = make_window(qtbot, db, tmp_path, load=False)
        row = data.roll_rows(db, AS_OF)[9]
        composition = compose(
            db,
            "improvement",
            Selection(pupil_ids=(row.pupil_id,)),
            AS_OF,
            ComposeOptions(letter_date=AS_OF),
        )
        print_letters(db, composition, printed_by="Test Officer")
        expected = letters_for_pupil(db, row.pupil_id)
        open_pupil(qtbot, win, row.pupil_id)
        panel = win.pupil_page.letters_panel
        assert panel.model.rowCount() == len(expected) >= 1
        assert panel.model.index(0, 1).data() == expected[0].template_title
        assert panel.reprint_button.isEnabled()
        target = tmp_path / "again.pdf"
        panel.reprint(target)
        qtbot.waitUntil(target.exists, timeout=30000)
        workers.wait_all()
        assert target.read_bytes()[:5] == b"%PDF-"
        # marked void: kept in the register, shown as void, left out of the evidence bundle
        from attendance_desk.services.evidence_bundle import evidence_bundle_data

        void = panel.void("sent to the wrong address")
        assert void is not None and void.void and void.voided_by
        assert panel.model.rowCount() == len(expected)
        assert "void: sent to the wrong address" in panel.model.index(0, 5).data()
        events = {e.event_id for e in evidence_bundle_data(db, row.pupil_id, AS_OF).chronology}
        assert expected[0].timeline_event_id not in events
        assert panel.void("again") is None and "already void" in panel.message.text()
    finally:
        db.close()


def test_term_dates_are_checked_and_saved(qtbot, db: Database) -> None:  # noqa: ANN001
    with pytest.raises(UserError, match="overlap"):
        calendar_service.check_half_terms(
            "2024/25",
            [
                ("Autumn 1", date(2024, 9, 4), date(2024, 10, 25)),
                ("Autumn 2", date(2024, 10, 20), date(2024, 12, 20)),
            ],
        )
    with pytest.raises(UserError, match="before it starts"):
        calendar_service.check_half_terms(
            "2024/25", [("Autumn 1", date(2024, 10, 25), date(2024, 9, 4))]
        )
    with pytest.raises(UserError, match="outside 2024/25"):
        calendar_service.check_half_terms(
            "2024/25", [("Summer 2", date(2025, 6, 2), date(2025, 9, 3))]
        )
    dialog = SettingsDialog(db, SignalHub(), as_of=AS_OF)
    qtbot.addWidget(dialog)
    tab = dialog.term_dates
    assert tab.year_combo.currentText() == "2024/25"
    tab._add_row(tab.half_terms, ["Autumn 1", "04/09/2024", "25/10/2024"])
    tab._add_row(tab.half_terms, ["Autumn 2", "04/11/2024", "20/12/2024"])
    tab._add_row(tab.closures, ["02/09/2024", "INSET day", "Training"])
    assert not tab.year_combo.isEnabled()  # one year's changes at a time
    assert tab.save()
    halves = [h for h in calendar_service.get_calendar(db).half_terms if h.year == "2024/25"]
    assert [(h.name, h.start, h.end) for h in halves] == [
        ("Autumn 1", date(2024, 9, 4), date(2024, 10, 25)),
        ("Autumn 2", date(2024, 11, 4), date(2024, 12, 20)),
    ]
    assert calendar_service.closures_in_year(db, "2024/25") == [
        (date(2024, 9, 2), "inset", "Training")
    ]
