"""Who is at the keyboard: the login name recorded in the audit log, on letters and on calls."""

from __future__ import annotations

import getpass

# The member of staff at the keyboard, once they have said who they are: (name, role value).
_acting: tuple[str, str] | None = None
# The name the window expects to be signed in (the last one chosen at this login), for the
# audit's "who" written when the file is opened: the same person opening again writes nothing.
_opening_as: str | None = None


def act_as(name: str, role: str) -> None:
    """From now on records are made by this member of staff (services/staff.py checks them)."""
    global _acting, _opening_as
    _acting, _opening_as = (name.strip()[:100], role), None  # expected or not, it is them


def stop_acting() -> None:
    global _acting, _opening_as
    _acting, _opening_as = None, None


def acting() -> tuple[str, str] | None:
    """(staff name, role) of the member of staff at the keyboard, or None (not chosen)."""
    return _acting


def current_user() -> str:
    """Who is making records: the member of staff chosen at start, else the login name."""
    if _acting is not None:
        return _acting[0]
    return login_name()


def expect_sign_in(name: str | None) -> None:
    """Before the window opens a file: the member of staff expected to sign in (None: none)."""
    global _opening_as
    _opening_as = name.strip()[:100] if name else None


def audit_name() -> str:
    """The name the audit's "who" should hold: who is signed in, else who is expected to sign
    in, else the login name. Records themselves carry `current_user()`."""
    if _acting is not None:
        return _acting[0]
    return _opening_as or login_name()


def login_name() -> str:
    """The computer's login name, or "" where the system has none (some service accounts)."""
    try:
        return getpass.getuser()[:100]
    except Exception:  # noqa: BLE001 - getpass raises OSError, KeyError or ImportError by platform
        return ""
