"""Index load benchmark: how the bot loads its answering index from the database.

The answer benchmark builds the index from entities made in memory; the bot reads them
from the database (`IndexCache.current()`: pages of rows fetched on the event loop, made
into models and indexed in a worker thread). This measures that path, on the registries
of the answer benchmark stored in SQLite: the seconds the load takes, the process's peak
memory, and the longest the event loop waited for its turn meanwhile (a bot answers
nobody while its loop waits).

    .venv/bin/python bench/index_load_bench.py                   # 1M names
    .venv/bin/python bench/index_load_bench.py --sizes 10000,100000

Each size runs two fresh processes: one generates the registry and imports it (that
process holds the whole registry, as an import does), then one loads the index, so the
load's peak memory is its own.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from answer_bench import LARGE_PEAK_MB, bundled_registry, sized_entities
from harness import case_main, case_parser, failed_row, peak_mb, progress, run_in_child, sizes_arg

from db.engine import open_database
from db.importer import import_registry
from db.registry_index import IndexCache
from knowledge.registry.schema import Registry

DEFAULT_SIZES = (1_000_000,)
TICK_S = 0.01
"""How often the watcher asks for the event loop: its lateness is the loop's stall."""


@dataclass(frozen=True)
class Step:
    """One process's work, sent to it as JSON."""

    action: str
    """'import' or 'load'."""
    size: int
    database: str
    """The SQLite file."""


@dataclass
class LoadResult:
    size: int
    entities: int = 0
    aliases: int = 0
    import_s: float = 0.0
    load_s: float = 0.0
    peak_mb: float = 0.0
    longest_stall_ms: float = 0.0
    stalls_over_100_ms: int = 0
    error: str | None = None


async def import_step(step: Step) -> dict[str, float]:
    bundled = bundled_registry()
    entities = list(sized_entities(bundled, step.size))
    registry = Registry.model_construct(entities=entities, non_official=bundled.non_official)
    async with open_database(f"sqlite+aiosqlite:///{step.database}") as sessions:
        started = time.perf_counter()
        await import_registry(sessions, registry, "generated", f"generated-{step.size}")
        return {"import_s": time.perf_counter() - started}


async def load_step(step: Step) -> dict[str, float]:
    async with open_database(f"sqlite+aiosqlite:///{step.database}") as sessions:
        stalls: list[float] = []

        async def watch() -> None:
            while True:
                asked = time.perf_counter()
                await asyncio.sleep(TICK_S)
                stalls.append(time.perf_counter() - asked - TICK_S)

        watcher = asyncio.create_task(watch())
        started = time.perf_counter()
        index = await IndexCache(sessions).current()
        load_s = time.perf_counter() - started
        watcher.cancel()
        return {
            "entities": len(index.entities),
            "aliases": index.alias_count,
            "load_s": load_s,
            "peak_mb": peak_mb(),
            "longest_stall_ms": max(stalls, default=0.0) * 1000,
            "stalls_over_100_ms": sum(1 for s in stalls if s > 0.1),
        }


def run_step(step: Step) -> dict[str, float]:
    action = import_step if step.action == "import" else load_step
    return asyncio.run(action(step))


def run_size(size: int, folder: Path) -> LoadResult:
    result = LoadResult(size)
    database = str(folder / f"registry-{size}.db")
    for action in ("import", "load"):
        progress(f"{size:,} names: {action} ...")
        reported, code = run_in_child(__file__, Step(action, size, database))
        if reported is None:
            result.error = f"the {action} exited with {code}"
            return result
        for name, value in reported.items():
            setattr(result, name, value)
    return result


def table(results: Sequence[LoadResult]) -> str:
    header = (
        "| names | entities | import s | index load s | peak MB | longest loop stall ms "
        "| stalls > 100 ms | peak <= 1 GB? |"
    )
    lines = [header, "|---:|---:|---:|---:|---:|---:|---:|---|"]
    for r in results:
        if r.error:
            lines.append(failed_row(header, f"{r.size:,}", r.error))
            continue
        met = "met" if r.peak_mb <= LARGE_PEAK_MB else "**missed**"
        lines.append(
            f"| {r.aliases:,} | {r.entities:,} | {r.import_s:.1f} | {r.load_s:.1f} | "
            f"{r.peak_mb:.0f} | {r.longest_stall_ms:.0f} | {r.stalls_over_100_ms} | {met} |"
        )
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    parser = case_parser(__doc__)
    parser.add_argument(
        "--sizes",
        type=sizes_arg,
        default=list(DEFAULT_SIZES),
        help="names of the generated registries (default 1000000)",
    )
    args = parser.parse_args(argv)
    if args.case:
        case_main(args.case, Step, run_step)
        return 0
    with tempfile.TemporaryDirectory() as folder:
        results = [run_size(size, Path(folder)) for size in args.sizes]
    print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
