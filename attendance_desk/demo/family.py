"""Families for the demo school: children across the year groups, their parents and carers.

Siblings share one household, so they share contacts. Households come in the shapes a school
office meets: two parents at one address, a single parent, split families (the other parent
has parental responsibility at another address), step-families (the step-parent has none;
a younger half-sibling's contact is their own parent), grandparent carers and foster carers.
"""

from __future__ import annotations

import random
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import Any

from attendance_desk.demo import names

KINDS = {"two_parent": 0.58, "single": 0.17, "split": 0.14, "step": 0.07, "kinship": 0.04}
FSM_BY_KIND = {"two_parent": 0.12, "single": 0.45, "split": 0.34, "step": 0.24, "kinship": 0.5}
FSM_BY_KIND["foster"] = 0.0
SIZES = {1: 0.55, 2: 0.33, 3: 0.10, 4: 0.02}
MOVER_CHILDREN = 4  # children who move away during the previous year (joiners replace them)


@dataclass(frozen=True, slots=True)
class DemoContact:
    name: str
    title: str
    relationship: str
    phone_home: str | None
    phone_mobile: str | None
    phone_work: str | None
    email: str | None
    address_line1: str
    address_line2: str
    address_line3: str
    postcode: str
    parental_responsibility: bool
    lives_with_pupil: bool


@dataclass(frozen=True, slots=True)
class Child:
    index: int
    forename: str
    surname: str
    preferred_surname: str | None
    sex: str
    date_of_birth: date
    entry_year: int
    stream: int
    sen_status: str
    pupil_premium: bool


@dataclass(frozen=True, slots=True)
class Household:
    id: int
    kind: str
    fsm: bool
    eal: bool
    child_protection: bool
    child_in_need: bool
    moves_away: bool
    replaces: (
        tuple[int, int] | None
    )  # (household id, child index) of the mover whose place it takes
    children: tuple[Child, ...]
    contacts: tuple[tuple[DemoContact, ...], ...]  # one tuple per child, in priority order

    def contacts_for(self, child: Child) -> tuple[DemoContact, ...]:
        return self.contacts[child.index]


@dataclass
class _Numbers:
    """Phone numbers drawn without replacement from the reserved drama ranges."""

    rng: random.Random
    mobiles: list[int] = field(default_factory=list)
    landlines: list[int] = field(default_factory=list)
    work: list[str] = field(default_factory=list)
    emails: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        self.mobiles = self.rng.sample(range(1, 1000), 999)
        self.landlines = self.rng.sample(range(1, 1000), 999)
        self.work = [f"{p}{n:03d}" for p in names.WORK_PREFIXES for n in range(1000)]
        self.rng.shuffle(self.work)

    def mobile(self) -> str:
        return f"{names.MOBILE_PREFIX}{self.mobiles.pop():03d}"

    def landline(self) -> str:
        return f"{names.LANDLINE_PREFIX}{self.landlines.pop():03d}"

    def email(self, forename: str, surname: str) -> str:
        base = f"{_ascii(forename)}.{_ascii(surname)}".strip(".")
        domain = self.rng.choice(names.EMAIL_DOMAINS)
        address, n = f"{base}@{domain}", 1
        while address in self.emails:
            n += 1
            address = f"{base}{n}@{domain}"
        self.emails.add(address)
        return address


def _ascii(text: str) -> str:
    text = text.replace("ł", "l").replace("Ł", "L").replace("ø", "o").replace("Ø", "O")
    text = text.replace("đ", "d").replace("Đ", "D")
    folded = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(ch for ch in folded.lower() if ch.isalnum())


def _pick(rng: random.Random, weights: dict[Any, Any]) -> object:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


class _Builder:
    """Holds the shared draws (numbers, addresses) while households are made."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng
        self.numbers = _Numbers(rng)
        self.addresses: set[tuple[str, str]] = set()

    def address(self) -> tuple[str, str, str, str]:
        rng = self.rng
        while True:
            number = rng.randint(1, 140)
            street = rng.choice(names.STREETS)
            line1 = f"{number} {street}"
            if rng.random() < 0.15:
                line1 = f"Flat {rng.randint(1, 12)}, {line1}"
            if line1 not in {a for a, _ in self.addresses}:
                break
        district = rng.randint(1, 6)
        inward = f"{rng.randint(1, 9)}{rng.choice(names.INWARD_LETTERS)}{rng.choice(names.INWARD_LETTERS)}"
        postcode = f"{names.POSTCODE_AREA}{district} {inward}"
        self.addresses.add((line1, postcode))
        return line1, rng.choice(names.LOCALITIES), names.TOWN, postcode

    def person(
        self,
        pool: names.NamePool,
        sex: str,
        surname: str,
        relationship: str,
        address: tuple[str, str, str, str],
        home: str | None,
        pr: bool,
        lives: bool,
    ) -> DemoContact:
        rng = self.rng
        forename = rng.choice(pool.women if sex == "F" else pool.men)
        if relationship.startswith("Grand"):
            title = "Mrs" if sex == "F" else "Mr"
        elif sex == "F":
            title = rng.choices(["Mrs", "Ms", "Miss", "Dr"], weights=[55, 30, 12, 3])[0]
        else:
            title = rng.choices(["Mr", "Dr", "Mx"], weights=[95, 3, 2])[0]
        mobile = self.numbers.mobile() if rng.random() < 0.96 or home is None else None
        work = self.numbers.work.pop() if rng.random() < 0.2 else None
        email = self.numbers.email(forename, surname) if rng.random() < 0.85 else None
        line1, line2, line3, postcode = address
        return DemoContact(
            f"{forename} {surname}", title, relationship, home, mobile, work, email,
            line1, line2, line3, postcode, pr, lives,
        )  # fmt: skip


def make_households(rng: random.Random, entry_years: list[int], class_size: int) -> list[Household]:
    """Households whose children exactly fill two classes of `class_size` in every cohort."""
    builder = _Builder(rng)
    free = {(year, stream): class_size for year in entry_years for stream in (0, 1)}
    households: list[Household] = []
    for kind, size in (("foster", 2), ("foster", 1)):
        households.append(_household(builder, len(households) + 1, kind, size, free, entry_years))
    while any(free.values()):
        kind = str(_pick(rng, KINDS))
        size = int(str(_pick(rng, SIZES)))
        households.append(_household(builder, len(households) + 1, kind, size, free, entry_years))
    _mark_movers_and_welfare(rng, households, entry_years)
    movers = [(h, c) for h in households if h.moves_away for c in h.children]
    for mover, child in movers:
        free[(child.entry_year, child.stream)] += 1
        joiner = _household(
            builder, len(households) + 1, str(_pick(rng, KINDS)), 1, free, [child.entry_year]
        )
        households.append(_replace(joiner, replaces=(mover.id, child.index)))
    return households


def _replace(household: Household, **changes: object) -> Household:
    return replace(household, **changes)  # type: ignore[arg-type]


def _mark_movers_and_welfare(
    rng: random.Random, households: list[Household], entry_years: list[int]
) -> None:
    """Pick families that move away last year, and the child-protection and child-in-need ones."""
    last_years = entry_years[1:-1]  # in school last year and still of primary age this year
    candidates = [i for i, h in enumerate(households) if h.kind != "foster"]
    rng.shuffle(candidates)
    moved = 0
    for i in candidates:
        if any(c.entry_year not in last_years for c in households[i].children):
            continue
        if moved >= MOVER_CHILDREN:
            break
        if moved + len(households[i].children) <= MOVER_CHILDREN:
            households[i] = _replace(households[i], moves_away=True)
            moved += len(households[i].children)
    welfare = [i for i in candidates if not households[i].moves_away]
    needy = [i for i in welfare if households[i].fsm] + [
        i for i in welfare if not households[i].fsm
    ]
    for i in needy[:2]:
        households[i] = _replace(households[i], child_protection=True)
    for i in needy[2:6]:
        households[i] = _replace(households[i], child_in_need=True)


def _household(
    builder: _Builder,
    hid: int,
    kind: str,
    size: int,
    free: dict[tuple[int, int], int],
    entry_years: list[int],
) -> Household:
    rng = builder.rng
    pool_name = str(_pick(rng, {k: p.weight for k, p in names.POOLS.items()}))
    pool = names.POOLS[pool_name]
    fsm = rng.random() < FSM_BY_KIND[kind]
    eal = rng.random() < pool.eal
    twins = size >= 2 and rng.random() < 0.06
    children = _children(rng, pool, size, twins, free, entry_years, fsm, kind)
    family_surname = rng.choice(pool.surnames)
    other_name = rng.choice(pool.surnames)
    contacts = _contacts(builder, pool, kind, family_surname, other_name, children)
    named: list[Child] = []
    for c in children:
        surname, preferred = family_surname, None
        if kind == "step" and len(children) > 1 and c is children[-1]:
            surname = other_name  # the half-sibling has the step-parent's surname
        elif kind == "step" and other_name != family_surname and rng.random() < 0.3:
            preferred = other_name  # known at school by the step-parent's surname
        named.append(replace(c, surname=surname, preferred_surname=preferred))
    return Household(hid, kind, fsm, eal, False, False, False, None, tuple(named), contacts)


def _children(
    rng: random.Random,
    pool: names.NamePool,
    size: int,
    twins: bool,
    free: dict[tuple[int, int], int],
    entry_years: list[int],
    fsm: bool,
    kind: str,
) -> list[Child]:
    open_years = [y for y in entry_years if free[(y, 0)] + free[(y, 1)] > 0]
    if twins:
        open_years = [y for y in open_years if free[(y, 0)] + free[(y, 1)] >= 2]
        years = rng.sample(open_years, 1) * 2 if open_years else []
        years += rng.sample(
            [y for y in open_years if y not in years], min(size - 2, max(0, len(open_years) - 1))
        )
    else:
        years = rng.sample(open_years, min(size, len(open_years)))
    years.sort()
    children: list[Child] = []
    twin_dob: date | None = None
    for index, year in enumerate(years):
        streams = [s for s in (0, 1) if free[(year, s)] > 0]
        if twins and index == 1 and len(streams) == 2:
            streams = [1 - children[0].stream]  # twins are usually in different classes
        stream = rng.choice(streams)
        free[(year, stream)] -= 1
        sex = rng.choice("FM")
        forename = rng.choice(pool.girls if sex == "F" else pool.boys)
        while any(c.forename == forename for c in children):
            forename = rng.choice(pool.girls if sex == "F" else pool.boys)
        dob = date(year - 5, 9, 1) + timedelta(days=rng.randrange(365))
        if twins and index == 1 and twin_dob is not None:
            dob = twin_dob
        twin_dob = dob
        sen_e = 0.045 if sex == "M" else 0.015
        sen_k = (0.17 if sex == "M" else 0.09) * (1.3 if fsm else 1.0)
        roll = rng.random()
        sen = "E" if roll < sen_e else "K" if roll < sen_e + sen_k else "N"
        pp = fsm or kind == "foster" or rng.random() < 0.04
        children.append(Child(index, forename, "", None, sex, dob, year, stream, sen, pp))
    return children


def _contacts(
    builder: _Builder,
    pool: names.NamePool,
    kind: str,
    surname: str,
    other_name: str,
    children: list[Child],
) -> tuple[tuple[DemoContact, ...], ...]:
    """Each child's contacts in priority order; siblings share the same people."""
    rng = builder.rng
    home = builder.address()
    landline = builder.numbers.landline() if rng.random() < 0.3 else None
    person = builder.person
    if kind == "foster":
        carer_name = rng.choice(names.POOLS["british"].surnames)
        british = names.POOLS["british"]
        shared = [person(british, "F", carer_name, "Foster carer", home, landline, False, True)]
        if rng.random() < 0.6:
            shared.append(
                person(british, "M", carer_name, "Foster carer", home, landline, False, True)
            )
        office = ("County Hall", "Children's Services", names.TOWN, "WQ1 1AA")
        shared.append(
            person(
                british,
                rng.choice("FM"),
                rng.choice(british.surnames),
                "Social worker",
                office,
                None,
                False,
                False,
            )
        )
        return tuple(tuple(shared) for _ in children)
    mother_surname = surname if rng.random() < 0.8 else other_name
    mother = person(pool, "F", mother_surname, "Mother", home, landline, True, True)
    if kind == "two_parent":
        if rng.random() < 0.06:
            second = person(pool, "F", surname, "Mother", home, landline, True, True)
        else:
            second = person(pool, "M", surname, "Father", home, landline, True, True)
        pair = [second, mother] if rng.random() < 0.25 else [mother, second]
        if rng.random() < 0.2:
            pair.append(
                person(
                    pool,
                    "F",
                    surname,
                    "Grandmother",
                    builder.address(),
                    builder.numbers.landline(),
                    False,
                    False,
                )
            )
        return tuple(tuple(pair) for _ in children)
    if kind == "single":
        shared = [
            mother
            if rng.random() < 0.88
            else person(pool, "M", surname, "Father", home, landline, True, True)
        ]
        if rng.random() < 0.55:
            helper = rng.choice(["Grandmother", "Grandfather", "Aunt"])
            sex = "M" if helper == "Grandfather" else "F"
            shared.append(
                person(
                    pool,
                    sex,
                    rng.choice([surname, other_name]),
                    helper,
                    builder.address(),
                    None,
                    False,
                    False,
                )
            )
        return tuple(tuple(shared) for _ in children)
    if kind == "split":
        father = person(pool, "M", surname, "Father", builder.address(), None, True, False)
        resident_mother = rng.random() < 0.8
        pair = (
            [mother, father]
            if resident_mother
            else [
                person(pool, "M", surname, "Father", home, landline, True, True),
                person(pool, "F", mother_surname, "Mother", builder.address(), None, True, False),
            ]
        )
        return tuple(tuple(pair) for _ in children)
    if kind == "step":
        step = person(pool, "M", other_name, "Step-father", home, landline, False, True)
        father = person(pool, "M", surname, "Father", builder.address(), None, True, False)
        result: list[tuple[DemoContact, ...]] = []
        with_father = rng.random() < 0.7
        for child in children:
            if child is children[-1] and len(children) > 1:  # a younger half-sibling
                own = replace(step, relationship="Father", parental_responsibility=True)
                result.append((mother, own))
            else:
                result.append((mother, step, father) if with_father else (mother, step))
        return tuple(result)
    grandmother = person(
        pool, "F", surname, "Grandmother", home, landline, True, True
    )  # kinship carer
    grandfather = person(pool, "M", surname, "Grandfather", home, landline, False, True)
    birth_mother = person(pool, "F", mother_surname, "Mother", builder.address(), None, True, False)
    shared = (
        [grandmother, grandfather, birth_mother]
        if rng.random() < 0.5
        else [grandmother, birth_mother]
    )
    return tuple(tuple(shared) for _ in children)
