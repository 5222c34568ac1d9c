"""Reading and writing one application setting (`app_settings`: a key and a JSON value).

Each school of a trust has its own settings (the key is (school_id, key), migration 0016): both
read and write the connection's school's (storage/trust.py `this_school`)."""

from __future__ import annotations

import json
from typing import Any

from attendance_desk.storage.db import Database
from attendance_desk.storage.trust import this_school


def read_setting(db: Database, key: str) -> Any:
    """The setting's value, or None when it is not set or its JSON cannot be read.

    Plain SQL: every command reads a setting (the password), and needs no SQLAlchemy for it."""
    conn = db.raw_connection()
    try:
        row = conn.execute(
            f"SELECT value_json FROM app_settings WHERE key = ? AND {this_school(db.backend)}",
            (key,),
        ).fetchone()
    finally:
        conn.close()
    value_json = row[0] if row is not None else None
    if not value_json:
        return None
    try:
        return json.loads(value_json)
    except ValueError:
        return None


def write_setting(db: Database, key: str, value: Any) -> None:
    """Store the setting as JSON in its own unit of work; None removes it."""
    from sqlalchemy import delete, select, text, update

    from attendance_desk.storage.models import AppSetting

    here = (AppSetting.key == key, text(this_school(db.backend)))
    with db.session() as s:
        stored = s.scalars(select(AppSetting.value_json).where(*here)).first()
        if value is None:
            if stored is not None:
                s.execute(delete(AppSetting).where(*here), execution_options=_PLAIN)
        elif stored is None:
            s.add(AppSetting(key=key, value_json=json.dumps(value)))
        elif stored != json.dumps(value):
            s.execute(
                update(AppSetting).where(*here).values(value_json=json.dumps(value)),
                execution_options=_PLAIN,
            )


# the statement names its rows itself (the school's): nothing for the ORM to match in the session
_PLAIN = {"synchronize_session": False}
