"""Benchmark: on PostgreSQL, does a school with seven years of registers cost more than one with
one year?

Standalone (not collected by pytest):

    flock /work/bench.lock python tests/benchmarks/bench_pg_history.py [--server URL] [--rounds N]

`--server` (default: the environment's ATTENDANCE_DESK_TEST_PG) names a PostgreSQL server and a
role that may create databases. The PostgreSQL counterpart of bench_history.py, with its
builders: the demo school (420 pupils, this academic year to the date and the previous one,
which is what the rules read) and its copy with 5 earlier academic years of marks (7 in all),
each moved into a fresh database on the server (services/moving.py, as `attendance-desk move`
does) and analysed, as autovacuum does after a move. Then, as whole command-line processes
with `--db URL`, interleaved round by round: `pupils`, `concerns`, `groups`, `calls` and the
window's cold start to a usable pupil list. For each: the median time, 7 years over 1 year
in wall time and in processor time (this process's child only: the server's work shows in
the wall time), and the outputs of the two databases compared (they must be identical).
Target: every ratio at most 1.1x.

Beside them, in a process of its own, the engine's read of the two academic years alone
(services/monitoring/loading.py: every pupil's marks from 1 September of the previous
academic year to the date), the fastest of 7, so its growth is seen without the start-up
around it; and `floor`, a process that only runs the marks' GROUP BY over the same dates
with psycopg. The databases are dropped at the end.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import uuid
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from bench_history import AS_OF, WINDOW, child_env, run  # noqa: E402
from bench_pg_import import create_database, drop_database  # noqa: E402

FLOOR = """
import sys, psycopg
with psycopg.connect(sys.argv[1]) as conn:
    conn.execute(
        "SELECT pupil_id, code, count(*) FROM marks WHERE date >= %s AND date <= %s "
        "GROUP BY pupil_id, code", (sys.argv[2], sys.argv[3])
    ).fetchall()
"""

# The engine's read alone: the fastest of 7 (after one unmeasured), printed as `read SECONDS`.
READ = """
import sys, time
from datetime import date
from attendance_desk.storage.db import open_database
from attendance_desk.services.monitoring.loading import _read
db = open_database(sys.argv[1])
as_of = date.fromisoformat(sys.argv[2])
_read(db, as_of, False)
best = min(
    (lambda t0: (_read(db, as_of, False), time.perf_counter() - t0)[1])(time.perf_counter())
    for _ in range(7)
)
db.close()
print("read", best)
"""

MOVE = """
import sys
from attendance_desk.services.moving import move_between
import psycopg
move_between(sys.argv[1], sys.argv[2])
with psycopg.connect(sys.argv[2], autocommit=True) as conn:
    conn.execute("ANALYZE")
"""


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", default=os.environ.get("ATTENDANCE_DESK_TEST_PG"))
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument(
        "--only", nargs="+", help="run only these jobs (pupils concerns groups calls window ...)"
    )
    args = parser.parse_args()
    if not args.server:
        print("no PostgreSQL server: give --server URL or set ATTENDANCE_DESK_TEST_PG")
        return 2
    folder = Path(tempfile.mkdtemp(prefix="bench-pg-history-"))
    env = child_env(folder)
    tag = uuid.uuid4().hex[:8]
    made: list[str] = []
    py = sys.executable
    try:
        subprocess.run(
            [py, str(HERE / "bench_history.py"), "--build", str(folder)], env=env, check=True
        )
        urls = {}
        for label, name in (("1y", "one"), ("7y", "seven")):
            db_name = f"bench_history_{tag}_{name}"
            urls[label] = create_database(args.server, db_name)
            made.append(db_name)
            subprocess.run(
                [py, "-c", MOVE, str(folder / f"{name}.sqlite3"), urls[label]], env=env, check=True
            )
        import psycopg

        for label, url in urls.items():
            with psycopg.connect(url) as conn:
                row = conn.execute(
                    "SELECT (SELECT count(*) FROM marks), (SELECT count(*) FROM academic_years),"
                    " pg_total_relation_size('marks')"
                ).fetchone()
            assert row is not None
            print(f"{label}: {row[1]} academic years, {row[0]:,} marks, {row[2] / 2**20:.0f} MiB")
        print(f"{args.rounds} rounds, interleaved\n")

        day = AS_OF.isoformat()
        load_start = date(AS_OF.year - 1 if AS_OF.month >= 9 else AS_OF.year - 2, 9, 1)
        jobs: dict[str, tuple[list[str], str | None]] = {
            "pupils": (["-m", "attendance_desk", "--db", "{db}", "pupils", "--as-of", day], None),
            "concerns": (
                ["-m", "attendance_desk", "--db", "{db}", "concerns", "--as-of", day],
                None,
            ),
            "groups": (["-m", "attendance_desk", "--db", "{db}", "groups", "--as-of", day], None),
            "calls": (["-m", "attendance_desk", "--db", "{db}", "calls", "--date", day], None),
            "window": (["-c", WINDOW, "{db}"], "usable"),
            "read": (["-c", READ, "{db}", day], None),
            "floor": (["-c", FLOOR, "{db}", load_start.isoformat(), day], None),
        }
        if args.only:
            jobs = {k: v for k, v in jobs.items() if k in args.only}
        times: dict[tuple[str, str], list[float]] = {}
        cpus: dict[tuple[str, str], list[float]] = {}
        outputs: dict[tuple[str, str], str] = {}
        for job_args, until in jobs.values():  # a first, unmeasured run of each
            for url in urls.values():
                run([py, *[a.format(db=url) for a in job_args]], env, until)
        for _ in range(args.rounds):
            for name, (job_args, until) in jobs.items():
                for label, url in urls.items():
                    t, _mem, out, cpu = run([py, *[a.format(db=url) for a in job_args]], env, until)
                    if name == "read":  # the child's own timing of the read alone
                        t = cpu = float(out.split()[-1])
                    times.setdefault((name, label), []).append(t)
                    cpus.setdefault((name, label), []).append(cpu)
                    outputs[(name, label)] = out
        print(
            f"{'':10} {'1 year':>10} {'7 years':>10} {'time 7y/1y':>11}"
            f" {'cpu 1y':>8} {'cpu 7y':>8} {'cpu 7y/1y':>10}"
        )
        ok = True
        for name in jobs:
            t1, t7 = (statistics.median(times[(name, k)]) for k in ("1y", "7y"))
            c1, c7 = (statistics.median(cpus[(name, k)]) for k in ("1y", "7y"))
            print(
                f"{name:10} {t1 * 1000:7.0f} ms {t7 * 1000:7.0f} ms {t7 / t1:10.2f}x"
                f" {c1 * 1000:5.0f} ms {c7 * 1000:5.0f} ms {c7 / c1:9.2f}x"
            )
            if name in ("pupils", "concerns", "groups", "calls", "window"):
                # wall time: the server's work is not in the child's processor time
                ok &= t7 / t1 <= 1.1
                if name != "window" and outputs[(name, "1y")] != outputs[(name, "7y")]:
                    print(f"  !! {name}: the two databases give different output")
                    ok = False
        print("PASS" if ok else "NOT YET AT THE TARGET")
        return 0 if ok else 1
    finally:
        for db_name in made:
            drop_database(args.server, db_name)
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
