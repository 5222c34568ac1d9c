"""Starting the desktop application: Qt, the database (with recovery), the password, the
daily backup, the main window and its idle lock."""

from __future__ import annotations

import os
import sys
from pathlib import Path

from attendance_desk import APP_NAME, __version__, clock
from attendance_desk.paths import (
    chosen_database,
    default_database_path,
    start_database_file,
    user_data_dir,
)

EXIT_NOT_OPENED = 2  # as the command line's errors: the database could not be opened


def demo_database_path() -> Path:
    return user_data_dir() / "demo-school.sqlite3"


def _accept_next_dialog() -> None:
    """For the CI smoke test: press OK on the dialog that opens next (the sign-in)."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QDialog, QDialogButtonBox

    def accept() -> None:
        dialog = QApplication.activeModalWidget()
        box = dialog.findChild(QDialogButtonBox) if isinstance(dialog, QDialog) else None
        ok = box.button(QDialogButtonBox.StandardButton.Ok) if box is not None else None
        if ok is not None:
            ok.click()
        else:
            QTimer.singleShot(100, accept)

    QTimer.singleShot(100, accept)


def _first_start() -> bool:
    """Whether this is the PC's first start of the window: no database chosen for it and no
    school file in the data folder yet (then the person says where the school is). Never in
    the CI's smoke test, which opens the file it names."""
    if os.environ.get("ATTENDANCE_DESK_SMOKE_TEST") == "1":
        return False
    return not start_database_file().exists() and not default_database_path().exists()


def run_window(db_path: Path | str | None = None, demo: bool = False) -> int:
    """Open the main window on `db_path` (or a fresh demo school) and run until it closes.

    A path that cannot be a database raises UserError before anything is shown (the command
    line prints it and exits 2). Another copy holding the file: the person may open it
    read-only. A damaged file: the latest backup is offered. Declined: exit 2.
    """
    from PySide6.QtWidgets import QApplication

    from attendance_desk.services.database import check_database_path

    app = QApplication.instance() or QApplication(sys.argv)
    app.setApplicationName(APP_NAME)
    app.setOrganizationName("AttendanceDesk")
    app.setApplicationVersion(__version__)
    from attendance_desk.ui import date_typing

    date_typing.install(app)  # a date typed after clicking into its field is taken
    from attendance_desk.services.access import file_is_locked
    from attendance_desk.services.backup import daily_backup_if_due
    from attendance_desk.services.database import is_database_url
    from attendance_desk.ui import workers
    from attendance_desk.ui.dialogs.backup_dialog import open_with_recovery
    from attendance_desk.ui.dialogs.password_dialog import ask_for_file_password, ask_for_password
    from attendance_desk.ui.dialogs.sign_in_dialog import expect_the_last_sign_in

    expect_the_last_sign_in()
    problem = ""  # why this PC's server database did not open: asked where the school is again
    demo_problem = ""  # why the demo chosen there did not open: asked again
    asked = False  # the school was chosen in the window, not named on the command line
    while True:
        if db_path is None and not demo and (problem or demo_problem or _first_start()):
            from attendance_desk.ui.dialogs.start_dialog import ask_where_the_school_is

            # a new school here, a server's database (kept for this PC), or the demo
            chosen = ask_where_the_school_is(
                problem=problem, suggested=str(chosen_database()), demo_problem=demo_problem
            )
            if chosen is None:
                return 0
            asked, demo_problem = True, ""
            demo = chosen == "demo"
            db_path = None if chosen in ("demo", "new") else chosen
        if demo:
            from attendance_desk.demo import create_demo_database
            from attendance_desk.services.database import DatabaseInUseError

            if isinstance(db_path, str):
                from attendance_desk.errors import UserError

                raise UserError("--demo makes a database file: give a file name with --db, or none")
            db_path = db_path or demo_database_path()
            try:
                create_demo_database(db_path, seed=2024, as_of=clock.today(), replace_demo=True)
            except DatabaseInUseError as exc:
                if not asked:
                    raise  # --demo on the command line: it says what is wrong there
                # chosen in the window, which closed with nothing said: said, asked again
                demo_problem = (
                    f"It is open in another copy of Attendance Desk ({exc.holder}): use that "
                    "window, or close it and choose the demo again."
                )
                demo, db_path = False, None
                continue
        target = db_path or chosen_database()  # none named: the one chosen for this PC
        if isinstance(target, str) and is_database_url(target):
            try:
                db = open_with_recovery(target, parent=None)
            except Exception as exc:
                if db_path is not None:
                    raise  # named with --db: the command line says what is wrong
                # this PC's: not reached, or its password not kept here; said, asked again
                problem = (str(exc).strip().splitlines() or [repr(exc)])[0]
                continue
            break
        path = Path(target).expanduser().absolute()
        check_database_path(path)  # a UserError about the path reaches the CLI: no window yet
        # encrypted: nothing can be read before the password; cancelled, the file may be
        # damaged instead, and opening offers the latest backup (the file itself is kept)
        password = ask_for_file_password(path) if file_is_locked(path) else None
        db = open_with_recovery(path, parent=None, password=password)
        break
    if db is None:
        return EXIT_NOT_OPENED
    try:
        if not ask_for_password(db):
            return 0
        from attendance_desk.ui.dialogs.sign_in_dialog import ask_who

        if os.environ.get("ATTENDANCE_DESK_SMOKE_TEST") == "1":  # CI: the first name, as Enter
            _accept_next_dialog()
        if not ask_who(db):
            return 0

        from attendance_desk.ui.idle_lock import install_idle_lock
        from attendance_desk.ui.main_window import MainWindow

        window = MainWindow(db)
        window.idle_lock = install_idle_lock(window, db)
        window.show()
        from attendance_desk.ui import error_hook

        error_hook.install(QApplication.activeWindow)  # a slot's error is shown, not only printed
        from attendance_desk.ui.integrity_watch import watch_integrity

        watch_integrity(window, db, daily_backup_if_due)
        app.aboutToQuit.connect(workers.shut_down)
        if os.environ.get("ATTENDANCE_DESK_SMOKE_TEST") == "1":  # CI: start, show, quit cleanly
            from PySide6.QtCore import QTimer

            QTimer.singleShot(1500, app.quit)
        code = app.exec()
        workers.shut_down()
        return code
    finally:
        db.close()
