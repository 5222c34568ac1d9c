"""One writer per database: an operating-system lock on a file beside the database.

The lock (`school.sqlite3.lock`) is held from opening to closing, and the operating system lets
go of it when the process ends, however it ends, so a crash never leaves a stale lock. Inside one
process the lock is shared (opening the same file twice is fine); a second process is refused
and told who holds it. The lock file holds who took it, for that message.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import sys
import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from attendance_desk import clock
from attendance_desk.domain.dates import numeric
from attendance_desk.errors import DatabaseError
from attendance_desk.user import current_user


class DatabaseInUseError(DatabaseError):
    """Another copy of the application has the database open for changes."""

    def __init__(self, path: Path, message: str, holder: str) -> None:
        super().__init__(message)
        self.path = path
        self.holder = holder


@dataclass
class WriterLock:
    path: Path
    _file: IO[bytes] | None = field(default=None, repr=False)
    _count: int = 0

    def release(self) -> None:
        with _GUARD:
            if self._count == 0:
                return
            self._count -= 1
            if self._count == 0 and self._file is not None:
                _unlock(self._file)
                self._file.close()
                self._file = None
                _HELD.pop(_key(self.path), None)


_GUARD = threading.Lock()
_HELD: dict[str, WriterLock] = {}


def lock_path(db_path: Path) -> Path:
    return db_path.with_name(db_path.name + ".lock")


def _key(db_path: Path) -> str:
    return os.path.normcase(str(db_path.resolve()))


def canonical(db_path: Path) -> Path:
    """The one spelling of a database path: symlinks followed, `..` and case folded (Windows),
    so the lock file is the same whichever way the file is named."""
    return Path(os.path.normcase(os.path.realpath(db_path)))


if sys.platform == "win32":
    import msvcrt

    def _try_lock(fh: IO[bytes]) -> bool:
        fh.seek(0)
        try:
            msvcrt.locking(fh.fileno(), msvcrt.LK_NBLCK, 1)
        except OSError:
            return False
        return True

    def _unlock(fh: IO[bytes]) -> None:
        fh.seek(0)
        with contextlib.suppress(OSError):
            msvcrt.locking(fh.fileno(), msvcrt.LK_UNLCK, 1)

else:
    import fcntl

    def _try_lock(fh: IO[bytes]) -> bool:
        try:
            fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        return True

    def _unlock(fh: IO[bytes]) -> None:
        fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def acquire_writer_lock(db_path: Path) -> WriterLock:
    """Take (or share, within this process) the writer lock, or raise DatabaseInUseError."""
    db_path = canonical(db_path)
    with _GUARD:
        held = _HELD.get(_key(db_path))
        if held is not None:
            held._count += 1
            return held
        path = lock_path(db_path)
        try:
            fh = os.fdopen(os.open(path, os.O_RDWR | os.O_CREAT, 0o600), "r+b")
        except OSError as exc:
            raise DatabaseError(f"cannot create the lock file {path} ({exc.strerror})") from None
        if not _try_lock(fh):
            fh.close()
            holder = describe_holder(db_path) or "another program"
            raise DatabaseInUseError(
                db_path,
                f"{db_path} is already open for changes in another copy of Attendance Desk "
                f"({holder}); only one copy at a time may change it: close that copy first, "
                "or open this one read-only",
                holder,
            )
        info = {
            "user": _user(),
            "host": socket.gethostname(),
            "pid": os.getpid(),
            "since": f"{clock.now():%H:%M} on {numeric(clock.today())}",
        }
        fh.seek(0)  # byte 0 is the locked byte on Windows; the note follows it
        fh.truncate()
        fh.write(b"\n" + json.dumps(info).encode())
        fh.flush()
        lock = WriterLock(db_path, fh, 1)
        _HELD[_key(db_path)] = lock
        return lock


def describe_holder(db_path: Path) -> str | None:
    """Who holds the lock, as written in the lock file ("user on host, process N, since ...")."""
    try:
        with lock_path(canonical(db_path)).open("rb") as fh:
            fh.seek(1)
            info = json.loads(fh.read(4096) or b"null")
    except (OSError, ValueError):
        return None
    if not isinstance(info, dict):
        return None
    return (
        f"{info.get('user', '?')} on {info.get('host', '?')}, process {info.get('pid', '?')}, "
        f"since {info.get('since', '?')}"
    )


def _user() -> str:
    return current_user() or "unknown user"
