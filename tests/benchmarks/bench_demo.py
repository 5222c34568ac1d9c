"""Benchmark: build the full two-year demo school into a fresh file (target: under ~3 s).

Run: python tests/benchmarks/bench_demo.py [AS_OF]
"""

from __future__ import annotations

import sys
import tempfile
import time
from datetime import date
from pathlib import Path

from attendance_desk.demo import create_demo_database
from attendance_desk.demo.data import generate_demo


def main() -> None:
    as_of = date.fromisoformat(sys.argv[1]) if len(sys.argv) > 1 else date(2026, 7, 10)
    start = time.perf_counter()
    generate_demo(2024, as_of)
    generated = time.perf_counter() - start
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        summary = create_demo_database(Path(folder) / "demo.sqlite3", seed=2024, as_of=as_of)
        total = time.perf_counter() - start
    print(f"{summary}: generated in {generated:.2f} s, whole build {total:.2f} s")


if __name__ == "__main__":
    main()
