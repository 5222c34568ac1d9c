"""Listening for changes other PCs make to a PostgreSQL database (LISTEN on the channel the
triggers of migration 0015 NOTIFY). A SQLite file is used from one PC: nothing to listen to."""

from __future__ import annotations

import contextlib
import json
from typing import Any

from attendance_desk.storage.trust import CHANNEL


class Listener:
    """One connection of its own that LISTENs; `wait` returns what was announced meanwhile
    (each announcement: {"table", "school", "who", "pid"})."""

    def __init__(self, url: str) -> None:
        import psycopg

        self.pg: Any = psycopg.connect(url, autocommit=True)
        self.pg.execute(f"LISTEN {CHANNEL}")

    def wait(self, timeout: float) -> list[dict[str, Any]]:
        """The announcements within `timeout` seconds (returns early once one has come and
        no more follow at once)."""
        got: list[dict[str, Any]] = []
        for note in self.pg.notifies(timeout=timeout, stop_after=1):
            got.append(_payload(note.payload))
        if got:  # those that came together
            for note in self.pg.notifies(timeout=0.05):
                got.append(_payload(note.payload))
        return got

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self.pg.close()


def _payload(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}
