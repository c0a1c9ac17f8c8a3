"""Audit benchmark: `rasmi registry audit` over large synthetic registries.

The target: a 100,000-entity registry audited in 30 s or less. Three figures per size:
the whole command as a maintainer runs it on a file (`rasmi registry audit PATH --json`
in a fresh process: loading and validating the file, auditing, printing every finding),
its CPU time and peak memory, and the audit alone on the registry already loaded (what
`/audit` adds to a page-by-page read of the database). The machine's load average is
printed too: on a shared machine the wall time of the command is its CPU time stretched
by the other processes.

    .venv/bin/python bench/audit_bench.py                  # 100k entities
    .venv/bin/python bench/audit_bench.py --sizes 10000,100000
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=sizes_arg, default=[100_000])
    args = parser.parse_args()
    print(
        "| entities | accounts | command (load + audit + JSON) s | its CPU s | peak MB "
        "| audit alone s | findings | load average | target |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    for size in args.sizes:
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "registry.yaml"
            progress(f"writing {size} entities")
            stats = write_registry(path, size)
            progress("rasmi registry audit (child process)")
            begin = time.perf_counter()
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            done = subprocess.run(
                [str(ROOT / ".venv/bin/rasmi"), "registry", "audit", str(path), "--json"],
                capture_output=True,
                text=True,
                check=True,
                env={"DATABASE_URL": f"sqlite:///{folder}/unused.db", "PATH": "/usr/bin:/bin"},
            )
            command_s = time.perf_counter() - begin
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu_s = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
            peak_mb = after.ru_maxrss / 1024
            findings = len(json.loads(done.stdout)["findings"])
            progress("the audit alone, in this process")
            registry = load_registry(path)
            begin = time.perf_counter()
            report = audit_registry(registry, dt.date(2026, 12, 3))
            audit_s = time.perf_counter() - begin
            assert len(report.findings) == findings
            verdict = "met" if command_s <= TARGET_S else "MISSED"
            print(
                f"| {size:,} | {stats.accounts:,} | {command_s:.1f} | {cpu_s:.1f} | {peak_mb:.0f} "
                f"| {audit_s:.2f} | {findings:,} | {os.getloadavg()[0]:.1f} "
                f"| ≤ {TARGET_S:.0f} s: {verdict} |"
            )
            del registry, report
    return 0


if __name__ == "__main__":
    sys.exit(main())
