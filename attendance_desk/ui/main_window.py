"""The main window: a left navigation over the pages, menus, toolbar and status bar.

It assembles the widgets and wires them to the signal hub; the pages load their own data
through services on the worker pool, so the window never freezes.
"""

from __future__ import annotations

import html
from datetime import date
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import QDate, QSettings, QSize, Qt
from PySide6.QtGui import QAction, QCloseEvent, QDragEnterEvent, QDropEvent
from PySide6.QtWidgets import (
    QDateEdit,
    QDialog,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMenu,
    QProgressBar,
    QSplitter,
    QStackedWidget,
    QWidget,
)

from attendance_desk import APP_NAME
from attendance_desk.domain.staff import Role
from attendance_desk.errors import UserError
from attendance_desk.services.backup import daily_backup_if_due
from attendance_desk.services.database import Database, open_database
from attendance_desk.services.school import school_name
from attendance_desk.services.trust import database_name, is_trust
from attendance_desk.ui import data, folder_watch, workers
from attendance_desk.ui import window_actions as actions
from attendance_desk.ui.format import uk_date
from attendance_desk.ui.integrity_watch import watch_integrity
from attendance_desk.ui.live import start_live_updates
from attendance_desk.ui.screen_fit import resize_to_fit
from attendance_desk.ui.signals import SignalHub
from attendance_desk.ui.widgets.dashboard import Dashboard
from attendance_desk.ui.widgets.pupil_list import PupilListWidget
from attendance_desk.ui.write_access import apply_write_access
from attendance_desk.user import acting

if TYPE_CHECKING:  # built when a pupil is first opened: its services load SQLAlchemy
    from attendance_desk.ui.widgets.pupil_page import PupilPage

PUPILS, PUPIL, DASHBOARD = "Pupils", "Pupil", "Dashboard"
CALLS, CASELOAD, LETTERS = "First-day calls", "Caseload", "Letters"
MIS = "Changes for the MIS"
TRUST = "Trust"
DEFAULT_SIZE = QSize(1440, 900)


class MainWindow(QMainWindow):
    # The menu and toolbar actions, made by window_actions.build_menus during __init__.
    act_import: QAction
    act_export: QAction
    act_print: QAction
    act_preview: QAction
    act_refresh: QAction
    act_find: QAction
    act_settings: QAction
    act_open: QAction
    act_open_server: QAction
    act_backup: QAction
    act_move: QAction
    act_audit: QAction
    act_password: QAction
    act_retention: QAction
    act_meetings: QAction
    meetings_dialog: Any
    move_dialog: Any
    school_chooser: Any  # the toolbar's school of a trust to work in; None: no choice
    main_toolbar: Any  # the toolbar (the School list joins it when a second school does)
    act_cme: QAction
    act_about: QAction
    act_quit: QAction
    act_help: QAction
    recent_menu: QMenu

    def __init__(
        self,
        db: Database,
        hub: SignalHub | None = None,
        as_of: date | None = None,
        settings: QSettings | None = None,
        load: bool = True,
    ) -> None:
        super().__init__()
        self.db = db
        self.hub = hub or SignalHub(self)
        self.settings = settings or QSettings()
        self.as_of = as_of or data.default_as_of(db)
        # The date follows the register after each import until the officer picks one by hand.
        self.date_by_hand = False
        self._following = False
        self.import_dialog: QDialog | None = None  # the import window, while open
        self.help_dialog: QDialog | None = None  # the guide (F1)
        self._list_worker: workers.Worker | None = None
        self.export_worker: workers.Worker | None = None
        self.preview: QDialog | None = None  # the print preview, while open
        self.replaced_by: MainWindow | None = None  # the window opened on another database
        self.idle_lock: Any = None  # ui.idle_lock.IdleLock when a password and lock are set
        self.setObjectName("mainWindow")
        self.setAcceptDrops(True)
        # on a smaller screen than DEFAULT_SIZE (a 1366x768 laptop), the first start fills it
        self.cut_to_screen = resize_to_fit(self, DEFAULT_SIZE.width(), DEFAULT_SIZE.height())

        self.pupil_list = PupilListWidget(self)
        # The pupil page is built when a pupil is first opened (`pupil_page`): its services
        # (cases, letters, leave) load SQLAlchemy, which the first screen does without.
        self.pupil_slot = actions.LazyPage(self._make_pupil_page, self)
        self.dashboard = Dashboard(db, self.hub, self)
        self.pages: dict[str, QWidget] = {
            PUPILS: self.pupil_list,
            PUPIL: self.pupil_slot,
            DASHBOARD: self.dashboard,
        }
        # Built the first time they are shown: the letters page brings in QtPdf and ReportLab.
        for title, factory in (
            (CALLS, actions.calls_page),
            (CASELOAD, actions.caseload_page),
            (LETTERS, actions.letters_page),
            (MIS, actions.mis_changes_page),
            *([(TRUST, actions.trust_page)] if is_trust(db) else []),
        ):
            self.pages[title] = actions.LazyPage(partial(factory, db, self.hub), self)

        self.stack = QStackedWidget(self)
        self.nav = QListWidget(self)
        self.nav.setObjectName("navigation")
        self.nav.setAccessibleName("Pages")
        self.nav.setIconSize(QSize(18, 18))
        for title, widget in self.pages.items():
            self.stack.addWidget(widget)
            item = QListWidgetItem("Pupil page" if title == PUPIL else title)
            item.setData(Qt.ItemDataRole.UserRole, title)
            item.setSizeHint(QSize(150, 34))
            self.nav.addItem(item)
        self.nav.setMinimumWidth(self.nav.fontMetrics().horizontalAdvance(MIS) + 40)
        self.nav.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.nav.currentRowChanged.connect(self.stack.setCurrentIndex)
        self.nav.currentRowChanged.connect(self._on_page_changed)
        self.nav.item(1).setFlags(Qt.ItemFlag.NoItemFlags)  # until a pupil is opened

        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("mainSplitter")
        self.splitter.addWidget(self.nav)
        self.splitter.addWidget(self.stack)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setCollapsible(1, False)
        self.splitter.setSizes([self.nav.minimumWidth() + 10, DEFAULT_SIZE.width()])
        self.setCentralWidget(self.splitter)

        self.as_of_edit = QDateEdit(self)
        self.as_of_edit.setObjectName("asOf")
        self.as_of_edit.setAccessibleName("Figures as of")
        self.as_of_edit.setToolTip("The date the figures are worked out to")
        self.as_of_edit.setDisplayFormat("ddd d MMM yyyy")
        self.as_of_edit.setCalendarPopup(True)
        self.as_of_edit.setDate(QDate(self.as_of.year, self.as_of.month, self.as_of.day))
        self.as_of_edit.dateChanged.connect(self._on_as_of_changed)
        self.status_label = QLabel(self)
        self.progress = QProgressBar(self)
        self.progress.setMaximumWidth(200)
        self.progress.setAccessibleName("Progress")
        self.progress.hide()
        self.statusBar().addWidget(self.status_label, 1)
        self.statusBar().addPermanentWidget(self.progress)
        if db.read_only:
            self.read_only_label = QLabel(
                "<b>Read-only</b>: look, but nothing can be changed", self
            )
            self.read_only_label.setObjectName("readOnly")
            self.read_only_label.setStyleSheet(
                "QLabel { background: #fff3cd; color: #5c4400; padding: 1px 8px; }"
            )
            self.statusBar().addPermanentWidget(self.read_only_label)
        self.database_label = QLabel(database_name(db), self)
        self.database_label.setObjectName("databaseName")
        self.statusBar().addPermanentWidget(self.database_label)

        actions.build_menus(self)
        self.all_schools = db.for_all_schools()
        apply_write_access(self)  # off, saying why, where the window may only look
        if self.all_schools and not db.read_only:
            # a view for looking and comparing: every change is made working in one school
            heading, rest = actions.all_schools_note(self).split(":", 1)
            self.all_schools_label = QLabel(
                f"<b>{heading}</b>:{html.escape(rest, quote=False)}", self
            )
            self.all_schools_label.setObjectName("allSchools")
            self.all_schools_label.setStyleSheet(
                "QLabel { background: #e3f0fb; color: #113a5c; padding: 1px 8px; }"
            )
            # before the database's name (after the status text, the one plain widget)
            self.statusBar().insertPermanentWidget(1, self.all_schools_label)
        who = acting()
        if who is not None:
            role = Role(who[1])
            look_only = "" if role.may_change else ": can look, not change"
            self.statusBar().addPermanentWidget(QLabel(f"{who[0]}, {role.label}{look_only}"))
        self.pupil_list.pupil_activated.connect(self.open_pupil)
        self.pupil_list.import_requested.connect(lambda: actions.open_import(self))
        self.pupil_list.count_changed.connect(lambda *_: self._update_status())
        self.dashboard.pupil_activated.connect(self.open_pupil)
        self.hub.pupil_selected.connect(self.open_pupil)
        self.hub.marks_imported.connect(self._after_import)
        self.hub.policy_changed.connect(self.reload_list)
        self.hub.case_changed.connect(lambda _pid: self.reload_list())
        self.hub.school_changed.connect(self._update_title)

        self._update_title()
        self.restore_state()
        self.nav.setCurrentRow(0)
        self._push_as_of()
        if load:
            self.load_roll()
            self.reload_list()
        self.folder_watch = folder_watch.attach(
            self, lambda paths: actions.open_import(self, paths)
        )
        # other PCs' changes (a shared PostgreSQL database) reload what is on screen
        self.live = start_live_updates(db, self)
        if self.live is not None:
            self.live.changed.connect(self._changed_elsewhere)

    @property
    def pupil_page(self) -> PupilPage:
        """The pupil page, built on first use."""
        return cast("PupilPage", self.pupil_slot.ensure())

    def _make_pupil_page(self, parent: QWidget) -> QWidget:
        from attendance_desk.ui.widgets.pupil_page import PupilPage

        page = PupilPage(self.db, self.hub, parent)
        saved = self.settings.value("pupil/splitter")
        if saved is not None:
            page.splitter.restoreState(saved)
        return page

    # -- state -----------------------------------------------------------------------------
    def restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)  # Qt brings it inside the screen it is now on
        elif self.cut_to_screen:
            self.setWindowState(self.windowState() | Qt.WindowState.WindowMaximized)
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        saved = self.settings.value("window/splitter")
        if saved is not None:
            self.splitter.restoreState(saved)

    def save_state(self) -> None:
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        self.settings.setValue("window/splitter", self.splitter.saveState())
        if self.pupil_slot.widget is not None:
            self.settings.setValue("pupil/splitter", self.pupil_page.splitter.saveState())
        self.settings.sync()

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802
        if self.folder_watch is not None:
            self.folder_watch.stop()
        if self.live is not None:
            self.live.stop()
        self.save_state()
        for worker in (self._list_worker,):
            if worker is not None:
                worker.cancel()
        super().closeEvent(event)

    def _update_title(self) -> None:
        self.school_name = school_name(self.db)
        suffix = " (read-only)" if self.db.read_only else ""
        # a trust's schools all at once: not the one its new rows would default to
        shown = "All schools" if self.db.for_all_schools() else self.school_name
        self.setWindowTitle(f"{shown} \u2013 {APP_NAME}{suffix}")

    # -- pages -----------------------------------------------------------------------------
    def page_names(self) -> list[str]:
        return list(self.pages)

    def show_page(self, title: str) -> None:
        names = self.page_names()
        if title in names:
            self.nav.setCurrentRow(names.index(title))

    def current_page(self) -> str:
        return self.page_names()[self.stack.currentIndex()]

    def _on_page_changed(self, _row: int) -> None:
        self._update_status()

    def open_pupil(self, pupil_id: int) -> None:
        self.pupil_page.set_as_of(self.as_of)
        self.pupil_page.set_pupil(pupil_id)
        item = self.nav.item(1)
        item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
        self.pupil_list.select_pupil(pupil_id)
        self.show_page(PUPIL)

    # -- loading ---------------------------------------------------------------------------
    def _after_import(self) -> None:
        """Any import (the import window, a dropped file, the watched folder): the date moves
        to the latest school day with marks, unless the officer chose one; all reload."""
        if not self.follow_register():
            self.refresh()

    def follow_register(self) -> bool:
        """Move the window's date to the latest day with marks; True when it moved (the pages
        then reload through the date control)."""
        if self.date_by_hand:
            return False
        latest = data.last_mark_date(self.db)
        if latest is None or latest == self.as_of:
            return False
        self.set_date(latest, by_hand=False)
        return True

    def set_date(self, day: date, by_hand: bool = True) -> None:
        """The one date of the window: every page follows it."""
        self._following = not by_hand
        try:
            self.as_of_edit.setDate(QDate(day.year, day.month, day.day))
        finally:
            self._following = False

    def _on_as_of_changed(self, qdate: QDate) -> None:
        if not self._following:
            self.date_by_hand = True
        self.as_of = date(qdate.year(), qdate.month(), qdate.day())
        self._push_as_of()
        self.refresh()

    def _push_as_of(self) -> None:
        self.dashboard.set_as_of(self.as_of)
        for widget in self.pages.values():
            if widget is not self.dashboard and hasattr(widget, "set_as_of"):
                widget.set_as_of(self.as_of)

    def load_roll(self) -> None:
        """The quick list (names, classes, flags) straight away; figures follow."""
        self.pupil_list.set_rows(data.roll_rows(self.db, self.as_of))

    def reload_list(self) -> None:
        """Work out the list's figures again, and the dashboard's from the same read."""
        if self._list_worker is not None:
            self._list_worker.cancel()
        self.busy("Working out the figures\u2026")
        self.dashboard.invalidate(awaiting_contexts=True)
        self._list_worker = workers.run_async(
            data.pupil_rows,
            self.db,
            self.as_of,
            on_finished=self._show_list,
            on_error=self._list_failed,
        )

    def _show_list(self, result: data.ListData) -> None:
        if result.as_of != self.as_of:
            return
        self.pupil_list.set_bands(result.bands)
        self.pupil_list.set_rows(result.rows)
        self.idle()
        self.hub.list_shown.emit()
        self.dashboard.offer_contexts(result.as_of, result.contexts, result.dashboard)

    def _list_failed(self, message: str, detail: str) -> None:
        self.dashboard.invalidate()
        self.show_error(message, detail)

    def _changed_elsewhere(self, tables: frozenset[str]) -> None:
        """Another PC changed something (a call, a mark, a case ...): what is on screen is
        read again, as F5 would."""
        self.status_label.setText("Changed on another PC: reloading…")
        if "schools" in tables:  # a school joined the trust: the School list offers it
            if actions.leave_removed_school(self):
                return  # the school worked in was removed: the window shows the trust's
            actions.refresh_school_chooser(self)
        self.refresh()

    def refresh(self) -> None:
        """F5: reload everything on screen."""
        self.reload_list()
        if self.pupil_slot.widget is not None and self.pupil_page.pupil_id is not None:
            self.pupil_page.reload()
        for widget in self.pages.values():
            if widget not in (self.pupil_list, self.pupil_slot, self.dashboard):
                for name in ("reload", "refresh"):
                    if hasattr(widget, name):
                        getattr(widget, name)()
                        break

    # -- status ----------------------------------------------------------------------------
    def busy(self, message: str, done: int = 0, total: int = 0) -> None:
        self.progress.setRange(0, total)
        self.progress.setValue(done)
        self.progress.show()
        self.status_label.setText(message)

    def idle(self) -> None:
        self.progress.hide()
        self._update_status()

    def show_error(self, message: str, detail: str = "") -> None:
        self.idle()
        actions.show_error(self, message, detail)

    def _update_status(self) -> None:
        if self.progress.isVisible():
            return
        shown, total = self.pupil_list.proxy.rowCount(), self.pupil_list.model.rowCount()
        counts = f"{total:,} pupils" if shown == total else f"{shown:,} of {total:,} pupils shown"
        self.status_label.setText(f"Figures as of {uk_date(self.as_of)}  \u00b7  {counts}")

    # -- files dropped on the window --------------------------------------------------------
    def dragEnterEvent(self, event: QDragEnterEvent) -> None:  # noqa: N802
        if event.mimeData().hasUrls() and any(u.isLocalFile() for u in event.mimeData().urls()):
            event.acceptProposedAction()

    def dropEvent(self, event: QDropEvent) -> None:  # noqa: N802
        paths = [Path(u.toLocalFile()) for u in event.mimeData().urls() if u.isLocalFile()]
        if paths:
            event.acceptProposedAction()
            actions.open_import(self, paths)

    def switch_database(self, path: Path | str) -> None:
        """Open another database in a new window and close this one."""
        try:
            db = open_database(path)
        except UserError as exc:
            actions.show_error(self, str(exc))
            return
        new = MainWindow(db, settings=self.settings)
        actions.remember_database(new, path)
        new.show()
        watch_integrity(new, db, daily_backup_if_due)  # damage said, as at the start
        self.replaced_by = new
        self.close()
        self.db.close()

    def export_target(self) -> Any:
        """The page whose list File > Export writes."""
        return self.stack.currentWidget()
