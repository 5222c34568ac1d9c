"""Benchmark: a full-year wide register for 1,500 pupils (570,000 marks) imported end to end.

Run:  python tests/benchmarks/bench_import.py [--pupils 1500] [--days 190] [--keep DIR]

Each phase runs in its own process so its peak memory (ru_maxrss) is its own:
  baseline  python-calamine reads the file + sqlite3 executemany of the same rows into a
            bare table, in one transaction (the floor, measured in the same run)
  cli       `python -m attendance_desk --db DB import FILE` into a fresh database, timed as a
            whole command-line process (start-up, backup, reading, checks, writing)
  cli again the same command again: the file is recognised by its content hash, nothing changes
  cli, made the same command into a database that already exists (empty, at the latest schema),
            as a school's first import is: shown beside cli to say what creating and migrating
            the database costs (cli itself, the target, still includes it)
  compare   the same file again in-process with reimport=True: every mark compared, none changed
  weekly    a workbook with one sheet per week (6 weeks, 420 pupils) imported in-process
Targets: cli <= 1.5 x baseline; cli again <= 0.3 x cli; weekly < 1 s; compare no slower than
1.05 x the in-process import; peak < 500 MB.
Not collected by pytest (tests/benchmarks is excluded in pyproject.toml).
"""

from __future__ import annotations

import argparse
import json
import random
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from as_installed import use_bytecode_cache  # noqa: E402

CODES = ["/"] * 40 + ["\\"] * 0 + ["L", "I", "M", "O", "G", "C1", "J1", "Y7", "V", "U"]


def school_days(count: int) -> list[date]:
    """Weekdays from 2 Sep 2024 (no term dates are set, so only weekends are not school days)."""
    days, day = [], date(2024, 9, 2)
    while len(days) < count:
        if day.weekday() < 5:
            days.append(day)
        day += timedelta(days=1)
    return days


def valid_upn(n: int) -> str:
    from attendance_desk.domain.upn import check_letter

    body = f"{873310500000 + n:012d}"
    return check_letter(body) + body


def make_weekly_workbook(path: Path, pupils: int = 420, weeks: int = 6) -> int:
    """One sheet per week, as a MIS's weekly report: a title, a header, the pupils, a totals row."""
    from openpyxl import Workbook

    rng = random.Random(2025)
    wb = Workbook(write_only=True)
    dates = school_days(5 * weeks)
    marks = 0
    for w in range(weeks):
        week = dates[5 * w : 5 * w + 5]
        ws = wb.create_sheet(f"Week {w + 1}")
        ws.append([f"Attendance week beginning {week[0]:%d/%m/%Y}"])
        header = ["UPN", "Forename", "Surname", "Reg Group", "NC Year"]
        header += [f"{d:%a %d/%m/%Y} {s}" for d in week for s in ("AM", "PM")]
        ws.append(header)
        for n in range(pupils):
            row = [valid_upn(n), f"Forename{n}", f"Surname{n}", f"{n % 7} Class", f"Year {n % 7}"]
            for _ in week:
                row += ["/" if rng.random() < 0.93 else "N", "\\" if rng.random() < 0.93 else "I"]
                marks += 2
            ws.append(row)
        ws.append(["", "Total", "", "", "", *([pupils] * 10)])
    wb.save(path)
    return marks


def make_register(path: Path, pupils: int, days: int) -> int:
    from openpyxl import Workbook

    rng = random.Random(2024)
    wb = Workbook(write_only=True)
    ws = wb.create_sheet("Attendance")
    dates = school_days(days)
    ws.append([f"Attendance marks {dates[0]:%d/%m/%Y} - {dates[-1]:%d/%m/%Y}"])
    header = ["UPN", "Surname", "Forename", "Form", "Year"]
    for d in dates:
        header += [f"{d:%a %d/%m/%Y} AM", f"{d:%a %d/%m/%Y} PM"]
    ws.append(header)
    marks = 0
    for n in range(pupils):
        upn = valid_upn(n)
        row = [upn, f"Surname{n}", f"Forename{n}", f"{n % 7} Class", f"Year {n % 7 or 'R'}"]
        for _ in dates:
            am = "/" if rng.random() < 0.93 else rng.choice(CODES)
            pm = "\\" if rng.random() < 0.93 else rng.choice(CODES)
            row += [am, pm]
            marks += 2
        ws.append(row)
    wb.save(path)
    return marks


def phase_baseline(path: Path, workdir: Path) -> dict[str, float]:
    from python_calamine import CalamineWorkbook

    start, cpu = time.perf_counter(), time.process_time()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    read = time.perf_counter() - start
    header = rows[1]
    columns = [(c, header[c][4:14], header[c][-2:]) for c in range(5, len(header))]
    data = [
        (pupil, d, s, row[c])
        for pupil, row in enumerate(rows[2:], start=1)
        for c, d, s in columns
        if row[c]
    ]
    db = workdir / "bare.sqlite3"
    db.unlink(missing_ok=True)
    conn = sqlite3.connect(db)
    conn.execute("CREATE TABLE marks (pupil_id INTEGER, date TEXT, session TEXT, code TEXT)")
    start = time.perf_counter()
    conn.execute("BEGIN")
    conn.executemany("INSERT INTO marks VALUES (?, ?, ?, ?)", data)
    conn.execute("COMMIT")
    write = time.perf_counter() - start
    cpu = time.process_time() - cpu
    conn.close()
    return {"read": read, "write": write, "total": read + write, "rows": len(data), "cpu": cpu}


def phase_import(path: Path, db_path: Path, reimport: bool) -> dict[str, float]:
    from attendance_desk.services.importing import apply_import
    from attendance_desk.storage.db import open_database

    db = open_database(db_path)
    start = time.perf_counter()
    result = apply_import(db, [path], reimport=reimport)
    elapsed = time.perf_counter() - start
    db.close()
    outcome = result.files[0]
    return {
        "total": elapsed,
        "added": outcome.marks_added,
        "unchanged": outcome.marks_unchanged,
        "changed": outcome.marks_changed,
        "already": outcome.already_imported,
    }


def phase_weekly(path: Path, db_path: Path) -> dict[str, float]:
    from attendance_desk.services.importing import apply_import
    from attendance_desk.storage.db import open_database

    db = open_database(db_path)
    start = time.perf_counter()
    result = apply_import(db, [path])
    elapsed = time.perf_counter() - start
    db.close()
    return {"total": elapsed, "added": result.files[0].marks_added}


def cli_import(path: Path, db_path: Path) -> dict[str, float]:
    """The whole command-line process, timed from outside."""
    command = [sys.executable, "-m", "attendance_desk", "--db", str(db_path), "import", str(path)]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if out.returncode != 0:
        raise SystemExit(f"import failed: {out.stderr.strip()}")
    return {"total": elapsed, "already": "already imported" in out.stdout, "cpu": cpu}


def made_database(workdir: Path) -> Path:
    """An empty database at the latest schema, made once by a command (copied for each run)."""
    made = workdir / "made.sqlite3"
    if not made.exists():
        command = [sys.executable, "-m", "attendance_desk", "--db", str(made), "policy"]
        subprocess.run(command, check=True, capture_output=True)
    return made


def fresh(db_path: Path) -> None:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{db_path}{suffix}").unlink(missing_ok=True)


def best(runs: list[dict[str, float]]) -> dict[str, float]:
    """The fastest run (the machine is shared: slower runs measure the neighbours)."""
    return min(runs, key=lambda r: r["total"])


def run_phase(args: list[str]) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, __file__, "--phase", *args], check=True, capture_output=True, text=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pupils", type=int, default=1500)
    parser.add_argument("--days", type=int, default=190)
    parser.add_argument("--keep", type=Path, help="folder to keep (and reuse) the register in")
    parser.add_argument(
        "--repeat", type=int, default=3, help="runs per phase; the fastest counts (shared CPUs)"
    )
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    use_bytecode_cache()
    if args.phase:
        name, *rest = args.phase
        if name == "baseline":
            result = phase_baseline(Path(rest[0]), Path(rest[1]))
        elif name == "weekly":
            result = phase_weekly(Path(rest[0]), Path(rest[1]))
        else:
            result = phase_import(Path(rest[0]), Path(rest[1]), reimport=name == "compare")
        result["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return 0
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="bench-import-"))
    workdir.mkdir(parents=True, exist_ok=True)
    register = workdir / f"register_{args.pupils}x{args.days}_v2.xlsx"
    if not register.exists():
        start = time.perf_counter()
        marks = make_register(register, args.pupils, args.days)
        print(f"wrote {register} ({marks:,} marks) in {time.perf_counter() - start:.1f}s")
    db_path = workdir / "school.sqlite3"
    weekly = workdir / "weekly_420x6.xlsx"
    if not weekly.exists():
        make_weekly_workbook(weekly)
    made = made_database(workdir)
    bases, clis, cli_agains, firsts, compares, weeklies = [], [], [], [], [], []
    cli_mades: list[dict[str, float]] = []
    for _ in range(args.repeat):  # interleaved, so a busy shared machine hits all alike
        bases.append(run_phase(["baseline", str(register), str(workdir)]))
        fresh(db_path)
        clis.append(cli_import(register, db_path))
        cli_agains.append(cli_import(register, db_path))
        fresh(db_path)
        shutil.copyfile(made, db_path)
        cli_mades.append(cli_import(register, db_path))
        fresh(db_path)
        firsts.append(run_phase(["import", str(register), str(db_path)]))
        compares.append(run_phase(["compare", str(register), str(db_path)]))
        fresh(db_path)
        weeklies.append(run_phase(["weekly", str(weekly), str(db_path)]))
    base, cli, cli_again, cli_made = best(bases), best(clis), best(cli_agains), best(cli_mades)
    first, compare, week = best(firsts), best(compares), best(weeklies)
    peak_all = max(r["peak_mb"] for r in firsts + compares + weeklies)
    print(
        f"baseline:  calamine read {base['read']:.2f}s + executemany {base['write']:.2f}s "
        f"({base['rows']:,} rows) = {base['total']:.2f}s, peak {base['peak_mb']:.0f} MB"
    )
    limit = 1.5 * base["total"]
    print(
        f"cli:       {cli['total']:.2f}s whole process; limit 1.5 x baseline = {limit:.2f}s -> "
        f"{'OK' if cli['total'] <= limit else 'TOO SLOW'} (ratio {cli['total'] / base['total']:.2f})"
    )
    again_limit = 0.3 * cli["total"]
    print(
        f"cli again: {cli_again['total']:.2f}s (already imported: {bool(cli_again['already'])}); "
        f"limit 0.3 x cli = {again_limit:.2f}s -> "
        f"{'OK' if cli_again['total'] <= again_limit else 'TOO SLOW'} "
        f"(ratio {cli_again['total'] / cli['total']:.2f})"
    )
    print(
        f"cli, made: {cli_made['total']:.2f}s into an existing empty database (ratio "
        f"{cli_made['total'] / base['total']:.2f}; CPU {cli_made['cpu']:.2f}s, ratio "
        f"{cli_made['cpu'] / base['cpu']:.2f}): creating and migrating the database is the rest"
    )
    print(
        f"in-process import: {first['total']:.2f}s ({first['added']:,} marks added), "
        f"peak {first['peak_mb']:.0f} MB"
    )
    print(
        f"compare:   {compare['total']:.2f}s ({compare['unchanged']:,} unchanged, "
        f"{compare['changed']:,} changed), peak {compare['peak_mb']:.0f} MB"
    )
    print(
        f"weekly:    {week['total']:.2f}s for 6 sheets x 420 pupils ({week['added']:,} marks); "
        f"limit 1.00s -> {'OK' if week['total'] < 1.0 else 'TOO SLOW'}"
    )
    print(
        f"CPU time (a check on a busy shared machine): baseline {base['cpu']:.2f}s, cli "
        f"{cli['cpu']:.2f}s (ratio {cli['cpu'] / base['cpu']:.2f}), cli again "
        f"{cli_again['cpu']:.2f}s (ratio {cli_again['cpu'] / cli['cpu']:.2f} of cli)"
    )
    print(f"peak memory of any import run: {peak_all:.0f} MB (limit 500 MB)")
    ok = cli["total"] <= limit and cli_again["total"] <= again_limit and week["total"] < 1.0
    ok = ok and peak_all < 500 and bool(cli_again["already"])
    ok = ok and compare["total"] <= first["total"] * 1.05
    print("RESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
