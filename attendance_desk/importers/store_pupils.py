"""Matching the pupils a file names to the database, creating and updating them (raw sqlite3,
inside the caller's transaction).

Matching order: UPN, then admission number, then legal name + date of birth; a register with
neither UPN nor admission number matches on name alone when exactly one pupil has that name.
A clash (the same UPN on a different person) is an error, never a guess.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from datetime import date
from typing import Any

from attendance_desk.importers.cells import name_key
from attendance_desk.importers.model import PupilRow
from attendance_desk.importers.problems import Problems
from attendance_desk.importers.tally import Tally

_COLUMNS = (
    "id, upn, admission_number, legal_surname, legal_forename, preferred_surname, "
    "preferred_forename, date_of_birth, sex, year_group, reg_group, admission_date, "
    "leaving_date, pupil_premium, fsm, sen_status, eal, looked_after, child_protection, "
    "child_in_need"
)
# file detail key -> pupils column
_DETAIL_COLUMNS = {
    "sex": "sex",
    "sen_status": "sen_status",
    "admission_date": "admission_date",
    "leaving_date": "leaving_date",
    "pupil_premium": "pupil_premium",
    "fsm": "fsm",
    "eal": "eal",
    "looked_after": "looked_after",
    "child_protection": "child_protection",
    "child_in_need": "child_in_need",
}
_CONTACT_COLUMNS = {
    "title": "title",
    "relationship": "relationship_to_pupil",
    "phone_home": "phone_home",
    "phone_mobile": "phone_mobile",
    "phone_work": "phone_work",
    "email": "email",
    "address1": "address_line1",
    "address2": "address_line2",
    "address3": "address_line3",
    "postcode": "postcode",
    "parental_responsibility": "parental_responsibility",
    "lives_with": "lives_with_pupil",
}


def _identity_values(pupil: PupilRow) -> dict[str, Any]:
    """The pupils columns a file row names the pupil by (None where the file is silent)."""
    return {
        "upn": pupil.upn,
        "admission_number": pupil.adno,
        "legal_surname": pupil.surname,
        "legal_forename": pupil.forename,
        "preferred_surname": pupil.preferred_surname,
        "preferred_forename": pupil.preferred_forename,
        "date_of_birth": pupil.dob,
        "year_group": pupil.year_group,
        "reg_group": pupil.reg_group,
    }


def _adno_key(adno: str | None) -> str | None:
    return adno.lstrip("0") or "0" if adno else None


def _sql_value(value: Any) -> Any:
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, bool):
        return int(value)
    return value


@dataclass
class _Known:
    row: dict[str, Any]

    @property
    def id(self) -> int:
        return int(self.row["id"])

    def same_person(self, pupil: PupilRow) -> bool:
        known_dob = self.row["date_of_birth"]
        if pupil.dob and known_dob and pupil.dob.isoformat() != known_dob:
            return False
        surnames = {
            name_key(self.row["legal_surname"] or ""),
            name_key(self.row["preferred_surname"] or ""),
        }
        forenames = {
            name_key(self.row["legal_forename"] or ""),
            name_key(self.row["preferred_forename"] or ""),
        }
        surname_ok = pupil.surname is None or name_key(pupil.surname) in surnames
        forename_ok = pupil.forename is None or name_key(pupil.forename) in forenames
        if pupil.preferred_forename and name_key(pupil.preferred_forename) in forenames:
            forename_ok = True
        return surname_ok or forename_ok

    def forename_matches(self, pupil: PupilRow) -> bool:
        forenames = {
            name_key(self.row["legal_forename"] or ""),
            name_key(self.row["preferred_forename"] or ""),
        }
        given = [n for n in (pupil.forename, pupil.preferred_forename) if n]
        return bool(given) and any(name_key(n) in forenames for n in given)


class PupilMatcher:
    """The school's pupils, indexed for matching; learns the pupils it creates."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        self.by_upn: dict[str, _Known] = {}
        self.by_adno: dict[str, _Known] = {}
        self.by_name_dob: dict[tuple[str, str, str], _Known] = {}
        self.by_name: dict[tuple[str, str], list[_Known]] = {}
        cursor = conn.execute(f"SELECT {_COLUMNS} FROM pupils")
        names = [d[0] for d in cursor.description]
        for values in cursor:
            self._learn(_Known(dict(zip(names, values, strict=True))))

    def _learn(self, known: _Known) -> None:
        row = known.row
        if row["upn"]:
            self.by_upn[row["upn"]] = known
        if row["admission_number"]:
            self.by_adno[_adno_key(row["admission_number"]) or ""] = known
        names = (name_key(row["legal_surname"] or ""), name_key(row["legal_forename"] or ""))
        if row["date_of_birth"]:
            self.by_name_dob[(*names, row["date_of_birth"])] = known
        self.by_name.setdefault(names, []).append(known)

    def find(self, pupil: PupilRow, problems: Problems, *, roster: bool = False) -> _Known | None:
        """The database pupil this row is about, None if new; a clash is added to problems.

        A roster (pupil details from the MIS) is the school's record of who the child is: with
        the same UPN and forename it may change the surname or date of birth (an update, shown
        and audited). A register naming someone else under a known UPN stays a clash.
        """
        where = pupil.row
        found: _Known | None = None
        if pupil.upn:
            found = self.by_upn.get(pupil.upn)
            renamed = roster and found is not None and found.forename_matches(pupil)
            if found and not renamed and not found.same_person(pupil):
                problems.add(
                    where,
                    None,
                    f"clash: UPN {pupil.upn} belongs to another pupil in the "
                    "database (the name or date of birth differs)",
                )
                return None
        if found is None and pupil.adno:
            found = self.by_adno.get(_adno_key(pupil.adno) or "")
            if found and pupil.upn and found.row["upn"] and found.row["upn"] != pupil.upn:
                problems.add(
                    where,
                    None,
                    f"clash: admission number {pupil.adno} belongs to a pupil with a different UPN",
                )
                return None
            if found and not found.same_person(pupil):
                problems.add(
                    where,
                    None,
                    f"clash: admission number {pupil.adno} belongs to "
                    "another pupil in the database (the name or date of birth differs)",
                )
                return None
        if found is None and pupil.surname and pupil.forename and pupil.dob:
            key = (name_key(pupil.surname), name_key(pupil.forename), pupil.dob.isoformat())
            found = self.by_name_dob.get(key)
            if found and pupil.upn and found.row["upn"] and found.row["upn"] != pupil.upn:
                problems.add(
                    where,
                    None,
                    f"clash: a pupil with this name and date of birth has "
                    f"a different UPN from {pupil.upn}",
                )
                return None
        if found is None and not pupil.upn and not pupil.adno and pupil.surname and pupil.forename:
            matches = self.by_name.get((name_key(pupil.surname), name_key(pupil.forename)), [])
            if pupil.reg_group and len(matches) > 1:
                matches = [m for m in matches if m.row["reg_group"] == pupil.reg_group]
            if len(matches) > 1:
                problems.add(
                    where,
                    None,
                    "more than one pupil has this name: add a UPN or "
                    "admission number column to tell them apart",
                )
                return None
            found = matches[0] if matches else None
        return found

    def create(self, pupil: PupilRow, now: str, problems: Problems) -> int | None:
        if not (pupil.surname and pupil.forename):
            problems.add(
                pupil.row,
                None,
                "this pupil is not in the database and the file gives "
                "no surname and forename: import the pupil details (roster) first",
            )
            return None
        values: dict[str, Any] = {
            **_identity_values(pupil),
            "sex": None,
            "admission_date": None,
            "leaving_date": None,
            "pupil_premium": False,
            "fsm": False,
            "sen_status": "N",
            "eal": False,
            "looked_after": False,
            "child_protection": False,
            "child_in_need": False,
        }
        values.update(pupil.details)
        columns = list(values) + ["created_at", "updated_at"]
        params = [_sql_value(values[c]) for c in values] + [now, now]
        cursor = self.conn.execute(
            f"INSERT INTO pupils ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})",
            params,
        )
        pupil_id = int(cursor.lastrowid or 0)
        row = {k: _sql_value(v) for k, v in values.items()} | {"id": pupil_id}
        self._learn(_Known(row))
        return pupil_id

    def update(self, known: _Known, changes: dict[str, Any], now: str) -> None:
        sets = ", ".join(f"{c} = ?" for c in changes)
        params = [_sql_value(v) for v in changes.values()] + [now, known.id]
        self.conn.execute(f"UPDATE pupils SET {sets}, updated_at = ? WHERE id = ?", params)
        known.row.update({k: _sql_value(v) for k, v in changes.items()})
        self._learn(known)


def resolve_register_pupils(
    matcher: PupilMatcher, pupils: list[PupilRow], problems: Problems, tally: Tally
) -> list[int]:
    """A database id per file pupil (0 where it failed); creates pupils a register names."""
    ids: list[int] = []
    for pupil in pupils:
        before = problems.count
        known = matcher.find(pupil, problems)
        if problems.count > before:
            ids.append(0)
            continue
        if known is None:
            new_id = matcher.create(pupil, tally.now, problems)
            if new_id:
                tally.pupils_added.append(pupil.display_name)
            ids.append(new_id or 0)
            continue
        fill = {
            col: value
            for col, value in (
                ("upn", pupil.upn),
                ("admission_number", pupil.adno),
                ("reg_group", pupil.reg_group),
                ("year_group", pupil.year_group),
                ("date_of_birth", pupil.dob),
            )
            if value is not None and not known.row.get(col)
        }
        if fill:
            matcher.update(known, fill, tally.now)
            tally.pupils_changed.append(pupil.display_name)
        ids.append(known.id)
    return ids


def apply_roster(
    matcher: PupilMatcher, pupils: list[PupilRow], problems: Problems, tally: Tally
) -> None:
    contacts = _Contacts(matcher.conn)
    for pupil in pupils:
        before = problems.count
        known = matcher.find(pupil, problems, roster=True)
        if problems.count > before:
            continue
        if known is None:
            new_id = matcher.create(pupil, tally.now, problems)
            if new_id:
                tally.pupils_added.append(pupil.display_name)
                contacts.apply(new_id, pupil, tally)
            continue
        wanted = {k: v for k, v in _identity_values(pupil).items() if v is not None}
        wanted.update({_DETAIL_COLUMNS[k]: v for k, v in pupil.details.items()})
        changes = {k: v for k, v in wanted.items() if _sql_value(v) != known.row.get(k)}
        identity = _identity_changes(known, changes)
        if identity:
            tally.notes.append(f"{pupil.display_name} (UPN {pupil.upn}): {identity}")
        if changes:
            matcher.update(known, changes, tally.now)
        contacts_changed = contacts.apply(known.id, pupil, tally)
        if changes or contacts_changed:
            tally.pupils_changed.append(pupil.display_name)


_IDENTITY_LABELS = {
    "legal_surname": "surname",
    "legal_forename": "forename",
    "date_of_birth": "date of birth",
}


def _identity_changes(known: _Known, changes: dict[str, Any]) -> str:
    """'surname Smith -> Jones; date of birth 01/02/2018 -> 03/02/2018' for the preview."""
    parts = []
    for column, label in _IDENTITY_LABELS.items():
        if column in changes and known.row.get(column):
            old, new = known.row[column], changes[column]
            if column == "date_of_birth":
                old = date.fromisoformat(str(old)[:10]).strftime("%d/%m/%Y")
                new = new.strftime("%d/%m/%Y") if isinstance(new, date) else str(new)
            parts.append(f"{label} {old} -> {new}")
    return "; ".join(parts)


def _contact_values(contact: dict[str, Any]) -> dict[str, Any]:
    values: dict[str, Any] = {"priority": contact["priority"], "name": contact["name"]}
    for key, value in contact.items():
        if key == "phone":
            mobile = (value or "").replace(" ", "").startswith(("07", "+447"))
            values["phone_mobile" if mobile else "phone_home"] = value
        elif key in _CONTACT_COLUMNS:
            values[_CONTACT_COLUMNS[key]] = _sql_value(value)
    return values


class _Contacts:
    """The school's contacts by (pupil id, priority), read in one query; the first (lowest id)
    of a priority is the one the file updates. Learns the contacts it inserts."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        self.conn = conn
        cursor = conn.execute("SELECT * FROM contacts ORDER BY id")
        names = [d[0] for d in cursor.description]
        self.known: dict[tuple[int, int], dict[str, Any]] = {}
        for values in cursor:
            row = dict(zip(names, values, strict=True))
            self.known.setdefault((row["pupil_id"], row["priority"]), row)

    def apply(self, pupil_id: int, pupil: PupilRow, tally: Tally) -> bool:
        """Insert or update the file's contacts by priority; never deletes the office's."""
        changed = False
        for contact in pupil.contacts:
            values = _contact_values(contact)
            current = self.known.get((pupil_id, values["priority"]))
            if current is None:
                values.setdefault("parental_responsibility", 1)
                values.setdefault("lives_with_pupil", 1)
                columns = ["pupil_id", *values]
                cursor = self.conn.execute(
                    f"INSERT INTO contacts ({', '.join(columns)}) "
                    f"VALUES ({', '.join('?' * len(columns))})",
                    [pupil_id, *values.values()],
                )
                self.known[(pupil_id, values["priority"])] = {
                    "id": cursor.lastrowid,
                    "pupil_id": pupil_id,
                    **values,
                }
                tally.contacts_added += 1
                changed = True
                continue
            diff = {k: v for k, v in values.items() if current.get(k) != v}
            if diff:
                sets = ", ".join(f"{k} = ?" for k in diff)
                self.conn.execute(
                    f"UPDATE contacts SET {sets} WHERE id = ?", [*diff.values(), current["id"]]
                )
                current.update(diff)
                tally.contacts_changed += 1
                changed = True
        return changed
