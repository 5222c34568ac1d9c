"""Long work off the GUI thread: a QRunnable on the global QThreadPool with Qt signals.

    worker = Worker(compute, db, as_of)
    worker.signals.finished.connect(show)
    worker.signals.error.connect(complain)
    start(worker)

A function that reports progress takes a keyword argument `progress` (a callable taking
done and total); the worker passes one in when the function asks for it. Likewise a function
that can stop early takes `cancel` (a callable: True once `request_stop()` was called).
"""

from __future__ import annotations

import contextlib
import inspect
import threading
import traceback
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal, Slot

from attendance_desk.errors import UserError


class WorkerSignals(QObject):
    progress = Signal(int, int)  # done, total
    finished = Signal(object)  # the function's result
    error = Signal(str, str)  # message a person can read, technical detail


class Worker(QRunnable):
    def __init__(self, fn: Callable[..., Any], *args: Any, **kwargs: Any) -> None:
        super().__init__()
        self.fn = fn
        self.args = args
        self.kwargs = kwargs
        self.signals = WorkerSignals()
        self.cancelled = False
        self.stop = threading.Event()  # asked to stop early: the function still reports
        self.ended = threading.Event()
        self.setAutoDelete(False)  # Python keeps it (see _ACTIVE) until its signals fire
        try:
            params = inspect.signature(fn).parameters
        except (TypeError, ValueError):
            params = {}
        if "progress" in params and "progress" not in kwargs:
            self.kwargs["progress"] = self._progress
        if "cancel" in params and "cancel" not in kwargs:
            self.kwargs["cancel"] = self.stop.is_set

    def _progress(self, done: int, total: int) -> None:
        if not self.cancelled:
            self.signals.progress.emit(int(done), int(total))

    def cancel(self) -> None:
        """Drop the result: the signals stay quiet once the work ends."""
        self.cancelled = True

    def request_stop(self) -> None:
        """Ask a function that takes `cancel` to stop early; it reports how it ended."""
        self.stop.set()

    def wait(self, msecs: int = 30000) -> bool:
        """Wait for this piece of work to end; True when it has."""
        return self.ended.wait(msecs / 1000)

    @Slot()
    def run(self) -> None:
        try:
            self._run()
        finally:
            self.ended.set()

    def _run(self) -> None:
        try:
            result = self.fn(*self.args, **self.kwargs)
        except UserError as exc:
            if not self.cancelled:
                with contextlib.suppress(RuntimeError):
                    self.signals.error.emit(str(exc), "")
            return
        except Exception as exc:  # noqa: BLE001 - shown to the user, never lost
            if not self.cancelled:
                self.signals.error.emit(
                    f"Something went wrong: {exc}", "".join(traceback.format_exc())
                )
            return
        if not self.cancelled:
            with contextlib.suppress(RuntimeError):  # the window closed while the work ran
                self.signals.finished.emit(result)


def pool() -> QThreadPool:
    return QThreadPool.globalInstance()


_ACTIVE: set[Worker] = set()


def start(worker: Worker) -> Worker:
    _ACTIVE.add(worker)
    worker.signals.finished.connect(lambda _result: _ACTIVE.discard(worker))
    worker.signals.error.connect(lambda *_: _ACTIVE.discard(worker))
    pool().start(worker)
    return worker


def wait_all(msecs: int = 30000) -> bool:
    """Wait for running work (closing the window, tests); True when the pool is idle."""
    return pool().waitForDone(msecs)


def cancel_all() -> None:
    """Quiet every running worker: their results are dropped, no signal fires."""
    for worker in list(_ACTIVE):
        worker.cancel()


def shut_down(msecs: int = 30000) -> bool:
    """On quitting: quiet the running work and wait for it to end, so no worker emits into
    a deleted object ("Signal source has been deleted") while Qt tears the window down."""
    cancel_all()
    done = wait_all(msecs)
    _ACTIVE.clear()
    return done


def run_async(
    fn: Callable[..., Any],
    *args: Any,
    on_finished: Callable[[Any], None] | None = None,
    on_error: Callable[[str, str], None] | None = None,
    on_progress: Callable[[int, int], None] | None = None,
    **kwargs: Any,
) -> Worker:
    worker = Worker(fn, *args, **kwargs)
    if on_finished is not None:
        worker.signals.finished.connect(on_finished)
    if on_error is not None:
        worker.signals.error.connect(on_error)
    if on_progress is not None:
        worker.signals.progress.connect(on_progress)
    return start(worker)
