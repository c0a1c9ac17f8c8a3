"""Audit benchmark: `rasmi registry audit` over large synthetic registries.

The target: a 100,000-entity registry audited in 30 s or less. The whole command as a
maintainer runs it, in a fresh process, printing every finding as JSON: on the stored
registry (the default: pages of rows made into models), and on the file (loading and
validating it first); each with its CPU time and peak memory, then the audit alone on a
registry already loaded. The machine's load average is printed too: on a shared machine
the wall time is the CPU time stretched by the other processes. The registry is imported
into a fresh SQLite database first (not timed).

    .venv/bin/python bench/audit_bench.py                  # 100k entities
    .venv/bin/python bench/audit_bench.py --sizes 10000,100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import progress, sizes_arg
from synthetic import write_registry

from knowledge.registry.audit import audit_registry
from knowledge.registry.validation import load_registry

TARGET_S = 30.0
ROOT = Path(__file__).resolve().parent.parent


def timed_rasmi(args: list[str], database_url: str, folder: str) -> tuple[str, float, float, float]:
    """Runs `rasmi ARGS` in a fresh process: (stdout, wall s, CPU s, peak MB), the CPU and
    peak measured by /usr/bin/time for that process alone."""
    report = Path(folder) / "time.txt"
    begin = time.perf_counter()
    done = subprocess.run(
        [
            "/usr/bin/time",
            "-f",
            "%U %S %M",
            "-o",
            str(report),
            str(ROOT / ".venv/bin/rasmi"),
            *args,
        ],
        capture_output=True,
        text=True,
        check=True,
        env={"DATABASE_URL": database_url, "PATH": "/usr/bin:/bin"},
    )
    wall = time.perf_counter() - begin
    user, system, peak_kb = report.read_text().split()[-3:]
    return done.stdout, wall, float(user) + float(system), int(peak_kb) / 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=sizes_arg, default=[100_000])
    args = parser.parse_args()
    print(
        "| registry | entities | accounts | `rasmi registry audit --json` s | its CPU s "
        "| peak MB | findings | load average | target |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---|")
    alone = []
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "registry.yaml"
            database_url = f"sqlite:///{folder}/rasmi.db"
            progress(f"writing {size} entities")
            stats = write_registry(path, size)
            progress(f"importing them into {database_url}")
            timed_rasmi(["registry", "import", str(path)], database_url, folder)
            counts = {}
            for label, where in (("the file", [str(path)]), ("stored (default)", [])):
                progress(f"rasmi registry audit: {label}")
                out, wall, cpu, peak = timed_rasmi(
                    ["registry", "audit", *where, "--json"], database_url, folder
                )
                counts[label] = json.loads(out)["counts"]
                findings = sum(counts[label].values())
                verdict = "met" if wall <= TARGET_S else "MISSED"
                print(
                    f"| {label} | {size:,} | {stats.accounts:,} | {wall:.1f} | {cpu:.1f} "
                    f"| {peak:.0f} | {findings:,} | {os.getloadavg()[0]:.1f} "
                    f"| ≤ {TARGET_S:.0f} s: {verdict} |"
                )
            assert counts["the file"] == counts["stored (default)"]
            progress("the audit alone, in this process")
            registry = load_registry(path)
            begin = time.perf_counter()
            audit_registry(registry, dt.date(2026, 12, 3))
            alone.append(f"{size:,}: {time.perf_counter() - begin:.2f} s")
            del registry
    print(f"\nThe audit alone, on the registry already loaded: {'; '.join(alone)}.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
