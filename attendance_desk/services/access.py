"""An optional password to open the application, and the idle lock.

The password is stored only as a salted scrypt hash (in `app_settings`, key `access.password`);
the audit log records that it changed, never the hash. The idle lock minutes are a setting too.
"""

from __future__ import annotations

import getpass
import hashlib
import hmac
import os
import secrets
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from attendance_desk.errors import UserError
from attendance_desk.storage.db import Database
from attendance_desk.storage.settings import read_setting, write_setting

PASSWORD_KEY = "access.password"
IDLE_LOCK_KEY = "access.idle_lock_minutes"
MIN_PASSWORD_LENGTH = 8
DEFAULT_IDLE_MINUTES = 10
_N, _R, _P = 2**17, 8, 1  # scrypt cost (OWASP): 128 MB and a fraction of a second per check
_MAXMEM = 256 * 1024 * 1024


@dataclass(frozen=True)
class AccessSettings:
    password_set: bool
    idle_lock_minutes: int  # 0: no idle lock


def _hash(password: str, salt: bytes, n: int = _N, r: int = _R, p: int = _P) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, maxmem=_MAXMEM, dklen=32
    )


def _stored(db: Database) -> dict[Any, Any] | None:
    stored = read_setting(db, PASSWORD_KEY)
    return stored if isinstance(stored, dict) and stored.get("scheme") == "scrypt" else None


def password_required(db: Database) -> bool:
    return _stored(db) is not None


def verify_password(db: Database, password: str) -> bool:
    """True if `password` is right (or no password is set)."""
    stored = _stored(db)
    if stored is None:
        return True
    try:
        salt = bytes.fromhex(stored["salt"])
        expected = bytes.fromhex(stored["hash"])
        got = _hash(password, salt, int(stored["n"]), int(stored["r"]), int(stored["p"]))
    except (KeyError, ValueError, TypeError):
        return False
    return hmac.compare_digest(got, expected)


def set_password(db: Database, new_password: str, *, current: str | None = None) -> None:
    """Set or change the password; changing it needs the current one."""
    db.require_one_school("set a password")  # before the backup taken first
    if password_required(db) and not verify_password(db, current or ""):
        raise UserError("the current password is not right")
    if len(new_password) < MIN_PASSWORD_LENGTH:
        raise UserError(f"a password needs at least {MIN_PASSWORD_LENGTH} characters")
    if new_password != new_password.strip():
        raise UserError("a password may not begin or end with a space")
    salt = secrets.token_bytes(16)
    stored = {
        "scheme": "scrypt",
        "n": _N,
        "r": _R,
        "p": _P,
        "salt": salt.hex(),
        "hash": _hash(new_password, salt).hex(),
    }
    if not db.read_only:
        _backup_first(db)
    write_setting(db, PASSWORD_KEY, stored)
    if not db.read_only:
        old_key = db.key
        db.change_key(new_password)  # the file and every later backup encrypted at rest
        _rekey_backups(db, old_key)  # and every earlier one: a copied backup reveals nothing


def _rekey_backups(db: Database, old_key: str | None) -> None:
    from attendance_desk.services.backup import rekey_backups

    rekey_backups(db, old_key)


def _backup_first(db: Database) -> None:
    from attendance_desk.services.backup import make_backup

    make_backup(db)


def clear_password(db: Database, current: str) -> None:
    """Remove the password (anyone at the computer can then open the application)."""
    db.require_one_school("remove the password")  # before the backup taken first
    if not verify_password(db, current):
        raise UserError("the current password is not right")
    _backup_first(db)
    write_setting(db, PASSWORD_KEY, None)
    if db.encrypted:
        old_key = db.key
        db.change_key(None)  # plain SQLite again, as the school chose
        _rekey_backups(db, old_key)


PASSWORD_ENV = "ATTENDANCE_DESK_PASSWORD"
KEYRING_SERVICE = "AttendanceDesk"


class PasswordRequiredError(UserError):
    """The database has a password and none (or a wrong one) was given."""


def _keyring_password(path: Path) -> str | None:
    """The password kept in the system keyring for this database file, if keyring is there."""
    try:
        import keyring  # optional: for a scheduled import with nobody to type the password
    except ImportError:
        return None
    # kept under the database's full path; a path typed shorter is looked up as typed too
    names = dict.fromkeys([str(Path(path).expanduser().absolute()), str(path)])
    for name in names:
        try:
            found = keyring.get_password(KEYRING_SERVICE, name)
        except Exception:  # a keyring backend that fails is the same as no keyring
            return None
        if isinstance(found, str) and found:
            return found
    return None


def command_line_password(path: Path, *, required: bool = True) -> str | None:
    """The password from ATTENDANCE_DESK_PASSWORD, the system keyring, or typed at the
    terminal; none of them: PasswordRequiredError (or None when not `required`)."""
    password = os.environ.get(PASSWORD_ENV) or _keyring_password(path)
    if password is None and sys.stdin is not None and sys.stdin.isatty():
        password = getpass.getpass(f"Password for {path.name}: ")
    if not password:
        if not required:
            return None
        raise PasswordRequiredError(_needs_password(path))
    return password


def _needs_password(path: Path) -> str:
    return (
        f"{path} has a password: type it when asked, or set {PASSWORD_ENV} "
        "(or keep it in the system keyring) for a scheduled job"
    )


def file_is_locked(path: Path) -> bool:
    """The database file is encrypted: it opens only with the school's password."""
    from attendance_desk.storage.cipher import is_encrypted

    return is_encrypted(path)


def password_opens(path: Path, password: str) -> bool:
    """Whether `password` opens the encrypted database file at `path`."""
    from attendance_desk.errors import DatabaseError
    from attendance_desk.storage.cipher import connect, key_for_file

    try:
        connect(path, key_for_file(path, password), read_only=True).close()
    except (DatabaseError, OSError):
        return False
    return True


def open_for_command_line(path: Path | str, *, read_only: bool = False) -> Database:
    """Open the database for a command: an encrypted one with its password (from
    `command_line_password`), a plain one with a password set only once it is given. A
    PostgreSQL URL opens that database on the server (several PCs at once: no lock)."""
    from attendance_desk.storage.cipher import PasswordNeededError, is_encrypted
    from attendance_desk.storage.db import open_database
    from attendance_desk.storage.writer_lock import DatabaseInUseError

    if isinstance(path, str):
        db = open_database(path, read_only=read_only)
        try:
            unlock_for_command_line(db)
        except BaseException:
            db.close()
            raise
        return db

    password = command_line_password(path, required=False) if is_encrypted(path) else None
    try:
        if read_only and path.is_file():
            # for changes if free (so an older schema is brought up to date), else read-only:
            # the window may have it open
            try:
                db = open_database(path, password=password, name_audit=False)
            except DatabaseInUseError:
                db = open_database(path, read_only=True, password=password)
        else:
            db = open_database(path, read_only=read_only, password=password)
    except PasswordNeededError:
        raise PasswordRequiredError(
            _needs_password(path) + " (a file that is damaged instead: restore a backup)"
        ) from None
    try:
        unlock_for_command_line(db)
    except BaseException:
        db.close()
        raise
    return db


def unlock_for_command_line(db: Database) -> None:
    """Check the password before a command reads, exports or changes anything.

    The password comes from ATTENDANCE_DESK_PASSWORD, else the system keyring, else is asked
    for when someone is at the terminal. No password, or a wrong one: PasswordRequiredError.
    """
    if db.encrypted or not password_required(db):
        return  # an encrypted database opened only with its password
    password = command_line_password(db.path) or ""
    if not verify_password(db, password):
        raise PasswordRequiredError(f"the password for {db.path} is not right")


def idle_lock_minutes(db: Database) -> int:
    value = read_setting(db, IDLE_LOCK_KEY)
    try:
        return DEFAULT_IDLE_MINUTES if value is None else max(0, int(value))
    except (ValueError, TypeError):
        return DEFAULT_IDLE_MINUTES


def set_idle_lock_minutes(db: Database, minutes: int) -> None:
    if not 0 <= minutes <= 240:
        raise UserError("the idle lock is between 1 and 240 minutes (0 to turn it off)")
    write_setting(db, IDLE_LOCK_KEY, int(minutes))


def access_settings(db: Database) -> AccessSettings:
    return AccessSettings(password_required(db), idle_lock_minutes(db))
