"""The main window's menus, toolbar and the dialogs they open."""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QFileDialog,
    QLabel,
    QMenu,
    QMessageBox,
    QToolBar,
    QVBoxLayout,
    QWidget,
)

from attendance_desk import APP_NAME, __version__
from attendance_desk.domain.dates import day_text
from attendance_desk.services.database import (
    Database,
    database_label,
    database_shown,
    database_target,
    is_database_url,
)
from attendance_desk.ui import file_places, workers
from attendance_desk.ui.signals import SignalHub

if TYPE_CHECKING:
    from attendance_desk.services.backup import RestoreResult
    from attendance_desk.ui.main_window import MainWindow

MAX_RECENT = 8


class LazyPage(QWidget):
    """A page built the first time it is shown, so heavy pages (PDF letters) never slow the
    start. `widget` is None until then; `ensure()` builds it on demand. The date the
    figures are worked out to is kept and handed on when the page is built."""

    PASSED_ON = ("export_table", "export_tables", "printout")

    def __init__(self, factory: Callable[[QWidget], QWidget], parent: QWidget | None) -> None:
        super().__init__(parent)
        self.factory = factory
        self.widget: QWidget | None = None
        self.as_of: date | None = None
        self.box = QVBoxLayout(self)
        self.box.setContentsMargins(0, 0, 0, 0)

    def ensure(self) -> QWidget:
        if self.widget is None:
            self.widget = self.factory(self)
            self.box.addWidget(self.widget)
            if self.as_of is not None:
                self._pass_as_of(self.as_of)
        return self.widget

    def set_as_of(self, as_of: date) -> None:
        self.as_of = as_of
        if self.widget is not None:
            self._pass_as_of(as_of)

    def _pass_as_of(self, as_of: date) -> None:
        for name in ("set_as_of", "set_date", "set_today"):  # calls: a day; caseload: today
            if hasattr(self.widget, name):
                getattr(self.widget, name)(as_of)
                return

    def reload(self) -> None:
        if self.widget is not None and hasattr(self.widget, "reload"):
            self.widget.reload()

    def showEvent(self, event: Any) -> None:  # noqa: N802
        self.ensure()
        super().showEvent(event)

    def __getattr__(self, name: str) -> Any:
        if name in self.PASSED_ON and self.widget is not None and hasattr(self.widget, name):
            return getattr(self.widget, name)
        raise AttributeError(name)


def calls_page(db: Database, hub: SignalHub, parent: QWidget) -> QWidget:
    from attendance_desk.ui.widgets.call_list import FirstDayCallsWidget

    return FirstDayCallsWidget(db, hub, parent)


def trust_page(db: Database, hub: SignalHub, parent: QWidget) -> QWidget:
    from attendance_desk.ui.widgets.trust_dashboard import TrustDashboardWidget

    return TrustDashboardWidget(db, hub, parent)


def caseload_page(db: Database, hub: SignalHub, parent: QWidget) -> QWidget:
    from attendance_desk.ui.widgets.caseload import CaseloadWidget

    return CaseloadWidget(db, hub, parent)


def letters_page(db: Database, hub: SignalHub, parent: QWidget) -> QWidget:
    from attendance_desk.ui.widgets.letter_composer import LetterComposerWidget

    return LetterComposerWidget(db, hub, parent)


def mis_changes_page(db: Database, hub: SignalHub, parent: QWidget) -> QWidget:
    from attendance_desk.ui.widgets.mis_changes import MisChangesWidget

    return MisChangesWidget(db, hub, parent)


def show_error(parent: QWidget, message: str, detail: str = "") -> None:
    box = QMessageBox(QMessageBox.Icon.Warning, APP_NAME, message, parent=parent)
    if detail:
        box.setDetailedText(detail)
    box.open()


def _action(
    window: MainWindow, text: str, slot: Any, shortcut: Any = None, tip: str = ""
) -> QAction:
    action = QAction(text, window)
    if shortcut is not None:
        action.setShortcut(QKeySequence(shortcut))
    if tip:
        action.setStatusTip(tip)
        action.setToolTip(tip)
    action.triggered.connect(lambda _checked=False: slot())
    return action


def build_menus(w: MainWindow) -> None:
    bar = w.menuBar()
    w.act_import = _action(
        w,
        "&Import\u2026",
        lambda: open_import(w, pick=True),
        "Ctrl+I",
        "Import registers, pupil details or term dates",
    )
    w.act_export = _action(
        w,
        "&Export list to Excel\u2026",
        lambda: export_current(w),
        "Ctrl+E",
        "Export the list on screen, as filtered",
    )
    w.act_print = _action(
        w,
        "&Print\u2026",
        lambda: print_current(w),
        QKeySequence.StandardKey.Print,
        "Print the page on screen",
    )
    w.act_preview = _action(
        w,
        "Print pre&view\u2026",
        lambda: preview_current(w),
        "Ctrl+Shift+P",
        "See the page on screen as it will print",
    )
    w.act_refresh = _action(
        w, "&Refresh", w.refresh, QKeySequence.StandardKey.Refresh, "Work out the figures again"
    )
    w.act_refresh.setShortcuts([QKeySequence("F5")])
    w.act_find = _action(
        w,
        "&Find pupil",
        lambda: find_pupil(w),
        QKeySequence.StandardKey.Find,
        "Search pupils by name or UPN",
    )
    w.act_settings = _action(
        w,
        "&Settings\u2026",
        lambda: open_settings(w),
        QKeySequence.StandardKey.Preferences,
        "School details, policy, term dates, templates",
    )
    w.act_open = _action(
        w, "&Open database\u2026", lambda: choose_database(w), QKeySequence.StandardKey.Open
    )
    w.act_open_server = _action(
        w,
        "Open a database on a &server\u2026",
        lambda: choose_server_database(w),
        tip="The school's database on a PostgreSQL server, shared by several PCs",
    )
    w.act_backup = _action(w, "&Backup and restore\u2026", lambda: open_backups(w))
    w.act_move = _action(
        w,
        "&Move to another database\u2026",
        lambda: open_move(w),
        tip="Copy the school, every record, to a PostgreSQL server or a new file",
    )
    w.act_audit = _action(w, "&Audit log\u2026", lambda: open_audit(w))
    w.act_password = _action(w, "Pass&word and lock\u2026", lambda: open_access(w))
    w.act_retention = _action(
        w,
        "Pupils past &retention\u2026",
        lambda: open_retention(w),
        tip="Pupils who left more than six years ago, to remove",
    )
    w.act_meetings = _action(
        w,
        "Meeting &papers\u2026",
        lambda: open_meetings(w),
        "Ctrl+M",
        "Weekly reports, meeting agendas, agreed actions, the TSM list, the governors' report",
    )
    meeting_items = [
        ("Class teacher's &weekly report\u2026", "weekly_report"),
        ("Meeting &agenda and agreed actions\u2026", "meeting:"),
        ("&Targeted Support Meeting list\u2026", "tsm_list"),
        ("&Governors' report\u2026", "governors_report"),
    ]
    w.act_cme = _action(
        w,
        "Children &missing education\u2026",
        lambda: open_cme(w),
        tip="10 school days of unauthorised absence with the family not reached: refer to the LA",
    )
    w.act_about = _action(w, "&About " + APP_NAME, lambda: about(w))
    w.act_quit = _action(w, "&Quit", w.close, QKeySequence.StandardKey.Quit)

    file_menu = bar.addMenu("&File")
    file_menu.addAction(w.act_open)
    file_menu.addAction(w.act_open_server)
    w.recent_menu = QMenu("Recent &databases", w)
    w.recent_menu.aboutToShow.connect(lambda: fill_recent(w))
    file_menu.addMenu(w.recent_menu)
    file_menu.addSeparator()
    file_menu.addAction(w.act_import)
    file_menu.addAction(w.act_export)
    file_menu.addAction(w.act_print)
    file_menu.addAction(w.act_preview)
    file_menu.addSeparator()
    file_menu.addAction(w.act_backup)
    file_menu.addAction(w.act_move)
    file_menu.addAction(w.act_settings)
    file_menu.addSeparator()
    file_menu.addAction(w.act_quit)

    view_menu = bar.addMenu("&View")
    view_menu.addAction(w.act_find)
    view_menu.addAction(w.act_refresh)
    view_menu.addSeparator()
    for i, title in enumerate(w.page_names()):
        act = _action(
            w,
            "Pupil page" if title == "Pupil" else title,
            lambda t=title: w.show_page(t),
            f"Ctrl+{i + 1}",
        )
        view_menu.addAction(act)

    meetings = bar.addMenu("&Meetings")
    meetings.addAction(w.act_meetings)
    meetings.addSeparator()
    for text, paper in meeting_items:
        meetings.addAction(_action(w, text, lambda p=paper: open_meetings(w, p)))

    tools = bar.addMenu("&Tools")
    tools.addAction(w.act_audit)
    tools.addAction(w.act_password)
    tools.addAction(w.act_retention)
    tools.addAction(w.act_cme)
    help_menu = bar.addMenu("&Help")
    w.act_help = _action(
        w, "&Guide", lambda: open_help(w), QKeySequence.StandardKey.HelpContents,
        "The three daily jobs, the pathway, the keys and the codes",
    )  # fmt: skip
    w.act_help.setShortcuts([QKeySequence("F1")])
    help_menu.addAction(w.act_help)
    help_menu.addAction(w.act_about)

    toolbar = QToolBar("Main", w)
    toolbar.setObjectName("mainToolbar")
    toolbar.setMovable(False)
    toolbar.setIconSize(QSize(18, 18))
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
    for act in (w.act_import, w.act_export, w.act_print, w.act_refresh, w.act_settings):
        toolbar.addAction(act)
    toolbar.addSeparator()
    toolbar.addWidget(QLabel("  Figures as of  "))
    toolbar.addWidget(w.as_of_edit)
    w.main_toolbar = toolbar
    add_school_chooser(w, toolbar)
    w.addToolBar(toolbar)
    remember_database(w, w.db.label)


ALL_SCHOOLS = "All my schools"


def add_school_chooser(w: MainWindow, toolbar: QToolBar) -> None:
    """A member of staff given several schools of a trust (PostgreSQL) chooses the school they
    work in: the window opens again acting for it (its pupils, casework and letters only; what
    they add is that school's), or for all their schools at once. Nothing where there is no
    choice (a SQLite file, one school)."""
    from PySide6.QtWidgets import QComboBox

    from attendance_desk.services.trust import school_choice

    choice = school_choice(w.db)
    w.school_chooser = None
    if choice is None:
        return
    combo = QComboBox(w)
    combo.setObjectName("schoolChooser")
    combo.setAccessibleName("School worked in")
    combo.setToolTip("The school you work in: its pupils, casework and letters")
    _offer_schools(combo, choice)
    acting = choice.acting

    def chosen(index: int) -> None:
        school_id = combo.itemData(index)
        if school_id != acting:
            work_in_school(w, school_id)

    combo.activated.connect(chosen)
    toolbar.addSeparator()
    toolbar.addWidget(QLabel("  School  "))
    toolbar.addWidget(combo)
    w.school_chooser = combo


def refresh_school_chooser(w: MainWindow) -> None:
    """A school joined (or left) the trust while the window is open: the School list offers
    the schools as they are now, the one worked in still chosen; a window that had no choice
    (one school) gets the list."""
    from attendance_desk.services.trust import school_choice

    combo = w.school_chooser
    if combo is None:
        add_school_chooser(w, w.main_toolbar)
        return
    choice = school_choice(w.db)
    if choice is None:
        return
    combo.blockSignals(True)
    try:
        _offer_schools(combo, choice)
    finally:
        combo.blockSignals(False)


def _offer_schools(combo: Any, choice: Any) -> None:
    """The School list: all of them, then each school; the one acted for chosen."""
    combo.clear()
    combo.addItem(ALL_SCHOOLS, None)
    for school in choice.schools:
        combo.addItem(school.name or f"School {school.school_id}", school.school_id)
    combo.setCurrentIndex(max(0, combo.findData(choice.acting)) if choice.acting else 0)


def leave_removed_school(w: MainWindow) -> bool:
    """The school this window works in was removed from the trust's database (by the trust's
    owner, on another PC): say so, and open the window again on the trust's schools, so
    nothing more is written for a school no longer there. False when it is still there."""
    from attendance_desk.services.trust import removed_school_worked_in

    removed = removed_school_worked_in(w.db)
    if removed is None:
        return False
    QMessageBox.information(
        w,
        "School removed from the trust",
        f'"{removed.name or f"School {removed.school_id}"}", the school this window worked in, '
        "has been removed from the trust's database by its owner: it has left the trust. The "
        "window now shows the schools still there.",
    )
    work_in_school(w, None)
    return True


def work_in_school(w: MainWindow, school_id: int | None) -> None:
    """Open the window again on the same database, acting for `school_id` (None: all)."""
    from attendance_desk.services.trust import school_target

    w.switch_database(school_target(w.db, school_id))


# -- dialogs -------------------------------------------------------------------------------


def open_backups(w: MainWindow) -> None:
    from attendance_desk.ui.dialogs.backup_dialog import BackupDialog

    dialog = BackupDialog(w.db, w)
    restored: list[RestoreResult] = []
    dialog.restored.connect(restored.append)
    dialog.exec()
    if restored:  # checked afresh: writing on again where only damage had stopped it
        from attendance_desk.services.backup import daily_backup_if_due
        from attendance_desk.ui.integrity_watch import watch_integrity
        from attendance_desk.ui.write_access import apply_write_access

        apply_write_access(w)
        watch_integrity(w, w.db, daily_backup_if_due)
    w.refresh()
    if restored:
        result = restored[-1]
        taken = result.restored_from.taken_at
        kept = result.previous_kept_as
        w.statusBar().showMessage(
            f"Restored the backup taken {day_text(taken)} at {taken:%H:%M}"
            + (f"; the data as it was is kept as {kept.name}" if kept is not None else ""),
            30000,
        )


def open_move(w: MainWindow) -> None:
    from attendance_desk.ui.dialogs.move_dialog import MoveDialog

    w.move_dialog = MoveDialog(w.db, w)
    w.move_dialog.open()


def open_meetings(w: MainWindow, paper: str | None = None) -> Any:
    from attendance_desk.ui.dialogs.meetings_dialog import MeetingPapersDialog

    w.meetings_dialog = MeetingPapersDialog(w.db, w, on=w.as_of, paper_id=paper)
    w.meetings_dialog.open()
    return w.meetings_dialog


def open_help(w: MainWindow) -> None:
    from attendance_desk.ui.dialogs.help_dialog import HelpDialog

    w.help_dialog = HelpDialog(w)
    w.help_dialog.show()


def open_audit(w: MainWindow) -> None:
    from attendance_desk.ui.dialogs.audit_dialog import AuditDialog

    AuditDialog(w.db, w).exec()


def open_access(w: MainWindow) -> None:
    from attendance_desk.ui.dialogs.password_dialog import AccessSettingsDialog

    AccessSettingsDialog(w.db, w).exec()


def open_retention(w: MainWindow) -> None:
    from attendance_desk.ui.dialogs.retention_dialog import RetentionDialog

    dialog = RetentionDialog(w.db, w)
    dialog.exec()
    if dialog.removed:
        w.hub.marks_imported.emit()  # pupils went: every view reloads


def open_cme(w: MainWindow) -> None:
    from attendance_desk.ui.dialogs.cme_dialog import CmeDialog

    CmeDialog(w.db, w.as_of, w).exec()
    w.hub.marks_imported.emit()  # a referral is on a timeline: every view reloads


def open_import(w: MainWindow, files: Sequence[Path] | None = None, pick: bool = False) -> None:
    """The import window: with `pick` (Ctrl+I) it asks for the files at once; dropped files go
    straight to their preview. After an import the window shows the day's calls."""
    from attendance_desk.ui.dialogs.import_dialog import ImportDialog

    if w.db.read_only:
        show_error(w, "This database is open read-only, so nothing can be imported.")
        return
    if w.db.for_all_schools():  # a file dropped on the window: its school is not known
        show_error(w, w.db.changes_refusal("import registers") + ".")
        return
    dialog = ImportDialog(w.db, w, files=[Path(f) for f in files] if files else None, pick=pick)
    w.import_dialog = dialog
    dialog.imported.connect(lambda result: imported(w, result))
    dialog.exec()
    w.import_dialog = None
    result = dialog.import_result
    if result is not None and not result.nothing_changed:
        w.show_page("First-day calls")


def imported(w: MainWindow, result: Any) -> None:
    """Every view reloads (the window's date follows the register); what was done is said."""
    w.hub.marks_imported.emit()
    lines = result.headlines() if hasattr(result, "headlines") else []
    if lines:  # the whole summary is in the import window; the status bar has room for this
        w.statusBar().showMessage("Imported " + "; ".join(lines), 20000)


def all_schools_note(w: MainWindow) -> str:
    """What the status bar says while the window looks at all of a trust's schools: how to
    make changes (the School list in the toolbar; --school on the command line; a PostgreSQL
    superuser, whom row-level security never keeps to one school, changes nothing here)."""
    if w.db.unbound_in_trust():
        return "All schools: look and compare; a superuser makes no changes in a trust"
    if getattr(w, "school_chooser", None) is not None:
        return "All schools: look and compare; choose a school under School to make changes"
    return "All schools: look and compare; open one school (--school) to make changes"


def open_settings(w: MainWindow) -> None:
    from attendance_desk.ui.dialogs.settings_dialog import SettingsDialog

    dialog = SettingsDialog(w.db, w.hub, w, as_of=w.as_of)
    dialog.exec()
    if dialog.this_pc.open_now:  # a server's database chosen for this PC: open it now
        w.switch_database(dialog.this_pc.open_now)


def about(w: MainWindow) -> None:
    import html

    from attendance_desk.services.trust import database_name

    QMessageBox.about(
        w,
        f"About {APP_NAME}",
        f"<h3>{APP_NAME} {__version__}</h3>"
        "<p>The attendance officer's desk for an English primary school: registers, "
        "figures and bands under the school's own policy, first-day calls, cases and letters.</p>"
        + (
            f"<p>The school's database is on a PostgreSQL server:<br><code>"
            f"{html.escape(database_name(w.db))}</code></p>"
            if w.db.backend == "postgresql"
            else f"<p>Everything stays in one file on this computer:<br><code>{w.db.path}</code></p>"
        ),
    )


# -- export and print ------------------------------------------------------------------------


def export_tables_of(page: Any) -> list[Any]:
    if hasattr(page, "export_tables"):
        return list(page.export_tables())
    if hasattr(page, "export_table"):
        return [page.export_table()]
    return []


def export_current(w: MainWindow, path: Path | None = None) -> None:
    tables = export_tables_of(w.export_target())
    if not tables:
        tables = export_tables_of(w.pupil_list)
    if path is None:
        chosen = file_places.save_file(
            w,
            "Export to Excel",
            file_places.EXPORTS,
            f"{tables[0].title.lower().replace(' ', '-')}.xlsx",
            "Excel workbook (*.xlsx)",
        )
        if chosen is None:
            return
        path = chosen
    from attendance_desk.services.exporting import export_tables

    w.busy("Exporting\u2026")
    w.export_worker = workers.run_async(
        export_tables,
        path,
        tables,
        on_finished=lambda target: exported(w, target),
        on_error=w.show_error,
    )


def exported(w: MainWindow, target: Path) -> None:
    w.idle()
    w.statusBar().showMessage(f"Exported to {target}", 8000)


def find_pupil(w: MainWindow) -> None:
    w.show_page("Pupils")
    w.pupil_list.focus_search()


def printout_of(w: MainWindow) -> Any:
    """What Ctrl+P prints on the page on screen (ui.printing.Printout)."""
    from attendance_desk.ui import printing
    from attendance_desk.ui.format import uk_date

    page: Any = w.stack.currentWidget()
    if isinstance(page, LazyPage):
        page = page.ensure()
    if hasattr(page, "printout"):
        made = page.printout()
        if made is not None:
            return made
    title = w.current_page()
    tables = export_tables_of(page)
    if tables:
        return printing.tables_printout(title, f"Figures as of {uk_date(w.as_of)}", tables)
    return printing.widget_printout(title, page)


def print_current(w: MainWindow, printer: Any = None) -> None:
    """Ctrl+P: the system print dialog for the page on screen."""
    from attendance_desk.ui import printing

    printing.print_printout(w, printout_of(w), printer)


def preview_current(w: MainWindow) -> None:
    """Ctrl+Shift+P: a print preview of the page on screen, with a Print button."""
    from attendance_desk.ui import printing

    w.preview = printing.preview_dialog(w, printout_of(w))
    w.preview.exec()


# -- databases --------------------------------------------------------------------------------


def recent_databases(w: MainWindow) -> list[str]:
    value = w.settings.value("recent/databases") or []
    if isinstance(value, str):
        value = [value]
    return [str(v) for v in value]


def remember_database(w: MainWindow, path: Path | str) -> None:
    if isinstance(path, str):
        path = database_label(path)  # a server's address, never its password
    paths = [str(path)] + [p for p in recent_databases(w) if p != str(path)]
    w.settings.setValue("recent/databases", paths[:MAX_RECENT])
    shown = getattr(w, "database_label", None)
    if isinstance(path, str) and shown is not None and path == w.db.label:
        names = {p: n for p, n in _recent_names(w).items() if p in paths[:MAX_RECENT]}
        names[path] = shown.text()  # as the status bar names it: user@host:port/db - school
        w.settings.setValue("recent/names", json.dumps(names))


def _recent_names(w: MainWindow) -> dict[str, str]:
    """How File > Recent names each server's address (its options, such as the school acted
    for, are part of the address, not of the name)."""
    try:
        names = json.loads(str(w.settings.value("recent/names") or "{}"))
    except ValueError:
        return {}
    return {str(k): str(v) for k, v in names.items()} if isinstance(names, dict) else {}


def fill_recent(w: MainWindow) -> None:
    w.recent_menu.clear()
    names = _recent_names(w)
    for p in recent_databases(w):
        act = w.recent_menu.addAction(names.get(p) or database_shown(p))
        target = database_target(p)
        if isinstance(target, str):
            act.setEnabled(database_label(target) != w.db.label)
        else:
            act.setEnabled(target.exists() and target != w.db.path)
        act.triggered.connect(lambda _c=False, t=target: w.switch_database(t))
    if w.recent_menu.isEmpty():
        w.recent_menu.addAction("(none yet)").setEnabled(False)


def choose_server_database(w: MainWindow) -> None:
    """Ask for the address of a database on a PostgreSQL server and open it."""
    from attendance_desk.ui.dialogs.start_dialog import ask_server_address

    last = next((p for p in recent_databases(w) if is_database_url(p)), "postgresql://")
    address = ask_server_address(w, last)
    if address is not None:
        w.switch_database(address)


def choose_database(w: MainWindow) -> None:
    chosen, _ = QFileDialog.getOpenFileName(
        w,
        "Open a database",
        str(w.db.path.parent),
        "Attendance Desk database (*.sqlite3 *.db);;All files (*)",
    )
    if chosen:
        w.switch_database(Path(chosen))
