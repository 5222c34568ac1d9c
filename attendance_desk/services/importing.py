"""Importing registers, pupil details, term dates and closures: preview, then apply.

Both run the same code inside one transaction (SQLite's BEGIN IMMEDIATE; on PostgreSQL a
transaction holding the database's write lock); a preview (or a dry run) rolls back, an import
commits. So the preview is exactly what the import will do, and a failure anywhere leaves the
database as it was. Files are read first (no database), then written in the order term dates,
closures, pupil details, registers. On SQLite a backup of the file as it was is taken before
the import commits, when it changes anything; a server's database is backed up on the server.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path

from attendance_desk import clock
from attendance_desk.domain.dates import numeric_time
from attendance_desk.domain.wording import count
from attendance_desk.errors import UserError
from attendance_desk.importers import ColumnMapping, Detection, Kind, ParsedFile, inspect_file
from attendance_desk.importers.ahead import ReadAhead
from attendance_desk.importers.batch import (
    Written,
    previous_imports,
    write_files,
)
from attendance_desk.importers.collector import collector_paused
from attendance_desk.importers.reader import Remembered, parse_file
from attendance_desk.importers.school_days import check_school_days
from attendance_desk.importers.sources import Source, content_hash, read_source
from attendance_desk.importers.tally import MarkDetail
from attendance_desk.services.backup import (
    PROTECT_CHANGES,
    backup_before_import,
    database_identity,
    discard_backup,
    protect_backup,
)
from attendance_desk.services.import_mappings import mark_used, remembered
from attendance_desk.storage.db import Database
from attendance_desk.user import current_user

Progress = Callable[[int, str], None]  # percent 0-100, what is happening
Cancel = Callable[[], bool]

__all__ = [
    "FileChangedError",
    "ImportCancelled",
    "ImportHistoryEntry",
    "ImportPreview",
    "ImportResult",
    "FileOutcome",
    "MarkChangeRow",
    "apply_import",
    "import_history",
    "import_previewed",
    "inspect",
    "preview_import",
]


class ImportCancelled(UserError):
    """The user cancelled; nothing was written."""

    def __init__(self) -> None:
        super().__init__("the import was cancelled: nothing was changed")


class FileChangedError(UserError):
    """A file changed (or went) between its preview and the import: nothing was imported."""


@dataclass(frozen=True)
class FilesRead:
    """What a preview read: each file's fingerprint (the sha256 of the very bytes parsed) and
    the files parsed from those bytes, which the import then writes as they are."""

    paths: tuple[Path, ...]
    digests: Mapping[Path, str]
    parsed: tuple[ParsedFile, ...]


@dataclass(frozen=True)
class MarkChangeRow:
    """One mark the file changes (or would change, or may not change: an office conflict)."""

    pupil_id: int
    pupil: str
    date: date
    session: str
    old_code: str | None
    new_code: str | None
    office: bool  # the mark in the database was entered by the office


@dataclass(frozen=True)
class FileOutcome:
    file_name: str
    path: str
    kind: str
    layout: str
    content_hash: str
    already_imported: bool
    previously_imported_at: datetime | None
    pupils_added: tuple[str, ...]
    pupils_changed: tuple[str, ...]
    contacts_added: int
    contacts_changed: int
    marks_added: int
    marks_changed: int
    marks_unchanged: int
    changes: tuple[MarkChangeRow, ...]  # the first 2,000; marks_changed counts them all
    conflicts: tuple[MarkChangeRow, ...]  # office marks the file differs from
    conflicts_total: int
    office_overwritten: int
    half_terms_added: int
    half_terms_changed: int
    closures_added: int
    closures_changed: int
    skipped: tuple[tuple[int, str], ...]  # (sheet row, why)
    warnings: tuple[str, ...]
    first_date: date | None
    last_date: date | None
    import_id: int | None  # None in a preview
    recognised: tuple[str, ...] = ()  # what the reader found: sheets, header, columns, skipped
    mapping_used: str | None = None  # a remembered mapping the file was read with

    @property
    def nothing_changed(self) -> bool:
        return self.already_imported or not (
            self.pupils_added
            or self.pupils_changed
            or self.contacts_added
            or self.contacts_changed
            or self.marks_added
            or self.marks_changed
            or self.half_terms_added
            or self.half_terms_changed
            or self.closures_added
            or self.closures_changed
        )

    def headline(self) -> str:
        """What an import did, short enough for the status bar (`summary` says it all)."""
        if self.already_imported:
            return f"{self.file_name}: already imported; nothing changed"
        parts: list[str] = []
        if self.pupils_added:
            parts.append(f"{len(self.pupils_added)} pupils added")
        if self.kind == Kind.REGISTER:
            parts.append(f"{self.marks_added:,} marks added")
            if self.marks_changed:
                parts.append(f"{self.marks_changed:,} changed")
        if self.nothing_changed:
            parts.append("nothing to change")
        elif not parts:
            parts.append("done")
        return f"{self.file_name}: " + ", ".join(parts)

    def summary(self, *, preview: bool = False) -> str:
        if self.already_imported:
            when = self.previously_imported_at
            if when and when != datetime.min:
                stamp = numeric_time(when.replace(tzinfo=UTC).astimezone())
            else:
                stamp = "an earlier date"
            return f"{self.file_name}: already imported on {stamp}; nothing changed"
        will = "would be " if preview else ""
        parts: list[str] = []
        if self.kind in (Kind.REGISTER, Kind.ROSTER):
            parts.append(
                f"{len(self.pupils_added)} pupils {will}added, {len(self.pupils_changed)} updated"
            )
        if self.kind is Kind.ROSTER or self.contacts_added or self.contacts_changed:
            parts.append(
                f"{self.contacts_added} contacts {will}added, {self.contacts_changed} updated"
            )
        if self.kind == Kind.REGISTER:
            parts.append(
                f"{self.marks_added:,} marks {will}added, {self.marks_changed:,} changed, "
                f"{self.marks_unchanged:,} unchanged"
            )
            if self.conflicts_total:
                kept = self.conflicts_total - self.office_overwritten
                parts.append(
                    f"{self.conflicts_total} office marks differ from the file "
                    f"({kept} kept, {self.office_overwritten} {will}overwritten)"
                )
        if self.kind == Kind.TERM_DATES:
            parts.append(
                f"{self.half_terms_added} half terms {will}added, {self.half_terms_changed} changed"
            )
        if self.kind == Kind.CLOSURES:
            parts.append(
                f"{self.closures_added} closures {will}added, {self.closures_changed} changed"
            )
        if self.skipped:
            parts.append(f"{count(len(self.skipped), 'row')} skipped")
        if self.nothing_changed:
            parts.append("nothing to change")
        return f"{self.file_name} ({self.layout.replace('_', ' ')}): " + "; ".join(parts)


@dataclass(frozen=True)
class ImportPreview:
    files: tuple[FileOutcome, ...]
    # the files as the preview read them: `import_previewed` imports exactly these
    read: FilesRead | None = field(default=None, compare=False, repr=False)

    @property
    def conflicts_total(self) -> int:
        return sum(f.conflicts_total for f in self.files)

    @property
    def nothing_to_do(self) -> bool:
        return all(f.nothing_changed for f in self.files)

    def summary_lines(self) -> list[str]:
        return [f.summary(preview=True) for f in self.files]


@dataclass(frozen=True)
class ImportResult:
    files: tuple[FileOutcome, ...]

    @property
    def nothing_changed(self) -> bool:
        return all(f.nothing_changed for f in self.files)

    def summary_lines(self) -> list[str]:
        return [f.summary() for f in self.files]

    def headlines(self) -> list[str]:
        return [f.headline() for f in self.files]


@dataclass(frozen=True)
class ImportHistoryEntry:
    id: int
    file_name: str
    content_hash: str
    kind: str
    layout: str
    imported_at: datetime
    imported_by: str
    pupils_added: int
    pupils_changed: int
    marks_added: int
    marks_changed: int
    rows_skipped: int
    summary: str


def inspect(path: Path, db: Database | None = None) -> Detection:
    """What a file looks like (layout, header, column roles) and whether detection is sure
    (a file whose shape has a remembered mapping is sure)."""
    return inspect_file(Path(path), remembered(db) if db is not None else None)


def preview_import(
    db: Database,
    paths: Sequence[Path],
    *,
    mappings: Mapping[Path, ColumnMapping] | None = None,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    mapping_name: str | None = None,
    ahead: ReadAhead | None = None,
) -> ImportPreview:
    """What importing these files would do, without changing anything. `mapping_name` reads
    every file with that saved mapping; `ahead` as for `apply_import`."""
    read: list[FilesRead] = []
    outcomes = _run(
        db,
        paths,
        mappings or {},
        False,
        False,
        False,
        progress,
        cancel,
        "",
        mapping_name,
        keep=read.append,
        ahead=ahead,
    )
    return ImportPreview(outcomes, read[0] if read else None)


def import_previewed(
    db: Database,
    preview: ImportPreview,
    *,
    overwrite_office: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    imported_by: str | None = None,
) -> ImportResult:
    """Import exactly what `preview` showed: the files as it read and parsed them, not read
    again. A file that changed or went since then is refused (FileChangedError), and nothing
    is imported: the person sees a new preview first."""
    read = preview.read
    if read is None:
        raise UserError("there is no preview to import: preview the files first")
    for path in read.paths:
        try:
            now = content_hash(path)
        except OSError:
            raise FileChangedError(
                f"{path.name} was moved or deleted after the preview: nothing was imported"
            ) from None
        if now != read.digests.get(path):
            raise FileChangedError(
                f"{path.name} changed after the preview (it is not the file the preview "
                "showed): nothing was imported; press Preview to see what it holds now"
            )
    user = imported_by if imported_by is not None else current_user()
    outcomes = _run(
        db,
        read.paths,
        {},
        True,
        overwrite_office,
        False,
        progress,
        cancel,
        user,
        read_before=read,
    )
    mark_used(db, {o.mapping_used for o in outcomes if o.mapping_used and o.import_id})
    return ImportResult(outcomes)


def apply_import(
    db: Database,
    paths: Sequence[Path],
    *,
    mappings: Mapping[Path, ColumnMapping] | None = None,
    overwrite_office: bool = False,
    reimport: bool = False,
    progress: Progress | None = None,
    cancel: Cancel | None = None,
    imported_by: str | None = None,
    mapping_name: str | None = None,
    ahead: ReadAhead | None = None,
) -> ImportResult:
    """Import the files in one transaction: all of them land, or none does.

    Office marks the files differ from are kept unless `overwrite_office`. A file whose exact
    content was imported before is skipped (and says so) unless `reimport`. `ahead`: the
    files' reading, started before the database was opened (services/import_ahead.py).
    """
    user = imported_by if imported_by is not None else current_user()
    outcomes = _run(
        db,
        paths,
        mappings or {},
        True,
        overwrite_office,
        reimport,
        progress,
        cancel,
        user,
        mapping_name,
        ahead=ahead,
    )
    mark_used(db, {o.mapping_used for o in outcomes if o.mapping_used and o.import_id})
    return ImportResult(outcomes)


def import_history(db: Database, limit: int = 100) -> tuple[ImportHistoryEntry, ...]:
    from sqlalchemy import select

    from attendance_desk.storage.models import ImportRecord

    with db.session() as s:
        records = s.scalars(select(ImportRecord).order_by(ImportRecord.id.desc()).limit(limit))
        return tuple(
            ImportHistoryEntry(
                id=r.id,
                file_name=r.file_name,
                content_hash=r.content_hash,
                kind=r.kind,
                layout=r.layout,
                imported_at=r.imported_at,
                imported_by=r.imported_by,
                pupils_added=r.pupils_added,
                pupils_changed=r.pupils_changed,
                marks_added=r.marks_added,
                marks_changed=r.marks_changed,
                rows_skipped=r.rows_skipped,
                summary=r.summary,
            )
            for r in records
        )


@collector_paused()  # the collector would walk the register's rows again and again
def _run(
    db: Database,
    paths: Sequence[Path],
    mappings: Mapping[Path, ColumnMapping],
    commit: bool,
    overwrite_office: bool,
    reimport: bool,
    progress: Progress | None,
    cancel: Cancel | None,
    user: str,
    mapping_name: str | None = None,
    *,
    keep: Callable[[FilesRead], None] | None = None,
    read_before: FilesRead | None = None,
    ahead: ReadAhead | None = None,
) -> tuple[FileOutcome, ...]:
    """Read the files (or take them as a preview read them, or as `ahead` is reading them),
    then write them in one transaction, committed or (a preview) rolled back. `keep` is given
    what was read."""
    if not paths:
        raise UserError("no files to import")
    # a preview too: it would compare the files with the default school's pupils and marks
    db.require_one_school("import")
    hook = remembered(db, mapping_name) if read_before is None else None
    report = progress or (lambda _p, _m: None)

    def check_cancel() -> None:
        if cancel is not None and cancel():
            raise ImportCancelled()

    conn = db.raw_connection()
    backup: Path | None = None
    try:
        if read_before is None:
            # each file read once: its fingerprint and its parse come from the same bytes
            read = ahead.source if ahead is not None else read_source
            sources = {Path(p): read(Path(p)) for p in paths}
            digests = {p: s.digest for p, s in sources.items()}
            known = {} if reimport else previous_imports(conn, digests)
            parsed = _read_all(
                paths,
                known,
                sources,
                mappings,
                report,
                check_cancel,
                hook,
                mapping_name is not None,
                ahead,
            )
            del sources
            if keep is not None:
                keep(FilesRead(tuple(Path(p) for p in paths), digests, tuple(parsed)))
        else:
            known = previous_imports(conn, read_before.digests)
            parsed = [p for p in read_before.parsed if Path(p.path) not in known]
        check_cancel()
        written = list(known.values())
        if parsed and commit:
            db.require_intact()  # the full integrity check ran beside the reading: its verdict
            if db.backend == "sqlite":
                database_identity(db)  # made now if missing: never written during the import

        def back_up(done: list[Written]) -> None:
            """The database as it was, copied before the import commits (the import's own
            connection holds its writes uncommitted: another one reads the file as it was).
            Only for an import that changes the school's records: one that finds nothing to
            change (a history line apart) needs no copy. A server's backups are the server's."""
            nonlocal backup
            if db.backend == "sqlite" and not all(_outcome(w).nothing_changed for w in done):
                report(100, "Backing up the database before the import")
                backup = backup_before_import(db)

        if parsed:
            share = 50 / len(parsed)

            def tick_for(n: int, name: str) -> Callable[[float], None]:
                def tick(fraction: float) -> None:
                    check_cancel()
                    report(int(50 + share * (n + fraction)), f"Writing {name}" if name else "")

                return tick

            try:
                written += write_files(
                    conn,
                    parsed,
                    commit=commit,
                    overwrite_office=overwrite_office,
                    reimport=reimport,
                    user=user,
                    tick_for=tick_for,
                    summarise=lambda w: _outcome(w).summary(),
                    check_register=lambda c, data, ids, problems: check_school_days(
                        c, data, ids, problems, clock.today()
                    ),
                    before_commit=back_up,
                )
            except BaseException:
                if backup is not None:  # nothing was written: a failed import keeps no backup
                    discard_backup(backup)
                raise
            changed = sum(w.tally.marks_changed for w in written)
            if commit and backup is not None and changed > PROTECT_CHANGES:
                protect_backup(backup)  # kept until a later full backup exists
            if commit:
                db.seal_audit()
    finally:
        conn.close()
    report(100, "Done")
    return tuple(_outcome(w) for w in written)


def _read_all(
    paths: Sequence[Path],
    known: Mapping[Path, Written],
    sources: dict[Path, Source],
    mappings: Mapping[Path, ColumnMapping],
    report: Progress,
    check_cancel: Callable[[], None],
    hook: Remembered | None = None,
    prefer: bool = False,
    ahead: ReadAhead | None = None,
) -> list[ParsedFile]:
    """Read every file not imported before (no database): the first 50% of the progress."""
    parsed: list[ParsedFile] = []
    share = 50 / len(paths)
    for n, raw in enumerate(paths):
        path = Path(raw)
        if path in known:
            continue
        check_cancel()
        report(int(n * share), f"Reading {path.name}")

        def file_progress(done: int, total: int, n: int = n, name: str = path.name) -> None:
            check_cancel()
            report(int(n * share + share * done / max(total, 1)), f"Reading {name}")

        mapping = mappings.get(path) or mappings.get(raw)
        source = sources.get(path)
        sheets = ahead.sheets(source) if ahead is not None and source is not None else None
        parsed.append(
            parse_file(
                path,
                mapping,
                file_progress,
                source=source,
                remembered=hook,
                prefer_remembered=prefer,
                sheets=sheets,
            )
        )
    return parsed


def _rows(details: list[MarkDetail]) -> tuple[MarkChangeRow, ...]:
    return tuple(
        MarkChangeRow(
            d.pupil_id,
            d.pupil,
            date.fromisoformat(d.date),
            d.session,
            d.old_code,
            d.new_code,
            d.office,
        )
        for d in details
    )


def _outcome(written: Written) -> FileOutcome:
    item, tally = written.item, written.tally
    return FileOutcome(
        file_name=item.file_name,
        path=item.path,
        kind=item.kind.value,
        layout=item.layout.value,
        content_hash=item.content_hash,
        already_imported=written.already_at is not None,
        previously_imported_at=written.already_at,
        pupils_added=tuple(tally.pupils_added),
        pupils_changed=tuple(tally.pupils_changed),
        contacts_added=tally.contacts_added,
        contacts_changed=tally.contacts_changed,
        marks_added=tally.marks_added,
        marks_changed=tally.marks_changed,
        marks_unchanged=tally.marks_unchanged,
        changes=_rows(tally.changes),
        conflicts=_rows(tally.conflicts),
        conflicts_total=tally.conflicts_total,
        office_overwritten=tally.office_overwritten,
        half_terms_added=tally.half_terms_added,
        half_terms_changed=tally.half_terms_changed,
        closures_added=tally.closures_added,
        closures_changed=tally.closures_changed,
        skipped=tuple(item.skipped),
        warnings=(*item.warnings, *tally.notes),
        first_date=date.fromisoformat(tally.first_date) if tally.first_date else None,
        last_date=date.fromisoformat(tally.last_date) if tally.last_date else None,
        import_id=written.import_id,
        recognised=tuple(item.recognised),
        mapping_used=item.mapping_used,
    )
