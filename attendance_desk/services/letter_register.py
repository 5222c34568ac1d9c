"""The register of letters: every letter printed, kept as its inputs with hashes, on the timeline.

A batch keeps the SHA-256 of the PDF exactly as printed; each letter keeps its inputs (the
merged text and everything drawn on the page) and their SHA-256. Reprinting regenerates the
same bytes from the stored inputs and checks them against the hash.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from attendance_desk import private_files
from attendance_desk.documents.batch_items import BatchItem, CoverSheet
from attendance_desk.domain.letter_fields import content_from_json, content_to_json
from attendance_desk.domain.letters import LetterContent, Letterhead
from attendance_desk.errors import UserError
from attendance_desk.services.letters import Cancelled, Composition, render
from attendance_desk.storage.db import Database
from attendance_desk.storage.models.base import utcnow
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
    voided_at: datetime | None = None
    voided_by: str = ""
    void_reason: str = ""

    @property
    def void(self) -> bool:
        return self.voided_at is not None


def _sha(data: bytes | str) -> str:
    return hashlib.sha256(data.encode("utf-8") if isinstance(data, str) else data).hexdigest()


def _pages(pdf: bytes) -> int:
    return len(re.findall(rb"/Type /Page\b", pdf)) or pdf.count(b"/Type /Page\n")


def print_letters(
    db: Database,
    composition: Composition,
    printed_by: str = "",
    pdf: bytes | None = None,
    out: Path | str | None = None,
    progress: Callable[[int, int], None] | None = None,
    cancel: Callable[[], bool] | None = None,
) -> PrintedBatch:
    """Record the batch and every letter in it (and on each pupil's timeline); returns the PDF.

    All or nothing: the register rows and timeline events are written in one transaction, and
    with `out` the PDF is first written to a temporary file and moved into place; only then is
    the transaction committed. A failed write, or the process killed at any point before the
    commit, leaves no letter recorded; so does `cancel()` returning True. `pdf` is the preview
    already rendered from this composition, to save rendering it twice.
    """
    db.require_one_school("print letters")  # before the PDF is written
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
    events = 0
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
        total = len(composition.letters)
        for done, letter in enumerate(composition.letters):
            if done % 50 == 0:
                _stop_if(cancel)
                if progress is not None:
                    progress(done, total)
            inputs = content_to_json(letter, composition.letterhead)
            title = composition.title_of(letter)
            records = [
                LetterRecord(
                    batch_id=batch.id,
                    pupil_id=pid,
                    letter_key=letter.key,
                    template_id=letter.template_id,
                    template_title=title,
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
            event_id = _add_to_timeline(s, composition, letter, title, records[0].id, printed_by)
            if event_id is not None:
                events += 1
                for record in records:
                    record.timeline_event_id = event_id
        s.flush()
        batch_id, pages = batch.id, batch.pages
        _stop_if(cancel)
        if out is not None:
            save_pdf(pdf, out)  # the file is whole and in place before anything is committed
    return PrintedBatch(batch_id, pdf, digest, len(composition.letters), pages, tuple(ids), events)


def _stop_if(cancel: Callable[[], bool] | None) -> None:
    if cancel is not None and cancel():
        raise Cancelled("stopped: no letter was kept and no file was written")


def _add_to_timeline(
    s: Session,
    composition: Composition,
    letter: LetterContent,
    title: str,
    letter_id: int,
    printed_by: str,
) -> int | None:
    """A "letter sent" event for the letter, in the register's own transaction."""
    try:
        from attendance_desk.domain.events import LetterSent
        from attendance_desk.services.timeline import add_event_in
    except ImportError:
        return None
    if letter.copy_note and letter.recipient:
        title = f"{title} (to {letter.recipient})"
    entry = add_event_in(
        s,
        list(letter.pupil_ids),
        LetterSent(title=title, letter_id=letter_id),
        composition.letter_date,
        recorded_by=printed_by,
    )
    return entry.event_id


@dataclass(frozen=True)
class BatchMatch:
    """A batch already in the register that holds the same letters."""

    batch_id: int
    printed_at: datetime
    printed_by: str
    letters: int
    identical: bool  # the very same bytes: saving it again is a reprint

    def describe(self) -> str:
        when = self.printed_at.strftime("%d %b %Y %H:%M")
        who = f" by {self.printed_by}" if self.printed_by else ""
        same = "the same PDF" if self.identical else "the same letters"
        return f"batch {self.batch_id} ({self.letters} letters, {same}) was printed {when}{who}"


def matching_batch(db: Database, composition: Composition, pdf: bytes) -> BatchMatch | None:
    """The latest recorded batch with the same PDF, or the same letters (template, date and
    recipients) for the same pupils, if there is one."""
    digest = _sha(pdf)
    keys = {letter.key for letter in composition.letters}
    with db.session() as s:
        candidates = s.scalars(
            select(LetterBatch)
            .where(
                (LetterBatch.pdf_sha256 == digest)
                | (
                    (LetterBatch.template_id == composition.template.id)
                    & (LetterBatch.letter_date == composition.letter_date)
                    & (LetterBatch.letters == len(composition.letters))
                )
            )
            .order_by(LetterBatch.id.desc())
        ).all()
        for batch in candidates:
            same_bytes = batch.pdf_sha256 == digest
            if not same_bytes:
                stored = set(
                    s.scalars(
                        select(LetterRecord.letter_key).where(LetterRecord.batch_id == batch.id)
                    )
                )
                if stored != keys:
                    continue
            return BatchMatch(
                batch.id, batch.printed_at, batch.printed_by, batch.letters, same_bytes
            )
    return None


def void_letter(db: Database, letter_id: int, voided_by: str, reason: str) -> LetterInfo:
    """Mark a letter void: it stays in the register with who voided it and why, and is left
    out of the evidence bundle. Every row of a family letter is voided together."""
    from attendance_desk.services.staff import require_can_change

    require_can_change("void letters")
    if not reason.strip():
        raise UserError("say why the letter is void (for example: sent to the wrong address)")
    if not voided_by.strip():
        raise UserError("a letter is voided by a named person")
    with db.session() as s:
        record = s.get(LetterRecord, letter_id)
        if record is None:
            raise UserError(f"there is no letter {letter_id} in the register")
        if record.voided_at is not None:
            raise UserError(
                f"letter {letter_id} was already voided by {record.voided_by} "
                f"({record.void_reason})"
            )
        siblings = s.scalars(
            select(LetterRecord).where(
                LetterRecord.batch_id == record.batch_id,
                LetterRecord.letter_key == record.letter_key,
            )
        )
        now = utcnow()
        for row in siblings:
            row.voided_at = now
            row.voided_by = voided_by.strip()
            row.void_reason = reason.strip()
        s.flush()
        return _info(record)


def voided_event_ids(db: Database, pupil_id: int) -> frozenset[int]:
    """Timeline events of a pupil's void letters (the evidence bundle leaves them out)."""
    with db.session() as s:
        rows = s.scalars(
            select(LetterRecord.timeline_event_id).where(
                LetterRecord.pupil_id == pupil_id,
                LetterRecord.voided_at.is_not(None),
                LetterRecord.timeline_event_id.is_not(None),
            )
        )
        return frozenset(r for r in rows if r is not None)


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
        voided_at=r.voided_at,
        voided_by=r.voided_by,
        void_reason=r.void_reason,
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
    """Write a PDF to `path` whole or not at all: a temporary file beside it, flushed to disk,
    then moved into place (a half-written file never replaces a good one)."""
    target = Path(path)
    part = target.with_name(f".{target.name}.{os.getpid()}.part")
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        private_files.write(part, pdf, sync=True)  # the owner's only, from the start
        os.replace(part, target)
    except OSError as exc:
        with contextlib.suppress(OSError):
            part.unlink(missing_ok=True)
        raise UserError(f"cannot write {target} ({exc.strerror or exc})") from None
    return target


def save_reprint(db: Database, letter_id: int, path: Path | str) -> Path:
    """Write the reprint of one letter (identical to the one sent) to `path`."""
    return save_pdf(reprint_letter(db, letter_id), path)
