"""Python's cycle collector paused while an import reads and writes its files.

A year's register makes a few hundred thousand container objects (rows, tuples, lists) that
live until the import ends, and the collector, run after every 700 of them, walks them again and
again: 0.02-0.10 s of a 570,000-mark import (measured with gc.callbacks, three imports; the
most when a full collection falls inside it). Nothing the import makes must wait for the
collector to be freed (reference counting frees it as always), so the collector is paused for
the import and runs as usual after it. Several imports at once (threads): the first pauses it,
the last to end resumes it; one that was off already stays off.
"""

from __future__ import annotations

import gc
import threading
from collections.abc import Iterator
from contextlib import contextmanager

_lock = threading.Lock()
_holders = 0
_resume = False


@contextmanager
def collector_paused() -> Iterator[None]:
    global _holders, _resume
    with _lock:
        if _holders == 0:
            _resume = gc.isenabled()
            gc.disable()
        _holders += 1
    try:
        yield
    finally:
        with _lock:
            _holders -= 1
            if _holders == 0 and _resume:
                gc.enable()
