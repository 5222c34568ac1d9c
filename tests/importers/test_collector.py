"""The cycle collector is paused while an import runs (importers/collector.py) and is running
again after it, finished or failed, so a long day's imports never leave it off."""

from __future__ import annotations

import gc
import threading
from pathlib import Path

import pytest
from filemakers import wide_rows, write_xlsx

from attendance_desk.errors import ImportFileError
from attendance_desk.importers import collector
from attendance_desk.importers.collector import collector_paused
from attendance_desk.services.importing import apply_import
from attendance_desk.storage.db import Database


def test_an_import_pauses_the_collector_and_it_runs_again_after(
    db: Database, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from attendance_desk.importers import batch

    seen: list[bool] = []
    real = batch.write_marks

    def watched(*args: object, **kwargs: object) -> None:
        seen.append(gc.isenabled())
        real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(batch, "write_marks", watched)
    assert gc.isenabled()
    apply_import(db, [write_xlsx(tmp_path / "register.xlsx", wide_rows())])
    assert seen == [False]
    assert gc.isenabled()

    bad = wide_rows()
    bad[6][4] = "G"
    with pytest.raises(ImportFileError):
        apply_import(db, [write_xlsx(tmp_path / "twice.xlsx", [*bad, wide_rows()[6]])])
    assert gc.isenabled()


def test_the_last_of_imports_at_once_resumes_it_and_one_off_before_stays_off() -> None:
    first_in, second_in, first_out = threading.Event(), threading.Event(), threading.Event()
    states: list[bool] = []

    def first() -> None:
        with collector_paused():
            first_in.set()
            second_in.wait(5)
        first_out.set()

    worker = threading.Thread(target=first)
    worker.start()
    first_in.wait(5)
    with collector_paused():
        second_in.set()
        first_out.wait(5)
        states.append(gc.isenabled())  # the first has ended: still paused for this one
    worker.join(5)
    states.append(gc.isenabled())
    assert states == [False, True]
    assert collector._holders == 0

    gc.disable()
    try:
        with collector_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
