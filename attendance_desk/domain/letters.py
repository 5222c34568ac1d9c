"""Letter templates and merge fields: pure text work, no Qt, no database, no files.

A template is text with a front-matter block (id, title, description, bands, stages, signed_by,
subject) and a body with merge fields such as `{pupil_forename}`. Body markup is small on
purpose so an office can edit it: paragraphs are separated by a blank line, a line starting
with `- ` is a bullet, `**words**` are bold, and a line `[figures]` places the table of figures.
Lines between `[band: green, amber]` and `[end band]` are printed only for a pupil in one of
those bands (named by the policy's band id or label), so a letter can speak to each band in
words meant for parents. In the same way, lines between `[decision: refused]` and
`[end decision]` are printed only when the letter answers that decision (the leave-of-absence
reply: `authorised` or `refused`).

An unknown field, an empty value or a stray brace stops the letter with a message naming the
field and the pupil: a printed letter never shows a blank, `None` or a placeholder.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields
from typing import TYPE_CHECKING

from attendance_desk.domain.wording import noun
from attendance_desk.errors import UserError

if TYPE_CHECKING:
    from attendance_desk.domain.policy import Policy

FIELD_RE = re.compile(r"\{([^{}\n]*)\}")
FIGURES_MARKER = "[figures]"
BAND_START_RE = re.compile(r"^\[band:([^\]]*)\]$")
BAND_END = "[end band]"
DECISION_START_RE = re.compile(r"^\[decision:([^\]]*)\]$")
DECISION_END = "[end decision]"
SIGNERS = ("officer", "head", "class_teacher", "head_and_officer")

# Every merge field a template may use, with what it means (shown in the template editor).
FIELDS: dict[str, str] = {
    "pupil_forename": "the pupil's (preferred) first name",
    "pupil_surname": "the pupil's (preferred) surname",
    "pupil_name": "the pupil's first name and surname",
    "class_name": "the pupil's class (registration group)",
    "year_group": "the pupil's year group, e.g. Year 3 or Reception",
    "class_teacher": "the class teacher's name (set in Settings > Letters)",
    "parent_name": "the parent or carer the letter is addressed to",
    "salutation_name": "how the letter greets the parent, e.g. Mrs Kowalska",
    "attendance_pct": "year-to-date attendance, e.g. 94.7%",
    "half_term_pct": "attendance in the current half term",
    "sessions_possible": "sessions possible this year to date",
    "sessions_attended": "sessions attended this year to date",
    "sessions_missed": "sessions missed this year to date",
    "days_missed": "school days missed (sessions missed / 2)",
    "authorised_absences": "authorised absence sessions this year",
    "unauthorised_absences": "unauthorised absence sessions this year",
    "late_marks": "late marks (L and U) this year",
    "band_label": "the attendance band's name under the school's policy",
    "band_colour": "the band's colour in words, e.g. amber",
    "band_owner": "who leads support in this band",
    "band_actions": "the policy's actions for this band, written for staff (one bullet each)",
    "expected_pct": "the school's expected attendance, e.g. 96%",
    "period_start": "the first day the figures cover",
    "period_end": "the last day the figures cover",
    "half_term_name": "the current half term, e.g. Spring 1",
    "meeting_date": "the meeting's date (entered when composing)",
    "meeting_time": "the meeting's time (entered when composing)",
    "meeting_place": "where the meeting is held (entered when composing)",
    "previous_meeting_date": "the date of the earlier meeting (entered when composing)",
    "leave_start": "first day of the leave asked for (entered when composing)",
    "leave_end": "last day of the leave asked for (entered when composing)",
    "request_date": "the date of the parent's request (entered when composing)",
    "leave_circumstances": "the exceptional circumstances the leave was authorised for",
    "improvement_end": "the end of the improvement period (entered when composing)",
    "target_pct": "the attendance target to reach (entered when composing)",
    "review_date": "the date the contract or plan is reviewed (entered when composing)",
    "penalty_amount": "the penalty notice amount (GBP 160)",
    "penalty_reduced": "the amount if paid within 21 days (GBP 80)",
    "officer_name": "the attendance officer's name",
    "headteacher_name": "the headteacher's name",
    "school_name": "the school's name",
    "school_phone": "the school office's telephone number",
    "school_email": "the school office's email address",
    "today": "the date printed on the letter",
}
# Fields the officer types in when composing (the composer asks for the ones a template uses).
EXTRA_FIELDS = (
    "meeting_date",
    "meeting_time",
    "meeting_place",
    "previous_meeting_date",
    "leave_start",
    "leave_end",
    "request_date",
    "leave_circumstances",
    "improvement_end",
    "target_pct",
    "review_date",
)
_PLACEHOLDER_VALUES = {"none", "null", "n/a", "tbc", "tba", "?", "-", "\u2013", "xx", "xxx"}


class LetterTemplateError(UserError):
    """A template cannot be read or uses a field that does not exist."""


class LetterFieldError(UserError):
    """A letter cannot be printed: a field it needs is empty or unknown."""

    def __init__(self, message: str, field_name: str, pupil: str) -> None:
        super().__init__(message)
        self.field_name = field_name
        self.pupil = pupil


@dataclass(frozen=True)
class LetterTemplate:
    id: str
    title: str
    description: str
    subject: str
    body: str
    bands: tuple[str, ...] = ()
    stages: tuple[str, ...] = ()
    signed_by: str = "officer"
    source: str = "shipped"  # "shipped" | "edited" (a shipped one changed) | "custom"

    def description_for(self, policy: Policy) -> str:
        """The description in the school's own policy, never numbers written into it:
        `{bands}` is the bands the letter is meant for with their ranges ("the Amber band
        (90% to under 96%)"), `{name}` a threshold of the policy (`{illness_instances_term}`);
        any other braces are left as they are."""
        bands = [b for b in policy.bands if self.is_for_band(b.id, b.label)] if self.bands else []
        values: dict[str, str] = {
            f.name: str(getattr(policy.thresholds, f.name)) for f in fields(policy.thresholds)
        }
        values["bands"] = (
            " or ".join(
                f"the {b.label} band" + ("" if "%" in b.label else f" ({policy.band_span(b)})")
                for b in bands  # a label with its range in it ("Class teacher (93-95.99%)")
            )
            or "every band"
        )
        return re.sub(r"\{(\w+)\}", lambda m: values.get(m.group(1), m.group(0)), self.description)

    def is_for_band(self, *names: str) -> bool:
        """Whether the letter is meant for a pupil in the band `names` names (its id, its
        label): a template that names no bands is for every band."""
        if not self.bands:
            return True
        wanted = {b.strip().lower() for b in self.bands}
        return any(n.strip().lower() in wanted for n in names if n.strip())

    @property
    def extra_fields(self) -> tuple[str, ...]:
        used = fields_used(self.subject + "\n" + self.body)
        return tuple(name for name in EXTRA_FIELDS if name in used)

    def extra_fields_for(self, decision: str | None) -> tuple[str, ...]:
        """The fields typed in when composing, in the words printed for this decision."""
        if decision is None or not self.decisions:
            return self.extra_fields
        body = decision_text(self.body, decision, pupil="", template_title=self.title)
        used = fields_used(self.subject + "\n" + body)
        return tuple(name for name in EXTRA_FIELDS if name in used)

    @property
    def decisions(self) -> tuple[str, ...]:
        """The decisions the body has words for ([decision: ...] sections)."""
        runs = _sections(self.body, self.id, DECISION_START_RE, DECISION_END, "decision")
        return tuple(dict.fromkeys(d.lower() for names, _ in runs for d in names or ()))


# -- reading and writing templates ------------------------------------------------------------


def parse_template(text: str, source: str = "shipped") -> LetterTemplate:
    """A template from its text (front-matter between `---` lines, then the body)."""
    lines = text.replace("\r\n", "\n").split("\n")
    if not lines or lines[0].strip() != "---":
        raise LetterTemplateError("a letter template must start with a '---' line")
    try:
        end = next(i for i in range(1, len(lines)) if lines[i].strip() == "---")
    except StopIteration:
        raise LetterTemplateError("the template's header has no closing '---' line") from None
    meta: dict[str, str] = {}
    for number, line in enumerate(lines[1:end], start=2):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        key, sep, value = line.partition(":")
        if not sep:
            raise LetterTemplateError(f"template header line {number} is not 'name: value'")
        meta[key.strip().lower()] = value.strip()
    for key in ("id", "title", "subject"):
        if not meta.get(key):
            raise LetterTemplateError(f"the template header needs '{key}:'")
    template = LetterTemplate(
        id=meta["id"],
        title=meta["title"],
        description=meta.get("description", ""),
        subject=meta["subject"],
        body="\n".join(lines[end + 1 :]).strip("\n") + "\n",
        bands=_split_list(meta.get("bands", "")),
        stages=_split_list(meta.get("stages", "")),
        signed_by=meta.get("signed_by", "officer") or "officer",
        source=source,
    )
    check_template(template)
    return template


def format_template(template: LetterTemplate) -> str:
    """The text `parse_template` reads back (the template editor saves this)."""
    head = [
        "---",
        f"id: {template.id}",
        f"title: {template.title}",
        f"description: {template.description}",
        f"bands: {', '.join(template.bands)}",
        f"stages: {', '.join(template.stages)}",
        f"signed_by: {template.signed_by}",
        f"subject: {template.subject}",
        "---",
    ]
    return "\n".join(head) + "\n" + template.body.strip("\n") + "\n"


def _split_list(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(",") if part.strip())


def fields_used(text: str) -> list[str]:
    """Field names in order of first use."""
    seen: dict[str, None] = {}
    for match in FIELD_RE.finditer(text):
        seen.setdefault(match.group(1).strip(), None)
    return list(seen)


def check_template(template: LetterTemplate) -> None:
    """Refuse unknown fields, stray braces and an unknown signer, naming each."""
    if not re.fullmatch(r"[a-z0-9_\-]+", template.id):
        raise LetterTemplateError(
            f"template id '{template.id}' may use only lower-case letters, digits, - and _"
        )
    if template.signed_by not in SIGNERS:
        raise LetterTemplateError(
            f"template '{template.id}': signed_by must be one of {', '.join(SIGNERS)}"
        )
    for part in (template.subject, template.body):
        unknown = [name for name in fields_used(part) if name not in FIELDS]
        if unknown:
            names = ", ".join("{" + n + "}" for n in unknown)
            raise LetterTemplateError(
                f"template '{template.id}' uses unknown {noun(len(unknown), 'field')} {names}"
            )
        stripped = FIELD_RE.sub("", part)
        if "{" in stripped or "}" in stripped:
            raise LetterTemplateError(
                f"template '{template.id}' has a '{{' or '}}' that is not part of a field"
            )
    _band_sections(template.body, template.id)
    _sections(template.body, template.id, DECISION_START_RE, DECISION_END, "decision")


# -- wording for each band --------------------------------------------------------------------


def _band_sections(body: str, template_id: str) -> list[tuple[tuple[str, ...] | None, str]]:
    """The body as runs of lines: (None, text) for every band, (band ids, text) for some."""
    return _sections(body, template_id, BAND_START_RE, BAND_END, "band")


def _sections(
    body: str, template_id: str, start_re: re.Pattern[str], end: str, word: str
) -> list[tuple[tuple[str, ...] | None, str]]:
    """The body as runs of lines: (None, text) for every letter, (names, text) for the
    letters of those bands (word "band") or decisions (word "decision")."""
    runs: list[tuple[tuple[str, ...] | None, list[str]]] = [(None, [])]
    for number, raw in enumerate(body.split("\n"), start=1):
        line = raw.strip()
        start = start_re.match(line)
        if start:
            if runs[-1][0] is not None:
                raise LetterTemplateError(
                    f"template '{template_id}' line {number}: a [{word}: ...] section starts "
                    f"before the previous one ends with {end}"
                )
            names = _split_list(start.group(1))
            if not names:
                raise LetterTemplateError(
                    f"template '{template_id}' line {number}: [{word}: ...] names no {word}"
                )
            runs.append((names, []))
        elif line == end:
            if runs[-1][0] is None:
                raise LetterTemplateError(
                    f"template '{template_id}' line {number}: {end} without a [{word}: ...]"
                )
            runs.append((None, []))
        else:
            runs[-1][1].append(raw)
    if runs[-1][0] is not None:
        raise LetterTemplateError(
            f"template '{template_id}': a [{word}: ...] section has no {end} line"
        )
    return [(names, "\n".join(lines)) for names, lines in runs]


def decision_text(
    body: str, decision: str | None, *, pupil: str, template_title: str = "the letter"
) -> str:
    """The body with only the sections for `decision` kept, their markers dropped. A body with
    decision sections stops the letter when no decision is given or none is written for it:
    a parent never gets the words of the other decision."""
    runs = _sections(body, template_title, DECISION_START_RE, DECISION_END, "decision")
    if all(names is None for names, _ in runs):
        return body
    wanted = (decision or "").strip().lower()
    if not any(names is not None and wanted in (n.lower() for n in names) for names, _ in runs):
        raise LetterFieldError(
            f"{template_title} for {pupil or 'the pupil'} answers a decision and "
            + (
                f"has no [decision: {wanted}] section; add one in Settings > Letters"
                if wanted
                else "cannot be printed without one: print it from the pupil's Leave "
                "requests tab once the request is decided"
            ),
            "decision",
            pupil,
        )
    return "\n".join(
        text for names, text in runs if names is None or wanted in (n.lower() for n in names)
    )


@dataclass(frozen=True)
class TemplateParts:
    """A body as the office edits it: words for everyone, then words for each band's pupils,
    then words for everyone again (the template editor's form)."""

    opening: str
    band_words: tuple[tuple[tuple[str, ...], str], ...] = ()  # (band ids, words)
    closing: str = ""


def split_parts(body: str, template_id: str = "template") -> TemplateParts | None:
    """The body's parts, or None when its band sections are not in one block (such a body is
    edited as a whole)."""
    runs = _band_sections(body, template_id)
    bands = [i for i, (b, _) in enumerate(runs) if b is not None]
    if not bands:
        return TemplateParts(opening=body.strip("\n"))
    first, last = bands[0], bands[-1]
    if any(b is None and text.strip() for b, text in runs[first : last + 1]):
        return None
    opening = "\n".join(text for _, text in runs[:first])
    closing = "\n".join(text for _, text in runs[last + 1 :])
    return TemplateParts(
        opening=opening.strip("\n"),
        band_words=tuple((b, text.strip("\n")) for b, text in runs if b is not None),
        closing=closing.strip("\n"),
    )


def join_parts(parts: TemplateParts) -> str:
    """The body `split_parts` reads back."""
    chunks = [parts.opening.strip("\n")]
    for bands, words in parts.band_words:
        chunks.append(f"[band: {', '.join(bands)}]\n{words.strip()}\n{BAND_END}")
    if parts.closing.strip():
        chunks.append(parts.closing.strip("\n"))
    return "\n\n".join(c for c in chunks if c.strip()) + "\n"


def band_text(
    body: str, band: tuple[str, ...], *, pupil: str, template_title: str = "the letter"
) -> str:
    """The body with only the sections for the pupil's band kept, their markers dropped.

    `band` holds the pupil's band id and label (either may name a section). A template with
    band sections but none for this band stops the letter: a parent never gets a letter
    with the part about their child's band missing."""
    names = {name.strip().lower() for name in band if name.strip()}
    runs = _band_sections(body, template_title)

    def keep(bands: tuple[str, ...] | None) -> bool:
        return bands is None or any(b.lower() in names for b in bands)

    if any(bands is not None for bands, _ in runs) and not any(
        bands is not None and keep(bands) for bands, _ in runs
    ):
        named = " / ".join(n for n in band if n.strip()) or "none"
        raise LetterFieldError(
            f"{template_title} for {pupil} cannot be printed: the template has no "
            f"[band: ...] section for this pupil's band ({named}); add one in "
            "Settings > Letters",
            "band",
            pupil,
        )
    return "\n".join(text for bands, text in runs if keep(bands))


# -- merging ----------------------------------------------------------------------------------


def is_blank(value: object) -> bool:
    if value is None:
        return True
    text = str(value).strip()
    return not text or text.lower() in _PLACEHOLDER_VALUES


def merge_text(
    text: str, values: dict[str, str], *, pupil: str, template_title: str = "the letter"
) -> str:
    """Fill every `{field}` from `values`; an unknown or empty field raises LetterFieldError."""

    def replace(match: re.Match[str]) -> str:
        name = match.group(1).strip()
        if name not in FIELDS:
            raise LetterFieldError(
                f"{template_title} for {pupil} uses an unknown field {{{name}}}: "
                "correct the template in Settings > Letters",
                name,
                pupil,
            )
        value = values.get(name)
        if is_blank(value):
            raise LetterFieldError(
                f"{template_title} for {pupil} cannot be printed: {{{name}}} "
                f"({FIELDS[name]}) is empty",
                name,
                pupil,
            )
        return str(value).strip()

    merged = FIELD_RE.sub(replace, text)
    if "{" in merged or "}" in merged:
        raise LetterFieldError(
            f"{template_title} for {pupil} has a stray brace: correct the template",
            "{",
            pupil,
        )
    return merged


# -- the merged letter, ready for the document -----------------------------------------------


@dataclass(frozen=True)
class Block:
    kind: str  # "p" | "bullets" | "figures"
    text: str = ""
    items: tuple[str, ...] = ()


def parse_body(text: str) -> tuple[Block, ...]:
    """Paragraphs, bullet lists and the figures marker from merged body text."""
    blocks: list[Block] = []
    para: list[str] = []
    bullets: list[str] = []

    def flush() -> None:
        if para:
            blocks.append(Block("p", " ".join(para)))
            para.clear()
        if bullets:
            blocks.append(Block("bullets", items=tuple(bullets)))
            bullets.clear()

    for raw in text.split("\n"):
        line = raw.strip()
        if not line:
            flush()
        elif line == FIGURES_MARKER:
            flush()
            blocks.append(Block("figures"))
        elif line.startswith(("- ", "* ", "\u2022 ")):
            if para:
                flush()
            bullets.append(line[2:].strip())
        elif bullets and raw.startswith(("  ", "\t")):
            bullets[-1] += " " + line  # a wrapped bullet continues
        else:
            if bullets:
                flush()
            para.append(line)
    flush()
    return tuple(blocks)


@dataclass(frozen=True)
class Letterhead:
    school_name: str
    address_lines: tuple[str, ...]
    contact_line: str
    logo_sha256: str = ""  # the logo's bytes travel beside the letters, once per batch


@dataclass(frozen=True)
class LetterSection:
    """One pupil's part of a letter (a family letter has one per child)."""

    heading: str
    body: str  # merged text with the small markup above
    figures: tuple[tuple[str, str], ...] = ()
    band_label: str = ""
    band_hex: str = ""


@dataclass(frozen=True)
class LetterContent:
    """Everything printed on one letter; the register keeps this as the letter's inputs."""

    key: str
    template_id: str
    pupil_ids: tuple[int, ...]
    pupil_name: str
    class_name: str
    sort_surname: str
    date_text: str
    addressee: tuple[str, ...]
    salutation: str
    subject: str
    sections: tuple[LetterSection, ...]
    signatures: tuple[tuple[str, str], ...]  # (name, role)
    closing: str = "Yours sincerely,"
    copy_note: str = ""
    recipient: str = ""
    reference: str = ""  # "Re: Zoë O'Brien, Class 3B, Year 3"
    postal: bool = False  # goes by post in a window envelope, not in a book bag
