"""Sweep benchmark: the website sweep over 1,000 sites on 127.0.0.1.

The target: 1,000 sites in 60 s or less at concurrency 16, with the sweep as polite as it
is on the internet (robots.txt read, one request at a time per host with the default 1 s
between two, the user agent). Each site is its own host (its own port), as government
sites are: a child process serves all of them from one asyncio loop, so the sweep's
process measures only itself. Every site has a robots.txt, a home page whose footer links
its accounts in one of the forms real sites use, and a contact page; every tenth site
answers 404. The second sweep runs with the cache of the first: every page is answered
304 Not Modified.

    .venv/bin/python bench/sweep_bench.py
    .venv/bin/python bench/sweep_bench.py --sites 200 --concurrency 8
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from harness import progress

from bot.sweep import SweepOptions, entities_to_sweep, sweep_registry
from knowledge.registry.schema import Registry
from knowledge.registry.validation import load_registry

TARGET_S = 60.0
FOOTERS = (
    '<a href="https://twitter.com/{x}">X</a>',
    '<a href="https://x.com/intent/follow?screen_name={x}">Follow</a>',
    '<a href="https://mobile.twitter.com/{x}/status/17300000001">Latest</a>',
    '<a href="//x.com/{x}?lang=ar">X</a>',
)


def page(index: int, path: str) -> tuple[int, bytes]:
    """What site `index` answers for `path`: (status, body)."""
    if index % 10 == 9 and path != "/robots.txt":
        return 404, b"<h1>Not found</h1>"
    if path == "/robots.txt":
        return 200, b"User-agent: *\nDisallow: /private/\n"
    if path == "/":
        footer = FOOTERS[index % len(FOOTERS)].format(x=f"site{index:04d}")
        body = (
            f'<html><body><nav><a href="/contact-us">Contact us</a></nav>{"<p>news</p>" * 200}'
            f'<footer>{footer}<a href="https://twitter.com/share?url=x">Share</a></footer>'
            "</body></html>"
        )
        return 200, body.encode()
    if path == "/contact-us":
        body = f'<a href="https://www.instagram.com/site{index:04d}/?hl=ar">Instagram</a>'
        return 200, body.encode()
    return 404, b""


async def serve(count: int) -> None:
    """The child: one port per site, then serve until stdin closes."""

    async def handle(
        index: int, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        try:
            while True:
                head = await reader.readuntil(b"\r\n\r\n")
                lines = head.decode("latin-1").split("\r\n")
                path = lines[0].split(" ")[1]
                headers = {
                    k.lower(): v.strip() for k, _, v in (x.partition(":") for x in lines[1:])
                }
                status, body = page(index, path)
                etag = f'"{index}-{len(body)}"'
                if status == 200 and headers.get("if-none-match") == etag:
                    status, body = 304, b""
                reason = {200: "OK", 304: "Not Modified", 404: "Not Found"}[status]
                writer.write(
                    f"HTTP/1.1 {status} {reason}\r\nContent-Type: text/html; charset=utf-8\r\n"
                    f"Content-Length: {len(body)}\r\nETag: {etag}\r\n\r\n".encode()
                    + body
                )
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        finally:
            writer.close()

    ports = []
    for index in range(count):
        server = await asyncio.start_server(
            functools.partial(handle, index), "127.0.0.1", 0, backlog=16
        )
        ports.append(server.sockets[0].getsockname()[1])
    print(json.dumps(ports), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)


def registry_of(ports: list[int], folder: Path) -> Registry:
    evidence = "{sources: [{kind: dataset, note: seed}], checked: 2026-01, confidence: unconfirmed}"
    lines = ["entities:"]
    for index, port in enumerate(ports):
        lines += [
            f"  - id: site-{index:04d}",
            f"    name: {{en: Site {index}}}",
            "    kind: agency",
            f"    website: http://127.0.0.1:{port}/",
            f"    evidence: {evidence}",
            "    accounts:",
            f"      - {{platform: x, handle: site{index:04d}, evidence: {evidence}}}",
            f"      - {{platform: youtube, handle: site{index:04d}, evidence: {evidence}}}",
        ]
    path = folder / "registry.yaml"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return load_registry(path)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--delay", type=float, default=1.0)
    parser.add_argument("--serve", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        asyncio.run(serve(args.serve))
        return 0
    progress(f"starting {args.sites} sites")
    farm = subprocess.Popen(
        [sys.executable, __file__, "--serve", str(args.sites)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert farm.stdout is not None and farm.stdin is not None
    ports = json.loads(farm.stdout.readline())
    print(
        "| run | sites | concurrency | delay s | seconds | sites/s | confirmed | new | missing "
        "| unreachable | target |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    try:
        with tempfile.TemporaryDirectory() as folder:
            registry = registry_of(ports, Path(folder))
            entities = entities_to_sweep(registry)
            options = SweepOptions(
                concurrency=args.concurrency,
                delay=args.delay,
                cache_dir=Path(folder) / "cache",
            )
            for run in ("first", "cached"):
                progress(f"sweep: {run}")
                begin = time.perf_counter()
                sweeps = asyncio.run(sweep_registry(registry, entities, options))
                seconds = time.perf_counter() - begin
                counts = {
                    name: sum(len(getattr(s, name)) for s in sweeps)
                    for name in ("confirmed", "new", "missing")
                }
                unreachable = sum(1 for s in sweeps if s.unreachable)
                verdict = "met" if seconds <= TARGET_S else "MISSED"
                print(
                    f"| {run} | {len(sweeps):,} | {args.concurrency} | {args.delay:g} "
                    f"| {seconds:.1f} | {len(sweeps) / seconds:.0f} | {counts['confirmed']:,} "
                    f"| {counts['new']:,} | {counts['missing']:,} | {unreachable} "
                    f"| ≤ {TARGET_S:.0f} s: {verdict} |"
                )
    finally:
        farm.stdin.close()
        farm.wait(timeout=10)
    return 0


if __name__ == "__main__":
    sys.exit(main())
