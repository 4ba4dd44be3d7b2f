"""Where a fresh process spends its import time, by package: ``python -X importtime`` run several times,
each module's smallest self time kept (the least disturbed by other work on the machine), summed by
top-level package. With ``--baseline CODE``, only the modules the baseline does not import are counted:
what the code adds to it.

    bench/imports.py 'from milvus_profiles import resolve; resolve("p")'
    bench/imports.py --baseline 'from pymilvus import MilvusClient' 'from milvus_profiles import connect'

Run it where the code runs (the folder with the profile file, the keyring session); docs/performance.md
quotes its output.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
from collections import Counter

LINE = re.compile(r"import time:\s+(\d+) \|\s+\d+ \| *(\S+)")


def self_times(code: str, runs: int) -> dict[str, int]:
    """Each module's smallest self time (µs) over ``runs`` fresh processes running ``code``."""
    best: dict[str, int] = {}
    for _ in range(runs):
        done = subprocess.run(
            [sys.executable, "-X", "importtime", "-c", code], capture_output=True, text=True, check=False
        )
        if done.returncode != 0:
            raise SystemExit(f"{code!r} failed:\n{done.stderr[-2000:]}")
        for line in done.stderr.splitlines():
            m = LINE.match(line)
            if m:
                name, took = m.group(2), int(m.group(1))
                best[name] = min(best.get(name, took), took)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("code")
    parser.add_argument("--baseline", help="count only modules this code does not import")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--top", type=int, default=25, help="packages to list")
    parser.add_argument("--modules", metavar="PREFIX", help="also list the modules under PREFIX")
    args = parser.parse_args()
    times = self_times(args.code, args.runs)
    shared: set[str] = set()
    if args.baseline:
        shared = set(self_times(args.baseline, args.runs))
    counted = {m: t for m, t in times.items() if m not in shared}
    packages: Counter[str] = Counter()
    for module, took in counted.items():
        packages[module.split(".")[0]] += took
    what = "added to the baseline" if args.baseline else "in all"
    print(f"{sum(counted.values()) / 1e3:.1f} ms of imports {what} ({args.runs} runs, smallest self times)")
    for package, took in packages.most_common(args.top):
        print(f"{took / 1e3:8.1f} ms  {package}")
    if args.modules:
        print(f"modules under {args.modules}:")
        for module, took in sorted(counted.items(), key=lambda x: -x[1]):
            if module.startswith(args.modules):
                print(f"{took / 1e3:8.1f} ms  {module}")


if __name__ == "__main__":
    main()
