"""Load benchmark: every question answered under Telegram's limits, alerts that give way,
replicas that survive a crash, and the handling rate of a whole `rasmi run`.

The real `rasmi run` (or several, as webhook replicas behind a round-robin proxy) runs
against the local Bot API server (tests/bot_api_server.py) with Telegram's limits on:
30 messages a second per bot, 1 a second per private chat, 20 a minute per group, and a
send inside a flood wait restarts the wait.

    .venv/bin/python bench/load_bench.py burst          # (a) 1,000 users ask within 1 s
    .venv/bin/python bench/load_bench.py broadcast      # (b) the same during a broadcast
    .venv/bin/python bench/load_bench.py crash          # (c) 2 replicas, one SIGKILLed half-way
    .venv/bin/python bench/load_bench.py rate           # (e) handling rate, vs an echo bot
    .venv/bin/python bench/load_bench.py status --notices 3000   # /status during a broadcast
    .venv/bin/python bench/load_bench.py burst --users 300 --notices 2000   # smaller

(d), the broadcast's pace alone, is bench/alerts_bench.py. `crash` and the two-replica
`rate` need PostgreSQL (`--database-url`, default the local `rasmi_load_bench`, whose
public schema is DROPPED) and use Redis at REDIS_URL when it is set. See bench/README.md.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from alerts_bench import FIRST_CHAT, prepare_database
from bot_api_server import BotApiServer, JSONDict
from bot_process import start_bot, start_bot_on_core, stop
from registry_edits import empty_postgres
from replicas import Burst, free_port, round_robin_proxy, start_replicas, wait_for_ports

from db.engine import open_database
from knowledge.registry import BUNDLED_REGISTRY

BURST_USER = 5_000_000
START_WAIT = 120.0
DEFAULT_POSTGRES = "postgresql://postgres@127.0.0.1:5432/rasmi_load_bench"


def strict_server(**limits: Any) -> BotApiServer:
    return BotApiServer(global_rate=30, per_chat_rate=1, group_rate=20 / 60, **limits)


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def wait_until_serving(server: BotApiServer, process: subprocess.Popen[bytes]) -> None:
    """Until the bot polls (its start-up is over)."""
    deadline = time.monotonic() + START_WAIT
    while not any(m == "getUpdates" for m, _ in server.calls):
        if process.poll() is not None or time.monotonic() > deadline:
            raise RuntimeError("the bot did not start")
        time.sleep(0.2)


def delivered(server: BotApiServer, notices: int) -> Counter[Any]:
    return Counter(
        a.chat_id for a in server.accepted if FIRST_CHAT <= a.chat_id < FIRST_CHAT + notices
    )


def wait_for_broadcast(server: BotApiServer, notices: int, stall: float) -> None:
    last, count = time.monotonic(), -1
    while True:
        reached = len(delivered(server, notices))
        if reached >= notices:
            return
        if reached != count:
            last, count = time.monotonic(), reached
        elif time.monotonic() - last > stall:
            return
        time.sleep(0.5)


def broadcast_figures(server: BotApiServer, notices: int, since: float = 0.0) -> dict[str, Any]:
    received = delivered(server, notices)
    times = [a.at for a in server.accepted if FIRST_CHAT <= a.chat_id < FIRST_CHAT + notices]
    return {
        "notices": notices,
        "lost": notices - len(received),
        "duplicates": sum(received.values()) - len(received),
        "broadcast_per_s": (len(times) - 1) / (times[-1] - times[0]) if len(times) > 1 else 0,
        "after_burst": sum(1 for t in times if t > since) if since else None,
    }


@contextlib.contextmanager
def bot(
    server: BotApiServer, url: str, folder: Path, **extra: str
) -> Iterator[subprocess.Popen[bytes]]:
    process = start_bot(server, url, folder / "bot.log", **{"LOG_LEVEL": "WARNING", **extra})
    try:
        wait_until_serving(server, process)
        yield process
    finally:
        stop(process)


def prepare_empty(url: str) -> None:
    """Migrations and the bundled registry, no subscriber."""

    async def run() -> None:
        if url.startswith("postgres"):
            await empty_postgres(url)
        async with open_database(url) as sessions:
            from db.importer import import_path

            await import_path(sessions, BUNDLED_REGISTRY)

    asyncio.run(run())


# ---------------------------------------------------------------------------------------
# The scenarios
# ---------------------------------------------------------------------------------------


def scenario_burst(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    url = f"sqlite:///{folder / 'bench.db'}"
    prepare_empty(url)
    with strict_server() as server:
        burst = Burst(server, BURST_USER, args.users)
        burst.register()
        with bot(server, url, folder):
            progress(f"burst: {args.users} users ask within one second")
            burst.ask(spread=1.0)
            burst.wait(stall=args.stall, timeout=args.timeout)
        return {**burst.summary(), "429s": server.too_many_requests}


def scenario_broadcast(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    url = f"sqlite:///{folder / 'bench.db'}"
    progress(f"broadcast: preparing {args.notices} subscribers")
    asyncio.run(prepare_database(url, args.notices))
    with strict_server() as server:
        for n in range(args.notices):
            server.user(FIRST_CHAT + n)
        burst = Burst(server, BURST_USER, args.users)
        burst.register()
        with bot(server, url, folder):
            warm = min(args.notices // 4, 600)
            while len(delivered(server, args.notices)) < warm:
                time.sleep(0.2)
            before_burst = server.too_many_requests
            progress(f"broadcast: {warm} notices out; {args.users} users ask within one second")
            burst.ask(spread=1.0)
            burst.wait(stall=args.stall, timeout=args.timeout)
            answered = max(burst.answered_at().values(), default=0.0)
            progress("broadcast: burst over; waiting for the broadcast to finish")
            wait_for_broadcast(server, args.notices, args.stall)
        return {
            **burst.summary(),
            **broadcast_figures(server, args.notices, since=answered),
            "429s": server.too_many_requests,
            "429s_before_burst": before_burst,
        }


def scenario_crash(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    url = args.database_url
    progress(f"crash: preparing {args.notices} subscribers on {url}")
    asyncio.run(prepare_database(url, args.notices))
    extra = {"LOG_LEVEL": "WARNING"}
    if os.environ.get("REDIS_URL"):
        extra["REDIS_URL"] = os.environ["REDIS_URL"]
    with strict_server() as server:
        for n in range(args.notices):
            server.user(FIRST_CHAT + n)
        ports = [free_port(), free_port()]
        with round_robin_proxy(ports) as proxy:
            replicas = start_replicas(server, url, folder, proxy, ports, None, **extra)
            try:
                wait_for_ports(ports, replicas, START_WAIT)
                while len(delivered(server, args.notices)) < args.notices // 2:
                    time.sleep(0.2)
                replicas[0].send_signal(signal.SIGKILL)
                replicas[0].wait()
                killed_at = len(delivered(server, args.notices))
                progress(f"crash: replica 0 killed at {killed_at} notices")
                wait_for_broadcast(server, args.notices, max(args.stall, 90))
            finally:
                for process in replicas:
                    stop(process)
        return {
            **broadcast_figures(server, args.notices),
            "killed_at": killed_at,
            "429s": server.too_many_requests,
        }


NO_LIMITS = {"LOG_LEVEL": "WARNING", "SEND_PER_SECOND": "1000000", "ALERTS_PER_SECOND": "1000"}
"""The rate scenario measures handling, not Telegram's limits: the bot's budget is lifted
as well as the server's."""


def burst_rate(
    args: argparse.Namespace,
    start: Callable[[BotApiServer], list[subprocess.Popen[bytes]]],
    ready: Callable[[BotApiServer, list[subprocess.Popen[bytes]]], None],
) -> dict[str, Any]:
    """`args.users` questions at once to what `start` starts, on a server without limits."""
    with BotApiServer() as server:
        burst = Burst(server, BURST_USER, args.users)
        burst.register()
        processes = start(server)
        try:
            ready(server, processes)
            burst.ask(spread=0)
            burst.wait(stall=args.stall, timeout=args.timeout)
            return burst.summary()
        finally:
            for process in processes:
                stop(process)


def polling_ready(server: BotApiServer, processes: list[subprocess.Popen[bytes]]) -> None:
    wait_until_serving(server, processes[0])


def scenario_rate(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """1,000 questions at once, no limits: the echo bot, one replica on one core
    (polling), two replicas on two cores (webhook, PostgreSQL, Redis if REDIS_URL)."""
    echo = [sys.executable, str(Path(__file__).parent / "echo_bot.py")]

    def start_echo(server: BotApiServer) -> list[subprocess.Popen[bytes]]:
        command = ["taskset", "-c", "0", *echo, server.base_url, server.token]
        return [subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]

    url = f"sqlite:///{folder / 'rate.db'}"
    prepare_empty(url)

    def start_one(server: BotApiServer) -> list[subprocess.Popen[bytes]]:
        return [start_bot_on_core(server, url, folder / "rate.log", 0, **NO_LIMITS)]

    rows = {
        "echo bot, 1 core": burst_rate(args, start_echo, polling_ready),
        "rasmi run, 1 replica, 1 core": burst_rate(args, start_one, polling_ready),
    }
    if args.database_url:
        prepare_empty(args.database_url)
        extra = dict(NO_LIMITS)
        if os.environ.get("REDIS_URL"):
            extra["REDIS_URL"] = os.environ["REDIS_URL"]
        ports = [free_port(), free_port()]

        with round_robin_proxy(ports) as proxy_url:

            def start_two_behind(server: BotApiServer) -> list[subprocess.Popen[bytes]]:
                return start_replicas(
                    server, args.database_url, folder, proxy_url, ports, [0, 1], **extra
                )

            def webhook_ready(_: BotApiServer, processes: list[subprocess.Popen[bytes]]) -> None:
                wait_for_ports(ports, processes, START_WAIT)
                time.sleep(2)  # setWebhook by both

            rows["rasmi run, 2 replicas, 2 cores"] = burst_rate(
                args, start_two_behind, webhook_ready
            )
    return rows


ADMINS = {"en": 4_242, "ar": 4_243}


def is_in_chat(chat_id: int, message: JSONDict) -> bool:
    return bool(message["chat"]["id"] == chat_id)


def scenario_status(args: argparse.Namespace, folder: Path) -> dict[str, Any]:
    """Administrators send /status (in English and in Arabic) a third of the way into a
    broadcast: what the bot answered them."""
    url = f"sqlite:///{folder / 'bench.db'}"
    asyncio.run(prepare_database(url, args.notices))
    transcript: dict[str, Any] = {}
    with strict_server() as server:
        for n in range(args.notices):
            server.user(FIRST_CHAT + n)
        admins = {lang: server.user(uid, language_code=lang) for lang, uid in ADMINS.items()}
        with bot(server, url, folder, ADMIN_IDS=",".join(map(str, ADMINS.values()))):
            while len(delivered(server, args.notices)) < args.notices // 3:
                time.sleep(0.2)
            for lang, admin in admins.items():
                server.send_command(admin, "status")
                chat: int = admin["id"]
                reply = server.wait_for(partial(is_in_chat, chat), 30)
                transcript[lang] = {
                    "notices delivered when asked": len(delivered(server, args.notices)),
                    "admin": "/status",
                    "bot": reply["text"],
                }
    return transcript


SCENARIOS = {
    "burst": scenario_burst,
    "broadcast": scenario_broadcast,
    "crash": scenario_crash,
    "rate": scenario_rate,
    "status": scenario_status,
}


def table(name: str, result: dict[str, Any]) -> str:
    rows = result if name == "rate" else {name: result}
    keys = sorted({key for row in rows.values() for key in row})
    lines = ["| case | " + " | ".join(keys) + " |", "|---|" + "---:|" * len(keys)]
    for case, row in rows.items():
        cells = [_cell(row.get(key)) for key in keys]
        lines.append(f"| {case} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _cell(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.2f}"
    return "" if value is None else str(value)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("scenario", choices=sorted(SCENARIOS))
    parser.add_argument("--users", type=int, default=1000, help="users in the burst (1000)")
    parser.add_argument("--notices", type=int, default=10_000, help="broadcast size (10000)")
    parser.add_argument(
        "--stall", type=float, default=30.0, help="give up after this long with no progress"
    )
    parser.add_argument("--timeout", type=float, default=900.0)
    parser.add_argument(
        "--database-url", default=DEFAULT_POSTGRES, help="PostgreSQL (schema DROPPED)"
    )
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="rasmi-load-bench-") as tmp:
        result = SCENARIOS[args.scenario](args, Path(tmp))
        if args.scenario == "status":
            for lang, said in result.items():
                print(f"[{lang}, {said['notices delivered when asked']} notices delivered]")
                print(f"admin> {said['admin']}\nbot>   {said['bot']}\n")
        else:
            print(table(args.scenario, result))
        print("RESULT " + json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
