"""Backups of the school's database: taken, kept in rotation, listed, verified and restored.

Backups use SQLite's online backup API, so a backup taken while the application (or an import)
is writing is a consistent snapshot. They are taken automatically before every import
(`backup_before_import`) and once a day when the application first starts
(`daily_backup_if_due`), and by hand. Each backup is one self-contained SQLite file, plus a
small `.json` note (kind, time, pupil and mark counts) so the list needs not open every file.

A restore never leaves a half-written database: the backup is checked in full, the current
file is copied into the backup folder first (or, when it is damaged, moved aside unchanged),
the backup is written to a temporary file beside the database, and that file replaces the
database in one `os.replace`.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
import uuid
from dataclasses import dataclass, replace
from datetime import date, datetime
from pathlib import Path

from attendance_desk import clock, private_files
from attendance_desk.errors import DatabaseError, UserError
from attendance_desk.paths import user_data_dir
from attendance_desk.storage import cipher, pg_backup
from attendance_desk.storage.db import IDENTITY_KEY as DB_IDENTITY_KEY
from attendance_desk.storage.db import Database, check_database_path
from attendance_desk.storage.integrity import (
    DamagedDatabaseError,
    connect_read_only,
    require_usable,
)
from attendance_desk.storage.settings import read_setting, write_setting
from attendance_desk.storage.writer_lock import acquire_writer_lock

DAILY, PRE_IMPORT, MANUAL, PRE_RESTORE = "daily", "pre-import", "manual", "pre-restore"
KINDS = (DAILY, PRE_IMPORT, MANUAL, PRE_RESTORE)
KEEP = {DAILY: 14, PRE_IMPORT: 10, PRE_RESTORE: 10}  # manual backups are never pruned
# By age as well as count: the newest automatic backup of each of the last 14 days, 8 weeks and
# 12 months is kept too.
KEEP_DAYS, KEEP_WEEKS, KEEP_MONTHS = 14, 8, 12
PROTECT_CHANGES = 5  # an import that changes or removes more marks keeps its backup ...
# ... until a later full backup (daily or manual) of the same database exists
IDENTITY_KEY = DB_IDENTITY_KEY
BACKUP_FOLDER_KEY = "backup.folder"
_LOCATIONS_FILE = "backup-locations.json"
_NAME = re.compile(
    r"^(?P<stem>.+)_(?P<kind>" + "|".join(KINDS) + r")_(?P<stamp>\d{4}-\d\d-\d\d_\d{6})(-\d+)?"
    r"\.(?:sqlite3|pgdump)$"
)


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    kind: str  # daily | pre-import | manual | pre-restore | "" (a file from elsewhere)
    taken_at: datetime  # local time
    school: str
    pupils: int
    marks: int
    schema: str
    size_bytes: int
    identity: str = ""  # the database it belongs to ("" for a backup from before identities)
    protected: bool = False  # taken before an import that changed marks: kept for now


@dataclass(frozen=True)
class RestoreResult:
    database: Path
    restored_from: BackupInfo
    previous_kept_as: Path | None  # the copy of the file that was there before


# ---------------------------------------------------------------- where backups go


def _stem(db_path: Path) -> str:
    """The name backups of the database are filed under: the file's, or a server database's
    name (not the URL's query, such as the school a window acts for: a trust's backups are
    the whole database's, and `?` is no part of a file name on Windows)."""
    text = str(db_path)
    if text.startswith(("postgresql:", "postgres:")):
        text = text.split("?", 1)[0]
    return Path(text).stem


def default_backup_folder(db_path: Path) -> Path:
    return user_data_dir() / "backups" / _stem(db_path)


def backup_folder(db: Database) -> Path:
    """The folder chosen in settings, or the default one in the user's app-data folder."""
    return _folder_from_setting(read_setting(db, BACKUP_FOLDER_KEY)) or default_backup_folder(
        db.path
    )


def _folder_from_setting(folder: object) -> Path | None:
    return Path(folder) if isinstance(folder, str) and folder else None


def set_backup_folder(db: Database, folder: Path | None) -> Path:
    """Choose the backup folder (None: back to the default). Returns the folder now in use."""
    if folder is not None:
        folder = Path(folder).expanduser().absolute()
        _ensure_folder(folder)
    write_setting(db, BACKUP_FOLDER_KEY, None if folder is None else str(folder))
    _remember_location(db.path, folder)
    return folder or default_backup_folder(db.path)


def _remember_location(db_path: Path, folder: Path | None) -> None:
    """Note the folder outside the database too, so a damaged database's backups can be found."""
    index = user_data_dir() / _LOCATIONS_FILE
    try:
        known = json.loads(index.read_text(encoding="utf-8")) if index.exists() else {}
    except (OSError, ValueError):
        known = {}
    key = str(Path(db_path).absolute())
    if folder is None:
        known.pop(key, None)
    else:
        known[key] = str(folder)
    index.parent.mkdir(parents=True, exist_ok=True)
    private_files.replace(index, json.dumps(known, indent=1).encode("utf-8"))


def backup_folder_for_path(db_path: Path) -> Path:
    """The backup folder of the database at `db_path`, found without opening it for writing."""
    db_path = Path(db_path).absolute()
    try:
        conn = connect_read_only(db_path)
        try:
            row = conn.execute(
                "SELECT value_json FROM app_settings WHERE key = ?", (BACKUP_FOLDER_KEY,)
            ).fetchone()
        finally:
            conn.close()
        folder = _folder_from_setting(json.loads(row[0]) if row and row[0] else None)
        if folder is not None:
            return folder
    except (sqlite3.Error, ValueError):
        pass
    try:
        known = json.loads((user_data_dir() / _LOCATIONS_FILE).read_text(encoding="utf-8"))
        if str(db_path) in known:
            return Path(known[str(db_path)])
    except (OSError, ValueError):
        pass
    return default_backup_folder(db_path)


def _ensure_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the backup folder {folder} ({exc.strerror})") from None
    if not os.access(folder, os.W_OK):
        raise UserError(f"the backup folder {folder} cannot be written to")


# ---------------------------------------------------------------- taking backups


def _summary(conn: sqlite3.Connection) -> tuple[str, int, int, str]:
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    if not {"alembic_version", "pupils", "marks"} <= tables:
        raise DatabaseError("it is not an Attendance Desk database")
    school = ""
    # `school` before schema 0014 (a backup may be older), `schools` since
    for table in ("schools", "school"):
        if table not in tables:
            continue
        row = conn.execute(f"SELECT name FROM {table} ORDER BY id LIMIT 1").fetchone()
        school = row[0] if row else ""
        break
    pupils = conn.execute("SELECT count(*) FROM pupils").fetchone()[0]
    marks = conn.execute("SELECT count(*) FROM marks").fetchone()[0]
    schema = (conn.execute("SELECT version_num FROM alembic_version").fetchone() or ("",))[0]
    return school, pupils, marks, schema


def _copy_database(
    source: sqlite3.Connection, target: Path, key: str | None = None
) -> tuple[str, int, int, str]:
    """Copy `source` into a new file `target` (written as `target`.part, then moved into place).

    A copy that cannot be written or fails its check raises DatabaseError and leaves no file.
    """
    part = target.with_name(target.name + ".part")
    try:
        part.unlink(missing_ok=True)
        private_files.create(part, exclusive=True)  # the owner's only, from the start
        # an encrypted database gives encrypted backups, under the same key
        dest = cipher.connect(part, key) if key else sqlite3.connect(part)
        try:
            source.backup(dest)  # one step: a consistent snapshot, even while others write
            dest.execute("PRAGMA journal_mode = DELETE")  # one self-contained file
            problems = [r[0] for r in dest.execute("PRAGMA quick_check") if r[0] != "ok"]
            if problems:
                raise DatabaseError(f"the copy in {part} failed its check: {problems[0]}")
            summary = _summary(dest)
        finally:
            dest.close()
        _fsync(part)
        os.replace(part, target)
    except Exception as exc:
        if not isinstance(exc, OSError | DatabaseError) and not cipher.is_database_error(exc):
            raise
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
        if isinstance(exc, DatabaseError):
            raise
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise DatabaseError(f"cannot write the copy to {target} ({reason})") from None
    _fsync_folder(target.parent)
    return summary


def _fsync(path: Path) -> None:
    with path.open("rb+") as fh:
        os.fsync(fh.fileno())


def _fsync_folder(folder: Path) -> None:
    if os.name == "posix":
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _backup_name(folder: Path, db_path: Path, kind: str, when: datetime) -> Path:
    base = f"{_stem(db_path)}_{kind}_{when:%Y-%m-%d_%H%M%S}"
    target, n = folder / f"{base}.sqlite3", 1
    while target.exists():
        target, n = folder / f"{base}-{n}.sqlite3", n + 1
    return target


def identity_of(conn: sqlite3.Connection) -> str:
    """The identity the database holds ("" when it has none yet)."""
    try:
        row = conn.execute(
            "SELECT value_json FROM app_settings WHERE key = ?", (IDENTITY_KEY,)
        ).fetchone()
        value = json.loads(row[0]) if row and row[0] else ""
    except (sqlite3.Error, ValueError):
        return ""
    return value if isinstance(value, str) else ""


def database_identity(db: Database) -> str:
    """This database's own identity: made once (a random id kept inside it), so its backups
    are told from another school's even when both files have the same name. A trust's database
    has one, whichever school a window acts for (its backups are the whole database's)."""
    whole = _acting_for_none(db)
    if whole is not db:
        try:
            return database_identity(whole)
        finally:
            whole.close()
    conn = db.raw_connection()
    try:
        found = identity_of(conn)
    finally:
        conn.close()
    if found or db.read_only:
        return found
    found = uuid.uuid4().hex
    write_setting(db, IDENTITY_KEY, found)
    return found


def _backup_connection(
    db_path: Path, folder: Path, kind: str, conn: sqlite3.Connection, key: str | None = None
) -> BackupInfo:
    _ensure_folder(folder)
    when = clock.now()
    target = _backup_name(folder, db_path, kind, when)
    school, pupils, marks, schema = _copy_database(conn, target, key)
    identity = identity_of(conn)
    info = BackupInfo(
        target, kind, when, school, pupils, marks, schema, target.stat().st_size, identity
    )
    _write_note(info)
    _prune(folder, kind, identity)
    return info


def make_backup(
    db: Database, *, kind: str = MANUAL, to: Path | None = None, force: bool = False
) -> BackupInfo:
    """Back up the open database: into the backup folder, or to the file `to` if given (an
    existing file there is only replaced with `force`)."""
    if kind not in KINDS:
        raise ValueError(f"unknown backup kind {kind!r}")
    if db.backend == "postgresql":
        return _make_pg_backup(db, kind, to, force)
    db.require_intact()  # a copy of a damaged file is no backup, and would rotate good ones out
    conn = db.raw_connection()
    try:
        if to is None:
            database_identity(db)
            return _backup_connection(db.path, backup_folder(db), kind, conn, db.key)
        to = Path(to).expanduser().absolute()
        if to == db.path or to.name.endswith(("-wal", "-shm", ".lock")):
            raise UserError(f"{to} is the database itself: give another file name")
        if to.is_dir():
            raise UserError(f"{to} is a folder: give a file name, e.g. {to / 'backup.sqlite3'}")
        if to.exists() and not force:
            raise UserError(f"{to} already exists: give another name, or --force to replace it")
        _ensure_folder(to.parent)
        school, pupils, marks, schema = _copy_database(conn, to, db.key)
        when = clock.now().replace(microsecond=0)
        return BackupInfo(to, kind, when, school, pupils, marks, schema, to.stat().st_size)
    finally:
        conn.close()


def _acting_for_none(db: Database) -> Database:
    """On PostgreSQL, the same database over connections acting for no school (`db` itself
    when it acts for none, and on SQLite); the caller closes one it did not give."""
    url = str(getattr(db, "url", ""))
    if db.backend != "postgresql":
        return db
    from attendance_desk.storage.postgres import PostgresDatabase
    from attendance_desk.storage.trust import school_url

    whole = school_url(url, None)
    return db if whole == url else PostgresDatabase(whole, read_only=db.read_only)


def _make_pg_backup(db: Database, kind: str, to: Path | None, force: bool) -> BackupInfo:
    """A database on a PostgreSQL server: a pg_dump file (storage/pg_backup.py) of the whole
    database (a trust's every school; refused, saying who takes it, to a login that sees only
    some), listed and rotated like a file's backups."""
    url = getattr(db, "url", "")
    pg_backup.whole_database(url)  # before anything is written: refused to a trust's staff
    identity = database_identity(db)
    whole = _acting_for_none(db)
    conn = whole.raw_connection()
    try:
        school, pupils, marks, schema = _summary(conn)  # every school's pupils and marks
    finally:
        conn.close()
        if whole is not db:
            whole.close()
    when = clock.now()
    if to is not None:
        to = Path(to).expanduser().absolute()
        if to.is_dir():
            raise UserError(f"{to} is a folder: give a file name, e.g. {to / 'backup.pgdump'}")
        if to.exists() and not force:
            raise UserError(f"{to} already exists: give another name, or --force to replace it")
        _ensure_folder(to.parent)
        pg_backup.dump(url, to)
        return BackupInfo(
            to,
            kind,
            when.replace(microsecond=0),
            school,
            pupils,
            marks,
            schema,
            to.stat().st_size,
            identity,
        )
    folder = backup_folder(db)
    _ensure_folder(folder)
    target = _backup_name(folder, db.path, kind, when).with_suffix(pg_backup.SUFFIX)
    pg_backup.dump(url, target)
    info = BackupInfo(
        target, kind, when, school, pupils, marks, schema, target.stat().st_size, identity
    )
    _write_note(info)
    _prune(folder, kind, identity)
    return info


def backup_before_import(db: Database) -> Path:
    """Take the pre-import backup (call before an import writes anything); returns its file."""
    return make_backup(db, kind=PRE_IMPORT).path


def backup_connection(path: Path, key: str | None) -> sqlite3.Connection:
    """A connection that may change one of this database's backups (retention does)."""
    try:
        if cipher.is_encrypted(path):
            if key is None:
                raise UserError(f"{path} is encrypted")
            conn = cipher.connect(path, key)
        else:
            conn = sqlite3.connect(path, timeout=30)
    except DatabaseError as exc:
        raise UserError(str(exc)) from None
    conn.execute("PRAGMA foreign_keys = ON")  # removals cascade as in the database itself
    return conn


def remove_leftovers(db: Database) -> list[Path]:
    """Temporary copies a crash may have left beside the database or its backups (a backup,
    a restore or a re-encryption cut short): deleted, since they may hold anyone's records.
    (A database on a server leaves none beside it: only its backup folder is looked at.)"""
    patterns = (
        "*.sqlite3.part",
        "*.rekey",
        f".{db.path.name}.rekey-*",
        f".{db.path.name}.restoring-*",
    )
    gone = []
    folders = {backup_folder(db)} if db.backend != "sqlite" else {db.path.parent, backup_folder(db)}
    for folder in folders:
        for pattern in patterns:
            for path in folder.glob(pattern):
                path.unlink(missing_ok=True)
                gone.append(path)
    return gone


def discard_backup(path: Path) -> None:
    """Remove a backup this program just took (and its note): for an import that failed, and so
    changed nothing."""
    Path(path).unlink(missing_ok=True)
    _note_path(Path(path)).unlink(missing_ok=True)


def daily_backup_if_due(db: Database, today: date | None = None) -> Path | None:
    """Take today's daily backup unless there is one already; returns the new file or None."""
    if db.read_only or db.backend != "sqlite":
        return None  # a PostgreSQL server: its backups are taken on the server (pg_dump)
    today = today or clock.today()
    folder = backup_folder(db)
    own = _list_folder(folder, db.path, database_identity(db))
    if any(b.kind == DAILY and b.taken_at.date() == today for b in own):
        return None
    return make_backup(db, kind=DAILY).path


# ---------------------------------------------------------------- the list of backups


def _note_path(backup: Path) -> Path:
    return backup.with_name(backup.name + ".json")


def _write_note(info: BackupInfo) -> None:
    note = {
        "kind": info.kind,
        "taken_at": info.taken_at.isoformat(),
        "school": info.school,
        "pupils": info.pupils,
        "marks": info.marks,
        "schema": info.schema,
        "identity": info.identity,
        "protected": info.protected,
    }
    private_files.replace(_note_path(info.path), json.dumps(note, indent=1).encode("utf-8"))


def protect_backup(path: Path) -> None:
    """Keep this pre-import backup until a later full backup exists (the import it was taken
    before changed or removed more than PROTECT_CHANGES marks)."""
    info = _read_note(Path(path))
    if info is not None:
        _write_note(replace(info, protected=True))


def _read_note(path: Path) -> BackupInfo | None:
    """The backup as its `.json` note describes it, or None without a readable note."""
    try:
        note = json.loads(_note_path(path).read_text(encoding="utf-8"))
        return BackupInfo(
            path,
            note["kind"],
            datetime.fromisoformat(note["taken_at"]),
            note.get("school", ""),
            int(note["pupils"]),
            int(note["marks"]),
            note.get("schema", ""),
            path.stat().st_size,
            str(note.get("identity", "")),
            bool(note.get("protected", False)),
        )
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _kind_and_time(path: Path) -> tuple[str, datetime]:
    """Without a note: the kind and time in the file's name, or its modification time."""
    match = _NAME.match(path.name)
    if match:
        return match["kind"], datetime.strptime(match["stamp"], "%Y-%m-%d_%H%M%S")
    return "", datetime.fromtimestamp(path.stat().st_mtime).replace(microsecond=0)


def _read_summary(path: Path) -> tuple[str, int, int, str]:
    conn = connect_read_only(path)
    try:
        return _summary(conn)
    finally:
        conn.close()


def _read_backup(path: Path) -> BackupInfo | None:
    note = _read_note(path)
    if note is not None:
        return note
    try:
        school, pupils, marks, schema = _read_summary(path)
    except (sqlite3.Error, DatabaseError):
        return None
    kind, when = _kind_and_time(path)
    return BackupInfo(path, kind, when, school, pupils, marks, schema, path.stat().st_size)


def _list_folder(
    folder: Path, db_path: Path | None = None, identity: str | None = None
) -> list[BackupInfo]:
    """The backups in `folder`, newest first; with `identity`, only that database's (and
    backups from before identities, which may be anyone's)."""
    if not folder.is_dir():
        return []
    found = []
    for path in [*folder.glob("*.sqlite3"), *folder.glob(f"*{pg_backup.SUFFIX}")]:
        if db_path is not None and path.absolute() == Path(db_path).absolute():
            continue
        info = _read_backup(path)
        if info is not None and (not identity or info.identity in ("", identity)):
            found.append(info)
    return sorted(found, key=lambda b: (b.taken_at, b.path.name), reverse=True)


def list_backups(db: Database) -> list[BackupInfo]:
    """The database's own backups in its backup folder, newest first."""
    return _list_folder(backup_folder(db), db.path, database_identity(db))


def latest_backup_for(db_path: Path) -> BackupInfo | None:
    """The newest backup of the database at `db_path`, found even when that file is damaged."""
    backups = _list_folder(backup_folder_for_path(db_path), db_path)
    return backups[0] if backups else None


def _prune(folder: Path, kind: str, identity: str = "") -> None:
    """Remove this database's automatic backups of `kind` that no rule keeps. Only its own: a
    backup of another database (another identity) in the same folder is never touched."""
    if KEEP.get(kind) is None:
        return
    own = [b for b in _list_folder(folder) if b.identity == identity and _NAME.match(b.path.name)]
    keep = _kept(own)
    for old in own:
        if old.kind == kind and old.path not in keep:
            old.path.unlink(missing_ok=True)
            _note_path(old.path).unlink(missing_ok=True)


def _kept(backups: list[BackupInfo]) -> set[Path]:
    """The backups (newest first) the rotation keeps: the last KEEP of each kind; the newest of
    each of the last KEEP_DAYS days, KEEP_WEEKS weeks and KEEP_MONTHS months; and a protected
    pre-import backup with no later full (daily or manual) backup."""
    keep: set[Path] = set()
    for kind, count in KEEP.items():
        keep.update(b.path for b in [b for b in backups if b.kind == kind][:count])
    automatic = [b for b in backups if b.kind in KEEP]
    for period, count in (
        (lambda b: b.taken_at.date(), KEEP_DAYS),
        (lambda b: b.taken_at.isocalendar()[:2], KEEP_WEEKS),
        (lambda b: (b.taken_at.year, b.taken_at.month), KEEP_MONTHS),
    ):
        seen: list[object] = []
        for b in automatic:  # newest first: the first of each period is its newest
            key = period(b)
            if key not in seen:
                seen.append(key)
                if len(seen) > count:
                    break
                keep.add(b.path)
    for b in backups:
        if b.kind == PRE_IMPORT and b.protected:
            later_full = any(o.kind in (DAILY, MANUAL) and o.taken_at > b.taken_at for o in backups)
            if not later_full:
                keep.add(b.path)
    return keep


def rekey_backups(db: Database, old_key: str | None) -> int:
    """After the password is set or removed: every backup of this database in its folder
    re-written under the database's key now (encrypted, or plain again), each one checked and
    moved into place in one step. Returns how many were re-written."""
    done = 0
    for info in list_backups(db):
        if cipher.is_encrypted(info.path):
            if old_key is None or old_key == db.key:
                continue  # already under this key, or under one this database never knew
            source_key: str | None = old_key
        elif db.key is None:
            continue
        else:
            source_key = None
        work = info.path.with_name(info.path.name + ".rekey")
        try:
            cipher.rewrite(info.path, source_key, db.key, work)
        except Exception as exc:
            work.unlink(missing_ok=True)
            if isinstance(exc, DatabaseError) or cipher.is_database_error(exc):
                continue  # under an older password: left as it is
            raise
        os.replace(work, info.path)
        done += 1
    if done:
        _fsync_folder(backup_folder(db))
    return done


# ---------------------------------------------------------------- checking and restoring


def verify_backup(path: Path, key: str | None = None) -> BackupInfo:
    """Check a backup file in full; raise DatabaseError saying what is wrong with it. An
    encrypted backup is read with `key` (the open database's)."""
    from attendance_desk.storage.migrations import known_revisions

    path = Path(path).expanduser().absolute()
    if path.is_dir():
        raise UserError(f"{path} is a folder: choose a backup file in it")
    if not path.is_file():
        raise UserError(f"{path} does not exist")
    if cipher.is_encrypted(path):
        return _verify_encrypted(path, key)
    try:
        require_usable(path, full=True)
    except DamagedDatabaseError as exc:
        if exc.kind == "damaged":
            raise DatabaseError(
                f"{path} is damaged ({exc.detail}): choose another backup"
            ) from None
        raise DatabaseError(
            f"{path} is not an Attendance Desk backup: choose another file"
        ) from None
    try:
        school, pupils, marks, schema = _read_summary(path)
    except (sqlite3.Error, DatabaseError):
        raise DatabaseError(f"{path} is not an Attendance Desk backup") from None
    if schema not in known_revisions():
        raise DatabaseError(
            f"{path} was made by a newer version of Attendance Desk (schema {schema}): "
            "install the newer version to restore it"
        )
    note = _read_note(path)
    kind, when = (note.kind, note.taken_at) if note else _kind_and_time(path)
    return BackupInfo(path, kind, when, school, pupils, marks, schema, path.stat().st_size)


def _verify_encrypted(path: Path, key: str | None) -> BackupInfo:
    from attendance_desk.storage.migrations import known_revisions

    if key is None:
        raise DatabaseError(
            f"{path} is encrypted (or not a backup): open the school's database with its "
            "password first"
        )
    conn = cipher.connect(path, key, read_only=True)
    try:
        problems = [r[0] for r in conn.execute("PRAGMA integrity_check(20)") if r[0] != "ok"]
        if problems:
            raise DatabaseError(f"{path} is damaged ({problems[0]}): choose another backup")
        school, pupils, marks, schema = _summary(conn)
    finally:
        conn.close()
    if schema not in known_revisions():
        raise DatabaseError(f"{path} was made by a newer version of Attendance Desk")
    note = _read_note(path)
    kind, when = (note.kind, note.taken_at) if note else _kind_and_time(path)
    return BackupInfo(path, kind, when, school, pupils, marks, schema, path.stat().st_size)


def restore_backup(db_path: Path, backup: Path, key: str | None = None) -> RestoreResult:
    """Replace the database at `db_path` with the backup file `backup`.

    Close every connection to the database in this process first (`db.close()`, or
    `db.engine.dispose()` to keep using the same Database object after the restore). Another
    copy of the application holding the database is refused.
    """
    db_path = Path(db_path).expanduser().absolute()
    info = verify_backup(backup, key)
    encrypted = cipher.is_encrypted(info.path)
    if info.path == db_path:
        raise UserError(f"{backup} is the database itself: choose a backup file")
    check_database_path(db_path)  # a folder or a read-only place: one clear line, nothing moved
    lock = acquire_writer_lock(db_path)
    try:
        # the restored copy is written and checked in full first: until it is, the database
        # in place is not touched (a full disk or a kill leaves it as it was)
        part = db_path.with_name(f".{db_path.name}.restoring-{os.getpid()}")
        part.unlink(missing_ok=True)
        source = (
            cipher.connect(info.path, key, read_only=True)
            if encrypted and key
            else connect_read_only(info.path)
        )
        try:
            _copy_database(source, part, key if encrypted else None)
        finally:
            source.close()
        try:
            kept = _keep_current(db_path, key)
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        for sidecar in _sidecars(db_path):
            sidecar.unlink(missing_ok=True)
        os.replace(part, db_path)
        _fsync_folder(db_path.parent)
    finally:
        lock.release()
    return RestoreResult(db_path, info, kept)


def restore_in_place(db: Database, backup: Path) -> RestoreResult:
    """Restore `backup` over the open database `db`, which stays usable afterwards: its
    connections are closed first so none holds the old file. On a PostgreSQL server: the
    dump is restored over the database in one transaction (a dump of it is taken first)."""
    if db.backend == "postgresql":
        result = _restore_pg(db, backup)
    else:
        db.engine.dispose()
        result = restore_backup(db.path, backup, db.key)
        if db.key is not None and not cipher.is_encrypted(db.path):
            db.reopen_as(None)  # a backup from before the password was set: plain again
    db.check_again()  # the restored data is what writes wait for now (not a damaged verdict)
    return result


def _restore_pg(db: Database, backup: Path) -> RestoreResult:
    backup = Path(backup).expanduser().absolute()
    if not backup.is_file():
        raise UserError(f"{backup} does not exist")
    if not pg_backup.is_dump(backup):
        raise DatabaseError(
            f"{backup} is not a backup of a PostgreSQL database (a file's backup is moved "
            "into it with `attendance-desk move`)"
        )
    pg_backup.contents(backup)
    info = _read_note(backup) or BackupInfo(
        backup, "", clock.now().replace(microsecond=0), "", 0, 0, "", backup.stat().st_size
    )
    kept = make_backup(db, kind=PRE_RESTORE).path
    db.close()  # every connection of this process: the restore waits for none of them
    pg_backup.restore(getattr(db, "url", ""), backup)
    return RestoreResult(db.path, info, kept)


def _sidecars(db_path: Path) -> list[Path]:
    return [db_path.with_name(db_path.name + suffix) for suffix in ("-wal", "-shm")]


def _keep_current(db_path: Path, key: str | None = None) -> Path | None:
    """Copy an intact current database into its backup folder; move a damaged one aside (or
    one locked with a password not given: it is kept, byte for byte, beside the restored one)."""
    if not db_path.exists() or db_path.stat().st_size == 0:
        return None
    encrypted = cipher.is_encrypted(db_path)
    try:
        if encrypted:
            if key is None:
                raise DatabaseError("locked, or not SQLite")
            cipher.connect(db_path, key, read_only=True).close()
        else:
            require_usable(db_path)
    except DatabaseError:
        stamp = f"{clock.now():%Y-%m-%d_%H%M%S}"
        aside = db_path.with_name(f"{db_path.stem}.damaged-{stamp}{db_path.suffix}")
        for old, new in zip(_sidecars(db_path), _sidecars(aside), strict=True):
            if old.exists():
                os.replace(old, new)
        os.replace(db_path, aside)  # the damaged bytes are kept exactly as they were
        return aside
    conn = (
        cipher.connect(db_path, key) if encrypted and key else sqlite3.connect(db_path, timeout=30)
    )
    try:
        info = _backup_connection(
            db_path, backup_folder_for_path(db_path), PRE_RESTORE, conn, key if encrypted else None
        )
        # fold the write-ahead log into the file, so no stale log can touch the restored one
        conn.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    finally:
        conn.close()
    return info.path
