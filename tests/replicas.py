"""Load and replicas, for the tests and benchmarks that run `rasmi run` as processes:
a round-robin reverse proxy in front of N webhook replicas (what nginx or caddy does in
compose.yaml), and a burst of users asking at once, with the time each waited.

Standard library only, like tests/bot_api_server.py, so sync tests and benchmarks use it
alike.
"""

from __future__ import annotations

import contextlib
import http.client
import itertools
import socket
import statistics
import subprocess
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from bot_api_server import BotApiServer, JSONDict
from bot_process import start_bot_on_core

WEBHOOK_SECRET = "replica-secret"
WEBHOOK_PATH = "telegram"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


class _ProxyServer(ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, upstreams: list[int]) -> None:
        self.upstreams = upstreams
        self.turn = itertools.cycle(range(len(upstreams)))
        self.turn_lock = threading.Lock()
        super().__init__(("127.0.0.1", 0), _ProxyHandler)

    def order(self) -> list[int]:
        """The upstreams starting with the next in turn: round robin, and on a refused
        connection the next one (nginx's `proxy_next_upstream error`)."""
        with self.turn_lock:
            first = next(self.turn)
        return self.upstreams[first:] + self.upstreams[:first]


class _ProxyHandler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _ProxyServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        headers = {k: v for k, v in self.headers.items() if k.lower() != "connection"}
        for port in self.server.order():
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            try:
                connection.request("POST", self.path, body=body, headers=headers)
                response = connection.getresponse()
                data = response.read()
            except ConnectionRefusedError:
                continue  # that replica is down: the next one
            except OSError:
                break  # it died with the request: the sender retries (as through nginx)
            finally:
                connection.close()
            self._answer(response.status, data)
            return
        self._answer(502, b"")

    def _answer(self, status: int, data: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet."""


@contextlib.contextmanager
def round_robin_proxy(upstreams: list[int]) -> Iterator[str]:
    """A reverse proxy on a free port in front of `upstreams`; yields its base URL."""
    proxy = _ProxyServer(upstreams)
    thread = threading.Thread(target=proxy.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{proxy.server_address[1]}"
    finally:
        proxy.shutdown()
        proxy.server_close()


def start_replicas(
    server: BotApiServer,
    database_url: str,
    folder: Path,
    proxy_url: str,
    ports: list[int],
    cpus: list[int | None] | None = None,
    **extra: str,
) -> list[subprocess.Popen[bytes]]:
    """One `rasmi run` webhook replica per port, all behind `proxy_url` (the address
    Telegram is given), logging to `folder/replica-N.log`; `cpus` pins each to a core."""
    processes = []
    for n, port in enumerate(ports):
        settings = {
            "WEBHOOK_URL": f"{proxy_url}/{WEBHOOK_PATH}",
            "WEBHOOK_LISTEN": "127.0.0.1",
            "WEBHOOK_PORT": str(port),
            "WEBHOOK_PATH": WEBHOOK_PATH,
            "WEBHOOK_SECRET": WEBHOOK_SECRET,
            **extra,
        }
        cpu = cpus[n] if cpus else None
        processes.append(
            start_bot_on_core(server, database_url, folder / f"replica-{n}.log", cpu, **settings)
        )
    return processes


def accepts_connections(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.2)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def wait_for_ports(
    ports: list[int], processes: list[subprocess.Popen[bytes]], timeout: float
) -> None:
    """Until every replica listens; RuntimeError if one exits or the time runs out."""
    deadline = time.monotonic() + timeout
    while not all(accepts_connections(port) for port in ports):
        for process in processes:
            if process.poll() is not None:
                raise RuntimeError(f"a replica exited with code {process.returncode}")
        if time.monotonic() > deadline:
            raise RuntimeError(f"the replicas did not listen within {timeout:.0f} s")
        time.sleep(0.2)


# ---------------------------------------------------------------------------------------
# A burst of questions
# ---------------------------------------------------------------------------------------

QUESTIONS = (
    "وش حساب وزارة الصحة الرسمي؟",
    "is @SaudiM0H official?",
    "compte officiel du ministère de la Santé",
    "who is the Education spokesperson?",
    "@SaudiMOH",
)


@dataclass
class Burst:
    """`users` people, each asking one question, spread evenly over `spread` seconds."""

    server: BotApiServer
    first_user: int
    users: int
    asked_at: dict[int, float] = field(default_factory=dict)

    @property
    def chats(self) -> range:
        return range(self.first_user, self.first_user + self.users)

    def register(self) -> None:
        for chat in self.chats:
            self.server.user(chat, language_code=("ar", "en", "fr")[chat % 3])

    def ask(self, spread: float = 1.0) -> None:
        """Sends the questions, at even intervals over `spread` seconds (0: all at once)."""
        start = time.monotonic()
        for n, chat in enumerate(self.chats):
            if spread:
                delay = start + spread * n / self.users - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
            self.asked_at[chat] = time.monotonic()
            self.server.send_text({"id": chat}, QUESTIONS[n % len(QUESTIONS)])

    def answered_at(self) -> dict[int, float]:
        """The first accepted reply per chat that asked."""
        first: dict[int, float] = {}
        for attempt in self.server.accepted:
            if attempt.chat_id in self.asked_at and attempt.chat_id not in first:
                first[attempt.chat_id] = attempt.at
        return first

    def unanswered(self) -> int:
        return self.users - len(self.answered_at())

    def wait(self, stall: float, timeout: float) -> None:
        """Until everyone is answered, or no answer came for `stall` seconds."""
        deadline = time.monotonic() + timeout
        last, count = time.monotonic(), -1
        while time.monotonic() < deadline:
            answered = len(self.answered_at())
            if answered >= self.users:
                return
            if answered != count:
                last, count = time.monotonic(), answered
            elif time.monotonic() - last > stall:
                return
            time.sleep(0.25)

    def waits(self) -> list[float]:
        """Seconds from each question to its answer."""
        answered = self.answered_at()
        return sorted(answered[chat] - self.asked_at[chat] for chat in answered)

    def summary(self) -> JSONDict:
        waits = self.waits()
        elapsed = max(self.answered_at().values()) - min(self.asked_at.values()) if waits else 0.0
        return {
            "asked": self.users,
            "answered": len(waits),
            "p50_s": statistics.median(waits) if waits else None,
            "p99_s": waits[min(len(waits) - 1, int(len(waits) * 0.99))] if waits else None,
            "elapsed_s": elapsed,
            "per_second": len(waits) / elapsed if elapsed else 0.0,
        }
