"""Plain mypy on the whole package may report no error beyond the committed baseline.

The baseline (.ci/mypy-baseline.txt: "count path" per line) holds the errors the Qt widgets still
had when the gate was set up; it can only shrink. A file with more errors than its line allows,
or errors in a file not listed, fails the check. `--update` rewrites the baseline from the
current run, but refuses to raise any count.
Usage: python .ci/mypy_baseline.py [--update]
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

BASELINE = Path(__file__).with_name("mypy-baseline.txt")
ERROR = re.compile(r"^(?P<path>[^:\n]+\.py):\d+: error:", re.M)


def current() -> Counter[str]:
    run = subprocess.run(
        [sys.executable, "-m", "mypy", "attendance_desk"], capture_output=True, text=True
    )
    if run.returncode not in (0, 1) or "error: " in run.stderr:
        print(run.stdout + run.stderr)
        raise SystemExit(f"mypy did not run (exit {run.returncode})")
    return Counter(m["path"] for m in ERROR.finditer(run.stdout))


def allowed() -> Counter[str]:
    counts: Counter[str] = Counter()
    for line in BASELINE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            count, path = line.split(maxsplit=1)
            counts[path] = int(count)
    return counts


def main() -> int:
    found, limit = current(), allowed()
    worse = {p: (n, limit[p]) for p, n in found.items() if n > limit[p]}
    for path, (n, most) in sorted(worse.items()):
        print(f"{path}: {n} mypy errors, the baseline allows {most}")
    if worse:
        subprocess.run([sys.executable, "-m", "mypy", *sorted(worse)])
        return 1
    better = {p: (found[p], n) for p, n in limit.items() if found[p] < n}
    if "--update" in sys.argv:
        lines = [f"{n} {p}" for p, n in sorted(found.items())]
        header = "# mypy errors allowed per file (plain mypy); this list may only shrink\n"
        BASELINE.write_text(header + "\n".join(lines) + "\n", encoding="utf-8")
    elif better:
        print("fewer errors than the baseline (run `python .ci/mypy_baseline.py --update`):")
        for path, (n, most) in sorted(better.items()):
            print(f"  {path}: {n} (baseline {most})")
    print(f"plain mypy: {sum(found.values())} errors, baseline {sum(limit.values())}; none new")
    return 0


if __name__ == "__main__":
    sys.exit(main())
