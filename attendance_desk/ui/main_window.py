"""The main window: assembles the widgets, menus and status bar."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMainWindow, QVBoxLayout, QWidget

from attendance_desk import APP_NAME
from attendance_desk.services.school import school_summary
from attendance_desk.storage.db import Database


class MainWindow(QMainWindow):
    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        summary = school_summary(db)
        self.setWindowTitle(f"{summary.name} - {APP_NAME}")
        self.resize(1280, 800)

        central = QWidget(self)
        layout = QVBoxLayout(central)
        self.school_label = QLabel(summary.name)
        self.school_label.setObjectName("schoolName")
        font = self.school_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.8)
        font.setBold(True)
        self.school_label.setFont(font)
        self.pupil_count_label = QLabel(f"{summary.pupils_on_roll} pupils on roll")
        self.pupil_count_label.setObjectName("pupilCount")
        for label in (self.school_label, self.pupil_count_label):
            label.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(label)
        layout.addStretch(1)
        self.setCentralWidget(central)
        self.statusBar().showMessage(str(db.path))
