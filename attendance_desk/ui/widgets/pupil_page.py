"""A pupil's page: who they are and how to reach the family, the year's marks as a calendar,
the figures, the monitoring-point and weekday charts, recovery, open concerns, and tabs for
the case timeline and the letters sent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QSplitter,
    QTableView,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from attendance_desk import clock
from attendance_desk.domain.calendar import year_start as academic_year_start
from attendance_desk.domain.pathway import CaseContext
from attendance_desk.services import monitoring
from attendance_desk.services.calendar import get_calendar
from attendance_desk.services.cases import get_case
from attendance_desk.services.database import Database
from attendance_desk.services.letter_register import LetterInfo, letters_for_pupil
from attendance_desk.services.policy import get_policy
from attendance_desk.services.school import pupil_details
from attendance_desk.services.staff import can_change
from attendance_desk.ui import workers
from attendance_desk.ui.data import case_contexts
from attendance_desk.ui.format import uk_date
from attendance_desk.ui.models.pupil_list import flags_of
from attendance_desk.ui.signals import SignalHub
from attendance_desk.ui.widgets.case_timeline import CaseTimelineWidget
from attendance_desk.ui.widgets.leave_panel import LeavePanel
from attendance_desk.ui.widgets.mark_calendar import KIND_COLOURS, KIND_LABELS, MarkCalendar
from attendance_desk.ui.widgets.pupil_charts import BandLine, PupilCharts, band_lines
from attendance_desk.ui.widgets.pupil_records import (
    LettersPanel,
    save_evidence_bundle,
    save_subject_access,
)
from attendance_desk.ui.widgets.pupil_sections import (
    ConcernsTree,
    ContactsPanel,
    FiguresModel,
    FlagStrip,
    RecoveryPanel,
    figure_row,
    flag_chips,
)


@dataclass(frozen=True)
class PupilPageData:
    details: Any  # services.school.PupilDetails
    report: Any  # services.monitoring.PupilReport
    calendar: Any  # domain.calendar.SchoolCalendar
    stage: str
    as_of: date
    letters: tuple[LetterInfo, ...] = ()
    band_lines: tuple[BandLine, ...] = ()


def load_pupil_page(db: Database, pupil_id: int, as_of: date) -> PupilPageData:
    """Everything the page shows, gathered off the GUI thread."""
    details = pupil_details(db, pupil_id)
    report = monitoring.pupil_report(
        db, pupil_id, as_of, case_context=case_context(db, pupil_id, as_of)
    )
    case = get_case(db, pupil_id)
    return PupilPageData(
        details,
        report,
        get_calendar(db),
        case.stage.label if case else "",
        as_of,
        letters_for_pupil(db, pupil_id),
        band_lines(get_policy(db)),
    )


def case_context(db: Database, pupil_id: int, as_of: date) -> CaseContext | None:
    """The pupil's case for the case-based concerns (only this pupil's is read)."""
    return case_contexts(db, as_of, pupil_id).get(pupil_id)


class PupilPage(QWidget):
    loaded = Signal(int)  # pupil id, after the page has been filled
    back_requested = Signal()

    def __init__(self, db: Database, hub: SignalHub, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self.hub = hub
        self.pupil_id: int | None = None
        self.as_of = clock.today()
        self.data: PupilPageData | None = None
        self._worker: workers.Worker | None = None

        self.name_label = QLabel("Choose a pupil from the list", self)
        self.name_label.setObjectName("pupilName")
        font = self.name_label.font()
        font.setPointSizeF(font.pointSizeF() * 1.6)
        font.setBold(True)
        self.name_label.setFont(font)
        self.summary_label = QLabel(self)
        self.summary_label.setObjectName("pupilSummary")
        self.summary_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.flags = FlagStrip(self)
        header = QVBoxLayout()
        header.setSpacing(2)
        header.addWidget(self.name_label)
        header.addWidget(self.summary_label)
        header.addWidget(self.flags)
        self.evidence_button = QPushButton("Evidence bundle (PDF)\u2026", self)
        self.evidence_button.setObjectName("evidenceBundle")
        self.evidence_button.setToolTip(
            "The pupil's marks, figures, case history and chronology as one PDF "
            "(for a panel, the local authority or court)"
        )
        self.evidence_button.clicked.connect(lambda: self.save_evidence_bundle())
        self.access_button = QPushButton("Subject access export\u2026", self)
        self.access_button.setObjectName("subjectAccess")
        self.access_button.setToolTip("Everything held about the pupil, as PDF and Excel")
        self.access_button.clicked.connect(lambda: self.save_subject_access())
        self.remove_button = QPushButton("Remove from roll\u2026", self)
        self.remove_button.setObjectName("removeFromRoll")
        self.remove_button.setToolTip(
            "Off roll on a ground of the regulations, with the LA notification"
        )
        self.remove_button.clicked.connect(lambda: self.remove_from_roll())
        self.action_message = QLabel(self)
        self.action_message.setObjectName("pupilActionMessage")
        self.action_message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        for button in (self.evidence_button, self.access_button, self.remove_button):
            button.setEnabled(False)
        actions_row = QHBoxLayout()
        actions_row.addWidget(self.evidence_button)
        actions_row.addWidget(self.access_button)
        actions_row.addWidget(self.remove_button)
        actions_row.addWidget(self.action_message, 1)
        top = QHBoxLayout()
        top.addLayout(header, 1)
        top.addLayout(actions_row)

        # Attendance tab: figures, calendar, charts, concerns
        self.figures = FiguresModel(self)
        self.figures_view = QTableView(self)
        self.figures_view.setObjectName("pupilFigures")
        self.figures_view.setAccessibleName("Attendance figures")
        self.figures_view.setModel(self.figures)
        self.figures_view.verticalHeader().setVisible(False)
        self.figures_view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.figures_view.setWordWrap(False)
        self.figures_view.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents
        )
        self.figures_view.horizontalHeader().setStretchLastSection(True)
        # every column whole, the Attendance one above all, never behind a scroll bar (on a
        # 1366-wide screen it was): the view asks for its columns' width and takes no less;
        # the charts beside it give up the room
        self.figures_view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.figures_view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.figures_view.setSizeAdjustPolicy(QAbstractScrollArea.SizeAdjustPolicy.AdjustToContents)
        self.figures_view.setSizePolicy(QSizePolicy.Policy.Minimum, QSizePolicy.Policy.Fixed)
        self.figures_view.verticalHeader().setDefaultSectionSize(self.fontMetrics().height() + 8)
        self.figures_view.setFixedHeight(
            self.figures_view.horizontalHeader().sizeHint().height()
            + 3 * self.figures_view.verticalHeader().defaultSectionSize()
            + 2 * self.figures_view.frameWidth()
            + 2
        )
        self.recovery = RecoveryPanel(self)
        self.calendar = MarkCalendar(self)
        self.charts = PupilCharts(self)
        self.monitoring_chart = self.charts.monitoring_chart
        self.weekday_chart = self.charts.weekday_chart
        self.concerns = ConcernsTree(self)

        # Left: the figures, getting back on track, the year's marks; right: the two charts
        # in a column. Everything but the open concerns fits a 1440x900 window unscrolled.
        left = QVBoxLayout()
        left.setSpacing(4)
        left.addWidget(self.figures_view)
        left.addSpacing(6)
        left.addWidget(self.recovery)
        left.addWidget(self._section("The year's marks"))
        left.addWidget(self.calendar)
        left.addWidget(self._legend())
        left.addStretch(1)
        columns = QHBoxLayout()
        columns.setSpacing(14)
        columns.addLayout(left, 3)
        columns.addWidget(self.charts, 2)
        attendance = QWidget(self)
        body = QVBoxLayout(attendance)
        body.setContentsMargins(6, 6, 6, 6)
        body.addLayout(columns)
        body.addWidget(self._section("Open concerns"))
        body.addWidget(self.concerns, 1)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setWidget(attendance)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("pupilTabs")
        self.tabs.addTab(scroll, "Attendance")
        self.timeline = CaseTimelineWidget(db, hub, self)
        self.tabs.addTab(self.timeline, "Timeline")
        self.letters_panel = LettersPanel(db, self)
        self.letters = self.letters_panel.model
        self.letters_view = self.letters_panel.view
        self.tabs.addTab(self.letters_panel, "Letters")
        self.leave_panel = LeavePanel(db, self)
        self.tabs.addTab(self.leave_panel, "Leave requests")

        self.contacts = ContactsPanel(self)
        contacts_scroll = QScrollArea(self)
        contacts_scroll.setWidgetResizable(True)
        contacts_scroll.setFrameShape(QFrame.Shape.NoFrame)
        contacts_scroll.setWidget(self.contacts)
        contacts_scroll.setMinimumWidth(240)
        self.splitter = QSplitter(Qt.Orientation.Horizontal, self)
        self.splitter.setObjectName("pupilSplitter")
        self.splitter.addWidget(self.tabs)
        self.splitter.addWidget(contacts_scroll)
        self.splitter.setStretchFactor(0, 4)
        self.splitter.setStretchFactor(1, 1)
        self.splitter.setSizes([1000, 280])

        layout = QVBoxLayout(self)
        layout.setContentsMargins(10, 8, 10, 6)
        layout.addLayout(top)
        layout.addWidget(self.splitter, 1)

        hub.pupil_changed.connect(self._on_changed)
        hub.case_changed.connect(self._on_changed)
        hub.marks_imported.connect(self.reload)

    def _section(self, title: str) -> QLabel:
        label = QLabel(f"<b>{title}</b>")
        label.setContentsMargins(0, 8, 0, 0)
        return label

    def _legend(self) -> QLabel:
        parts = []
        for kind, colour in KIND_COLOURS.items():
            border = "#e35d5b" if kind == "missing" else "#90a4ae"
            parts.append(
                f"<span style='background:{colour}; border:1px solid {border};'>"
                f"&nbsp;&nbsp;&nbsp;&nbsp;</span>&nbsp;" + KIND_LABELS[kind].replace(" ", "&nbsp;")
            )
        parts.append(
            "<span style='background:#dfe6ee;'>&nbsp;&nbsp;&nbsp;&nbsp;</span>&nbsp;Holiday"
        )
        legend = QLabel(
            " &nbsp; ".join(parts) + "<br><i>Top half of a day is the morning, bottom half "
            "the afternoon; hover over a day for its codes.</i>",
            self,
        )
        legend.setWordWrap(True)
        font = legend.font()
        font.setPointSizeF(font.pointSizeF() * 0.9)
        legend.setFont(font)
        legend.setAccessibleName("Calendar key")
        return legend

    # -- loading ---------------------------------------------------------------------------
    def set_as_of(self, as_of: date) -> None:
        self.as_of = as_of

    def set_pupil(self, pupil_id: int) -> None:
        self.pupil_id = pupil_id
        self.timeline.set_pupil(pupil_id)
        self.leave_panel.set_pupil(pupil_id)
        self.evidence_button.setEnabled(True)
        self.access_button.setEnabled(True)
        self.remove_button.setEnabled(can_change(self.db))
        self.reload()

    def remove_from_roll(self) -> None:
        from attendance_desk.ui.dialogs.cme_dialog import RemoveFromRollDialog

        if self.pupil_id is None:
            return
        dialog = RemoveFromRollDialog(self.db, self.pupil_id, self)
        if dialog.exec():
            self.action_message.setText(f"Off roll; the LA notification is {dialog.path}")
            self.hub.pupil_changed.emit(self.pupil_id)

    def reload(self) -> None:
        if self.pupil_id is None:
            return
        if self._worker is not None:
            self._worker.cancel()
        self._worker = workers.run_async(
            load_pupil_page,
            self.db,
            self.pupil_id,
            self.as_of,
            on_finished=self.show_data,
            on_error=self._on_error,
        )

    def _on_changed(self, pupil_id: int) -> None:
        if pupil_id == self.pupil_id:
            self.reload()

    def _on_error(self, message: str, _detail: str) -> None:
        self.summary_label.setText(message)

    def show_data(self, data: PupilPageData) -> None:
        if data.details.pupil_id != self.pupil_id:
            return
        self.data = data
        d, report = data.details, data.report
        self.name_label.setText(f"{d.forename} {d.surname}")
        year = (
            f"Year {d.year_group}"
            if d.year_group.isdigit()
            else {"R": "Reception"}.get(d.year_group, d.year_group)
        )
        bits = [
            year,
            d.reg_group,
            f"UPN {d.upn}" if d.upn else "",
            f"born {uk_date(d.date_of_birth)}" if d.date_of_birth else "",
        ]
        if data.stage:
            bits.append(f"case: {data.stage}")
        if d.leaving_date:
            bits.append(f"left {uk_date(d.leaving_date)}")
        self.summary_label.setText("  \u00b7  ".join(b for b in bits if b))
        chips = []
        band = getattr(report, "band", None)
        if band is not None:
            chips.append(
                (
                    band.label,
                    band.colour,
                    f"Band: {band.label}" + (f" ({band.owner})" if band.owner else ""),
                )
            )
        if getattr(report, "severe", False):
            chips.append(("Severe absence", "#8e0000", "Attendance 50% or below"))
        elif getattr(report, "persistent", False):
            chips.append(("Persistent absence", "#c62828", "Attendance 90% or below"))
        self.flags.set_chips(chips + flag_chips(flags_of(d)))

        periods = [("Year to date", "year"), ("This term", "term"), ("This half term", "half_term")]
        self.figures.set_rows(
            [figure_row(label, getattr(report, attr, None)) for label, attr in periods]
        )
        self.recovery.set_recovery(getattr(report, "recovery", report))

        cal = data.calendar
        start = academic_year_start(data.as_of)
        self.calendar.set_year(
            start,
            getattr(report, "marks", ()),
            is_school_day=getattr(cal, "is_school_day", None),
            closures=getattr(cal, "closures", ()),
            as_of=data.as_of,
        )
        self.charts.set_report(report, data.band_lines)
        self.concerns.set_concerns(list(getattr(report, "concerns", ()) or ()))
        self.contacts.set_contacts(d.contacts)
        self.letters_panel.set_letters(data.letters)
        self.loaded.emit(d.pupil_id)

    # -- documents -------------------------------------------------------------------------
    def printout(self) -> Any:
        """The pupil on one sheet (Ctrl+P); None until the page has loaded."""
        from attendance_desk.ui.printing import pupil_summary

        return pupil_summary(self.data) if self.data is not None else None

    def _pupil_name(self) -> str:
        if self.data is None:
            return "pupil"
        return f"{self.data.details.forename} {self.data.details.surname}"

    def save_evidence_bundle(self, path: Path | None = None) -> workers.Worker | None:
        if self.pupil_id is None:
            return None
        return save_evidence_bundle(
            self,
            self.db,
            self.pupil_id,
            self._pupil_name(),
            self.as_of,
            self.action_message.setText,
            path,
        )

    def save_subject_access(self, folder: Path | None = None) -> workers.Worker | None:
        if self.pupil_id is None:
            return None
        return save_subject_access(
            self, self.db, self.pupil_id, self.action_message.setText, folder
        )
