"""From facts about a pupil, a parent and the school to the merge values and the merged letter."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from attendance_desk.domain.dates import day_text, letter_date
from attendance_desk.domain.letters import (
    FIELDS,
    LetterContent,
    LetterFieldError,
    Letterhead,
    LetterSection,
    LetterTemplate,
    band_text,
    decision_text,
    is_blank,
    merge_text,
)
from attendance_desk.domain.penalty import FULL_AMOUNT, REDUCED_AMOUNT, pounds

PENALTY_AMOUNT = pounds(FULL_AMOUNT)  # domain-rules.md: first notice GBP 160 ...
PENALTY_REDUCED = pounds(REDUCED_AMOUNT)  # ... reduced to GBP 80 if paid within 21 days

_NAMED_COLOURS = {
    "green": (46, 125, 50),
    "amber": (255, 191, 0),
    "red": (198, 40, 40),
    "yellow": (253, 216, 53),
    "orange": (245, 124, 0),
    "blue": (30, 100, 200),
    "purple": (123, 31, 162),
    "grey": (128, 128, 128),
}


@dataclass(frozen=True)
class SchoolFacts:
    name: str
    address_lines: tuple[str, ...]
    postcode: str
    phone: str
    email: str
    headteacher: str
    officer: str


@dataclass(frozen=True)
class PupilFacts:
    id: int
    forename: str
    surname: str
    class_name: str
    year_group: str
    class_teacher: str = ""


@dataclass(frozen=True)
class AttendanceFacts:
    possible: int
    attended: int
    authorised: int
    unauthorised: int
    late: int
    period_start: date
    period_end: date
    half_term_name: str = ""
    half_term_possible: int = 0
    half_term_attended: int = 0
    band_label: str = ""
    band_colour: str = ""  # as the policy stores it: "#ffbf00" or "amber"
    band_owner: str = ""
    band_actions: tuple[str, ...] = ()
    expected_pct: str = "96%"
    band_id: str = ""  # with the label, chooses the template's [band: ...] sections


@dataclass(frozen=True)
class Recipient:
    """Who a copy goes to. `book_bag`: addressed "To the parent/carer of ..."."""

    contact_id: int | None
    name: str
    title: str = ""
    address_lines: tuple[str, ...] = ()
    postcode: str = ""
    book_bag: bool = True
    copy_note: str = ""


# -- formatting ------------------------------------------------------------------------------


long_date = letter_date  # "3 February 2025"


def short_date(value: date) -> str:
    """`3 Feb 2025` (a letter's table heading)."""
    return day_text(value)[4:]


def percent(attended: int, possible: int) -> str:
    """Exact fraction rounded half-up to one place; empty when nothing was possible."""
    if possible <= 0:
        return ""
    frac = Fraction(attended * 100, possible)
    value = (Decimal(frac.numerator) / Decimal(frac.denominator)).quantize(
        Decimal("0.1"), rounding=ROUND_HALF_UP
    )
    return f"{value}%"


def year_label(year_group: str) -> str:
    code = (year_group or "").strip().upper()
    if code == "R":
        return "Reception"
    if code == "N":
        return "Nursery"
    return f"Year {code}" if code else ""


def class_label(class_name: str) -> str:
    return class_name if "class" in class_name.lower() else f"Class {class_name}"


def colour_hex(colour: str) -> str:
    text = (colour or "").strip()
    if text.startswith("#") and len(text) in (4, 7):
        return text if len(text) == 7 else "#" + "".join(c * 2 for c in text[1:])
    rgb = _NAMED_COLOURS.get(text.lower())
    return "#{:02x}{:02x}{:02x}".format(*rgb) if rgb else ""


def colour_name(colour: str) -> str:
    """A colour in words for parents: the policy's name, or the nearest plain colour to a hex."""
    text = (colour or "").strip()
    if not text.startswith("#"):
        return text.lower()
    hexed = colour_hex(text)
    if not hexed:
        return ""
    r, g, b = (int(hexed[i : i + 2], 16) for i in (1, 3, 5))
    return min(
        _NAMED_COLOURS,
        key=lambda n: sum((a - c) ** 2 for a, c in zip((r, g, b), _NAMED_COLOURS[n], strict=True)),
    )


def contact_display(title: str, name: str) -> str:
    title, name = (title or "").strip(), (name or "").strip()
    if title and not name.lower().startswith(title.lower() + " "):
        return f"{title} {name}"
    return name


# Words that begin a surname rather than end a forename (Welsh ap/ab, Dutch and German
# van/von/der/den/ter, Romance de/da/di/du/del/della/dos/das/le/la, Arabic al/el/bin/binti/ibn):
# "Mrs Catrin ap Rhys" is greeted "Dear Mrs ap Rhys", never "Dear Mrs Rhys".
SURNAME_PARTICLES = frozenset(
    [
        "ap",
        "ab",
        "van",
        "von",
        "der",
        "den",
        "ter",
        "ten",
        "de",
        "da",
        "di",
        "du",
        "del",
        "della",
        "dos",
        "das",
        "le",
        "la",
        "al",
        "el",
        "bin",
        "binti",
        "ibn",
    ]
)


def surname_of(name: str, known: tuple[str, ...] = ()) -> str:
    """The surname in a full name: one of the `known` surnames (the pupil's) the name ends
    with, or its last word with the particles before it (the first word is never one)."""
    words = name.split()
    lowered = [w.lower() for w in words]
    for surname in known:
        parts = surname.lower().split()
        if parts and len(parts) < len(words) and lowered[-len(parts) :] == parts:
            return " ".join(words[-len(parts) :])
    start = len(words) - 1
    while start > 1 and lowered[start - 1] in SURNAME_PARTICLES:
        start -= 1
    return " ".join(words[start:])


def salutation_for(recipient: Recipient, known_surnames: tuple[str, ...] = ()) -> str:
    """How the letter greets the parent: title and surname ("Mrs ap Rhys"), else the name.
    `known_surnames` (the pupil's) settle a surname of more than one word."""
    name = recipient.name.strip()
    if not name:
        return "Parent/Carer"
    title = (recipient.title or "").strip()
    if title:
        if name.lower().startswith(title.lower() + " "):
            name = name[len(title) :].strip()
        surname = surname_of(name, known_surnames)
        return f"{title} {surname}" if surname.lower() != title.lower() else name
    return name


# -- merge values ----------------------------------------------------------------------------


def merge_values(
    pupil: PupilFacts,
    figures: AttendanceFacts | None,
    school: SchoolFacts,
    recipient: Recipient,
    letter_date: date,
    extra: dict[str, str] | None = None,
) -> dict[str, str]:
    values = {
        "pupil_forename": pupil.forename,
        "pupil_surname": pupil.surname,
        "pupil_name": f"{pupil.forename} {pupil.surname}".strip(),
        "class_name": pupil.class_name,
        "year_group": year_label(pupil.year_group),
        "class_teacher": pupil.class_teacher,
        "parent_name": contact_display(recipient.title, recipient.name),
        "salutation_name": salutation_for(recipient, (pupil.surname,)),
        "penalty_amount": PENALTY_AMOUNT,
        "penalty_reduced": PENALTY_REDUCED,
        "officer_name": school.officer,
        "headteacher_name": school.headteacher,
        "school_name": school.name,
        "school_phone": school.phone,
        "school_email": school.email,
        "today": long_date(letter_date),
    }
    if figures is not None:
        missed = figures.possible - figures.attended
        values.update(
            {
                "attendance_pct": percent(figures.attended, figures.possible),
                "half_term_pct": percent(figures.half_term_attended, figures.half_term_possible),
                "sessions_possible": str(figures.possible),
                "sessions_attended": str(figures.attended),
                "sessions_missed": str(missed),
                "days_missed": f"{missed / 2:g}",
                "authorised_absences": str(figures.authorised),
                "unauthorised_absences": str(figures.unauthorised),
                "late_marks": str(figures.late),
                "band_label": figures.band_label,
                "band_colour": colour_name(figures.band_colour),
                "band_owner": figures.band_owner,
                "band_actions": "\n".join(f"- {a}" for a in figures.band_actions if a.strip()),
                "expected_pct": figures.expected_pct,
                "period_start": long_date(figures.period_start),
                "period_end": long_date(figures.period_end),
                "half_term_name": figures.half_term_name,
            }
        )
    for key, value in (extra or {}).items():
        if not is_blank(value):
            values[key] = value.isoformat() if isinstance(value, date) else str(value)
    return values


def figure_rows(figures: AttendanceFacts) -> tuple[tuple[str, str], ...]:
    rows = [
        (
            f"Attendance this year ({short_date(figures.period_start)} to "
            f"{short_date(figures.period_end)})",
            percent(figures.attended, figures.possible),
        )
    ]
    if figures.half_term_name and figures.half_term_possible:
        rows.append(
            (
                f"Attendance this half term ({figures.half_term_name})",
                percent(figures.half_term_attended, figures.half_term_possible),
            )
        )
    missed = figures.possible - figures.attended
    rows += [
        ("Sessions possible (two a day)", str(figures.possible)),
        ("Sessions missed", str(missed)),
        ("Authorised absence (sessions)", str(figures.authorised)),
        ("Unauthorised absence (sessions)", str(figures.unauthorised)),
        ("Late marks", str(figures.late)),
    ]
    if figures.band_label:
        rows.append(("Attendance band", figures.band_label))
    return tuple(rows)


_SIGNER_ROLES = {
    "officer": (("officer_name", "Attendance Officer"),),
    "head": (("headteacher_name", "Headteacher"),),
    "class_teacher": (("class_teacher", "Class teacher"),),
    "head_and_officer": (
        ("headteacher_name", "Headteacher"),
        ("officer_name", "Attendance Officer"),
    ),
}


def build_letter(
    template: LetterTemplate,
    pupils: list[tuple[PupilFacts, AttendanceFacts | None]],
    school: SchoolFacts,
    letterhead: Letterhead,
    recipient: Recipient,
    letter_date: date,
    extra: dict[str, str] | None = None,
    decision: str | None = None,
) -> LetterContent:
    """Merge `template` for one recipient; several pupils make one family letter. `decision`
    chooses the [decision: ...] sections (the leave-of-absence reply)."""
    if not pupils:
        raise ValueError("a letter needs at least one pupil")
    sections: list[LetterSection] = []
    first_values: dict[str, str] = {}
    names = [f"{p.forename} {p.surname}".strip() for p, _ in pupils]
    who = " and ".join(names)
    for pupil, figures in pupils:
        values = merge_values(pupil, figures, school, recipient, letter_date, extra)
        first_values = first_values or values
        label = f"{values['pupil_name']} ({class_label(pupil.class_name)})"
        body = band_text(
            decision_text(template.body, decision, pupil=label, template_title=template.title),
            (figures.band_id, figures.band_label) if figures else (),
            pupil=label,
            template_title=template.title,
        )
        body = merge_text(body, values, pupil=label, template_title=template.title)
        sections.append(
            LetterSection(
                heading=label if len(pupils) > 1 else "",
                body=body,
                figures=figure_rows(figures) if figures and figures.possible else (),
                band_label=figures.band_label if figures else "",
                band_hex=colour_hex(figures.band_colour) if figures else "",
            )
        )
    subject_values = dict(first_values)
    if len(pupils) > 1:
        subject_values["pupil_forename"] = " and ".join(p.forename for p, _ in pupils)
        subject_values["pupil_name"] = who
    subject = merge_text(template.subject, subject_values, pupil=who, template_title=template.title)
    signatures = []
    for field_name, role in _SIGNER_ROLES[template.signed_by]:
        name = first_values.get(field_name, "")
        if is_blank(name):
            labels = " and ".join(
                f"{n} ({class_label(p.class_name)})"
                for n, (p, _) in zip(names, pupils, strict=True)
            )
            raise LetterFieldError(
                f"{template.title} for {labels} cannot be printed: the signer's name "
                f"{{{field_name}}} ({FIELDS[field_name]}) is empty",
                field_name,
                labels,
            )
        if field_name == "class_teacher":
            role = f"Class teacher, {class_label(pupils[0][0].class_name)}"
        signatures.append((name, role))
    lead = pupils[-1][0]  # the youngest sibling's bag (pupils come eldest first)
    addressee: tuple[str, ...]
    if recipient.book_bag:
        addressee = (f"To the parent/carer of {who}", class_label(lead.class_name))
        if recipient.name.strip():
            name = contact_display(recipient.title, recipient.name)
            addressee += (f"For the attention of {name}",)
    else:
        if not recipient.address_lines and not recipient.postcode:
            raise LetterFieldError(
                f"{template.title} for {who} cannot be posted: "
                f"{contact_display(recipient.title, recipient.name) or 'the parent'} "
                "has no address on record (send it in the book bag, or add the address)",
                "address",
                who,
            )
        lines = [contact_display(recipient.title, recipient.name), *recipient.address_lines]
        if recipient.postcode:
            lines.append(recipient.postcode)
        addressee = tuple(line.strip() for line in lines if line and line.strip())
    return LetterContent(
        key=f"{template.id}:{'-'.join(str(p.id) for p, _ in pupils)}:{recipient.contact_id or 0}",
        template_id=template.id,
        pupil_ids=tuple(p.id for p, _ in pupils),
        pupil_name=who,
        class_name=lead.class_name,
        sort_surname=lead.surname,
        date_text=long_date(letter_date),
        addressee=addressee,
        salutation=f"Dear {salutation_for(recipient, tuple(p.surname for p, _ in pupils))},",
        subject=subject,
        sections=tuple(sections),
        signatures=tuple(signatures),
        copy_note=recipient.copy_note,
        reference="Re: "
        + " and ".join(
            ", ".join(
                x
                for x in (
                    f"{p.forename} {p.surname}",
                    class_label(p.class_name),
                    year_label(p.year_group),
                )
                if x.strip()
            )
            for p, _ in pupils
        ),
        recipient=contact_display(recipient.title, recipient.name) or "Parent/Carer",
        postal=not recipient.book_bag,
    )


# -- the register keeps a letter's inputs as canonical JSON -----------------------------------


def content_to_json(content: LetterContent, letterhead: Letterhead) -> str:
    data = {"letter": asdict(content), "letterhead": asdict(letterhead)}
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def content_from_json(text: str) -> tuple[LetterContent, Letterhead]:
    data = json.loads(text)
    raw = data["letter"]
    raw["pupil_ids"] = tuple(raw["pupil_ids"])
    raw["addressee"] = tuple(raw["addressee"])
    raw["signatures"] = tuple(tuple(s) for s in raw["signatures"])
    raw["sections"] = tuple(
        LetterSection(
            heading=s["heading"],
            body=s["body"],
            figures=tuple(tuple(r) for r in s["figures"]),
            band_label=s["band_label"],
            band_hex=s["band_hex"],
        )
        for s in raw["sections"]
    )
    head = data["letterhead"]
    head["address_lines"] = tuple(head["address_lines"])
    return LetterContent(**raw), Letterhead(**head)
