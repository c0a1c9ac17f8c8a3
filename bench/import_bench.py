"""Import benchmark: how long and how much memory a registry import takes, by size.

The issue's target is a 100k-entity / 300k-account registry imported in under 60 s and
1 GB on a 2-core machine. Each case runs in its own subprocess, so the peak resident set
size it reports (VmHWM, see `peak_mb`) belongs to that case alone and not to an earlier,
larger one.

    .venv/bin/python bench/import_bench.py                  # bundled, 10k, 100k on SQLite
    .venv/bin/python bench/import_bench.py --postgres postgresql://postgres@127.0.0.1/test
    .venv/bin/python bench/import_bench.py --quick          # bundled and 10k only

See bench/README.md for what each column means.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from harness import (
    case_main,
    case_parser,
    failed_row,
    maybe_profiled,
    peak_mb,
    progress,
    run_in_child,
    sizes_arg,
)
from registry_edits import empty_postgres
from synthetic import check_sample, write_registry

from db.engine import open_database
from db.importer import ImportOptions, import_registry, registry_digest
from knowledge.registry import BUNDLED_REGISTRY
from knowledge.registry.validation import RegistryInvalid, load_registry

TARGET_ENTITIES = 100_000
TARGET_SECONDS = 60.0
TARGET_MB = 1024.0


@dataclass(frozen=True)
class CaseSpec:
    """One measured case, sent to the child process as JSON."""

    name: str
    registry: str
    database: str
    """A database URL; SQLite cases get a file of their own in the benchmark's folder."""
    reimport: bool = False
    """Import twice in one process and time the second, unchanged, import."""
    profile: str | None = None
    """Write cProfile statistics here (timings are then inflated by the profiler)."""


@dataclass
class CaseResult:
    """What a child measured; `error` is set instead of numbers when the case failed."""

    name: str
    entities: int = 0
    accounts: int = 0
    validate_s: float = 0.0
    import_s: float = 0.0
    first_import_s: float | None = None
    peak_mb: float = 0.0
    base_mb: float = 0.0
    """Peak RSS before the registry is read: the interpreter and its libraries."""
    validate_peak_mb: float = 0.0
    """Peak RSS right after validation, before the database is opened."""
    validate_cpu_s: float = 0.0
    import_cpu_s: float = 0.0
    """CPU seconds (all threads) of each phase: unlike wall-clock time, barely inflated
    when other work shares the machine."""
    load_average: float = 0.0
    """1-minute load average when the case started: above the core count, timings are
    inflated by other processes."""
    error: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def total_s(self) -> float:
        return self.validate_s + self.import_s

    @property
    def is_target_case(self) -> bool:
        return self.entities == TARGET_ENTITIES and self.first_import_s is None

    @property
    def met_target(self) -> bool:
        return self.total_s < TARGET_SECONDS and self.peak_mb < TARGET_MB


# --------------------------------------------------------------------------- child side


class Stopwatch:
    """Wall-clock and CPU seconds since it was started."""

    def __init__(self) -> None:
        self.wall = time.perf_counter()
        self.cpu = time.process_time()

    def read(self) -> tuple[float, float]:
        return time.perf_counter() - self.wall, time.process_time() - self.cpu


AS_CLI = ImportOptions(alone=True)
"""As `rasmi registry import` runs it: nothing else in the process, collector paused."""


async def timed_import(spec: CaseSpec, registry: Any, digest: str, result: CaseResult) -> None:
    """Opens (and migrates) a fresh database outside the clock, then times the import."""
    url = spec.database
    if url.startswith(("postgresql", "postgres")):
        await empty_postgres(url)
    async with open_database(url) as sessions:
        clock = Stopwatch()
        imported = await import_registry(sessions, registry, spec.registry, digest, AS_CLI)
        result.import_s, result.import_cpu_s = clock.read()
        if spec.reimport:
            result.first_import_s = result.import_s
            clock = Stopwatch()
            imported = await import_registry(sessions, registry, spec.registry, digest, AS_CLI)
            result.import_s, result.import_cpu_s = clock.read()
            result.extra["reimport_changes"] = len(imported.changes)
    result.entities = imported.counts.entities
    result.accounts = imported.counts.accounts


def measure(spec: CaseSpec) -> CaseResult:
    """Runs one case in this process: validation, then import, each timed on its own."""
    result = CaseResult(spec.name, base_mb=peak_mb(), load_average=os.getloadavg()[0])
    path = Path(spec.registry)
    digest = registry_digest(path)
    clock = Stopwatch()
    try:
        registry = load_registry(path)
    except RegistryInvalid as exc:
        shown = "; ".join(str(p) for p in exc.problems[:3])
        result.error = f"invalid registry, {len(exc.problems)} problem(s): {shown}"
        return result
    result.validate_s, result.validate_cpu_s = clock.read()
    result.validate_peak_mb = peak_mb()
    asyncio.run(timed_import(spec, registry, digest, result))
    result.peak_mb = peak_mb()
    return result


def profiled_measure(spec: CaseSpec) -> CaseResult:
    """`measure`, under cProfile when the spec asks for it."""
    return maybe_profiled(spec.profile, partial(measure, spec))


# -------------------------------------------------------------------------- parent side


def run_case(spec: CaseSpec) -> CaseResult:
    """Runs `spec` in a fresh interpreter; its stderr passes through for diagnosis."""
    progress(f"running {spec.name} ...")
    reported, code = run_in_child(__file__, spec)
    if reported is not None:
        return CaseResult(**reported)
    return CaseResult(spec.name, error=f"the case process exited with {code}")


def generate(folder: Path, size: int, files: int) -> Path:
    """Writes the synthetic registry of `size` entities (not timed as part of any case):
    one file, or a folder of `files` files."""
    path = folder / (f"registry-{size}.yaml" if files == 1 else f"registry-{size}")
    started = time.perf_counter()
    stats = write_registry(path, size, files=files)
    elapsed = time.perf_counter() - started
    progress(
        f"generated {stats.entities} entities / {stats.accounts} accounts "
        f"({stats.bytes / 2**20:.1f} MiB) in {elapsed:.1f} s"
    )
    return path


def sqlite_url(folder: Path, name: str) -> str:
    """A new SQLite file per case, so no case sees another's rows."""
    return f"sqlite:///{folder / name}.db"


def profile_path(folder: Path | None, name: str) -> str | None:
    return str(folder / f"{name}.prof") if folder else None


def plan(args: argparse.Namespace, folder: Path, profile_dir: Path | None) -> list[CaseSpec]:
    """The cases to run, in order: bundled, each size on SQLite, the re-import of the
    10k registry (or the smallest size), then PostgreSQL on the largest size."""
    sizes: list[int] = [10_000] if args.quick else args.sizes
    cases = [
        CaseSpec(
            "bundled (sqlite)",
            str(BUNDLED_REGISTRY),
            sqlite_url(folder, "bundled"),
            profile=profile_path(profile_dir, "bundled"),
        )
    ]
    paths = {size: str(generate(folder, size, args.files)) for size in sizes}
    layout = f" in {args.files} files" if args.files > 1 else ""
    for size in sizes:
        key = f"sqlite-{size}"
        url = sqlite_url(folder, key)
        profile = profile_path(profile_dir, key)
        cases.append(CaseSpec(f"{size:,}{layout} (sqlite)", paths[size], url, profile=profile))
    size = 10_000 if 10_000 in sizes else min(sizes)
    key = f"reimport-{size}"
    cases.append(
        CaseSpec(
            f"{size:,}{layout} re-import, no change (sqlite)",
            paths[size],
            sqlite_url(folder, key),
            reimport=True,
            profile=profile_path(profile_dir, key),
        )
    )
    if args.postgres:
        size = max(sizes)
        key = f"postgresql-{size}"
        cases.append(
            CaseSpec(
                f"{size:,}{layout} (postgresql)",
                paths[size],
                args.postgres,
                profile=profile_path(profile_dir, key),
            )
        )
    return cases


def target_cell(result: CaseResult) -> str:
    if not result.is_target_case:
        return ""
    return "met" if result.met_target else "**missed**"


def table(results: list[CaseResult]) -> str:
    """The Markdown table of all cases; failed cases show their reason."""
    header = "| case | entities | accounts | validate s | import s | total s | peak MB | target |"
    lines = [header, "|---|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        if r.error:
            lines.append(failed_row(header, r.name, r.error))
            continue
        lines.append(
            f"| {r.name} | {r.entities:,} | {r.accounts:,} | {r.validate_s:.2f} | "
            f"{r.import_s:.2f} | {r.total_s:.2f} | {r.peak_mb:.0f} | {target_cell(r)} |"
        )
    return "\n".join(lines)


def verdict(results: list[CaseResult]) -> str:
    """One line per 100k case: did it meet < 60 s and < 1024 MB?"""
    targets = [r for r in results if not r.error and r.is_target_case]
    if not targets:
        return "No 100k case was run, so the target (< 60 s and < 1024 MB) was not checked."
    return "\n".join(
        f"100k target (< 60 s and < 1024 MB) on {r.name}: "
        f"{'MET' if r.met_target else 'MISSED'} ({r.total_s:.1f} s, {r.peak_mb:.0f} MB)"
        for r in targets
    )


def busy_note(results: list[CaseResult]) -> str:
    """A warning when other processes shared the machine: wall-clock times then overstate
    what the import costs, and the CPU seconds in --details are the better guide."""
    cores = os.cpu_count() or 1
    highest = max((r.load_average for r in results if not r.error), default=0.0)
    if highest <= cores:
        return ""
    return (
        f"\nNote: the machine was busy (load average up to {highest:.1f} on {cores} cores); "
        "wall-clock times are inflated, see the CPU seconds with --details."
    )


def details(results: list[CaseResult]) -> str:
    """Where the memory went, per case: before reading, after validating, at the end."""
    lines = ["", "Details (MB are peak RSS so far; s are wall-clock seconds):"]
    for r in results:
        if r.error:
            continue
        first = f", first import {r.first_import_s:.2f} s" if r.first_import_s else ""
        extra = f", {r.extra}" if r.extra else ""
        lines.append(
            f"- {r.name}: {r.base_mb:.0f} MB before reading, {r.validate_peak_mb:.0f} MB "
            f"after validation, {r.peak_mb:.0f} MB after import; CPU s: validate "
            f"{r.validate_cpu_s:.2f}, import {r.import_cpu_s:.2f}; load average at start "
            f"{r.load_average:.1f}{first}{extra}"
        )
    return "\n".join(lines)


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = case_parser(__doc__)
    parser.add_argument(
        "--sizes",
        type=sizes_arg,
        default=[10_000, 100_000],
        help="entity counts of the generated registries (default 10000,100000)",
    )
    parser.add_argument("--postgres", metavar="URL", help="also import the largest size here")
    parser.add_argument("--quick", action="store_true", help="bundled and 10k only")
    parser.add_argument(
        "--files",
        type=int,
        default=1,
        help="write each generated registry as a folder of this many files (default: one file)",
    )
    parser.add_argument(
        "--details", action="store_true", help="print per-phase memory and CPU seconds"
    )
    parser.add_argument(
        "--profile", metavar="DIR", type=Path, help="write one cProfile file per case to DIR"
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if args.case:
        case_main(args.case, CaseSpec, profiled_measure)
        return 0
    with tempfile.TemporaryDirectory(prefix="rasmi-bench-") as tmp:
        folder = Path(tmp)
        check_sample(folder)
        results = [run_case(case) for case in plan(args, folder, args.profile)]
    print(table(results))
    print()
    print(verdict(results))
    if note := busy_note(results):
        print(note)
    if args.details:
        print(details(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
