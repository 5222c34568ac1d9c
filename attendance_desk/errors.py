"""Errors a person can act on.

Services raise these; the command line prints the message on one line and exits 2, and the
window shows it in a dialog. Anything else is a bug and may show a traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a state the user can fix; the message says what and where."""


class DatabaseError(UserError):
    """The database file cannot be opened, created or used."""


class ImportFileError(UserError):
    """A register, roster or term-date file cannot be read; the message names file, sheet, row, column."""
