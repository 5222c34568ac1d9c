"""Which of the window's actions change the database, and turning them off (each saying why)
where the window may only look, or on again once it may change (a restore that mended it)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from attendance_desk.services.staff import can_change

if TYPE_CHECKING:
    from attendance_desk.ui.main_window import MainWindow

WRITING_ACTIONS = ("act_import", "act_settings", "act_password", "act_retention")
READ_ONLY = "the database is open read-only"
DAMAGED = "the database is damaged"


def disable_writing(w: MainWindow, why: str = READ_ONLY) -> None:
    """Every action that would change the database turned off, its tooltip saying `why`."""
    for name in WRITING_ACTIONS:
        act = getattr(w, name)
        tip = act.property("tip_when_writing")
        if tip is None:  # the first time: kept, so the tooltip says one reason, the latest
            tip = act.toolTip() or act.text().replace("&", "")
            act.setProperty("tip_when_writing", tip)
        act.setEnabled(False)
        act.setToolTip(f"{tip} ({why})")


def look_only_reason(w: MainWindow) -> str | None:
    """Why the window may only look (a read-only database, all of a trust's schools at once,
    a member of staff who may only look); None where it may change."""
    if w.db.read_only:
        return READ_ONLY
    if w.all_schools:
        return "looking at all the trust's schools"
    if not can_change():
        return "your role can look, not change"
    return None


def apply_write_access(w: MainWindow) -> None:
    """The writing actions on or off as `look_only_reason` says (after a restore: on again
    where only the damage had turned them off)."""
    why = look_only_reason(w)
    if why is not None:
        disable_writing(w, why)
        return
    for name in WRITING_ACTIONS:
        act = getattr(w, name)
        tip = act.property("tip_when_writing")
        if tip is not None:
            act.setToolTip(tip)
        act.setEnabled(True)
