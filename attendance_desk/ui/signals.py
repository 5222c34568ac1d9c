"""One hub that tells widgets what changed; each widget reloads itself."""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal


class SignalHub(QObject):
    marks_imported = Signal()  # any import landed (marks, pupils or term dates)
    pupil_changed = Signal(int)  # pupil id
    case_changed = Signal(int)  # pupil id
    letters_changed = Signal()
    policy_changed = Signal()
    school_changed = Signal()
    pupil_selected = Signal(int)  # open this pupil's page
    list_shown = Signal()  # the pupil list's figures are on screen (the first screen is up)
