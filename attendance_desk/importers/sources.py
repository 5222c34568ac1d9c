"""Reading a file into sheets of raw cell values: .xlsx/.xlsm/.xls/.ods via python-calamine,
.csv with its encoding (UTF-8 with or without BOM, Windows-1252) and delimiter sniffed.

Formulas are never evaluated: calamine returns the value Excel cached when it saved the file.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import python_calamine as pc

from attendance_desk.errors import ImportFileError
from attendance_desk.importers.limits import MAX_FIELD, MAX_FILE_BYTES, check_archive, long_field
from attendance_desk.importers.model import SheetData
from attendance_desk.importers.problems import column_letter

SPREADSHEET_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".ods")
TEXT_SUFFIXES = (".csv", ".txt", ".tsv")
SUPPORTED_SUFFIXES = SPREADSHEET_SUFFIXES + TEXT_SUFFIXES

_ZIP = b"PK\x03\x04"
_CFB = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_NOT_SPREADSHEETS = {
    b"\x89PNG": "a PNG image",
    b"\xff\xd8\xff": "a JPEG image",
    b"GIF8": "a GIF image",
    b"%PDF": "a PDF document",
    b"BM": "a bitmap image",
    b"SQLite format 3": "a database file",
    b"\x1f\x8b": "a gzip archive",
}


def content_hash(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


@dataclass(frozen=True)
class Source:
    """A file read once: its bytes and their fingerprint (sha256). Every later step (the checks,
    the parse, the 'imported before?' look-up) works on these bytes, never on the file again,
    so what is parsed is exactly what was fingerprinted, whatever happens to the file."""

    path: Path
    data: bytes = b""
    digest: str = ""

    @property
    def name(self) -> str:
        return self.path.name


def _fail(path: Path, message: str) -> ImportFileError:
    return ImportFileError(f"{path.name}: {message}")


def _check_name(path: Path) -> None:
    if path.is_dir():
        raise _fail(path, "this is a folder, not a file")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise _fail(
            path,
            f"'{path.suffix or 'no extension'}' files cannot be imported (use .xlsx, .xlsm, "
            ".xls, .ods or .csv)",
        )


def read_source(path: Path) -> Source:
    """Read the whole file once (refusing what cannot be a register before any parsing)."""
    path = Path(path)
    if not path.exists() and not path.is_symlink():
        raise _fail(path, "the file does not exist")
    _check_name(path)
    try:
        with path.open("rb") as fh:
            size = _size(fh)
            if size > MAX_FILE_BYTES:
                raise _fail(
                    path,
                    f"the file holds {size / 1e6:,.0f} MB (the limit is "
                    f"{MAX_FILE_BYTES / 1e6:,.0f} MB): it is not a register",
                )
            data = fh.read(MAX_FILE_BYTES + 1)
    except FileNotFoundError:
        raise _fail(path, "the file was moved or deleted before it could be read") from None
    except IsADirectoryError:
        raise _fail(path, "this is a folder, not a file") from None
    except OSError as exc:
        raise _fail(path, f"the file cannot be read ({exc.strerror or exc})") from None
    if len(data) > MAX_FILE_BYTES:
        raise _fail(path, f"the file grew past {MAX_FILE_BYTES / 1e6:,.0f} MB while it was read")
    source = Source(path, data, hashlib.sha256(data).hexdigest())
    check_content(source)
    return source


def _size(fh: io.BufferedReader) -> int:
    return os.fstat(fh.fileno()).st_size


def check_file(path: Path) -> bytes:
    """Refuse what cannot be a register before any parsing; returns the first bytes."""
    return read_source(path).data[:4096]


def check_content(source: Source) -> None:
    """Refuse, from its bytes, what cannot be a register (before any parsing)."""
    path, head = source.path, source.data[:4096]
    suffix = path.suffix.lower()
    if not head:
        raise _fail(path, "the file is empty")
    for magic, what in _NOT_SPREADSHEETS.items():
        if head.startswith(magic):
            raise _fail(path, f"this is {what}, not a spreadsheet")
    if suffix in (".xlsx", ".xlsm"):
        if head.startswith(_CFB):
            if _is_encrypted_ooxml(source.data):
                raise _fail(
                    path,
                    "the workbook is password-protected: open it in Excel, remove the password "
                    "(File > Info > Protect Workbook) and save it again",
                )
            raise _fail(path, "this is an old-style .xls workbook named .xlsx: rename it to .xls")
        if not head.startswith(_ZIP):
            raise _fail(path, "this is not an Excel workbook (the file is not in .xlsx format)")
    if suffix == ".ods" and not head.startswith(_ZIP):
        raise _fail(path, "this is not an OpenDocument spreadsheet")
    if head.startswith(_ZIP):
        problem = check_archive(source.data)  # sizes it declares, before anything is inflated
        if problem:
            raise _fail(path, problem)
    if suffix == ".xls" and not head.startswith(_CFB):
        if head.startswith(_ZIP):
            raise _fail(path, "this is an .xlsx workbook named .xls: rename it to .xlsx")
        raise _fail(path, "this is not an Excel .xls workbook")


def _is_encrypted_ooxml(data: bytes) -> bool:
    """An encrypted Office file is a CFB container holding 'EncryptionInfo'/'EncryptedPackage'."""
    marker1 = "EncryptionInfo".encode("utf-16-le")
    marker2 = "EncryptedPackage".encode("utf-16-le")
    head = data[: 1 << 20]
    return marker1 in head or marker2 in head


def read_sheets(file: Path | Source) -> Iterator[SheetData]:
    """Every sheet of the file in order (a CSV file is one sheet named after the file), read
    from the bytes of `file` (a path is read once first)."""
    source = file if isinstance(file, Source) else read_source(Path(file))
    path = source.path
    if path.suffix.lower() in TEXT_SUFFIXES:
        notes: list[str] = []
        text_rows: list[list[Any]] = list(read_csv_rows(path, notes, source.data))
        _refuse_long_fields(path, path.stem, text_rows)
        yield SheetData(name=path.stem, rows=text_rows, notes=tuple(notes))
        return
    try:
        workbook = pc.CalamineWorkbook.from_filelike(io.BytesIO(source.data))
    except pc.PasswordError:
        raise _fail(
            path, "the workbook is password-protected: remove the password and save it again"
        ) from None
    except (pc.ZipError, pc.XmlError, pc.CalamineError, OSError, ValueError) as exc:
        raise _fail(path, f"the file is damaged or not a spreadsheet ({_short(exc)})") from None
    names = workbook.sheet_names
    if not names:
        raise _fail(path, "the workbook has no sheets")
    hidden = _hidden_sheets(workbook)
    for index, name in enumerate(names):
        try:
            rows = workbook.get_sheet_by_index(index).to_python(skip_empty_area=False)
        except pc.PasswordError:
            raise _fail(path, "the workbook is password-protected") from None
        except (pc.ZipError, pc.XmlError, pc.CalamineError, OSError, ValueError) as exc:
            raise _fail(
                path, f"sheet {name} is damaged and cannot be read ({_short(exc)})"
            ) from None
        _refuse_long_fields(path, name, rows)
        yield SheetData(name=name, rows=rows, hidden=name in hidden)


def _hidden_sheets(workbook: pc.CalamineWorkbook) -> set[str]:
    try:
        return {
            m.name
            for m in workbook.sheets_metadata
            if str(getattr(m, "visible", "")).lower().endswith(("hidden", "veryhidden"))
        }
    except (AttributeError, TypeError):
        return set()


def _refuse_long_fields(path: Path, sheet: str, rows: list[list[Any]]) -> None:
    hit = long_field(rows)
    if hit is not None:
        row, col, length = hit
        raise _fail(
            path,
            f"sheet {sheet}, row {row}, column {column_letter(col - 1)}: a cell holds "
            f"{length:,} characters (the limit is {MAX_FIELD:,}): it is not a register",
        )


def _short(exc: BaseException) -> str:
    text = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
    return text[:160]


def decode_text(path: Path, data: bytes, notes: list[str] | None = None) -> str:
    """UTF-8 (with or without BOM), else Windows-1252; UTF-16 when it carries a BOM."""
    notes = [] if notes is None else notes
    if data.startswith(b"\xef\xbb\xbf"):
        notes.append("read as UTF-8 text (with a byte-order mark)")
        return data[3:].decode("utf-8", errors="strict")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        notes.append("read as UTF-16 text")
        return data.decode("utf-16")
    try:
        text = data.decode("utf-8")
        notes.append("read as UTF-8 text")
        return text
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("cp1252")
        notes.append("read as Windows-1252 text (as Excel saves a CSV on Windows)")
        return text
    except UnicodeDecodeError as exc:
        raise _fail(
            path, f"the file is not text in UTF-8 or Windows-1252 (byte {exc.start + 1})"
        ) from None


def sniff_delimiter(text: str) -> str:
    """Comma, semicolon or tab: whichever splits the first lines most consistently."""
    lines = [line for line in text.splitlines()[:20] if line.strip()]
    best, best_score = ",", -1
    for delimiter in (",", ";", "\t"):
        counts = [len(next(csv.reader([line], delimiter=delimiter))) for line in lines]
        if not counts:
            continue
        common = max(set(counts), key=counts.count)
        score = (common > 1) * (counts.count(common) * 1000 + common)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def read_csv_rows(
    path: Path, notes: list[str] | None = None, data: bytes | None = None
) -> list[list[str]]:
    """The rows of a CSV file as Excel writes it (BOM, CRLF, comma or semicolon); `notes`
    gets how it was read. A quote left open that swallows later rows is refused. `data`: the
    file's bytes, already read."""
    notes = [] if notes is None else notes
    data = path.read_bytes() if data is None else data
    text = decode_text(path, data, notes)
    if not text.strip():
        raise _fail(path, "the file is empty")
    nuls = text.count("\x00")
    if nuls:
        text = text.replace("\x00", "")
        notes.append(f"{nuls} stray NUL bytes removed")
    binary = sum(1 for ch in text[:4096] if ord(ch) < 32 and ch not in "\t\r\n")
    if binary > 64:
        raise _fail(path, "this is not a text (CSV) file")
    delimiter = sniff_delimiter(text)
    if delimiter != ",":
        notes.append("fields separated by " + {";": "semicolons", "\t": "tabs"}[delimiter])
    try:
        rows = [row for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]
    except csv.Error as exc:
        raise _fail(path, f"the CSV file cannot be read ({exc})") from None
    _check_runaway_quote(path, rows, text)
    return rows


def _check_runaway_quote(path: Path, rows: list[list[str]], text: str) -> None:
    """A field that opens a quote and never closes it on its line swallows the rows after it:
    the row then has the wrong number of fields. Refused, never silently joined."""
    counts = [len(row) for row in rows if any(row)]
    if not counts:
        return
    usual = max(set(counts), key=counts.count)
    line = 1
    for number, row in enumerate(rows, start=1):
        for f, field in enumerate(row):
            if "\n" in field or "\r" in field:
                swallowed = field.count("\n") or field.count("\r")
                if len(row) != usual:
                    raise _fail(
                        path,
                        f"row {number} (line {line}), field {f + 1}: a quote opens and runs "
                        f"over the next {swallowed} lines (the row has {len(row)} fields where "
                        f"the others have {usual}): close the quote or remove it",
                    )
        line += 1 + sum(field.count("\n") for field in row)
    del text
