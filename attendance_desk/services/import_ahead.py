"""Starting an import's reading before the database is open (the command line does).

Light on purpose: it imports only the readers, so the reading starts before the command has
imported the writing code or opened the database, and goes on beside both
(importers/ahead.py). Hand the result to `importing.apply_import(..., ahead=...)`.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Sequence
from pathlib import Path

from attendance_desk.importers.ahead import ReadAhead
from attendance_desk.importers.tables import IMPORTS

__all__ = ["ReadAhead", "read_ahead"]


def read_ahead(paths: Sequence[Path], database: Path | str, *, again: bool = False) -> ReadAhead:
    """Start reading `paths` in the background for an import into `database` (a file, or a
    server's URL). A file whose exact content the database already holds as imported is not
    unpacked (unless `again`): a re-import of it costs its fingerprint only."""

    def wanted(digest: str) -> bool:
        return again or not _imported_before(database, digest)

    return ReadAhead(paths, wanted)


def _imported_before(database: Path | str, digest: str) -> bool:
    """A glance, read-only, at whether `digest` was imported: only a hint for what to read
    ahead (the import itself looks again in the checked database). False when it cannot tell
    (a server, an encrypted or a new file, a file locked for longer than a moment)."""
    if not isinstance(database, Path):
        return False
    path = database.expanduser().absolute()
    if not path.is_file():
        return False
    try:
        conn = sqlite3.connect(f"file:{path.as_posix()}?mode=ro", uri=True, timeout=1)
        try:
            row = conn.execute(
                f"SELECT 1 FROM {IMPORTS} WHERE content_hash = ? LIMIT 1", (digest,)
            ).fetchone()
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return row is not None
