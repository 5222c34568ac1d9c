"""A guard against a reference-count fault in some PySide6 builds on Python 3.11.

PySide6 6.12's stable-ABI wheels return `None` from wrapped void functions without taking a
reference (harmless on Python 3.12+, where None is immortal). On Python 3.11 every such call
(`processEvents()`, `show()`, `setText()` ...) takes one reference from None, and after a few
thousand calls the interpreter aborts with "none_dealloc: deallocating None". Giving None,
True and False a very large reference count makes them effectively immortal, as 3.12 does.
"""

from __future__ import annotations

import ctypes
import platform
import sys

_PINNED = False
_EXTRA = 1 << 40


def pin_singletons() -> None:
    global _PINNED
    if _PINNED or sys.version_info >= (3, 12) or platform.python_implementation() != "CPython":
        return
    for obj in (None, True, False, Ellipsis, NotImplemented):
        ctypes.c_ssize_t.from_address(id(obj)).value += _EXTRA
    _PINNED = True
