"""services/live.py: a window on a shared PostgreSQL database is told of the changes other PCs
make, not of its own (taken for another PC's, its own reloaded every page and threw away a
batch of letters just saved). Needs a PostgreSQL server (ATTENDANCE_DESK_TEST_PG)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from casework_school import DAY, build_school

from attendance_desk.services.calls import log_call
from attendance_desk.services.live import watch
from attendance_desk.storage.db import Database, open_database
from tests.conftest import postgres_database


def _until(done: Callable[[], bool], seconds: float = 15.0) -> None:
    end = time.monotonic() + seconds
    while not done():
        assert time.monotonic() < end, "nothing was heard"
        time.sleep(0.05)


def _contact_touched(db: Database) -> None:
    """Another PC's change to a table the windows show (a contact's number saved again)."""
    conn = db.raw_connection(write=True)
    try:
        with conn:
            conn.execute(
                "UPDATE contacts SET phone_home = phone_home WHERE id = (SELECT min(id) FROM contacts)"
            )
    finally:
        conn.close()


def test_a_window_is_told_of_other_pcs_changes_not_its_own() -> None:
    with postgres_database() as url:
        mine, other = open_database(url), open_database(url)
        stop = threading.Event()
        heard: list[frozenset[str]] = []
        listening = threading.Thread(target=watch, args=(mine, heard.append, stop, 0.2))
        try:
            school = build_school(mine)
            listening.start()

            # listening once another PC's change is heard (its LISTEN is on its own thread)
            def another_pc_heard() -> bool:
                _contact_touched(other)
                return bool(heard)

            _until(another_pc_heard)
            time.sleep(0.5)  # what was on its way has come
            heard.clear()

            log_call(mine, school["ava"], DAY, "spoke", "Mrs Brown", reason_given="A cold")
            _contact_touched(other)  # then another PC's change
            _until(lambda: bool(heard))
            time.sleep(0.5)
            changed = frozenset().union(*heard)
            assert "contacts" in changed  # the other PC's
            assert "timeline_events" not in changed and "event_pupils" not in changed
        finally:
            stop.set()
            if listening.is_alive():
                listening.join(5)
            other.close()
            mine.close()
