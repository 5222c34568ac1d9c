"""Changes made on other PCs, as they happen: a call logged, a mark re-coded, a case moved on
one PC shows on the others within seconds, without a refresh.

On PostgreSQL the database announces each change (triggers, migration 0015); `watch` runs
on a thread of the window's and calls back with the tables changed by other connections than
the window's own: a change of its own is announced too, and taken for another PC's it reloaded
every page (a batch of letters just saved was thrown away on the Letters page, "the choice
changed"); the window tells its own pages of its own changes. On SQLite there is nothing to
watch (one PC): `watch` returns at once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from attendance_desk.storage.db import Database


def can_watch(db: Database) -> bool:
    return getattr(db, "backend", "sqlite") == "postgresql" and bool(getattr(db, "url", ""))


def watch(
    db: Database,
    on_change: Callable[[frozenset[str]], None],
    stop: threading.Event,
    poll: float = 0.5,
) -> None:
    """Until `stop` is set, call `on_change(tables)` for each batch of changes announced
    (within `poll` seconds of each other), for the schools this connection may see."""
    if not can_watch(db):
        return
    from attendance_desk.storage.live import Listener

    listener = Listener(str(getattr(db, "url")))  # noqa: B009
    try:
        while not stop.is_set():
            notes = listener.wait(poll)
            own: set[int] = getattr(db, "own_backends", set())
            tables = frozenset(str(n.get("table", "")) for n in notes if n.get("pid") not in own)
            tables -= {""}
            if tables and not stop.is_set():
                on_change(tables)
    finally:
        listener.close()
