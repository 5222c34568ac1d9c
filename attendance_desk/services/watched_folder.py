"""The watched folder: the MIS exports a report on a schedule into a folder, and each new file
there goes through the same checks as any import.

A file is taken once it is completely written (its size and time unchanged between two looks,
and it can be opened). It is imported if it needs no decision; a file that needs one (an unsure
layout, an identity column to confirm, office marks the file differs from) or that has bad input
stays in the folder with the reason. The same content (sha256) is never imported twice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path

from attendance_desk.errors import ImportDecisionNeeded, UserError
from attendance_desk.importers import SUPPORTED_SUFFIXES
from attendance_desk.importers.batch import file_digests, previous_imports
from attendance_desk.services.importing import ImportResult, import_previewed, preview_import
from attendance_desk.storage.db import Database
from attendance_desk.storage.settings import read_setting, write_setting

SETTING = "import.watch_folder"
SETTLE_SECONDS = 1.0  # a file unchanged for this long (and openable) is completely written


class Status(StrEnum):
    IMPORTED = "imported"
    ALREADY = "already imported"
    DECISION = "needs a decision"
    REFUSED = "refused"


@dataclass(frozen=True)
class WatchOutcome:
    path: Path
    status: Status
    message: str
    result: ImportResult | None = None

    @property
    def waits_for_user(self) -> bool:
        return self.status in (Status.DECISION, Status.REFUSED)


def watch_folder(db: Database) -> Path | None:
    value = read_setting(db, SETTING)
    return Path(value) if isinstance(value, str) and value else None


def set_watch_folder(db: Database, folder: Path | None) -> None:
    """Name the export folder (None stops watching). It must exist."""
    if folder is not None:
        folder = Path(folder).expanduser()
        if not folder.is_dir():
            raise UserError(f"{folder}: there is no such folder")
        write_setting(db, SETTING, str(folder.resolve()))
    else:
        write_setting(db, SETTING, None)


def candidates(folder: Path) -> list[Path]:
    """The files in the folder an import could read, oldest first (Excel's '~$' lock files,
    hidden and temporary files left out)."""
    try:
        entries = list(Path(folder).iterdir())
    except OSError as exc:
        raise UserError(f"{folder}: the folder cannot be read ({exc.strerror})") from None
    files = [
        p
        for p in entries
        if p.is_file()
        and p.suffix.lower() in SUPPORTED_SUFFIXES
        and not p.name.startswith(("~$", ".", "~"))
    ]
    return sorted(files, key=lambda p: (p.stat().st_mtime_ns, p.name))


def fingerprint(path: Path) -> tuple[int, int] | None:
    """(size, modification time) or None when the file has gone or cannot be opened yet."""
    try:
        stat = path.stat()
        with path.open("rb") as fh:
            fh.read(1)
    except OSError:
        return None
    return stat.st_size, stat.st_mtime_ns


@dataclass
class Settling:
    """Files seen on earlier looks: a file is ready when it looked the same last time."""

    seen: dict[Path, tuple[int, int]] = field(default_factory=dict)
    handled: dict[Path, tuple[int, int]] = field(default_factory=dict)  # as last dealt with

    def ready(self, paths: list[Path]) -> list[Path]:
        out = []
        now = {p: fingerprint(p) for p in paths}
        for path, print_now in now.items():
            if print_now is None or print_now[0] == 0 or self.seen.get(path) != print_now:
                continue
            if self.handled.get(path) != print_now:
                out.append(path)
        self.seen = {p: f for p, f in now.items() if f is not None}
        return out

    def dealt_with(self, path: Path) -> None:
        if path in self.seen:
            self.handled[path] = self.seen[path]


def import_if_clear(db: Database, path: Path) -> WatchOutcome:
    """Import one file if it needs no decision; otherwise say why it waits."""
    conn = db.raw_connection()
    try:
        digests = file_digests([path])
        if previous_imports(conn, digests):
            return WatchOutcome(path, Status.ALREADY, f"{path.name}: already imported")
    except UserError as exc:
        return WatchOutcome(path, Status.REFUSED, str(exc))
    finally:
        conn.close()
    try:
        preview = preview_import(db, [path])
    except ImportDecisionNeeded as exc:
        return WatchOutcome(path, Status.DECISION, str(exc))
    except UserError as exc:
        return WatchOutcome(path, Status.REFUSED, str(exc))
    if preview.conflicts_total:
        return WatchOutcome(
            path,
            Status.DECISION,
            f"{path.name}: {preview.conflicts_total} marks entered by the office differ from the "
            "file: open the preview to keep or replace them",
        )
    try:
        result = import_previewed(db, preview)  # what was checked, not the file read again
    except ImportDecisionNeeded as exc:
        return WatchOutcome(path, Status.DECISION, str(exc))
    except UserError as exc:
        return WatchOutcome(path, Status.REFUSED, str(exc))
    if all(f.already_imported for f in result.files):
        return WatchOutcome(path, Status.ALREADY, f"{path.name}: already imported", result)
    return WatchOutcome(path, Status.IMPORTED, "; ".join(result.summary_lines()), result)


def scan_once(
    db: Database,
    folder: Path,
    settling: Settling | None = None,
    *,
    settle_seconds: float = SETTLE_SECONDS,
) -> list[WatchOutcome]:
    """Every completely written file in the folder, imported or said why not. Without a
    `settling` (the command line), each file is looked at twice, `settle_seconds` apart."""
    files = candidates(folder)
    if settling is None:
        settling = Settling()
        settling.ready(files)
        if files:
            time.sleep(settle_seconds)
    outcomes = []
    for path in settling.ready(files):
        outcomes.append(import_if_clear(db, path))
        settling.dealt_with(path)
    return outcomes
