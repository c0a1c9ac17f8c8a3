"""Web benchmark: requests per second and latency of `rasmi web`, on one core.

The server (`rasmi web`) is pinned to CPU 0 with taskset; the load comes from a second
process pinned to CPU 1, over loopback: an asyncio client keeping its connections open
(HTTP/1.1 keep-alive) and timing every request. Two registries: the bundled one and a
synthetic one of 100k entities (bench/synthetic.py), imported into a new SQLite file.
Three cases: an entity page (served from the page cache after its first request),
/api/v1/ask with questions asked again (served from the answer cache, as a viral handle
is), and /api/v1/ask with every question new (the engine answers every request).

    .venv/bin/python bench/web_bench.py                     # bundled and 100k
    .venv/bin/python bench/web_bench.py --sizes bundled --seconds 3

Targets (issue 12): 1,000 req/s or more for cached pages; p99 <= 20 ms for the API.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PYTHON = sys.executable
sys.path.insert(0, str(ROOT / "tests"))

from web_process import pinned, start_web, stop  # noqa: E402

# The load client (runs in its own process, on CPU 1)


async def _connection(
    host: str, port: int, paths: list[str], until: float, latencies: list[float]
) -> None:
    reader, writer = await asyncio.open_connection(host, port)
    n = 0
    while time.perf_counter() < until:
        path = paths[n % len(paths)]
        n += 1
        start = time.perf_counter()
        writer.write(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
        head = await reader.readuntil(b"\r\n\r\n")
        length = 0
        for line in head.split(b"\r\n"):
            if line.lower().startswith(b"content-length:"):
                length = int(line.split(b":")[1])
        await reader.readexactly(length)
        if not head.startswith(b"HTTP/1.1 200"):
            raise RuntimeError(head.split(b"\r\n")[0].decode())
        latencies.append(time.perf_counter() - start)
    writer.close()


async def _load(base: str, paths: list[str], seconds: float, connections: int) -> dict[str, float]:
    url = urllib.parse.urlsplit(base)
    latencies: list[float] = []
    start = time.perf_counter()
    until = start + seconds
    await asyncio.gather(
        *(
            _connection(
                url.hostname or "", url.port or 80, paths[i::connections] or paths, until, latencies
            )
            for i in range(connections)
        )
    )
    elapsed = time.perf_counter() - start
    ordered = sorted(latencies)
    return {
        "requests": len(ordered),
        "rps": len(ordered) / elapsed,
        "p50_ms": 1000 * statistics.median(ordered),
        "p99_ms": 1000 * ordered[int(len(ordered) * 0.99) - 1],
    }


def load_main(args: argparse.Namespace) -> None:
    paths = json.loads(Path(args.paths).read_text())
    try:
        import uvloop

        uvloop.install()
    except ImportError:
        pass
    print(json.dumps(asyncio.run(_load(args.load, paths, args.seconds, args.connections))))


# The benchmark


def _prepare(folder: Path, size: str) -> str:
    """A new SQLite database holding the bundled registry or a synthetic one."""
    url = f"sqlite:///{folder / 'web.db'}"
    command = [PYTHON, "-m", "bot.cli", "registry", "import"]
    if size != "bundled":
        sys.path.insert(0, str(ROOT / "bench"))
        from synthetic import write_registry

        registry = folder / "registry.yaml"
        write_registry(registry, int(size))
        command.append(str(registry))
    env = {**os.environ, "DATABASE_URL": url, "LOG_LEVEL": "WARNING"}
    started = time.perf_counter()
    subprocess.run(command, cwd=ROOT, env=env, check=True, stdout=subprocess.DEVNULL)
    print(f"{size}: imported in {time.perf_counter() - started:.0f} s", flush=True)
    return url


DISTINCT = 60_000
"""Distinct questions for the case where no answer is cached (more than a run asks)."""


def _cases(size: str) -> list[tuple[str, list[str], bool]]:
    """(name, paths, warm): warmed cases are served from the caches, as a page or an
    answer asked again is; the last case asks each question once, so the engine answers
    every request (a number appended to a question makes it new to the cache)."""
    entity = "moh" if size == "bundled" else "e000123"
    if size == "bundled":
        questions = ["Ministry of Health account", "@SaudiMOH", "@SaudiM0H", "وزارة التعليم"]
    else:
        questions = [f"E{i:06d} account" for i in range(1, 400, 7)] + ["@SaudiM0H"]
    new = [f"{questions[i % len(questions)]} {i}" for i in range(DISTINCT)]
    return [
        ("entity page (cached)", [f"/en/entities/{entity}"], True),
        ("/api/v1/ask, questions asked again", _ask_paths(questions), True),
        ("/api/v1/ask, every question new", _ask_paths(new), False),
    ]


def _ask_paths(questions: list[str]) -> list[str]:
    return ["/api/v1/ask?" + urllib.parse.urlencode({"q": q}) for q in questions]


def run(size: str, seconds: float, connections: int) -> list[str]:
    rows = []
    with tempfile.TemporaryDirectory(prefix="rasmi-web-bench-") as tmp:
        folder = Path(tmp)
        url = _prepare(folder, size)
        settings = {
            "DATABASE_URL": url,
            "LOG_LEVEL": "WARNING",
            "WEB_RATE_PER_MINUTE": str(10**9),
        }
        server, base = start_web(settings, cpu=0, startup=900)
        try:
            for name, paths, warm in _cases(size):
                for path in paths if warm else []:  # the first request renders and caches
                    urllib.request.urlopen(base + path, timeout=30).read()
                listing = folder / "paths.json"
                listing.write_text(json.dumps(paths))
                load = [PYTHON, __file__, "--load", base, "--paths", str(listing)]
                load += ["--seconds", str(seconds), "--connections", str(connections)]
                out = subprocess.run(pinned(1, load), capture_output=True, text=True, check=True)
                r = json.loads(out.stdout)
                rows.append(
                    f"| {size} | {name} | {r['requests']:,} | {r['rps']:,.0f} "
                    f"| {r['p50_ms']:.2f} | {r['p99_ms']:.2f} |"
                )
        finally:
            stop(server)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="bundled,100000")
    parser.add_argument("--seconds", type=float, default=5.0)
    parser.add_argument("--connections", type=int, default=4)
    parser.add_argument("--load", help=argparse.SUPPRESS)
    parser.add_argument("--paths", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.load:
        load_main(args)
        return
    print(
        f"server on CPU 0, load on CPU 1, {args.connections} keep-alive connections, "
        f"{args.seconds:g} s per case",
        flush=True,
    )
    header = [
        "| registry | target | requests | req/s | p50 ms | p99 ms |",
        "|---|---|---:|---:|---:|---:|",
    ]
    rows: list[str] = []
    for size in args.sizes.split(","):
        rows += run(size, args.seconds, args.connections)
    print("\n".join(header + rows))


if __name__ == "__main__":
    main()
