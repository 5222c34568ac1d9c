"""A member of staff given two schools of a trust chooses in the window's toolbar the school they
work in: the pupil list shows that school's pupils only, or both schools' under "All my schools".
Needs a PostgreSQL server (ATTENDANCE_DESK_TEST_PG)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QComboBox, QLabel

from attendance_desk.storage.db import open_database
from attendance_desk.ui import window_actions, workers
from attendance_desk.ui.main_window import MainWindow
from attendance_desk.ui.window_actions import ALL_SCHOOLS
from tests.casework_school import DAY
from tests.conftest import postgres_database
from tests.trust_school import add_school, built_trust, staff_login


@pytest.fixture
def officer_of_two() -> Iterator[str]:
    """A trust (Oakfield, and Riverside: a copy, its UPNs starting T02) and the URL of a login
    role given both."""
    with postgres_database() as url:
        schools = built_trust(url)
        with staff_login(url, list(schools.values())) as officer:
            yield officer


def _upns(win: MainWindow) -> set[str]:
    return {str(row.upn) for row in win.pupil_list.model.rows}


def _named(win: MainWindow, url: str, school: str) -> None:
    """The status bar names the database as user@host:port/dbname and the school worked in:
    never the password, nor the URL's options (the school acted for); the title the school."""
    parts = urlsplit(url)
    label = win.findChild(QLabel, "databaseName")
    assert label is not None
    expected = f"{parts.username}@{parts.hostname}:{parts.port or 5432}{parts.path} \u2013 {school}"
    assert label.text() == expected
    shown = [w.text() for w in win.statusBar().findChildren(QLabel)] + [win.windowTitle()]
    assert not any(str(parts.password) in t or "options" in t or "://" in t for t in shown)
    title = "All schools" if school == "all schools" else school
    assert win.windowTitle().startswith(f"{title} \u2013 ")
    window_actions.fill_recent(win)  # File > Recent names it alike, and opens the address
    recent = [a.text() for a in win.recent_menu.actions()]
    assert recent[0] == expected, recent
    assert not any(str(parts.password) in t or "options" in t or "://" in t for t in recent)


def test_switching_school_changes_the_pupil_list(
    qtbot, officer_of_two: str, tmp_path: Path
) -> None:  # noqa: ANN001
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(open_database(officer_of_two), as_of=DAY, settings=settings)
    qtbot.addWidget(win)
    windows = [win]
    try:
        win.show()
        qtbot.waitUntil(lambda: len(win.pupil_list.model.rows) == 8, timeout=20000)
        combo = win.findChild(QComboBox, "schoolChooser")
        assert combo is not None and combo.currentText() == ALL_SCHOOLS
        _named(win, officer_of_two, "all schools")
        assert [combo.itemText(i) for i in range(combo.count())] == [
            ALL_SCHOOLS,
            "Oakfield Primary",
            "Riverside Primary",
        ]
        for name, riverside in (("Riverside Primary", True), ("Oakfield Primary", False)):
            old = windows[-1]
            chooser = old.findChild(QComboBox, "schoolChooser")
            chooser.setCurrentIndex(chooser.findText(name))
            chooser.activated.emit(chooser.currentIndex())
            new = old.replaced_by
            assert new is not None
            qtbot.addWidget(new)
            windows.append(new)
            qtbot.waitUntil(lambda n=new: len(n.pupil_list.model.rows) == 4, timeout=20000)
            upns = _upns(new)
            assert all(u.startswith("T02") for u in upns) == riverside, upns
            assert any(u.startswith("T02") for u in upns) == riverside, upns
            assert new.findChild(QComboBox, "schoolChooser").currentText() == name
            _named(new, officer_of_two, name)
        # and back to both schools
        last = windows[-1]
        chooser = last.findChild(QComboBox, "schoolChooser")
        chooser.setCurrentIndex(0)
        chooser.activated.emit(0)
        both = last.replaced_by
        assert both is not None
        qtbot.addWidget(both)
        windows.append(both)
        qtbot.waitUntil(lambda: len(both.pupil_list.model.rows) == 8, timeout=20000)
    finally:
        workers.wait_all()
        for w in windows:
            w.close()
            w.db.close()


def _writing(win: MainWindow) -> dict[str, bool]:
    """What the window offers that would change data: its actions, the call list's Log call,
    the letters page's Print, and the watched folder."""
    calls = win.pages["First-day calls"].ensure()
    letters = win.pages["Letters"].ensure()
    return {
        "import": win.act_import.isEnabled(),
        "settings": win.act_settings.isEnabled(),
        "password": win.act_password.isEnabled(),
        "retention": win.act_retention.isEnabled(),
        "log call": calls.log_button.isEnabled(),
        "print letters": not letters.all_schools,
        "watched folder": win.folder_watch is not None,
    }


def test_all_schools_is_for_looking_a_school_chosen_for_changing(
    qtbot, officer_of_two: str, tmp_path: Path
) -> None:  # noqa: ANN001
    """Working in all their schools the officer can look and compare, and the status bar says
    how to make changes; every action that would change data is off (the call list's Log call
    says why). Choosing Riverside in the toolbar opens the window again with them on."""
    settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(open_database(officer_of_two), as_of=DAY, settings=settings)
    qtbot.addWidget(win)
    windows = [win]
    try:
        win.show()
        qtbot.waitUntil(lambda: len(win.pupil_list.model.rows) == 8, timeout=20000)
        assert set(_writing(win).values()) == {False}
        note = win.findChild(QLabel, "allSchools")
        assert note is not None and note.isVisible()
        assert note.text() == (
            "<b>All schools</b>: look and compare; choose a school under School to make changes"
        )
        assert "(looking at all the trust's schools)" in win.act_import.toolTip()
        letters = win.pages["Letters"].ensure()
        hint = letters.findChild(QLabel, "previewHint")
        assert hint.text().startswith("You are looking at all the trust's schools: choose")
        calls = win.pages["First-day calls"].ensure()
        assert calls.log_selected() is None
        assert calls.message.text().endswith("(or --school on the command line) to log calls")

        chooser = win.findChild(QComboBox, "schoolChooser")
        chooser.setCurrentIndex(chooser.findText("Riverside Primary"))
        chooser.activated.emit(chooser.currentIndex())
        river = win.replaced_by
        assert river is not None
        qtbot.addWidget(river)
        windows.append(river)
        qtbot.waitUntil(lambda: len(river.pupil_list.model.rows) == 4, timeout=20000)
        assert set(_writing(river).values()) == {True}
        assert river.findChild(QLabel, "allSchools") is None
        hint = river.pages["Letters"].ensure().findChild(QLabel, "previewHint")
        assert hint.text().startswith("Choose a letter and the pupils")
    finally:
        workers.wait_all()
        for w in windows:
            w.close()
            w.db.close()


def test_a_superuser_working_in_one_school_is_shown_it_only_looks(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    """The server's superuser opens the trust's database acting for Riverside: it sees both
    schools' children (row-level security never keeps it to one), so the window is titled and
    named all schools, changes nothing, and the status bar and Log call say why."""
    from tests.trust_school import server_role_url

    with postgres_database() as url:
        superuser = server_role_url(url)
        import psycopg

        with psycopg.connect(superuser) as c:
            row = c.execute("SELECT rolsuper FROM pg_roles WHERE rolname = current_user")
            if not row.fetchone()[0]:
                pytest.skip("the test server's role is not a superuser")
        schools = built_trust(url)
        from attendance_desk.storage.trust import school_url

        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        db = open_database(school_url(superuser, schools["riverside"]))
        win = MainWindow(db, as_of=DAY, settings=settings)
        qtbot.addWidget(win)
        try:
            win.show()
            qtbot.waitUntil(lambda: len(win.pupil_list.model.rows) == 8, timeout=20000)
            assert win.windowTitle().startswith("All schools \u2013 ")
            label = win.findChild(QLabel, "databaseName")
            assert label is not None and label.text().endswith("\u2013 all schools")
            assert set(_writing(win).values()) == {False}
            note = win.findChild(QLabel, "allSchools")
            assert note is not None and note.isVisible()
            assert "a superuser makes no changes in a trust" in note.text()
            calls = win.pages["First-day calls"].ensure()
            assert calls.log_selected() is None
            assert "connect as the trust's owner role (not a superuser)" in calls.message.text()
        finally:
            workers.wait_all()
            win.close()
            db.close()


def test_a_school_that_joins_the_trust_is_offered_in_the_open_window(qtbot, tmp_path: Path) -> None:  # noqa: ANN001
    """The officer's window is open on Riverside when Hillside joins the trust and is given to
    them: the join's announcement (as a move into the trust sends it) puts Hillside in the
    School list within seconds, Riverside still chosen; no reopening."""
    import json

    from attendance_desk.storage.trust import CHANNEL, grant_schools, school_url

    with postgres_database() as url:
        schools = built_trust(url)
        with staff_login(url, list(schools.values())) as officer:
            settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
            db = open_database(school_url(officer, schools["riverside"]))
            win = MainWindow(db, as_of=DAY, settings=settings)
            qtbot.addWidget(win)
            try:
                win.show()
                assert win.live is not None
                chooser = win.findChild(QComboBox, "schoolChooser")
                names = [chooser.itemText(i) for i in range(chooser.count())]
                assert names == [ALL_SCHOOLS, "Oakfield Primary", "Riverside Primary"]
                qtbot.wait(1500)  # the window's listener has started
                owner = open_database(url)
                conn = owner.raw_connection(write=True)
                try:
                    with conn:  # one commit: the school, the grant, the announcement
                        hillside = add_school(conn, "Hillside Primary", "990555")
                        grant_schools(conn.execute, str(urlsplit(officer).username), [hillside])
                        note = {"table": "schools", "school": hillside, "who": "", "pid": 0}
                        conn.execute("SELECT pg_notify(?, ?)", (CHANNEL, json.dumps(note)))
                finally:
                    conn.close()
                    owner.close()

                def offered() -> bool:
                    return chooser.findText("Hillside Primary") >= 0

                qtbot.waitUntil(offered, timeout=15000)
                assert chooser.currentText() == "Riverside Primary"
                assert chooser.count() == 4
            finally:
                workers.wait_all()
                win.close()
                db.close()


def test_a_window_working_in_a_school_the_trust_removes_says_so_and_moves_on(
    qtbot,  # noqa: ANN001
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The trust's owner removes Riverside (on another PC) while a window works in it: the
    window hears of it, says which school went and opens again on the school still there, so
    nothing more is written for Riverside."""
    from PySide6.QtWidgets import QMessageBox

    from attendance_desk.services.school_removal import remove_from_trust_at
    from attendance_desk.storage.trust import school_url
    from tests.trust_school import trust_owner_database

    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "information", lambda _p, _t, text: told.append(text))
    with trust_owner_database() as url:
        schools = built_trust(url)
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        win = MainWindow(
            open_database(school_url(url, schools["riverside"])), as_of=DAY, settings=settings
        )
        qtbot.addWidget(win)
        windows = [win]
        try:
            win.show()
            qtbot.waitUntil(lambda: len(win.pupil_list.model.rows) == 4, timeout=20000)
            assert all(u.startswith("T02") for u in _upns(win))
            remove_from_trust_at(url, "Riverside", "Riverside Primary")
            qtbot.waitUntil(lambda: bool(told) and win.replaced_by is not None, timeout=20000)
            assert told[0].startswith('"Riverside Primary", the school this window worked in')
            new = win.replaced_by
            qtbot.addWidget(new)
            windows.append(new)
            qtbot.waitUntil(lambda: len(new.pupil_list.model.rows) == 4, timeout=20000)
            assert not any(u.startswith("T02") for u in _upns(new))
            assert new.windowTitle().startswith("Oakfield Primary")
        finally:
            workers.wait_all()
            for w in windows:
                w.close()
                w.db.close()
