"""Another copy of Attendance Desk working in a database file: a real second process that opens
it for changes (taking its writer lock, as a window does) and holds it until the block ends."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

HOLDER = "\n".join(
    [
        "import sys",
        "from attendance_desk.storage.db import open_database",
        "db = open_database(sys.argv[1])",
        "print('open', flush=True)",
        "sys.stdin.readline()",  # hold the database until told to stop
    ]
)


@contextmanager
def another_copy(path: Path) -> Iterator[subprocess.Popen[str]]:
    """The other copy's process, once it has `path` open."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "open"
        yield holder
    finally:
        assert holder.stdin is not None
        holder.stdin.close()
        holder.wait(timeout=60)
