"""The register of letters: every letter printed, kept as its inputs with hashes, on the timeline.

A batch keeps the SHA-256 of the PDF exactly as printed; each letter keeps its inputs (the
merged text and everything drawn on the page) and their SHA-256. Reprinting regenerates the
same bytes from the stored inputs and checks them against the hash.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select

from attendance_desk.documents.batch_items import BatchItem, CoverSheet
from attendance_desk.domain.letter_fields import content_from_json, content_to_json
from attendance_desk.domain.letters import LetterContent, Letterhead
from attendance_desk.errors import UserError
from attendance_desk.services.letters import Composition, render
from attendance_desk.storage.db import Database
from attendance_desk.storage.models.letters import LetterBatch, LetterRecord


def build_batch_pdf(
    items: Sequence[BatchItem], letterhead: Letterhead, logo: bytes | None, title: str
) -> bytes:
    """documents.batch.build_batch_pdf, with ReportLab imported only when a PDF is made."""
    from attendance_desk.documents.batch import build_batch_pdf as build

    return build(items, letterhead, logo, title)


@dataclass(frozen=True)
class PrintedBatch:
    batch_id: int
    pdf: bytes
    sha256: str
    letters: int
    pages: int
    letter_ids: tuple[int, ...]
    timeline_events: int


@dataclass(frozen=True)
class LetterInfo:
    id: int
    batch_id: int
    pupil_id: int
    template_id: str
    template_title: str
    letter_date: date
    printed_at: datetime
    printed_by: str
    recipient: str
    addressee: str
    subject: str
    content_sha256: str
    pdf_sha256: str
    timeline_event_id: int | None


def _sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf)) or pdf.count(b"/Type /Page\n")


def print_letters(
    db: Database, composition: Composition, printed_by: str = "", pdf: bytes | None = None
) -> PrintedBatch:
    """Record the batch and every letter in it (and on each pupil's timeline); returns the PDF.

    `pdf` is the preview already rendered from this composition, to save rendering it twice.
    """
    pdf = pdf if pdf is not None else render(composition)
    head_json = json.dumps(composition.letterhead.__dict__, ensure_ascii=False, sort_keys=True)
    items = [
        {"cover": item.__dict__} if isinstance(item, CoverSheet) else {"letter": item.key}
        for item in composition.items
    ]
    digest = _sha(pdf)
    single = ""  # a letter printed on its own also keeps the hash of its own PDF
    if len(composition.letters) == 1:
        letter = composition.letters[0]
        alone = pdf if len(composition.items) == 1 else None
        if not alone:
            alone = build_batch_pdf(
                [letter], composition.letterhead, composition.logo, composition.template.title
            )
        single = _sha(alone)
    ids: list[int] = []
    per_letter: list[tuple[LetterContent, list[int]]] = []
    with db.session() as s:
        batch = LetterBatch(
            template_id=composition.template.id,
            title=composition.template.title,
            letter_date=composition.letter_date,
            printed_by=printed_by,
            letterhead_json=head_json,
            logo=composition.logo,
            items_json=json.dumps(items, ensure_ascii=False),
            letters=len(composition.letters),
            pages=_pages(pdf),
            pdf_sha256=digest,
        )
        s.add(batch)
        s.flush()
        for letter in composition.letters:
            inputs = content_to_json(letter, composition.letterhead)
            records = [
                LetterRecord(
                    batch_id=batch.id,
                    pupil_id=pid,
                    letter_key=letter.key,
                    template_id=composition.template.id,
                    template_title=composition.template.title,
                    letter_date=composition.letter_date,
                    printed_by=printed_by,
                    recipient=letter.recipient,
                    addressee="\n".join(letter.addressee),
                    subject=letter.subject,
                    merged_text=composition.merged.get(letter.key, ""),
                    content_json=inputs,
                    content_sha256=_sha(inputs),
                    pdf_sha256=single,
                )
                for pid in letter.pupil_ids
            ]
            s.add_all(records)
            s.flush()
            ids.extend(r.id for r in records)
            per_letter.append((letter, [r.id for r in records]))
        batch_id, pages = batch.id, batch.pages
    events = _add_to_timelines(db, composition, per_letter, printed_by)
    return PrintedBatch(batch_id, pdf, digest, len(composition.letters), pages, tuple(ids), events)


def _add_to_timelines(
    db: Database,
    composition: Composition,
    per_letter: list[tuple[LetterContent, list[int]]],
    printed_by: str,
) -> int:
    """A "letter sent" event per letter through the cases service, when it is installed."""
    try:
        from attendance_desk.domain.events import LetterSent
        from attendance_desk.services.timeline import add_event
    except ImportError:
        return 0
    done = 0
    links: dict[int, int | None] = {}
    for letter, record_ids in per_letter:
        title = composition.template.title
        if letter.copy_note and letter.recipient:
            title = f"{title} (to {letter.recipient})"
        entry = add_event(
            db,
            list(letter.pupil_ids),
            LetterSent(title=title, letter_id=record_ids[0]),
            composition.letter_date,
            recorded_by=printed_by,
        )
        for rid in record_ids:
            links[rid] = entry.event_id
        done += 1
    with db.session() as s:
        for record in s.scalars(select(LetterRecord).where(LetterRecord.id.in_(list(links)))):
            record.timeline_event_id = links[record.id]
    return done


def _info(r: LetterRecord) -> LetterInfo:
    return LetterInfo(
        id=r.id,
        batch_id=r.batch_id,
        pupil_id=r.pupil_id,
        template_id=r.template_id,
        template_title=r.template_title,
        letter_date=r.letter_date,
        printed_at=r.printed_at,
        printed_by=r.printed_by,
        recipient=r.recipient,
        addressee=r.addressee,
        subject=r.subject,
        content_sha256=r.content_sha256,
        pdf_sha256=r.pdf_sha256,
        timeline_event_id=r.timeline_event_id,
    )


def letters_for_pupil(db: Database, pupil_id: int) -> tuple[LetterInfo, ...]:
    """A pupil's letters, newest first (the pupil page lists these)."""
    with db.session() as s:
        rows = s.scalars(
            select(LetterRecord)
            .where(LetterRecord.pupil_id == pupil_id)
            .order_by(LetterRecord.letter_date.desc(), LetterRecord.id.desc())
        )
        return tuple(_info(r) for r in rows)


def letter_register(
    db: Database, since: date | None = None, template_id: str | None = None
) -> tuple[LetterInfo, ...]:
    with db.session() as s:
        query = select(LetterRecord).order_by(LetterRecord.id)
        if since is not None:
            query = query.where(LetterRecord.letter_date >= since)
        if template_id:
            query = query.where(LetterRecord.template_id == template_id)
        return tuple(_info(r) for r in s.scalars(query))


def merged_text(db: Database, letter_id: int) -> str:
    with db.session() as s:
        record = s.get(LetterRecord, letter_id)
        if record is None:
            raise UserError(f"there is no letter {letter_id} in the register")
        return record.merged_text


def reprint_letter(db: Database, letter_id: int) -> bytes:
    """The letter on its own, regenerated from its stored inputs (checked against the hashes)."""
    with db.session() as s:
        record = s.get(LetterRecord, letter_id)
        if record is None:
            raise UserError(f"there is no letter {letter_id} in the register")
        batch = s.get(LetterBatch, record.batch_id)
        inputs, expected, pdf_hash = record.content_json, record.content_sha256, record.pdf_sha256
        if batch is None:
            raise UserError(f"letter {letter_id} belongs to no batch in the register")
        logo, title = batch.logo, batch.title
    if _sha(inputs) != expected:
        raise UserError(f"letter {letter_id}'s stored inputs do not match their hash")
    content, head = content_from_json(inputs)
    pdf = build_batch_pdf([content], head, logo, title)
    if pdf_hash and _sha(pdf) != pdf_hash:
        raise UserError(f"letter {letter_id} no longer reprints identically")
    return pdf


def reprint_batch(db: Database, batch_id: int) -> bytes:
    """The whole batch again, byte for byte; refuses if the bytes differ from the hash."""
    with db.session() as s:
        batch = s.get(LetterBatch, batch_id)
        if batch is None:
            raise UserError(f"there is no printed batch {batch_id}")
        records = s.scalars(select(LetterRecord).where(LetterRecord.batch_id == batch_id))
        by_key = {r.letter_key: r.content_json for r in records}
        items_json, logo, title, digest = (
            batch.items_json,
            batch.logo,
            batch.title,
            batch.pdf_sha256,
        )
    items: list[BatchItem] = []
    head = None
    for item in json.loads(items_json):
        if "cover" in item:
            items.append(CoverSheet(**item["cover"]))
        else:
            content, head = content_from_json(by_key[item["letter"]])
            items.append(content)
    if head is None:
        raise UserError(f"batch {batch_id} has no letters")
    pdf = build_batch_pdf(items, head, logo, title)
    if _sha(pdf) != digest:
        raise UserError(f"batch {batch_id} no longer reprints identically")
    return pdf


def save_pdf(pdf: bytes, path: Path | str) -> Path:
    """Write a PDF to `path` whole or not at all (a half-written file never replaces a good one)."""
    target = Path(path)
    part = target.with_name(target.name + ".part")
    try:
        part.write_bytes(pdf)
        part.replace(target)
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise UserError(f"cannot write {target} ({exc.strerror})") from None
    return target


def save_reprint(db: Database, letter_id: int, path: Path | str) -> Path:
    """Write the reprint of one letter (identical to the one sent) to `path`."""
    return save_pdf(reprint_letter(db, letter_id), path)
