"""Backups of a database on a PostgreSQL server: pg_dump and pg_restore, driven from here.

A backup is one pg_dump file in the custom format (`.pgdump`: compressed, restorable table by
table), written as `.part` and moved into place once pg_dump has finished and `pg_restore
--list` reads it back. A restore replaces every object of the database in ONE transaction
(`pg_restore --clean --if-exists --single-transaction`): it is the old database or the restored
one, never half of each. Where the client tools are not installed the message says so, and what
to install.

A backup holds every row of the database, every school's of a trust, or is not taken. A login
that row-level security limits to some schools (a trust's member of staff) could dump only part
of it (pg_dump refuses it, or with `--enable-row-security` leaves the other schools' rows out
without a word), so it is refused, saying who takes a trust's backups: the database's owner.
The owner dumps over a connection acting for no school; one that is not a superuser (whom
FORCE ROW LEVEL SECURITY still binds, 0015) with `--enable-row-security`, under which the school
policy passes every row to the owner acting for none.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from attendance_desk.errors import DatabaseError

SUFFIX = ".pgdump"
_INSTALL = (
    "install the PostgreSQL client tools on this PC (Debian/Ubuntu: `apt install "
    "postgresql-client`; Windows and macOS: the PostgreSQL installer's command line tools), "
    "or have the server's administrator take the backups"
)


def tool(name: str) -> str:
    """The path of a PostgreSQL client program, or DatabaseError saying how to get it."""
    override = os.environ.get("ATTENDANCE_DESK_PG_BIN")
    if override:
        candidate = Path(override) / name
        if candidate.is_file():
            return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise DatabaseError(
            f"backups of a PostgreSQL database need {name}, which is not found: {_INSTALL}"
        )
    return found


def _run(args: list[str], what: str) -> str:
    try:
        done = subprocess.run(args, capture_output=True, text=True, timeout=3600)
    except OSError as exc:
        raise DatabaseError(f"{what}: {exc.strerror or exc}") from None
    if done.returncode != 0:
        detail = (done.stderr or done.stdout).strip().splitlines()
        raise DatabaseError(f"{what}: {detail[-1] if detail else f'exit {done.returncode}'}")
    return done.stdout


def whole_database(url: str) -> tuple[str, list[str]]:
    """The URL and the pg_dump options that read every row of the database at `url`;
    DatabaseError, saying who can take the backup, for a login that sees only some schools."""
    import psycopg

    from attendance_desk.storage.trust import school_url

    whole = school_url(url, None)  # acting for no school
    try:
        with psycopg.connect(whole, autocommit=True) as conn:
            row = conn.execute(
                "SELECT current_user, r.rolsuper OR r.rolbypassrls, "
                "to_regprocedure('attendance_desk_schools()') IS NOT NULL "
                "FROM pg_roles r WHERE r.rolname = current_user"
            ).fetchone()
            login, unrestricted, trust = row if row else ("", False, False)
            owner = True  # a schema from before 0015 has no school rules
            if trust:  # NULL: every school (the tables' owner); else the login's schools
                seen = conn.execute("SELECT attendance_desk_schools() IS NULL").fetchone()
                owner = bool(seen and seen[0])
    except psycopg.Error as exc:
        first = str(exc).strip().splitlines()
        raise DatabaseError(
            f"the backup of the database could not be taken: {first[0] if first else exc}"
        ) from None
    if unrestricted:
        return whole, []
    if owner:
        return whole, ["--enable-row-security"]
    raise DatabaseError(
        f"a backup is not taken by {login}: this login sees only the schools it is given, so "
        "the backup would hold only part of the trust's database. A trust's backups are taken "
        "by the database's owner (the trust's administrator): open the database as the owner "
        "and use File > Backups, or on the server run, as the owner, "
        "`pg_dump --format=custom --enable-row-security --file=trust.pgdump DBNAME`"
    )


def dump(url: str, target: Path) -> None:
    """Dump the whole database at `url` (every school's rows) into the new file `target`
    (owner-only); nothing is left behind when it fails."""
    pg_dump = tool("pg_dump")
    url, options = whole_database(url)
    part = target.with_name(target.name + ".part")
    part.unlink(missing_ok=True)
    os.close(os.open(part, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        _run(
            [pg_dump, "--format=custom", "--no-owner", "--no-privileges", *options]
            + [f"--file={part}", url],
            "the backup of the database could not be taken (pg_dump)",
        )
        contents(part)  # read back before it counts as a backup
        with part.open("rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(part, target)
    except BaseException:
        part.unlink(missing_ok=True)
        raise


def contents(path: Path) -> list[str]:
    """The table of contents of a dump; DatabaseError when it is not a readable dump."""
    listing = _run(
        [tool("pg_restore"), "--list", str(path)], f"{path} is not a readable PostgreSQL backup"
    )
    return [line for line in listing.splitlines() if line and not line.startswith(";")]


def is_dump(path: Path) -> bool:
    """A PostgreSQL custom-format dump (by its first bytes, as pg_restore knows it)."""
    try:
        with Path(path).open("rb") as fh:
            return fh.read(5) == b"PGDMP"
    except OSError:
        return False


def restore(url: str, path: Path) -> None:
    """Replace the database at `url` with the dump `path`, in one transaction."""
    _run(
        [
            tool("pg_restore"),
            "--clean",
            "--if-exists",
            "--single-transaction",
            "--no-owner",
            "--no-privileges",
            "--exit-on-error",
            f"--dbname={url}",
            str(path),
        ],
        f"{path} could not be restored (pg_restore; the database is unchanged)",
    )
