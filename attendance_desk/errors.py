"""Errors a person can act on.

Services raise these; the command line prints the message on one line and exits 2, and the
window shows it in a dialog. Anything else is a bug and may show a traceback.
"""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a state the user can fix; the message says what and where."""


class DatabaseError(UserError):
    """The database file cannot be opened, created or used."""


class AllSchoolsError(UserError):
    """A change asked of a connection looking at all of a trust's schools at once: each change
    is made working in one school (its rows are that school's), never across them."""


class ImportFileError(UserError):
    """A register, roster or term-date file cannot be read; the message names file, sheet, row, column."""


class ImportDecisionNeeded(ImportFileError):
    """The file can be read, but only with a decision from the user (a column whose meaning
    is unsure, such as an identity-looking heading the importer cannot use): the window offers
    the mapping step for `file_name`; the command line takes `--mapping NAME`."""

    def __init__(self, message: str, file_name: str) -> None:
        super().__init__(message)
        self.file_name = file_name
