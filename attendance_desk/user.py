"""Who is at the keyboard: the login name recorded in the audit log, on letters and on calls."""

from __future__ import annotations

import getpass


def current_user() -> str:
    """The login name, or "" where the system has none (some service accounts)."""
    try:
        return getpass.getuser()[:100]
    except Exception:  # noqa: BLE001 - getpass raises OSError, KeyError or ImportError by platform
        return ""
