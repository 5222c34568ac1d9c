"""Collecting what is wrong with a file, cell by cell, into one message a person can act on."""

from __future__ import annotations

from attendance_desk.errors import ImportFileError

MAX_LISTED = 20


def column_letter(col: int) -> str:
    """0 -> 'A', 27 -> 'AB'."""
    letters = ""
    col += 1
    while col:
        col, rem = divmod(col - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


class Problems:
    """Problems in one sheet; `raise_if_any()` turns them into one ImportFileError."""

    def __init__(self, file_name: str, sheet: str, column_names: dict[int, str]) -> None:
        self.file_name = file_name
        self.sheet = sheet
        self.column_names = column_names
        self.items: list[str] = []
        self.count = 0
        self.warnings: list[str] = []

    def where(self, row: int | None, col: int | None = None) -> str:
        parts = [self.file_name, f"sheet {self.sheet}"]
        if row is not None:
            parts.append(f"row {row}")
        if col is not None:
            name = self.column_names.get(col, "")
            parts.append(f"column '{name}'" if name else f"column {column_letter(col)}")
        return ", ".join(parts)

    def add(self, row: int | None, col: int | None, message: str) -> None:
        self.count += 1
        if len(self.items) < MAX_LISTED:
            self.items.append(f"{self.where(row, col)}: {message}")

    def child(self) -> Problems:
        """An empty collector for one row, merged with `absorb` only if the row counts."""
        return Problems(self.file_name, self.sheet, self.column_names)

    def absorb(self, other: Problems) -> None:
        for item in other.items:
            if len(self.items) < MAX_LISTED:
                self.items.append(item)
        self.count += other.count

    def error(self, message: str) -> ImportFileError:
        return ImportFileError(f"{self.file_name}, sheet {self.sheet}: {message}")

    def raise_if_any(self) -> None:
        if not self.count:
            return
        text = "; ".join(self.items)
        if self.count > len(self.items):
            text += f"; and {self.count - len(self.items)} more"
        raise ImportFileError(text)
