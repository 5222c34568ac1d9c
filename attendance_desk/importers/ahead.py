"""Reading the files of an import ahead, in a thread, while the database is being opened.

python-calamine releases Python's lock while it unpacks a sheet (about 0.35 s for a
1,500-pupil year), so a command can start reading its files before it has imported the
writing code, opened and checked the database: both go on at once. `ReadAhead` reads, in
order, each file's bytes (the `Source`: its fingerprint comes from the very bytes parsed, as
always) and then the sheets of the first file that `wanted` says is to be read (a file whose
content was imported before is not unpacked at all). Whatever it finds, a file that cannot be
read included, is handed over as it would have been found by reading there and then: the
error is raised where the import asks for the file. No database here.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import CancelledError, Future
from pathlib import Path

from attendance_desk.importers.model import SheetData
from attendance_desk.importers.sources import Source, read_sheets, read_source


class ReadAhead:
    """The files of one import, read in a background thread from the moment it is made."""

    def __init__(self, paths: Sequence[Path], wanted: Callable[[str], bool]) -> None:
        self._paths = list(dict.fromkeys(Path(p) for p in paths))
        self._wanted = wanted
        self._sources: dict[Path, Future[Source]] = {p: Future() for p in self._paths}
        self._chosen: Future[Source | None] = Future()  # the file whose sheets are read ahead
        self._sheets: Future[list[SheetData]] = Future()
        # not a daemon: a command that stops early (the database is in use) lets the unpacking
        # finish before the interpreter shuts down, never cut off inside python-calamine
        self._thread = threading.Thread(target=self._run, name="read-ahead")
        self._thread.start()

    def _run(self) -> None:
        chosen: Source | None = None
        try:
            for path in self._paths:
                try:
                    source = read_source(path)
                except BaseException as exc:  # raised where the import asks for this file
                    self._sources[path].set_exception(exc)
                    break
                self._sources[path].set_result(source)
                if chosen is None and self._wants(source):
                    chosen = source
        finally:
            for future in self._sources.values():
                if not future.done():
                    future.cancel()  # not read here (an earlier file failed): read when asked
            self._chosen.set_result(chosen)
        if chosen is None:
            return
        try:
            self._sheets.set_result(list(read_sheets(chosen)))
        except BaseException as exc:  # raised where the import parses this file
            self._sheets.set_exception(exc)

    def _wants(self, source: Source) -> bool:
        try:
            return self._wanted(source.digest)
        except Exception:  # noqa: BLE001 - only a hint: the import looks again for itself
            return True

    def source(self, path: Path) -> Source:
        """The file's bytes and fingerprint, as `read_source` gives them (or its error)."""
        future = self._sources.get(Path(path))
        if future is None or future.cancelled():
            return read_source(Path(path))
        try:
            return future.result()
        except CancelledError:
            return read_source(Path(path))

    def sheets(self, source: Source) -> list[SheetData] | None:
        """The sheets of `source` if they are read ahead (or their error); None if not."""
        chosen = self._chosen.result()
        if chosen is None or chosen.path != source.path or chosen.digest != source.digest:
            return None
        return self._sheets.result()
