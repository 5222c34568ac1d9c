"""Letters: the template library, composing letters for chosen pupils, and printing them.

    templates = list_templates(db)
    composition = compose(db, "half_termly", Selection(class_name="3B"), as_of)
    pdf = render(composition)                     # the exact pages (preview)
    printed = print_letters(db, composition, printed_by="office", pdf=pdf)

A composition holds the book-bag letters by class then surname, a cover sheet before each
class (counting only its bags), then the letters that go by post as one pile with its own cover
sheet. For the half-termly letter the policy chooses each family's variant. Printing keeps every
letter in the register (`services.letter_register`) and on the pupil's timeline.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy import text as sql

from attendance_desk import clock
from attendance_desk.documents.batch_items import POST_PILE, BatchItem, CoverSheet
from attendance_desk.domain.letter_choice import HALF_TERMLY, VARIANTS, half_termly_variant
from attendance_desk.domain.letter_fields import build_letter, long_date
from attendance_desk.domain.letters import (
    FIELD_RE,
    LetterContent,
    LetterFieldError,
    Letterhead,
    LetterTemplate,
    LetterTemplateError,
    check_template,
    format_template,
    is_blank,
    parse_template,
)
from attendance_desk.domain.wording import count
from attendance_desk.errors import UserError
from attendance_desk.paths import resource
from attendance_desk.services.letter_sources import (
    PupilSource,
    Selection,
    class_teachers,
    load_sources,
)
from attendance_desk.storage.db import Database
from attendance_desk.storage.models.base import utcnow
from attendance_desk.storage.models.letters import LetterTemplateRecord
from attendance_desk.storage.trust import this_school

Progress = Callable[[int, int], None]


# -- the template library ---------------------------------------------------------------------


def shipped_templates() -> dict[str, LetterTemplate]:
    folder = resource("templates")
    out: dict[str, LetterTemplate] = {}
    for path in sorted(folder.glob("*.txt")):
        template = parse_template(path.read_text(encoding="utf-8"), source="shipped")
        out[template.id] = template
    return out


def list_templates(db: Database) -> tuple[LetterTemplate, ...]:
    """Every template: the shipped ones, each replaced by the school's edited copy if any."""
    templates = shipped_templates()
    with db.session() as s:
        for record in s.scalars(select(LetterTemplateRecord).where(sql(this_school(db.backend)))):
            source = "edited" if record.id in templates else "custom"
            try:
                templates[record.id] = parse_template(record.text, source=source)
            except LetterTemplateError:
                continue  # a broken saved copy never hides the shipped letter
    return tuple(templates.values())


def get_template(db: Database, template_id: str) -> LetterTemplate:
    for template in list_templates(db):
        if template.id == template_id:
            return template
    ids = ", ".join(t.id for t in list_templates(db))
    raise UserError(f"there is no letter template '{template_id}' (templates: {ids})")


def save_template(db: Database, text: str, saved_by: str = "") -> LetterTemplate:
    """Check and store a template's text; it overrides the shipped one with the same id."""
    template = parse_template(text, source="edited")
    canonical = format_template(template)
    here = (LetterTemplateRecord.id == template.id, sql(this_school(db.backend)))
    with db.session() as s:
        if s.scalars(select(LetterTemplateRecord.id).where(*here)).first() is None:
            s.add(LetterTemplateRecord(id=template.id, text=canonical, updated_by=saved_by))
        else:  # the school's own copy (the key is the school and the id, migration 0016)
            s.execute(
                update(LetterTemplateRecord)
                .where(*here)
                .values(text=canonical, updated_at=utcnow(), updated_by=saved_by),
                execution_options={"synchronize_session": False},
            )
    return get_template(db, template.id)


def reset_template(db: Database, template_id: str) -> LetterTemplate | None:
    """Drop the school's copy: the shipped template comes back (None for a custom one)."""
    with db.session() as s:
        s.execute(
            delete(LetterTemplateRecord).where(
                LetterTemplateRecord.id == template_id, sql(this_school(db.backend))
            ),
            execution_options={"synchronize_session": False},
        )
    return shipped_templates().get(template_id)


# -- composing --------------------------------------------------------------------------------


@dataclass(frozen=True)
class ComposeOptions:
    post: bool = False  # address to the parent's home rather than "To the parent/carer of"
    family_letters: bool = False  # siblings: one letter per family
    split_families: bool = True  # a posted copy for each PR parent living apart
    cover_sheets: bool = True
    skip_problems: bool = False  # leave out letters that cannot be printed, and list them
    letter_date: date | None = None
    extra: Mapping[str, str] = field(default_factory=dict)
    variants: bool = True  # the half-termly letter: adapted / improvement where the policy says
    decision: str | None = None  # the decision a letter answers (leave_reply: [decision: ...])


@dataclass(frozen=True)
class Composition:
    template: LetterTemplate
    letters: tuple[LetterContent, ...]  # book bags by class then surname, then the post
    items: tuple[BatchItem, ...]  # letters with a cover sheet before each class and the post
    letterhead: Letterhead
    logo: bytes | None
    letter_date: date
    as_of: date
    problems: tuple[str, ...] = ()
    merged: Mapping[str, str] = field(default_factory=dict)  # key -> merged body text
    titles: Mapping[str, str] = field(default_factory=dict)  # template id -> title, per letter
    left_out: int = 0  # pupils chosen whose band the letter is not meant for

    @property
    def left_out_note(self) -> str:
        if not self.left_out:
            return ""
        return f"{count(self.left_out, 'pupil')} left out: not in a band this letter is meant for"

    @property
    def pupil_count(self) -> int:
        return len({pid for letter in self.letters for pid in letter.pupil_ids})

    @property
    def postal_count(self) -> int:
        return sum(1 for letter in self.letters if letter.postal)

    def variant_counts(self) -> tuple[tuple[str, int], ...]:
        """(template title, letters) for each template used, in the order of first use."""
        counts: dict[str, int] = {}
        for letter in self.letters:
            title = self.titles.get(letter.template_id, letter.template_id)
            counts[title] = counts.get(title, 0) + 1
        return tuple(counts.items())

    def title_of(self, letter: LetterContent) -> str:
        return self.titles.get(letter.template_id, self.template.title)


class Cancelled(UserError):
    """The person stopped the batch before it was finished."""


def _check_cancel(cancel: Callable[[], bool] | None) -> None:
    if cancel is not None and cancel():
        raise Cancelled("stopped: no letters were made")


def compose(
    db: Database,
    template_id: str,
    selection: Selection,
    as_of: date | None = None,
    options: ComposeOptions | None = None,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
) -> Composition:
    """Merge a template for the chosen pupils; stops with the first field that cannot be filled
    (or, with `skip_problems`, lists it and leaves that letter out).

    For the half-termly letter the policy chooses each pupil's variant (`domain.letter_choice`).
    Book-bag letters come first, by class then surname, each class after its cover sheet; the
    letters that go by post follow as one pile with its own cover sheet."""
    # a school's letters: its letterhead, policy and templates, its pupils by class or UPN
    db.require_one_school("compose and print letters")
    options = options or ComposeOptions()
    as_of = as_of or clock.today()
    letter_date = options.letter_date or clock.today()
    template = get_template(db, template_id)
    _check_extra(template, options.extra, options.decision)
    school, sources = load_sources(db, selection, as_of, post=options.post)
    if not sources:
        raise UserError(f"no pupils on roll match {selection.describe()}")
    sources, left_out = _for_the_letters_bands(db, template, selection, sources)
    choose = options.variants and template.id == HALF_TERMLY
    templates = {template.id: template}
    if choose:
        for variant in VARIANTS:
            templates[variant] = get_template(db, variant)
    letters: list[LetterContent] = []
    problems: list[str] = []
    groups = _groups(sources, options.family_letters, choose)
    for done, group in enumerate(groups):
        if done % 25 == 0:
            _check_cancel(cancel)
            if progress is not None:
                progress(done, len(groups))
        use = templates[_variant(group)] if choose else template
        recipients = group[0].contacts if options.split_families else group[0].contacts[:1]
        for recipient in recipients:
            try:
                letters.append(
                    build_letter(
                        use,
                        [(p.facts, p.figures) for p in group],
                        school.facts,
                        school.letterhead,
                        recipient,
                        letter_date,
                        dict(options.extra),
                        options.decision,
                    )
                )
            except LetterFieldError as exc:
                if not options.skip_problems:
                    raise
                problems.append(str(exc))
    if not letters:
        raise UserError("no letter can be printed: " + "; ".join(problems[:3]))
    letters.sort(key=_sort_key)
    titles = {t.id: t.title for t in templates.values()}
    items = (
        _with_covers(db, letters, template, letter_date, titles if choose else None)
        if options.cover_sheets
        else letters
    )
    return Composition(
        template=template,
        letters=tuple(letters),
        items=tuple(items),
        letterhead=school.letterhead,
        logo=school.logo,
        letter_date=letter_date,
        as_of=as_of,
        problems=tuple(problems),
        merged={c.key: "\n\n".join(s.body for s in c.sections) for c in letters},
        titles=titles,
        left_out=left_out,
    )


def _for_the_letters_bands(
    db: Database, template: LetterTemplate, selection: Selection, sources: list[PupilSource]
) -> tuple[list[PupilSource], int]:
    """The pupils of a class, a concern, a band or the whole school whose band the letter is
    meant for (its template's `bands`), and how many were left out: the class teacher's
    supportive letter for the whole school goes to the families it was written for, never to a
    child at 100% telling them attendance is "a little below" the school's hope. Pupils chosen
    one by one (UPNs) all get it: the officer chose them."""
    if selection.upns or selection.pupil_ids or not template.bands:
        return sources, 0
    from attendance_desk.services.policy import get_policy

    labels = {band.id: band.label for band in get_policy(db).bands}
    kept = [p for p in sources if template.is_for_band(p.band_id, labels.get(p.band_id, ""))]
    if not kept:
        meant = ", ".join(labels.get(b, b) for b in template.bands if b in labels)
        raise UserError(
            f"no pupil in {selection.describe()} is in a band {template.title} is meant for "
            f"({meant or ', '.join(template.bands)}): to send it anyway, choose the pupils by UPN"
        )
    return kept, len(sources) - len(kept)


def _variant(group: list[PupilSource]) -> str:
    return half_termly_variant(group[0].stage, group[0].concerns)


def _check_extra(
    template: LetterTemplate, extra: Mapping[str, str], decision: str | None = None
) -> None:
    used = template.extra_fields_for(decision)
    missing = [name for name in used if is_blank(extra.get(name))]
    if missing:
        names = ", ".join("{" + n + "}" for n in missing)
        raise LetterFieldError(
            f"{template.title} needs {names}: fill in the details before printing",
            missing[0],
            "every pupil",
        )


def _groups(
    sources: list[PupilSource], family_letters: bool, by_variant: bool = False
) -> list[list[PupilSource]]:
    """One group per letter; siblings share one when `family_letters` (and, when the policy
    chooses the variant, the same variant: an adapted letter never speaks for a sibling)."""
    if not family_letters:
        return [[p] for p in sources]
    families: dict[tuple[str, str], list[PupilSource]] = {}
    for p in sources:
        variant = _variant([p]) if by_variant else ""
        families.setdefault((p.family_key, variant), []).append(p)
    # eldest first: year group descending, so the letter goes in the youngest child's bag
    return [
        sorted(group, key=lambda p: (_year_order(p.facts.year_group), p.facts.forename))
        for group in families.values()
    ]


def _year_order(year_group: str) -> int:
    code = year_group.strip().upper()
    return -int(code) if code.isdigit() else {"R": 1, "N": 2}.get(code, 3)


def _sort_key(letter: LetterContent) -> tuple[Any, ...]:
    return (
        letter.postal,  # the post pile goes last
        _class_order(letter.class_name),
        letter.sort_surname.casefold(),
        letter.pupil_name.casefold(),
        letter.key,
    )


def _class_order(name: str) -> tuple[Any, ...]:
    parts = []
    for chunk in re.split(r"(\d+)", name.casefold()):
        parts.append((0, int(chunk), "") if chunk.isdigit() else (1, 0, chunk))
    return tuple(parts)


def _variants(
    letters: list[LetterContent], titles: Mapping[str, str] | None
) -> tuple[tuple[str, int], ...]:
    """(title, count) of each letter in a bundle, in the order of `titles` (the batch's own
    letter first); () when the batch holds one letter only."""
    if titles is None:
        return ()
    counts: dict[str, int] = {}
    for letter in letters:
        counts[letter.template_id] = counts.get(letter.template_id, 0) + 1
    order = list(titles)
    ids = sorted(counts, key=lambda t: order.index(t) if t in order else len(order))
    return tuple((titles.get(t, t), counts[t]) for t in ids)


def _with_covers(
    db: Database,
    letters: list[LetterContent],
    template: LetterTemplate,
    letter_date: date,
    titles: Mapping[str, str] | None = None,
) -> list[BatchItem]:
    """A cover sheet before each class's book-bag letters (counting only those), and one
    before the pile that goes by post. With `titles` (a batch that mixes letters: the
    half-termly letter and its variants), each cover names the letters in its bundle with
    their counts."""
    teachers = class_teachers(db)
    bundles: dict[str, list[LetterContent]] = {}
    for letter in letters:
        if not letter.postal:
            bundles.setdefault(letter.class_name, []).append(letter)
    counts = {name: len(bundle) for name, bundle in bundles.items()}
    post_pile = [letter for letter in letters if letter.postal]
    posted = len(post_pile)
    items: list[BatchItem] = []
    current: str | None = None
    in_post = False
    for letter in letters:
        if letter.postal and not in_post:
            in_post = True
            items.append(
                CoverSheet(
                    class_name="Post",
                    teacher="",
                    letters=posted,
                    title=template.title,
                    date_text=long_date(letter_date),
                    kind=POST_PILE,
                    variants=_variants(post_pile, titles),
                )
            )
        elif not letter.postal and letter.class_name != current:
            current = letter.class_name
            items.append(
                CoverSheet(
                    class_name=current or "No class",
                    teacher=teachers.get(current, "") or "not recorded (Settings > Letters)",
                    letters=counts[current],
                    title=template.title,
                    date_text=long_date(letter_date),
                    variants=_variants(bundles[current], titles),
                )
            )
        items.append(letter)
    return items


def edit_letter(composition: Composition, key: str, body: str) -> Composition:
    """Change one letter's text before printing (a one-pupil letter: the whole body)."""
    if is_blank(body):
        raise UserError("the letter's text is empty")
    if FIELD_RE.search(body) or "{" in body or "}" in body:
        raise UserError("the edited letter still has a { } field: write the words in instead")
    letters = []
    for letter in composition.letters:
        if letter.key == key:
            sections = (replace(letter.sections[0], body=body),) + letter.sections[1:]
            letter = replace(letter, sections=sections)
        letters.append(letter)
    if not any(letter.key == key for letter in composition.letters):
        raise UserError("that letter is not in this batch")
    by_key = {letter.key: letter for letter in letters}
    items = tuple(
        by_key.get(i.key, i) if isinstance(i, LetterContent) else i for i in composition.items
    )
    merged = dict(composition.merged)
    merged[key] = "\n\n".join(s.body for s in by_key[key].sections)
    return replace(composition, letters=tuple(letters), items=items, merged=merged)


# Example details for a template's preview (the composer asks for the real ones).
PREVIEW_EXTRA = {
    "meeting_date": "Tuesday 4 March 2025",
    "meeting_time": "9:15am",
    "meeting_place": "the school office",
    "previous_meeting_date": "Tuesday 25 February 2025",
    "leave_start": "Monday 9 June 2025",
    "leave_end": "Friday 13 June 2025",
    "request_date": "3 March 2025",
    "leave_circumstances": "to attend the funeral of a close relative abroad",
    "improvement_end": "Friday 11 April 2025",
    "target_pct": "96%",
    "review_date": "Friday 28 March 2025",
}


def preview_template(
    db: Database, template: LetterTemplate, band: str | None = None, as_of: date | None = None
) -> bytes:
    """One letter from a template being edited (not yet saved), for the first pupil on roll in
    `band` (or in the school), with example details where the composer would ask for them."""
    from attendance_desk.documents.batch import build_batch_pdf

    check_template(template)
    if as_of is None:
        from attendance_desk.services.school import last_mark_date

        as_of = last_mark_date(db) or clock.today()  # figures as of the latest register
    usable: list[PupilSource] = []
    for selection in ([Selection(band=band)] if band else []) + [Selection(whole_school=True)]:
        school, sources = load_sources(db, selection, as_of)
        usable = [p for p in sorted(sources, key=lambda p: p.facts.id) if p.figures is not None]
        if usable:
            break
    if not usable:
        raise UserError("no pupil on roll with figures to show the letter with: import a register")
    pupil = usable[0]
    letter = build_letter(
        template,
        [(pupil.facts, pupil.figures)],
        school.facts,
        school.letterhead,
        pupil.contacts[0],
        clock.today(),
        dict(PREVIEW_EXTRA),
        template.decisions[0] if template.decisions else None,  # the first decision's words
    )
    return build_batch_pdf([letter], school.letterhead, school.logo, template.title)


def render(
    composition: Composition,
    progress: Progress | None = None,
    cancel: Callable[[], bool] | None = None,
) -> bytes:
    """The PDF of the whole batch, exactly as it will print (reproducible bytes)."""
    from attendance_desk.documents.batch import build_batch_pdf  # ReportLab: only to print

    return build_batch_pdf(
        composition.items,
        composition.letterhead,
        composition.logo,
        composition.template.title,
        progress=progress,
        cancel=cancel,
    )
