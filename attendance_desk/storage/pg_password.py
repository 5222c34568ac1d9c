"""A server's password kept for this PC the way PostgreSQL keeps it: in the user's password
file (libpq's pgpass: ~/.pgpass, or %APPDATA%\\postgresql\\pgpass.conf on Windows, or the file
PGPASSFILE names), readable only by its owner, where libpq (and so the application, pg_dump and
pg_restore) finds it by the server, port, database and user. The application itself keeps
addresses without passwords."""

from __future__ import annotations

import getpass
import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from attendance_desk import private_files


def password_file() -> Path:
    named = os.environ.get("PGPASSFILE", "").strip()
    if named:
        return Path(named)
    if os.name == "nt":
        appdata = os.environ.get("APPDATA") or str(Path.home() / "AppData" / "Roaming")
        return Path(appdata) / "postgresql" / "pgpass.conf"
    return Path.home() / ".pgpass"


def _field(value: str) -> str:
    return value.replace("\\", "\\\\").replace(":", "\\:")


def remember_password(url: str) -> Path | None:
    """Keep the password written in `url` in the password file (the line for the same server,
    port, database and user replaced); the file, or None when the URL holds no password."""
    from attendance_desk.storage.postgres import libpq_url, password_in

    parts = urlsplit(libpq_url(url))
    password = password_in(url)
    if not password:
        return None
    user = unquote(parts.username or "") or getpass.getuser()
    key = [parts.hostname or "localhost", str(parts.port or 5432)]
    key += [unquote(parts.path.lstrip("/")) or user, user]
    prefix = ":".join(_field(k) for k in key) + ":"
    path = password_file()
    try:
        kept = [
            line
            for line in path.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith(prefix)
        ]
    except FileNotFoundError:
        kept = []
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [*kept, prefix + _field(password)]
    private_files.replace(path, ("\n".join(lines) + "\n").encode("utf-8"))
    return path
