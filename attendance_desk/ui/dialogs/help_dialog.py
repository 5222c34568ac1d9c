"""F1: a short guide to the officer's three daily jobs, the pathway, the keys and the codes."""

from __future__ import annotations

from PySide6.QtWidgets import QDialog, QDialogButtonBox, QTextBrowser, QVBoxLayout, QWidget

from attendance_desk.ui.screen_fit import resize_to_fit
from attendance_desk.ui.widgets.code_help import current_codes

GUIDE = """
<h2>Your day with Attendance Desk</h2>
<h3>1. Morning: today's calls</h3>
<ol>
<li>When the register closes, export today's marks from the MIS.</li>
<li>Press <b>Ctrl+I</b>, choose the file (or drop it on the window): the preview shows what
will change. Press <b>Enter</b> to import.</li>
<li>The window moves to the day of the register and opens the <b>First-day calls</b>: who is
absent with no reason, the numbers to ring in order. Brothers and sisters sit together, so a
family is rung once. A family not reached for two school days is flagged in red, with the next
step (home visit, tell the DSL).</li>
<li>For each call: the outcome, the reason, <b>Tab</b>, the code, <b>Enter</b>. The reason
covers the child's whole day: the afternoon register will not bring the child back.</li>
<li>Enter the office's codes in the MIS: <b>Changes for the MIS</b> lists them until the MIS
agrees. Print the call sheet with <b>Ctrl+P</b>.</li>
</ol>
<h3>2. During the day: pupils and casework</h3>
<p>The <b>Pupil page</b> shows the year's marks, the figures, the band, the case stage and one
timeline of calls, meetings, letters and referrals. Record a meeting, move a case on, set a
review date. The <b>Caseload</b> lists what is due.</p>
<h3>3. Weekly and at half term: concerns and letters</h3>
<p>The <b>Dashboard</b> and the <b>Pupils</b> list say who needs what under the school's
policy. <b>Letters</b> go out in batches, printed as one PDF sorted by class; each letter is
kept on the pupil's timeline.</p>
<h3>The pathway</h3>
<p><b>Expect</b> \u2192 <b>Monitor</b> \u2192 <b>Listen and Understand</b> \u2192
<b>Facilitate Support</b> \u2192 <b>Formalise Support</b> \u2192 <b>Enforce</b>. A stage can
be skipped for a family, with a reason; enforcement needs the support offered first on
record.</p>
<h3>Keys</h3>
<p><b>Ctrl+I</b> import \u00b7 <b>Ctrl+P</b> print \u00b7 <b>Ctrl+Shift+P</b> print preview
\u00b7 <b>Ctrl+E</b> export to Excel \u00b7 <b>Ctrl+F</b> find a pupil \u00b7 <b>F5</b>
refresh \u00b7 <b>Ctrl+1</b>\u2026 the pages \u00b7 <b>F1</b> this guide</p>
"""


def guide_html() -> str:
    rows = "".join(f"<tr><td><b>{code}</b></td><td>{meaning}</td></tr>" for code, meaning in
                   current_codes())  # fmt: skip
    return GUIDE + f"<h3>Register codes</h3><table cellspacing='3'>{rows}</table>"


class HelpDialog(QDialog):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Attendance Desk: a short guide")
        resize_to_fit(self, 720, 760)
        self.browser = QTextBrowser(self)
        self.browser.setObjectName("guide")
        self.browser.setHtml(guide_html())
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.browser)
        layout.addWidget(buttons)
