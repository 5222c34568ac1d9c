"""The composer, driven as a person would: a class's letters, previewed, saved and kept."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from letters_school import AS_OF, make_school  # noqa: E402
from PySide6.QtCore import QDate, Qt  # noqa: E402

from attendance_desk.domain.letters import FIELDS  # noqa: E402
from attendance_desk.services.letter_register import letters_for_pupil  # noqa: E402
from attendance_desk.storage.db import Database  # noqa: E402
from attendance_desk.ui.signals import SignalHub  # noqa: E402
from attendance_desk.ui.widgets.letter_composer import LetterComposerWidget  # noqa: E402


@pytest.fixture
def composer(qtbot, db: Database):  # noqa: ANN001, ANN201
    ids = make_school(db)
    hub = SignalHub()
    widget = LetterComposerWidget(db, hub)
    qtbot.addWidget(widget)
    widget.as_of_edit.setDate(QDate(AS_OF.year, AS_OF.month, AS_OF.day))
    return widget, hub, ids


def test_batch_for_one_class_lands_in_the_register_and_timelines(
    qtbot,
    composer,
    db: Database,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    widget, hub, ids = composer
    widget.template_combo.setCurrentIndex(widget.template_combo.findData("half_termly"))
    widget.set_mode("class", "4K")
    qtbot.mouseClick(widget.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: widget.composition is not None and not widget.busy, timeout=20000)
    assert widget.letter_list.count() == 3
    assert widget.document.pageCount() == 4  # cover sheet + three letters
    assert "3 letters for 3 pupils" in widget.status.text()

    # edit one letter's text, then save: the register keeps the edited words
    widget.letter_list.setCurrentRow(0)
    widget.edit_text.setPlainText("A personal word for this family.\n\n[figures]")
    qtbot.mouseClick(widget.apply_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not widget.busy, timeout=20000)
    assert widget.composition.letters[0].sections[0].body.startswith("A personal word")

    out = tmp_path / "4K.pdf"
    with qtbot.waitSignal(hub.letters_changed, timeout=20000):
        widget.save_pdf(out)
    assert out.read_bytes() == widget.pdf
    for upn in ("A100000000004", "A100000000005", "A100000000006"):
        kept = letters_for_pupil(db, ids[upn])
        assert len(kept) == 1 and kept[0].template_id == "half_termly"
    from attendance_desk.services import timeline

    for upn in ("A100000000004", "A100000000005", "A100000000006"):
        kinds = [entry.kind for entry in timeline.timeline(db, ids[upn])]
        assert "letter_sent" in kinds


def test_a_missing_meeting_date_is_shown_not_printed(qtbot, composer) -> None:  # noqa: ANN001
    widget, _hub, _ids = composer
    widget.template_combo.setCurrentIndex(widget.template_combo.findData("fam_invitation"))
    assert widget.extra_box.isVisibleTo(widget)
    widget.set_mode("upns", "A100000000003")
    qtbot.mouseClick(widget.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not widget.busy, timeout=20000)
    assert widget.composition is None
    assert "{meeting_date}" in widget.status.text()
    assert not widget.save_button.isEnabled()


def test_template_editor_is_a_form_beside_a_live_preview(qtbot, db: Database) -> None:  # noqa: ANN001
    from attendance_desk.domain.letters import split_parts
    from attendance_desk.services.letter_sources import class_teachers
    from attendance_desk.services.letters import get_template
    from attendance_desk.ui.widgets.template_editor import TemplateEditorWidget

    make_school(db)
    hub = SignalHub()
    editor = TemplateEditorWidget(db, hub)
    qtbot.addWidget(editor)
    editor.show()
    ids = [
        editor.template_list.item(i).data(Qt.ItemDataRole.UserRole)
        for i in range(editor.template_list.count())
    ]
    editor.template_list.setCurrentRow(ids.index("improvement"))
    # no markup and no front matter anywhere in the form
    shown = " ".join(
        [editor.title_edit.text(), editor.subject_edit.text(), editor.opening.toPlainText()]
    )
    for markup in ("---", "id:", "signed_by", "{", "}", "**", "[figures]"):
        assert markup not in shown, markup
    assert editor.title_edit.text() == "Improvement letter (well done)"
    assert editor.subject_edit.text() == "Well done, «pupil forename»!"
    assert "▦ Table of figures" in editor.opening.toPlainText()
    qtbot.waitUntil(lambda: editor.document.pageCount() == 1, timeout=20000)

    # change the title, add a merge field picked from the list, one Save
    editor.title_edit.setText("Our praise letter")
    cursor = editor.opening.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    editor.opening.setTextCursor(cursor)
    editor.opening.insertPlainText(" With best wishes from ")
    row = list(FIELDS).index("school_name")
    editor.fields.setCurrentRow(row)
    qtbot.mouseClick(editor.insert_button, Qt.MouseButton.LeftButton)
    editor.teachers.item(0, 1).setText("Mrs Bethany Smith")
    with qtbot.waitSignal(hub.letters_changed):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    saved = get_template(db, "improvement")
    assert saved.title == "Our praise letter" and saved.source == "edited"
    assert "With best wishes from {school_name}" in saved.body
    assert "**{half_term_pct}**" in saved.body and "[figures]" in saved.body  # kept as was
    assert class_teachers(db) == {"3B": "Mrs Bethany Smith"}  # the same Save
    assert "Our praise letter" in editor.template_list.currentItem().text()

    # a field that does not exist is named, nothing saved
    editor.subject_edit.setText("Hello «no such field»")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert "no_such_field" in editor.message.text()
    assert get_template(db, "improvement").subject == "Well done, {pupil_forename}!"
    qtbot.mouseClick(editor.reset_button, Qt.MouseButton.LeftButton)
    assert editor.template_list.currentItem().text() == "Improvement letter (well done)"

    # the half-termly letter: a tab of words per band, saved back unchanged in meaning
    editor.template_list.setCurrentRow(ids.index("half_termly"))
    assert editor.band_tabs.count() == 6
    before = split_parts(get_template(db, "half_termly").body)
    with qtbot.waitSignal(hub.letters_changed):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    after = split_parts(get_template(db, "half_termly").body)
    assert before is not None and after is not None

    def words(text: str) -> str:
        return " ".join(text.split())

    assert [(b, words(w)) for b, w in after.band_words] == [
        (b, words(w)) for b, w in before.band_words
    ]
    assert words(after.opening) == words(before.opening)
    assert words(after.closing) == words(before.closing)


def _preview(qtbot, widget) -> None:  # noqa: ANN001
    qtbot.mouseClick(widget.preview_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: widget.composition is not None and not widget.busy, timeout=30000)


def test_changing_the_choice_after_a_preview_saves_the_new_choice(
    qtbot,
    composer,
    db: Database,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    from letters_school import has_poppler, pdf_text

    widget, hub, ids = composer
    widget.template_combo.setCurrentIndex(widget.template_combo.findData("half_termly"))
    widget.set_mode("class", "3B")
    _preview(qtbot, widget)
    assert "Łucja Kowalska" in widget.letter_list.item(0).text()

    widget.set_mode("class", "4K")  # a new choice: the old pages are gone at once
    assert widget.composition is None and widget.pdf is None
    assert not widget.save_button.isEnabled() and widget.letter_list.count() == 0
    _preview(qtbot, widget)
    out = tmp_path / "letters.pdf"
    with qtbot.waitSignal(hub.letters_changed, timeout=30000):
        widget.save_pdf(out)
    if has_poppler():
        text = pdf_text(out)
        for name in ("Ólafur Jónsson", "Amara Okafor", "Featherstonehaugh-Montgomery"):
            assert name in text
        assert "Łucja Kowalska" not in text and "Class                        3B" not in text
    for upn in ("A100000000004", "A100000000005", "A100000000006"):
        assert len(letters_for_pupil(db, ids[upn])) == 1  # one register entry each
    for upn in ("A100000000001", "A100000000002", "A100000000003", "A100000000007"):
        assert letters_for_pupil(db, ids[upn]) == ()  # the class previewed first: nothing

    # Save again: the same batch is in the register, so the composer asks first
    asked = []
    widget.ask_duplicate = lambda match: asked.append(match) or "reprint"
    again = tmp_path / "again.pdf"
    widget.save_pdf(again)
    assert len(asked) == 1 and asked[0].identical
    assert again.read_bytes() == out.read_bytes()  # a reprint: the same bytes ...
    for upn in ("A100000000004", "A100000000005", "A100000000006"):
        assert len(letters_for_pupil(db, ids[upn])) == 1  # ... and not a new letter
    widget.ask_duplicate = lambda match: "cancel"
    widget.save_pdf(tmp_path / "cancelled.pdf")
    assert not (tmp_path / "cancelled.pdf").exists()


def test_whole_school_shows_each_kind_of_letter_and_the_post(qtbot, composer) -> None:  # noqa: ANN001
    widget, _hub, _ids = composer
    widget.template_combo.setCurrentIndex(widget.template_combo.findData("half_termly"))
    widget.set_mode("school", "")
    _preview(qtbot, widget)
    assert widget.letter_list.count() == 8
    assert "8 letters for 7 pupils, 1 to post" in widget.status.text()
    assert widget.letter_list.item(7).text().endswith("Mr Declan O'Brien (post)")


def test_a_batch_can_be_cancelled_and_nothing_is_kept(qtbot, composer, db: Database) -> None:  # noqa: ANN001
    widget, _hub, _ids = composer
    widget.set_mode("school", "")
    qtbot.mouseClick(widget.preview_button, Qt.MouseButton.LeftButton)
    assert widget.busy and widget.cancel_button.isVisible() is widget.isVisible()
    qtbot.mouseClick(widget.cancel_button, Qt.MouseButton.LeftButton)
    assert not widget.busy and widget.composition is None
    assert "Stopped" in widget.status.text()
    from attendance_desk.ui.workers import wait_all

    wait_all()
    qtbot.wait(50)
    assert widget.composition is None  # the stopped work's result never arrives
