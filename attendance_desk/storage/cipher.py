"""Encryption at rest with SQLCipher: a school that sets a password has its database and every
backup encrypted, so a copied file reveals nothing; a school without one keeps plain SQLite.

The key is derived once per opening from the password with scrypt (N = 2^17, OWASP) and the
16-byte salt SQLCipher keeps at the start of the file, and handed to SQLCipher as a raw key: each
further connection costs nothing extra. The key lives only in memory.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import secrets
import sqlite3
from pathlib import Path
from typing import Any, cast

from attendance_desk import private_files
from attendance_desk.errors import DatabaseError
from attendance_desk.storage.integrity import (
    RESTORE_HINT,
    DamagedDatabaseError,
    IntegrityCheck,
    IntegrityReport,
)

SQLITE_HEADER = b"SQLite format 3\x00"
SALT_BYTES = 16
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**17, 8, 1
_MAXMEM = 256 * 1024 * 1024


class PasswordNeededError(DamagedDatabaseError):
    """The file is not plain SQLite and no password was given: it is the school's encrypted
    database (the password opens it), or damaged, or not ours (a backup is the way on). The
    file is never changed."""

    def __init__(self, path: Path) -> None:
        super().__init__(
            path,
            f"{path} is locked with the school's password, or it is damaged or not an "
            f"Attendance Desk database: give the password. {RESTORE_HINT.format(path=path)}",
            "locked",
        )


# How other files begin: a file that starts so is not an encrypted database (which begins
# with 16 random bytes of salt)
_OTHER_FILES = (b"%PDF", b"PK\x03\x04", b"\x89PNG", b"\xff\xd8\xff", b"GIF8", b"{\\rtf",
                b"\xd0\xcf\x11\xe0", b"\x1f\x8b", b"\xef\xbb\xbf", b"\xff\xfe", b"\xfe\xff")  # fmt: skip
_PAGE_MULTIPLE = 512  # an encrypted database is whole pages (SQLite's smallest page size)


def is_encrypted(path: Path) -> bool:
    """A non-empty file that does not start like plain SQLite and could be an encrypted
    database: whole pages, beginning with random bytes (not text, not a known kind of file)."""
    try:
        with Path(path).open("rb") as fh:
            head = fh.read(len(SQLITE_HEADER))
            size = os.fstat(fh.fileno()).st_size
    except OSError:
        return False
    if len(head) != len(SQLITE_HEADER) or head == SQLITE_HEADER:
        return False
    return not looks_foreign(head, size)


def looks_foreign(head: bytes, size: int) -> bool:
    """Whether a file that is not plain SQLite is surely not an encrypted database either: it
    is not whole pages, it begins like a known kind of file, or it begins with text (16
    random bytes are all printable about once in ten million)."""
    if size % _PAGE_MULTIPLE:
        return True
    if head.startswith(_OTHER_FILES):
        return True
    return all(32 <= b < 127 or b in (9, 10, 13) for b in head)


def _derive(password: str, salt: bytes) -> str:
    key = hashlib.scrypt(
        password.encode("utf-8"),
        salt=salt,
        n=SCRYPT_N,
        r=SCRYPT_R,
        p=SCRYPT_P,
        maxmem=_MAXMEM,
        dklen=32,
    )
    return f"x'{key.hex()}{salt.hex()}'"


def new_key(password: str) -> str:
    """A raw key (with a fresh salt) for a file about to be encrypted."""
    return _derive(password, secrets.token_bytes(SALT_BYTES))


def key_for_file(path: Path, password: str) -> str:
    """The raw key that opens `path` if `password` is right (the salt is the file's first bytes)."""
    with Path(path).open("rb") as fh:
        salt = fh.read(SALT_BYTES)
    return _derive(password, salt)


def _module() -> Any:
    try:
        import sqlcipher3.dbapi2 as sqlcipher
    except ImportError:  # pragma: no cover - a dependency; named clearly if missing
        raise DatabaseError(
            "encryption needs the sqlcipher3-wheels package: pip install sqlcipher3-wheels"
        ) from None
    return sqlcipher


def dbapi() -> Any:
    """The DB-API module of SQLCipher (for SQLAlchemy's `module=`)."""
    return _module()


def connect(
    path: Path, key: str, *, read_only: bool = False, timeout: float = 30
) -> sqlite3.Connection:
    """A SQLCipher connection opened with `key`; a wrong key raises DatabaseError."""
    sqlcipher = _module()
    target = f"file:{Path(path).as_posix()}?mode=ro" if read_only else str(path)
    conn = sqlcipher.connect(target, uri=read_only, timeout=timeout, check_same_thread=False)
    try:
        conn.execute("PRAGMA cipher_log_level = NONE")  # a wrong key: our message, not its log
        conn.execute(f'PRAGMA key = "{key}"')
        conn.execute("SELECT count(*) FROM sqlite_master").fetchone()
    except sqlcipher.DatabaseError:
        conn.close()
        raise DatabaseError(
            f"{path} cannot be opened with this password (or it is not an Attendance Desk database)"
        ) from None
    return cast(sqlite3.Connection, conn)


def is_database_error(exc: BaseException) -> bool:
    """True for a database error from plain SQLite or from SQLCipher (separate classes)."""
    if isinstance(exc, sqlite3.Error):
        return True
    with contextlib.suppress(DatabaseError):
        return isinstance(exc, _module().Error)
    return False


def _export(source: sqlite3.Connection, target: Path, target_key: str) -> None:
    """Copy every table of `source` into a new file `target` under `target_key` ('' = plain)."""
    target.unlink(missing_ok=True)
    private_files.create(target, exclusive=True)  # the owner's only, from the start
    quoted = str(target).replace("'", "''")
    key = f'"{target_key}"' if target_key else "''"
    source.execute(f"ATTACH DATABASE '{quoted}' AS target KEY {key}")
    try:
        version = source.execute("PRAGMA user_version").fetchone()[0]
        source.execute("SELECT sqlcipher_export('target')")
        source.execute(f"PRAGMA target.user_version = {int(version)}")
    finally:
        source.execute("DETACH DATABASE target")


def rewrite(path: Path, old_key: str | None, new_key_value: str | None, work: Path) -> None:
    """Write a copy of `path` under the new key (None: plain) to `work`, checked in full.

    The caller moves it into place (after a backup, with every connection closed).
    """
    sqlcipher = _module()
    source = sqlcipher.connect(str(path), timeout=30, check_same_thread=False)
    try:
        source.execute("PRAGMA cipher_log_level = NONE")
        if old_key:
            source.execute(f'PRAGMA key = "{old_key}"')
        source.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        _export(source, work, new_key_value or "")
    finally:
        source.close()
    check = connect(work, new_key_value) if new_key_value else sqlite3.connect(work)
    try:
        problems = [r[0] for r in check.execute("PRAGMA integrity_check") if r[0] != "ok"]
        if problems:
            raise DatabaseError(f"the re-encrypted copy failed its check: {problems[0]}")
    finally:
        check.close()
    with work.open("rb+") as fh:
        os.fsync(fh.fileno())


class KeyedIntegrityCheck(IntegrityCheck):
    """The full integrity check of an encrypted database, over its own keyed connection."""

    def __init__(self, path: Path, key: str) -> None:
        super().__init__(path)
        self._key = key

    def _run(self) -> None:
        try:
            conn = connect(self.path, self._key, read_only=True)
            try:
                rows = [str(r[0]) for r in conn.execute("PRAGMA integrity_check(20)")]
            finally:
                conn.close()
        except Exception as exc:  # reported as damage, like the plain check does
            self._report = IntegrityReport(self.path, False, (str(exc),))
            return
        problems = tuple(r for r in rows if r != "ok")
        self._report = IntegrityReport(self.path, not problems, problems)
