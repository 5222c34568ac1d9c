"""Every file the application writes is its owner's only (0600 on POSIX) from the moment it
exists, whatever the process's umask: it is created with that mode (os.open), and the mode is
set again on the open file, so neither a umask nor a file left there before widens it. On
Windows the user's profile folder already keeps files to their owner.

A library that writes a file by its name (SQLite, openpyxl, reportlab) is given one made here
first: it truncates and writes it, and the mode stays.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PRIVATE_MODE = 0o600


def _open(path: Path, flags: int) -> int:
    fd = os.open(path, flags | getattr(os, "O_BINARY", 0), PRIVATE_MODE)
    if os.name == "posix":
        try:
            os.fchmod(fd, PRIVATE_MODE)
        except BaseException:
            os.close(fd)
            raise
    return fd


def create(path: Path | str, *, exclusive: bool = False) -> Path:
    """Make `path` an empty file only its owner can read and write (emptying one that is
    there, unless `exclusive`: then one that is there is an error)."""
    flags = os.O_WRONLY | os.O_CREAT | (os.O_EXCL if exclusive else os.O_TRUNC)
    os.close(_open(Path(path), flags))
    return Path(path)


def write(path: Path | str, data: bytes, *, sync: bool = False) -> Path:
    """Write `data` to `path` (replacing what is there), readable by its owner only."""
    fd = _open(Path(path), os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
    try:
        view = memoryview(data)
        while view:
            view = view[os.write(fd, view) :]
        if sync:
            os.fsync(fd)
    finally:
        os.close(fd)
    return Path(path)


def replace(path: Path | str, data: bytes) -> Path:
    """Write `data` to `path` whole or not at all: to a temporary file beside it, flushed to
    disk, then moved into place in one step (a half-written file never replaces a good one)."""
    target = Path(path)
    part = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        write(part, data, sync=True)
        os.replace(part, target)
    except BaseException:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
        raise
    return target
