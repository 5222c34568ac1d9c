"""The school's policy, stored as JSON in the `policy` table (one active row)."""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING, cast

from attendance_desk.domain.policy import DEFAULT_PRESET, Policy, preset, validate
from attendance_desk.errors import UserError
from attendance_desk.storage.db import Database

if TYPE_CHECKING:  # the commands that only read never load SQLAlchemy
    from sqlalchemy.orm import Session


def get_policy(db: Database) -> Policy:
    """The active policy; the Clifford preset when none has been chosen yet."""
    conn = db.raw_connection()
    try:
        return load_policy(conn)
    finally:
        conn.close()


def policy_in(s: Session) -> Policy:
    """The active policy, read over an open session's own connection."""
    raw = s.connection().connection.dbapi_connection
    return load_policy(cast(sqlite3.Connection, raw))


def load_policy(conn: sqlite3.Connection) -> Policy:
    """The active policy read over a plain sqlite3 connection (for the monitoring engine)."""
    row = conn.execute("SELECT settings_json FROM policy ORDER BY id DESC LIMIT 1").fetchone()
    if row is None:
        return preset(DEFAULT_PRESET)
    try:
        return Policy.from_json(row[0])
    except (ValueError, KeyError, TypeError) as exc:
        raise UserError(
            f"the stored attendance policy cannot be read ({exc}); choose a preset"
        ) from None


def save_policy(db: Database, policy: Policy) -> Policy:
    """Store the policy (every number editable) as the active one."""
    try:
        validate(policy)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    from sqlalchemy import select  # SQLAlchemy only for a change: reading is plain SQL

    from attendance_desk.storage.models import PolicyRecord

    with db.session() as s:
        record = s.scalars(select(PolicyRecord).order_by(PolicyRecord.id.desc()).limit(1)).first()
        if record is None:
            record = PolicyRecord(preset=policy.preset, name=policy.name, settings_json="")
            s.add(record)
        record.preset = policy.preset
        record.name = policy.name
        record.settings_json = policy.to_json()
    return policy


def set_preset(db: Database, name: str) -> Policy:
    """Replace the policy with one of the presets ("clifford" or "clifton")."""
    try:
        chosen = preset(name)
    except ValueError as exc:
        raise UserError(str(exc)) from None
    return save_policy(db, chosen)
