"""Benchmark: what a school's password costs. The same full-year register (1,500 pupils, 190
days: 570,000 marks) imported by the command line into a plain database and into one
encrypted with SQLCipher (a password set), in the same run, interleaved; and the full
integrity check (`PRAGMA integrity_check`, as on every open) timed on the demo school and on
the 1,500-pupil year, plain and encrypted.

Run:  python tests/benchmarks/bench_encrypted.py [--pupils 1500] [--days 190] [--repeat 3]
      [--keep DIR]
Each import is a whole `attendance-desk import` process (start-up, key derivation, backup,
reading, checks, writing), timed from outside: wall time and processor time (its own and its
children's). The fastest of --repeat runs counts (the machine is shared). Not collected by
pytest (tests/benchmarks is excluded in pyproject.toml).
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from as_installed import use_bytecode_cache  # noqa: E402
from bench_import import make_register  # noqa: E402

PASSWORD = "a long enough password"
PASSWORD_ENV = "ATTENDANCE_DESK_PASSWORD"


def _cli(db: Path, register: Path, password: str | None) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if k != PASSWORD_ENV}
    if password:
        env[PASSWORD_ENV] = password
    command = [sys.executable, "-m", "attendance_desk", "--db", str(db), "import", str(register)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if out.returncode != 0:
        raise SystemExit(f"import failed: {out.stderr.strip()}")
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return {"wall": wall, "cpu": cpu}


def _empty_database(path: Path, password: str | None) -> Path:
    """An empty database at the latest schema (encrypted under `password` if given)."""
    from attendance_desk.services.access import set_password
    from attendance_desk.storage.db import open_database

    db = open_database(path)
    if password:
        set_password(db, password)
    db.close()
    return path


def _fresh(target: Path, made: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{target}{suffix}").unlink(missing_ok=True)
    shutil.copyfile(made, target)


def _integrity(path: Path, key: str | None) -> dict[str, float]:
    """The full check as opening runs it, in this process: wall and processor time."""
    from attendance_desk.storage import cipher
    from attendance_desk.storage.integrity import integrity_report

    start, cpu = time.perf_counter(), time.process_time()
    if key is None:
        report = integrity_report(path, full=True)
        ok = report.ok
    else:
        conn = cipher.connect(path, key, read_only=True)
        try:
            rows = [r[0] for r in conn.execute("PRAGMA integrity_check(20)")]
            rows += [str(r) for r in conn.execute("PRAGMA foreign_key_check")]
        finally:
            conn.close()
        ok = rows == ["ok"]
    wall, cpu = time.perf_counter() - start, time.process_time() - cpu
    if not ok:
        raise SystemExit(f"{path} failed its integrity check")
    return {"wall": wall, "cpu": cpu, "mb": path.stat().st_size / 1e6}


def _best(runs: list[dict[str, float]]) -> dict[str, float]:
    return min(runs, key=lambda r: r["wall"])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pupils", type=int, default=1500)
    parser.add_argument("--days", type=int, default=190)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="folder to keep (and reuse) the files in")
    args = parser.parse_args()
    use_bytecode_cache()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bench-encrypted-"))
    work.mkdir(parents=True, exist_ok=True)
    register = work / f"register_{args.pupils}x{args.days}_v2.xlsx"
    if not register.exists():
        marks = make_register(register, args.pupils, args.days)
        print(f"wrote {register} ({marks:,} marks)")
    plain_made = work / "plain-made.sqlite3"
    locked_made = work / "encrypted-made.sqlite3"
    if not plain_made.exists():
        _empty_database(plain_made, None)
    if not locked_made.exists():
        _empty_database(locked_made, PASSWORD)
    plain_db, locked_db = work / "plain.sqlite3", work / "encrypted.sqlite3"

    from attendance_desk.storage import cipher

    start = time.perf_counter()
    key = cipher.key_for_file(locked_made, PASSWORD)
    derive = time.perf_counter() - start

    plains, lockeds = [], []
    for _ in range(args.repeat):  # interleaved: a busy shared machine hits both alike
        _fresh(plain_db, plain_made)
        plains.append(_cli(plain_db, register, None))
        _fresh(locked_db, locked_made)
        lockeds.append(_cli(locked_db, register, PASSWORD))
    plain, locked = _best(plains), _best(lockeds)
    print(f"import of {args.pupils:,} pupils x {args.days} days, whole command-line process:")
    print(f"  plain:     {plain['wall']:.2f}s wall, {plain['cpu']:.2f}s CPU")
    print(
        f"  encrypted: {locked['wall']:.2f}s wall, {locked['cpu']:.2f}s CPU  (ratio "
        f"{locked['wall'] / plain['wall']:.2f} wall, {locked['cpu'] / plain['cpu']:.2f} CPU)"
    )
    print(f"  of which deriving the key from the password (scrypt N=2^17): {derive:.2f}s once")

    from attendance_desk.demo import create_demo_database

    demo = work / "demo.sqlite3"
    if not demo.exists():
        create_demo_database(demo, seed=2024, as_of=date(2026, 3, 20), replace_demo=True)
    checks = {
        "demo school": _best([_integrity(demo, None) for _ in range(args.repeat)]),
        f"{args.pupils:,}-pupil year, plain": _best(
            [_integrity(plain_db, None) for _ in range(args.repeat)]
        ),
        f"{args.pupils:,}-pupil year, encrypted": _best(
            [_integrity(locked_db, key) for _ in range(args.repeat)]
        ),
    }
    print("full integrity check (PRAGMA integrity_check + foreign_key_check), as on opening:")
    for name, r in checks.items():
        print(f"  {name:<28} {r['mb']:6.1f} MB: {r['wall']:.2f}s wall, {r['cpu']:.2f}s CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())
