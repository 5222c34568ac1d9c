"""Benchmarks time the application as it runs when installed: with its bytecode.

An installed copy (pip, or the PyInstaller build) carries compiled `.pyc` files. Some machines
set PYTHONDONTWRITEBYTECODE=1 (this one does), and then every command-line process the benchmark
starts compiles every module it imports again, about 0.1 s a process that no user ever pays.
`use_bytecode_cache()` lets the child processes keep their bytecode in a private temporary folder
(PYTHONPYCACHEPREFIX), so the repository stays clean and the timings are those of an installation.
"""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile


def use_bytecode_cache() -> str:
    """Set up this process's environment (inherited by the processes it starts) to cache
    bytecode in a private folder removed at exit; returns the folder."""
    folder = tempfile.mkdtemp(prefix="attendance-desk-pyc-")
    atexit.register(shutil.rmtree, folder, True)
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = folder
    return folder
