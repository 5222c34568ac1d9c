"""Benchmark: the 1,500-pupil full-year register (570,000 marks) imported into PostgreSQL,
against COPY of the same rows into a bare table, in the same run.

Run:  python tests/benchmarks/bench_pg_import.py [--server URL] [--pupils 1500] [--days 190]

`--server` (default: the environment's ATTENDANCE_DESK_TEST_PG) names a PostgreSQL server and
a role that may create databases, e.g. postgresql://attendance@127.0.0.1:5432/postgres. Each
run gets fresh databases there (dropped at the end). The register is the one
tests/benchmarks/bench_import.py builds. Each phase runs in its own process, its databases
made before and a CHECKPOINT just before it (settle), so none pays for another's writes:
  baseline  python-calamine reads the file, the rows the import writes (pupil, date, session,
            code, source, import, time) are made from it and COPYed (psycopg's write_row) into
            a bare table (the marks' columns, no key, no index, no trigger) in one transaction:
            in COPY's binary format (the floor, and what the import sends) and, shown beside
            it, in the text format, and binary into a table whose key is built and foreign
            keys checked after (the least an import into the marks does: the import's own
            bound)
  import    apply_import into a fresh database at the latest schema (made, and opened with its
            integrity check done, before the clock starts): reading, checks, 1,500 pupils,
            the marks (no backup before it: a server's backups are the server's)
  owner     as `import`, connected as a login role that is not a superuser and owns the database
            (it made the schema): how a school's server is set up (README), where row-level
            security binds the tables' owner too (migration 0015)
  cli       `python -m attendance_desk --db URL import FILE` into a fresh database at the latest
            schema, timed as a whole command-line process (start-up included)
  compare   the same file again with reimport=True: every mark compared, none changed
Target: import and owner <= 1.5 x the binary baseline (wall clock, the fastest of --repeat runs of each, interleaved;
processor time of this process and the server's is shown beside it).
Not collected by pytest (tests/benchmarks is excluded in pyproject.toml).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import date, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from as_installed import use_bytecode_cache  # noqa: E402
from bench_import import best, make_register  # noqa: E402

BARE = (
    "CREATE TABLE {name} (pupil_id integer, date date, session varchar(2), code varchar(2), "
    "source varchar(10), import_id integer, updated_at timestamp)"
)


def owner_role(server: str, login: str, password: str) -> str:
    """Make a login role that is not a superuser and may make databases (dropped with
    drop_role); the server's URL as it."""
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"CREATE ROLE {login} LOGIN CREATEDB PASSWORD '{password}'")
    scheme, _, rest = server.partition("://")
    return f"{scheme}://{login}:{password}@{rest.rsplit('@', 1)[-1]}"


def drop_role(server: str, login: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f"DROP ROLE IF EXISTS {login}")


def database_url(server: str, name: str) -> str:
    base, _, query = server.partition("?")
    return base.rsplit("/", 1)[0] + "/" + name + (f"?{query}" if query else "")


def create_database(server: str, name: str) -> str:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return database_url(server, name)


def drop_database(server: str, name: str) -> None:
    import psycopg

    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def server_cpu(url: str) -> float:
    """Processor time of the server's processes so far (Linux /proc; 0 where not readable)."""
    import psycopg

    with psycopg.connect(url) as conn:
        try:
            folder = conn.execute("SHOW data_directory").fetchone()
        except psycopg.errors.InsufficientPrivilege:  # the owner's role may not read it
            return 0.0
    try:
        pid = int(Path(folder[0] if folder else "", "postmaster.pid").read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return 0.0
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0
    for child in [pid, *_children(pid)]:
        try:
            fields = Path(f"/proc/{child}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += sum(int(f) for f in fields[11:15])  # utime, stime, cutime, cstime
    return total / ticks


def _children(pid: int) -> list[int]:
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        try:
            found += [int(c) for c in (task / "children").read_text().split()]
        except OSError:
            continue
    return found


def phase_baseline(path: Path, url: str) -> dict[str, float]:
    """Read the file, then COPY its rows into a bare table three times: in COPY's text format
    (what most loaders send), in its binary format (what the import sends: the faster floor),
    and in binary again into a table whose primary key is then built and whose two foreign
    keys (to a table of the pupils' ids and one of the import's) are then checked, in the same
    transaction: the least any import into the marks must do ("keyed", shown beside)."""
    import psycopg
    from python_calamine import CalamineWorkbook

    from attendance_desk import clock
    from attendance_desk.importers.tally import db_now

    with psycopg.connect(url) as conn:
        conn.execute(BARE.format(name="bare_text"))
        conn.execute(BARE.format(name="bare_binary"))
        conn.execute(BARE.format(name="bare_keyed"))
        # what the keyed load's foreign keys point at: the pupils and the one import
        conn.execute("CREATE TABLE bare_pupils (id integer PRIMARY KEY)")
        conn.execute("CREATE TABLE bare_imports (id integer PRIMARY KEY)")
    server_before = server_cpu(url)
    start, cpu = time.perf_counter(), time.process_time()
    rows = CalamineWorkbook.from_path(str(path)).get_sheet_by_index(0).to_python()
    header = rows[1]
    columns = [(c, header[c][4:14], header[c][-2:]) for c in range(5, len(header))]
    read = time.perf_counter() - start
    result: dict[str, float] = {"read": read}
    for name, binary in (("text", False), ("binary", True), ("keyed", True)):
        begin = time.perf_counter()
        now = datetime.fromisoformat(db_now(clock.utc_now()))
        day = {d: date(int(d[6:]), int(d[3:5]), int(d[:2])) for _, d, _ in columns}
        cells = [(c, day[d] if binary else day[d].isoformat(), s) for c, d, s in columns]
        stamp = now if binary else now.isoformat(sep=" ")
        sql = f"COPY bare_{name} FROM STDIN" + (" (FORMAT BINARY)" if binary else "")
        with psycopg.connect(url) as conn:
            if name == "keyed":  # the rows the keys point at, in the same transaction
                conn.execute(
                    "INSERT INTO bare_pupils SELECT generate_series(1, %s)", (len(rows) - 2,)
                )
                conn.execute("INSERT INTO bare_imports VALUES (1)")
            with conn.cursor() as cursor, cursor.copy(sql) as copy:
                if binary:
                    copy.set_types(
                        ["int4", "date", "varchar", "varchar", "varchar", "int4", "timestamp"]
                    )
                write = copy.write_row
                for pupil, row in enumerate(rows[2:], start=1):
                    for c, d, s in cells:
                        if row[c]:
                            write((pupil, d, s, row[c], "mis", 1, stamp))
            if name == "keyed":  # the key built and both foreign keys checked, once each
                conn.execute("SET LOCAL maintenance_work_mem = '256MB'")
                conn.execute("ALTER TABLE bare_keyed ADD PRIMARY KEY (pupil_id, date, session)")
                conn.execute(
                    "ALTER TABLE bare_keyed ADD FOREIGN KEY (import_id) REFERENCES bare_imports"
                )
                conn.execute(
                    "ALTER TABLE bare_keyed ADD FOREIGN KEY (pupil_id) REFERENCES bare_pupils"
                )
            count = conn.execute(f"SELECT count(*) FROM bare_{name}").fetchone()
        result[name] = read + time.perf_counter() - begin
        result["rows"] = count[0] if count else 0
    result["total"] = result["binary"]
    result["cpu"] = time.process_time() - cpu
    result["server_cpu"] = server_cpu(url) - server_before
    return result


def phase_import(path: Path, url: str, reimport: bool) -> dict[str, float]:
    from attendance_desk.services.importing import apply_import
    from attendance_desk.storage.db import open_database

    db = open_database(url)
    db.require_intact()  # the opening's integrity check (its own thread) ends before the clock
    server_before = server_cpu(url)
    start, cpu = time.perf_counter(), time.process_time()
    result = apply_import(db, [path], reimport=reimport)
    elapsed = time.perf_counter() - start
    cpu = time.process_time() - cpu
    db.close()
    outcome = result.files[0]
    return {
        "total": elapsed,
        "cpu": cpu,
        "server_cpu": server_cpu(url) - server_before,
        "added": outcome.marks_added,
        "unchanged": outcome.marks_unchanged,
        "changed": outcome.marks_changed,
    }


def phase_migrate(url: str) -> dict[str, float]:
    """Bring a new, empty database to the latest schema (before a timed phase)."""
    from attendance_desk.storage.db import open_database

    start = time.perf_counter()
    open_database(url).close()
    return {"total": time.perf_counter() - start}


def cli_import(path: Path, url: str) -> dict[str, float]:
    command = [sys.executable, "-m", "attendance_desk", "--db", url, "import", str(path)]
    start = time.perf_counter()
    out = subprocess.run(command, capture_output=True, text=True)
    elapsed = time.perf_counter() - start
    if out.returncode != 0:
        raise SystemExit(f"import failed: {out.stderr.strip()}")
    return {"total": elapsed}


def settle(server: str) -> None:
    """Before each timed phase: a CHECKPOINT, so no phase pays for writing out the pages the
    one before it left dirty (the import, run right after the baseline's three COPYs, was
    0.2-0.3 s slower than the same import run after the compare). Skipped where the role
    may not (a superuser, or pg_checkpoint, may)."""
    import psycopg

    with (
        psycopg.connect(server, autocommit=True) as conn,
        contextlib.suppress(psycopg.errors.InsufficientPrivilege),
    ):
        conn.execute("CHECKPOINT")


def run_phase(args: list[str], server: str = "") -> dict[str, float]:
    if server and args[0] != "migrate":
        settle(server)
    out = subprocess.run(
        [sys.executable, __file__, "--phase", *args], capture_output=True, text=True
    )
    if out.returncode != 0:
        raise SystemExit(f"phase {args[0]} failed:\n{out.stderr.strip()}")
    result: dict[str, float] = json.loads(out.stdout.strip().splitlines()[-1])
    return result


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--server", default=os.environ.get("ATTENDANCE_DESK_TEST_PG"))
    parser.add_argument("--pupils", type=int, default=1500)
    parser.add_argument("--days", type=int, default=190)
    parser.add_argument("--keep", type=Path, help="folder to keep (and reuse) the register in")
    parser.add_argument("--repeat", type=int, default=3, help="runs per phase; the fastest counts")
    parser.add_argument("--phase", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args()
    use_bytecode_cache()
    if args.phase:
        name, *rest = args.phase
        if name == "baseline":
            result = phase_baseline(Path(rest[0]), rest[1])
        elif name == "migrate":
            result = phase_migrate(rest[0])
        else:
            result = phase_import(Path(rest[0]), rest[1], reimport=name == "compare")
        print(json.dumps(result))
        return 0
    if not args.server:
        print("no PostgreSQL server: give --server URL or set ATTENDANCE_DESK_TEST_PG")
        return 2
    workdir = args.keep or Path(tempfile.mkdtemp(prefix="bench-pg-import-"))
    workdir.mkdir(parents=True, exist_ok=True)
    register = workdir / f"register_{args.pupils}x{args.days}_v2.xlsx"
    if not register.exists():
        marks = make_register(register, args.pupils, args.days)
        print(f"wrote {register} ({marks:,} marks)")
    tag = uuid.uuid4().hex[:8]
    made: list[str] = []
    login = f"bench_owner_{tag}"
    owner_server = owner_role(args.server, login, uuid.uuid4().hex)

    def fresh(kind: str, n: int, migrated: bool, server: str = args.server) -> str:
        name = f"bench_{kind}_{tag}_{n}"
        url = create_database(server, name)
        made.append(name)
        if migrated:
            run_phase(["migrate", url])
        return url

    bases, imports, compares, clis, owners = [], [], [], [], []
    try:
        for n in range(args.repeat):  # interleaved, so a busy shared machine hits all alike
            bare, url = fresh("bare", n, False), fresh("import", n, True)
            owned = fresh("owner", n, True, server=owner_server)
            bases.append(run_phase(["baseline", str(register), bare], args.server))
            imports.append(run_phase(["import", str(register), url], args.server))
            owners.append(run_phase(["import", str(register), owned], args.server))
            compares.append(run_phase(["compare", str(register), url], args.server))
            cli = fresh("cli", n, True)
            settle(args.server)
            clis.append(cli_import(register, cli))
    finally:
        for name in made:
            drop_database(args.server, name)
        drop_role(args.server, login)
    base, first, compare, cli = best(bases), best(imports), best(compares), best(clis)
    owner = best(owners)
    text = min(b["text"] for b in bases)
    ratio = first["total"] / base["total"]
    limit = 1.5 * base["total"]
    print(
        f"baseline: calamine read {base['read']:.2f}s + the rows COPYed into a bare table: "
        f"binary {base['binary']:.2f}s, text {text:.2f}s ({int(base['rows']):,} rows); "
        f"CPU here {base['cpu']:.2f}s, server {base['server_cpu']:.2f}s (both COPYs)"
    )
    keyed = min(b["keyed"] for b in bases)
    print(
        f"keyed:    {keyed:.2f}s = {keyed / base['total']:.2f} x the binary baseline (read, COPY, "
        "then the primary key built and the two foreign keys checked: the least an import "
        f"does; the import is {first['total'] / keyed:.2f} x it)"
    )
    print(
        f"import:   {first['total']:.2f}s ({int(first['added']):,} marks added); limit 1.5 x "
        f"binary baseline = {limit:.2f}s -> {'OK' if first['total'] <= limit else 'TOO SLOW'} "
        f"(ratio {ratio:.2f}; {first['total'] / text:.2f} of the text COPY baseline); "
        f"CPU here {first['cpu']:.2f}s, server {first['server_cpu']:.2f}s"
    )
    print(
        f"owner:    {owner['total']:.2f}s ({int(owner['added']):,} marks added) as a role that "
        f"owns the database, not a superuser -> "
        f"{'OK' if owner['total'] <= limit else 'TOO SLOW'} (ratio {owner['total'] / base['total']:.2f})"
    )
    print(
        f"compare:  {compare['total']:.2f}s ({int(compare['unchanged']):,} unchanged, "
        f"{int(compare['changed']):,} changed)"
    )
    print(
        f"cli:      {cli['total']:.2f}s whole command-line process (start-up included; ratio "
        f"{cli['total'] / base['total']:.2f})"
    )
    ok = (
        max(first["total"], owner["total"]) <= limit
        and first["added"] == owner["added"] == base["rows"]
        and compare["changed"] == 0
    )
    print("RESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
