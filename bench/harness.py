"""What the benchmarks share: each case runs in a fresh interpreter, so its peak memory
is its own, and reports one marked JSON line back to the parent.

The parent calls `run_in_child(__file__, spec)`, which starts the same script with the
hidden `--case SPEC` option of `case_parser`; the script's main hands that option to
`case_main`, which measures the case and reports it.
"""

from __future__ import annotations

import argparse
import cProfile
import json
import resource
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from _typeshed import DataclassInstance

S = TypeVar("S")
T = TypeVar("T")

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


def progress(message: str) -> None:
    """A progress line, on stderr so that stdout holds the tables alone."""
    print(message, file=sys.stderr, flush=True)


def sizes_arg(text: str) -> list[int]:
    """'10000,100_000' -> [10000, 100000], for a --sizes option."""
    return [int(part.replace("_", "")) for part in text.split(",") if part]


def case_parser(doc: str | None) -> argparse.ArgumentParser:
    """A benchmark's parser, described by the first line of its docstring, with the
    hidden --case option by which `run_in_child` starts one case."""
    parser = argparse.ArgumentParser(description=doc.splitlines()[0] if doc else None)
    parser.add_argument("--case", help=argparse.SUPPRESS)
    return parser


def run_in_child(script: str, spec: DataclassInstance) -> tuple[dict[str, Any] | None, int]:
    """Runs `script --case SPEC` in a fresh interpreter (its stderr passes through for
    progress) and returns what it reported, or None, and its exit code."""
    command = [sys.executable, str(Path(script).resolve()), "--case", json.dumps(asdict(spec))]
    completed = subprocess.run(command, stdout=subprocess.PIPE, text=True, check=False)
    for line in completed.stdout.splitlines():
        if line.startswith(RESULT_MARK):
            reported: dict[str, Any] = json.loads(line.removeprefix(RESULT_MARK))
            return reported, completed.returncode
    return None, completed.returncode


def case_main(
    raw_spec: str,
    spec_type: Callable[..., S],
    measure: Callable[[S], DataclassInstance | dict[str, Any]],
) -> None:
    """In a case process: measures the spec the parent sent (the JSON of its fields) and
    prints the result as one marked JSON line for `run_in_child` to read."""
    result = measure(spec_type(**json.loads(raw_spec)))
    fields = result if isinstance(result, dict) else asdict(result)
    print(RESULT_MARK + json.dumps(fields, ensure_ascii=False), flush=True)


def maybe_profiled(path: str | None, action: Callable[[], T]) -> T:
    """`action()`, under cProfile when `path` is set, its statistics written there (its
    timings are then inflated by the profiler)."""
    if path is None:
        return action()
    profiler = cProfile.Profile()
    value = profiler.runcall(action)
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    profiler.dump_stats(path)
    return value


def failed_row(header: str, name: str, reason: str) -> str:
    """The row of a case that failed, under a Markdown table's `header` line: its name
    first, blank cells, and the reason in the last column."""
    blanks = header.count("|") - 3
    return f"| {name} |{' |' * blanks} {reason} |"
