"""Families: siblings linked so one action (a meeting, a letter, a contract) covers them all."""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from attendance_desk.storage.db import Database
from attendance_desk.storage.models import Contact, Pupil
from attendance_desk.storage.models.cases import Family, FamilyMember


@dataclass(frozen=True)
class FamilyMemberInfo:
    pupil_id: int
    name: str
    reg_group: str


@dataclass(frozen=True)
class FamilyInfo:
    family_id: int
    label: str
    members: tuple[FamilyMemberInfo, ...]

    @property
    def pupil_ids(self) -> tuple[int, ...]:
        return tuple(m.pupil_id for m in self.members)


def _family_info(s: Session, family_id: int) -> FamilyInfo:
    family = s.get(Family, family_id)
    assert family is not None
    rows = s.execute(
        select(Pupil)
        .join(FamilyMember, FamilyMember.pupil_id == Pupil.id)
        .where(FamilyMember.family_id == family_id)
        .order_by(Pupil.date_of_birth, Pupil.id)
    ).scalars()
    members = tuple(
        FamilyMemberInfo(p.id, f"{p.forename} {p.surname}", p.reg_group or "") for p in rows
    )
    return FamilyInfo(family.id, family.label, members)


def family_of(db: Database, pupil_id: int) -> FamilyInfo | None:
    with db.session() as s:
        fid = s.scalar(select(FamilyMember.family_id).where(FamilyMember.pupil_id == pupil_id))
        return _family_info(s, fid) if fid is not None else None


def _link(s: Session, pupil_ids: Sequence[int], label: str) -> int:
    existing = set(
        s.scalars(select(FamilyMember.family_id).where(FamilyMember.pupil_id.in_(pupil_ids)))
    )
    members = set(pupil_ids)
    if existing:
        members |= set(
            s.scalars(select(FamilyMember.pupil_id).where(FamilyMember.family_id.in_(existing)))
        )
    keep = min(existing) if existing else None
    if keep is None:
        family = Family(label=label)
        s.add(family)
        s.flush()
        keep = family.id
    s.execute(delete(FamilyMember).where(FamilyMember.pupil_id.in_(members)))
    for other in existing - {keep}:
        s.execute(delete(Family).where(Family.id == other))
    s.add_all(FamilyMember(pupil_id=pid, family_id=keep) for pid in sorted(members))
    if label:
        s.get(Family, keep).label = label  # type: ignore[union-attr]
    s.flush()
    return keep


def unlink(db: Database, pupil_id: int) -> None:
    with db.session() as s:
        s.execute(delete(FamilyMember).where(FamilyMember.pupil_id == pupil_id))


def _phone_key(number: str | None) -> str | None:
    digits = re.sub(r"\D", "", number or "")
    if digits.startswith("44"):
        digits = "0" + digits[2:]
    return digits if len(digits) >= 9 else None


def derive_families(db: Database) -> int:
    """Link pupils whose contacts share a phone number, or a name and postcode.

    Returns how many families now exist. Existing links are kept and extended.
    """
    with db.session() as s:
        groups: dict[str, set[int]] = defaultdict(set)
        for c in s.scalars(select(Contact)):
            for number in (c.phone_mobile, c.phone_home):
                key = _phone_key(number)
                if key:
                    groups[f"tel:{key}"].add(c.pupil_id)
            if c.postcode and c.name:
                name = " ".join(c.name.casefold().split())
                groups[f"addr:{name}|{c.postcode.replace(' ', '').upper()}"].add(c.pupil_id)
        parent: dict[int, int] = {}

        def find(x: int) -> int:
            while parent.setdefault(x, x) != x:
                parent[x] = parent[parent[x]]
                x = parent[x]
            return x

        for members in groups.values():
            first, *rest = sorted(members)
            for other in rest:
                parent[find(other)] = find(first)
        clusters: dict[int, list[int]] = defaultdict(list)
        for pid in list(parent):
            clusters[find(pid)].append(pid)
        for cluster in clusters.values():
            if len(cluster) > 1:
                _link(s, sorted(cluster), "")
        return len(set(s.scalars(select(FamilyMember.family_id))))
