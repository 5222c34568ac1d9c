"""The school's staff (name and role), who is at the keyboard, and what they may change.

Every record's "by" is the name of the member of staff chosen at start (attendance_desk.user);
a class teacher may look but not change: the casework services call `require_can_change`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from attendance_desk.domain.staff import NotAllowed, Role
from attendance_desk.errors import UserError
from attendance_desk.storage.db import Database
from attendance_desk.user import act_as, acting, login_name, stop_acting

if TYPE_CHECKING:  # SQLAlchemy and the models load when something is changed, not at start
    from attendance_desk.storage.models.cases import Staff


@dataclass(frozen=True)
class StaffMember:
    staff_id: int
    name: str
    role: Role
    active: bool


def _member(row: Staff) -> StaffMember:
    return StaffMember(row.id, row.name, Role(row.role), row.active)


def list_staff(db: Database, include_inactive: bool = False) -> tuple[StaffMember, ...]:
    """The staff list, by name (plain SQL: the window asks at start, before anything else)."""
    where = "" if include_inactive else " WHERE active"
    conn = db.raw_connection()
    try:
        rows = conn.execute(f"SELECT id, name, role, active FROM staff{where} ORDER BY name")
        return tuple(StaffMember(r[0], r[1], Role(r[2]), bool(r[3])) for r in rows)
    finally:
        conn.close()


def add_staff(db: Database, name: str, role: Role | str) -> StaffMember:
    require_can_change("add staff")
    name = " ".join(name.split())
    if len(name) < 2:
        raise UserError("A member of staff needs a name (as it will appear on records)")
    try:
        role = Role(role)
    except ValueError:
        raise UserError(f"'{role}' is not a role ({', '.join(r.value for r in Role)})") from None
    from sqlalchemy import select

    from attendance_desk.storage.models.cases import Staff

    with db.session() as s:
        existing = s.scalars(select(Staff).where(Staff.name == name)).first()
        if existing is not None:
            if existing.active:
                raise UserError(f"{name} is already on the staff list")
            existing.active, existing.role = True, role.value
            s.flush()
            return _member(existing)
        row = Staff(name=name, role=role.value)
        s.add(row)
        s.flush()
        return _member(row)


def set_staff_role(db: Database, staff_id: int, role: Role | str) -> StaffMember:
    require_can_change("change a role")
    from attendance_desk.storage.models.cases import Staff

    with db.session() as s:
        row = s.get(Staff, staff_id)
        if row is None:
            raise UserError(f"There is no member of staff {staff_id}")
        row.role = Role(role).value
        s.flush()
        return _member(row)


def remove_staff(db: Database, staff_id: int) -> None:
    """Take a member of staff off the list (their name stays on what they recorded)."""
    require_can_change("remove staff")
    from attendance_desk.storage.models.cases import Staff

    with db.session() as s:
        row = s.get(Staff, staff_id)
        if row is None:
            raise UserError(f"There is no member of staff {staff_id}")
        row.active = False


def sign_in(db: Database, name: str) -> StaffMember:
    """The member of staff at the keyboard: records carry their name, the role limits changes,
    and the audit log names them."""
    member = next((m for m in list_staff(db) if m.name == name), None)
    if member is None:
        raise UserError(f"{name} is not on the staff list (Settings, Staff)")
    act_as(member.name, member.role.value)
    if not db.read_only:
        _set_audit_who(db, member.name)
    return member


def sign_out(db: Database) -> None:
    stop_acting()
    if not db.read_only:
        _set_audit_who(db, login_name())


def _set_audit_who(db: Database, who: str) -> None:
    """Name who makes changes in the audit log. On PostgreSQL each connection names its own
    person (storage/postgres.py), so the shared row is left alone there. Plain SQL: signing in
    at start loads nothing the first screen does not need."""
    if db.backend == "postgresql" or db.read_only:
        return
    conn = db.raw_connection()
    try:
        row = conn.execute("SELECT who FROM audit_session WHERE id = 1").fetchone()
    finally:
        conn.close()
    if row is not None and row[0] == who:
        return  # the same person as last time: nothing written, no wait for the check
    conn = db.raw_connection(write=True)
    try:
        with conn:
            conn.execute("UPDATE audit_session SET who = ? WHERE id = 1", (who,))
    finally:
        conn.close()


def acting_role() -> Role | None:
    who = acting()
    return Role(who[1]) if who else None


def can_change(db: Database | None = None) -> bool:
    """Whether the person at the keyboard may change records (a class teacher may only look);
    with `db`, whether changes can be made there too: not a read-only database, nor one
    looking at all of a trust's schools at once (each change is made working in one)."""
    role = acting_role()
    if role is not None and not role.may_change:
        return False
    return db is None or not (db.read_only or db.for_all_schools())


def require_can_change(what: str = "change this") -> None:
    """Refuse a change by a member of staff whose role may only look (a class teacher)."""
    who = acting()
    if who is not None and not Role(who[1]).may_change:
        raise NotAllowed(f"{who[0]} is signed in as a class teacher, who can look but not {what}")


def require_headteacher(db: Database, name: str) -> None:
    """The Enforce sign-off is the headteacher's: `name` must be a headteacher on the staff
    list (when the school keeps one)."""
    staff = list_staff(db)
    if not staff:
        return
    if not any(m.name == name.strip() and m.role is Role.HEADTEACHER for m in staff):
        heads = ", ".join(m.name for m in staff if m.role is Role.HEADTEACHER) or "none on record"
        raise NotAllowed(
            f"The sign-off to Enforce is the headteacher's: '{name.strip()}' is not a "
            f"headteacher on the staff list (headteachers: {heads})"
        )
