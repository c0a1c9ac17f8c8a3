"""What the benchmarks share: each case runs in a fresh interpreter, so its peak memory
is its own, and reports one marked JSON line back to the parent."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
from pathlib import Path

RESULT_MARK = "BENCH-RESULT "
STATUS = Path("/proc/self/status")


def peak_mb() -> float:
    """Peak RSS of this process so far, in MiB.

    On Linux this is VmHWM, not ru_maxrss: the kernel carries the parent's RSS at fork
    into the child's ru_maxrss across exec, so a case started by a parent holding 300 MB
    would report at least 300 MB. VmHWM belongs to the new process image alone.
    Elsewhere, ru_maxrss (KiB on Linux and BSD; bytes on macOS, which is not corrected).
    """
    try:
        with STATUS.open() as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def report(result: object) -> None:
    """In a case process: the result (a JSON-ready value) for the parent to read."""
    print(RESULT_MARK + json.dumps(result, ensure_ascii=False), flush=True)


def run_in_child(script: str, spec: object) -> tuple[str | None, int]:
    """Runs `script --case SPEC` in a fresh interpreter (its stderr passes through for
    progress) and returns the JSON it reported, or None, and its exit code."""
    command = [sys.executable, str(Path(script).resolve()), "--case", json.dumps(spec)]
    completed = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            return line.removeprefix(RESULT_MARK), completed.returncode
    return None, completed.returncode
