"""Reading and writing one application setting (`app_settings`: a key and a JSON value)."""

from __future__ import annotations

import json
from typing import Any

from attendance_desk.storage.db import Database


def read_setting(db: Database, key: str) -> Any:
    """The setting's value, or None when it is not set or its JSON cannot be read.

    Plain SQL: every command reads a setting (the password), and needs no SQLAlchemy for it."""
    conn = db.raw_connection()
    try:
        row = conn.execute("SELECT value_json FROM app_settings WHERE key = ?", (key,)).fetchone()
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
    from attendance_desk.storage.models import AppSetting

    with db.session() as s:
        setting = s.get(AppSetting, key)
        if value is None:
            if setting is not None:
                s.delete(setting)
        elif setting is None:
            s.add(AppSetting(key=key, value_json=json.dumps(value)))
        else:
            setting.value_json = json.dumps(value)
