"""Alert delivery benchmark: how fast a fan-out reaches subscribers under Telegram's limits.

N subscribers (default 10,000) follow everything and one notice is queued for each, as a
maintainer's `rasmi notice schedule --all --at now` does. The real `rasmi run` process
(started as a deployment starts it) delivers them to the local Bot API server
(tests/bot_api_server.py) with Telegram's flood limits switched on: 30 messages a second
overall, one a second per chat, 429 with retry_after beyond. Each cap is a fresh database
and a fresh bot.

    .venv/bin/python bench/alerts_bench.py                     # 10,000 notices, caps 30 and 20
    .venv/bin/python bench/alerts_bench.py --notices 2000      # a shorter run (about 3 min)
    .venv/bin/python bench/alerts_bench.py --caps default      # the default pace only
    .venv/bin/python bench/alerts_bench.py --mode sender       # OutboxSender alone, no job
    .venv/bin/python bench/alerts_bench.py --database-url postgresql://postgres@127.0.0.1/bench

10,000 notices at 30/s take about 340 s per cap. See bench/README.md for the columns.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import insert
from telegram import Bot

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from bot_api_server import Attempt, BotApiServer, busiest_second
from bot_process import outbox_status, start_bot, stop
from registry_edits import empty_postgres

from bot.delivery import OutboxSender, Pace
from db.engine import open_database
from db.importer import import_path
from db.registry_index import IndexCache
from db.repositories.alerts import (
    ALL,
    EVERYTHING,
    QUEUED,
    SENDING,
    SUBSCRIBER,
    SUBSCRIPTION,
    AlertRepository,
)
from knowledge.registry import BUNDLED_REGISTRY

TELEGRAM_GLOBAL_RATE = 30
TELEGRAM_PER_CHAT_RATE = 1
TARGET_SHARE = 0.95
"""The achieved rate must be at least this share of the configured cap."""
DEFAULT_CAP = Pace().per_second
FIRST_CHAT = 1_000_000
START_WAIT = 90.0
STOP_WAIT = 30.0


def telegram(notices: int) -> BotApiServer:
    """The local Bot API server with Telegram's flood limits, where the N subscribers are
    users who started the bot."""
    server = BotApiServer(global_rate=TELEGRAM_GLOBAL_RATE, per_chat_rate=TELEGRAM_PER_CHAT_RATE)
    for n in range(notices):
        server.user(FIRST_CHAT + n)
    return server


def chats_reached(accepted: Sequence[Attempt]) -> int:
    return len({attempt.chat_id for attempt in accepted})


@dataclass(frozen=True)
class Run:
    """One measured delivery: a cap, and what the server saw."""

    mode: str
    cap: float
    cap_is_default: bool
    notices: int
    accepted: list[Attempt]
    too_many_requests: int
    started: float
    """When the bot process (or the sender) was started, monotonic."""
    load_average: float
    error: str = ""

    @property
    def received(self) -> Counter[int]:
        return Counter(attempt.chat_id for attempt in self.accepted)

    @property
    def lost(self) -> int:
        return self.notices - len(self.received)

    @property
    def duplicates(self) -> int:
        return len(self.accepted) - len(self.received)

    @property
    def delivery_s(self) -> float:
        """From the first accepted message to the last: the fan-out itself."""
        if len(self.accepted) < 2:
            return 0.0
        return self.accepted[-1].at - self.accepted[0].at

    @property
    def wall_s(self) -> float:
        """From the start of the bot (start-up, migrations, registry import) to the last."""
        return (self.accepted[-1].at - self.started) if self.accepted else 0.0

    @property
    def rate(self) -> float:
        return (len(self.accepted) - 1) / self.delivery_s if self.delivery_s else 0.0

    @property
    def share(self) -> float:
        return self.rate / self.cap

    @property
    def busiest_second(self) -> int:
        """The most messages Telegram accepted in any one-second window."""
        return busiest_second(attempt.at for attempt in self.accepted)


# ---------------------------------------------------------------------------------------
# The database: subscribers and one notice for each
# ---------------------------------------------------------------------------------------


async def prepare_database(url: str, notices: int) -> None:
    """Migrations, the bundled registry, N subscribers of everything (inserted in bulk: the
    benchmark is about delivery, not about /subscribe), and one notice for all of them."""
    if url.startswith("postgres"):
        await empty_postgres(url)
    async with open_database(url) as sessions:
        await import_path(sessions, BUNDLED_REGISTRY)
        now = dt.datetime.now(dt.UTC)
        chats = range(FIRST_CHAT, FIRST_CHAT + notices)
        async with sessions() as session, session.begin():
            connection = await session.connection()
            langs = ("ar", "en", "fr")
            await connection.execute(
                insert(SUBSCRIBER),
                [
                    {"chat_id": c, "lang": langs[c % 3], "active": True, "created_at": now}
                    for c in chats
                ],
            )
            await connection.execute(
                insert(SUBSCRIPTION),
                [
                    {"chat_id": c, "scope": ALL, "target": EVERYTHING, "created_at": now}
                    for c in chats
                ],
            )
            _, queued = await AlertRepository(session).schedule_message(
                None,
                None,
                {
                    "ar": "تنبيه تجريبي من رسمي.",
                    "en": "A test alert from Rasmi.",
                    "fr": "Une alerte d'essai de Rasmi.",
                },
                now,
            )
        assert queued == notices, f"{queued} rows queued for {notices} subscribers"


def outbox_unfinished(url: str) -> int:
    counts = outbox_status(url)
    return counts[QUEUED] + counts[SENDING]


# ---------------------------------------------------------------------------------------
# Delivering: the real bot process, or the sender alone
# ---------------------------------------------------------------------------------------


def cap_setting(cap: float | None) -> dict[str, str]:
    """ALERTS_PER_SECOND for a run; unset (the sender's default pace) when None."""
    return {} if cap is None else {"ALERTS_PER_SECOND": str(cap)}


def wait_for_delivery(
    server: BotApiServer,
    notices: int,
    stall: float,
    label: str,
    alive: subprocess.Popen[bytes] | None = None,
) -> str:
    """Waits until every subscriber got the notice, or nothing arrived for `stall` seconds
    (after start-up); prints progress every ten seconds. Returns an error, or ''."""
    started = time.monotonic()
    last_count, last_change, last_report = 0, started, started
    while True:
        time.sleep(0.5)
        accepted = server.accepted
        chats = chats_reached(accepted)
        now = time.monotonic()
        if chats >= notices:
            return ""
        if alive is not None and alive.poll() is not None:
            return f"the bot exited with code {alive.returncode}"
        if len(accepted) != last_count:
            last_count, last_change = len(accepted), now
        waited = now - last_change
        if (accepted and waited > stall) or (not accepted and waited > START_WAIT):
            return f"stalled: nothing delivered for {waited:.0f} s"
        if now - last_report >= 10:
            last_report = now
            rate = (len(accepted) - 1) / (accepted[-1].at - accepted[0].at) if chats > 1 else 0
            print(f"  {label}: {chats:,}/{notices:,} delivered, {rate:.1f}/s", flush=True)


def run_process(
    url: str, notices: int, cap: float | None, stall: float, workdir: Path
) -> tuple[BotApiServer, float, str]:
    """`python -m bot.cli run` until the fan-out is delivered, then SIGTERM."""
    with telegram(notices) as server:
        log = workdir / "bot.log"
        started = time.monotonic()
        process = start_bot(server, url, log, LOG_LEVEL="WARNING", **cap_setting(cap))
        label = f"cap {cap or DEFAULT_CAP:g}/s"
        error = ""
        try:
            error = wait_for_delivery(server, notices, stall, label, process)
            deadline = time.monotonic() + 10
            while not error and outbox_unfinished(url) and time.monotonic() < deadline:
                time.sleep(0.2)
        finally:
            if stop(process, STOP_WAIT) is None:
                error = error or "the bot did not stop on SIGTERM"
        if error:
            tail = log.read_text(encoding="utf-8", errors="replace")[-2000:]
            print(f"  {label}: {error}; end of the bot's log:\n{tail}", flush=True)
        return server, started, error


async def drive_sender(url: str, server: BotApiServer, cap: float, notices: int) -> None:
    """OutboxSender.drain(1.0) back to back, in this process: the sender's own ceiling,
    without the bot's job scheduling around it."""
    async with open_database(url) as sessions:
        cache = IndexCache(sessions)
        await cache.current()
        async with Bot(server.token, base_url=server.base_url) as ptb:
            sender = OutboxSender(
                sessions, ptb, index=lambda: cache.latest, pace=Pace(per_second=cap)
            )
            while chats_reached(server.accepted) < notices:
                if not await sender.drain(1.0):
                    await asyncio.sleep(0.1)


def run_sender(url: str, notices: int, cap: float, stall: float) -> tuple[BotApiServer, float, str]:
    with telegram(notices) as server:
        outcome: list[str] = []

        def drive() -> None:
            try:
                asyncio.run(drive_sender(url, server, cap, notices))
            except Exception as exc:  # reported in the table, not as a traceback
                outcome.append(repr(exc))

        started = time.monotonic()
        thread = threading.Thread(target=drive, daemon=True)
        thread.start()
        error = wait_for_delivery(server, notices, stall, f"sender {cap:g}/s")
        thread.join(timeout=STOP_WAIT)
        return server, started, error or (outcome[0] if outcome else "")


def measure(args: argparse.Namespace, cap: float | None, folder: Path) -> Run:
    effective = cap or DEFAULT_CAP
    name = f"{args.mode}-{effective:g}"
    workdir = folder / name
    workdir.mkdir()
    url = args.database_url or f"sqlite:///{workdir / 'bench.db'}"
    print(f"{name}: preparing {args.notices:,} subscribers and their notice...", flush=True)
    asyncio.run(prepare_database(url, args.notices))
    load = os.getloadavg()[0]
    if args.mode == "process":
        server, started, error = run_process(url, args.notices, cap, args.stall, workdir)
    else:
        server, started, error = run_sender(url, args.notices, effective, args.stall)
    return Run(
        mode=args.mode,
        cap=effective,
        cap_is_default=cap is None,
        notices=args.notices,
        accepted=server.accepted,
        too_many_requests=server.too_many_requests,
        started=started,
        load_average=load,
        error=error,
    )


# ---------------------------------------------------------------------------------------
# Report
# ---------------------------------------------------------------------------------------


def table(runs: Sequence[Run]) -> str:
    lines = [
        "| mode | cap msg/s | notices | achieved msg/s | share of cap | busiest second | "
        "429s | lost | duplicates | delivery s | wall s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in runs:
        cap = f"{r.cap:g}" + (" (default)" if r.cap_is_default else "")
        lines.append(
            f"| {r.mode} | {cap} | {r.notices:,} | {r.rate:.1f} | {r.share:.0%} | "
            f"{r.busiest_second} | {r.too_many_requests} | {r.lost} | {r.duplicates} | "
            f"{r.delivery_s:.0f} | {r.wall_s:.0f} |"
        )
    return "\n".join(lines)


def verdicts(runs: Sequence[Run]) -> str:
    lines = []
    for r in runs:
        checks = [
            f"rate {'met' if r.share >= TARGET_SHARE else 'MISSED'} "
            f"({r.share:.0%} of the cap, target >= {TARGET_SHARE:.0%})",
            f"lost {'met' if r.lost == 0 else 'MISSED'} ({r.lost}, target 0)",
        ]
        if r.cap_is_default:
            checks.append(
                f"429s {'met' if r.too_many_requests == 0 else 'MISSED'} "
                f"({r.too_many_requests}, target 0 at the default pace)"
            )
        problem = f"; {r.error}" if r.error else ""
        lines.append(f"{r.mode} at {r.cap:g}/s: " + ", ".join(checks) + problem)
    cores = os.cpu_count() or 1
    busiest = max((r.load_average for r in runs), default=0.0)
    if busiest > cores:
        lines.append(
            f"Note: the machine was busy (load average {busiest:.1f} on {cores} cores at a "
            "start): a rate below the cap may be the machine's, not the bot's."
        )
    return "\n".join(lines)


def parse_caps(value: str) -> list[float | None]:
    """'default,20': None is the sender's default pace (ALERTS_PER_SECOND unset)."""
    return [None if part == "default" else float(part) for part in value.split(",") if part]


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--notices", type=int, default=10_000, help="subscribers, one notice each (10000)"
    )
    parser.add_argument(
        "--caps",
        type=parse_caps,
        default=[None, 20.0],
        help="ALERTS_PER_SECOND per run; 'default' leaves it unset (default: default,20)",
    )
    parser.add_argument(
        "--mode",
        choices=("process", "sender"),
        default="process",
        help="process: the real `rasmi run` (default); sender: OutboxSender.drain in a loop",
    )
    parser.add_argument(
        "--database-url",
        help="PostgreSQL to use instead of a fresh SQLite file: ITS public SCHEMA IS DROPPED",
    )
    parser.add_argument(
        "--stall", type=float, default=30.0, help="give up after this long without a delivery"
    )
    return parser.parse_args(argv)


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    runs: list[Run] = []
    with tempfile.TemporaryDirectory(prefix="rasmi-alerts-bench-") as tmp:
        for cap in args.caps:
            runs.append(measure(args, cap, Path(tmp)))
            print(table(runs[-1:]), flush=True)
    print()
    print(table(runs))
    print()
    print(verdicts(runs))
    return 0 if all(not r.error and r.lost == 0 for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
