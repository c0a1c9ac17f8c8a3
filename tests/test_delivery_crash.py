"""Crash safety of alert delivery, with the real ``rasmi run`` process.

The outbox promises "at least once, with the smallest window" (bot/delivery.py): a row is
committed as ``sending`` before its message leaves and as ``sent`` after Telegram confirms,
one message at a time, so a crash can leave at most one row whose fate is unknown, and the
next start sends that one again. Only a real process killed without warning can show that
the promise holds, so here the bot is started exactly as a deployment starts it, against
the local Bot API server (tests/bot_api_server.py), and killed with SIGKILL at the worst
moment there is: while Telegram is accepting one of its messages, so that the message is
delivered but the bot never learns it. Then it is started again and must finish the job.

Runs on SQLite, or on PostgreSQL when RASMI_TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import subprocess
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest
from bot_api_server import BotApiServer, JSONDict
from bot_process import outbox_status, start_bot, stop

from db.engine import open_database
from db.repositories.alerts import ALL, EVERYTHING, QUEUED, SENDING, SENT, AlertRepository

SUBSCRIBERS = 150
KILL_AT = 45
"""The bot is killed while Telegram accepts this message: 30 to 60 in, as the plan says."""
ALERTS_PER_SECOND = 20
PACE = {"ALERTS_PER_SECOND": str(ALERTS_PER_SECOND)}
START_WAIT = 45.0
"""Start-up migrates the database and imports the bundled registry before any alert."""
FINISH_WAIT = 40.0
STOP_WAIT = 20.0
FIRST_CHAT = 50_000


class KillingServer(BotApiServer):
    """The local Bot API server that kills the `victim` once it has accepted `kill_at`
    messages, before the answer to the last one leaves: that message is stored (the chat
    got it) and the answer never reaches the bot. The bot sends one message at a time, so
    the request that makes the count is the one in flight."""

    def __init__(self, kill_at: int) -> None:
        super().__init__()
        self.kill_at = kill_at
        self.victim: subprocess.Popen[bytes] | None = None
        self.killed = threading.Event()
        self._killing = threading.Lock()

    def handle(self, path: str, content_type: str, body: bytes) -> tuple[int, JSONDict]:
        answer = super().handle(path, content_type, body)
        with self._killing:
            if (
                self.victim is not None
                and not self.killed.is_set()
                and len(self.accepted) >= self.kill_at
            ):
                self.victim.send_signal(signal.SIGKILL)
                self.victim.wait()
                self.killed.set()
        return answer


def wait(
    condition: Callable[[], bool], what: str, timeout: float, alive: subprocess.Popen[bytes]
) -> None:
    """Polls `condition` until it holds; fails at once if the bot process died."""
    deadline = time.monotonic() + timeout
    while not condition():
        if alive.poll() is not None:
            pytest.fail(f"the bot exited with code {alive.returncode} while waiting for {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {timeout:.0f} s")
        time.sleep(0.2)


async def queue_notice(database_url: str) -> int:
    """Before the bot starts: the subscribers, and one message for all of them, due now."""
    async with open_database(database_url) as sessions, sessions() as session, session.begin():
        repository = AlertRepository(session)
        for n in range(SUBSCRIBERS):
            await repository.subscribe(FIRST_CHAT + n, ("ar", "en", "fr")[n % 3], ALL, EVERYTHING)
        _, queued = await repository.schedule_message(
            None,
            None,
            {"ar": "رسالة تجريبية", "en": "A test message", "fr": "Un message d'essai"},
            dt.datetime.now(dt.UTC),
        )
    return queued


def test_a_killed_bot_resumes_its_alerts_with_at_most_one_duplicate(
    database_url: str, tmp_path: Path
) -> None:
    """SIGKILL while a message is in flight, then a restart: every subscriber gets the
    notice, and at most one gets it twice (the one in flight)."""
    assert asyncio.run(queue_notice(database_url)) == SUBSCRIBERS
    chats = [FIRST_CHAT + n for n in range(SUBSCRIBERS)]
    started = time.monotonic()
    with KillingServer(KILL_AT) as server:
        for chat in chats:
            server.user(chat)

        first = start_bot(server, database_url, tmp_path / "first.log", **PACE)
        server.victim = first
        try:
            wait(server.killed.is_set, f"{KILL_AT} alerts", START_WAIT, first)
        finally:
            stop(first, STOP_WAIT)
            first_log = (tmp_path / "first.log").read_text(encoding="utf-8", errors="replace")
            print(f"--- first run (killed) ---\n{first_log}")
        at_crash = outbox_status(database_url)
        delivered_before = len(server.sent())

        second = start_bot(server, database_url, tmp_path / "second.log", **PACE)
        try:
            wait(
                lambda: {m["chat"]["id"] for m in server.sent()} >= set(chats),
                "alert for every subscriber",
                START_WAIT + FINISH_WAIT,
                second,
            )
            wait(
                lambda: (s := outbox_status(database_url))[QUEUED] + s[SENDING] == 0,
                "empty outbox",
                FINISH_WAIT,
                second,
            )
        finally:
            code = stop(second, STOP_WAIT)
        second_log = (tmp_path / "second.log").read_text(encoding="utf-8", errors="replace")
        print(f"--- second run (exit code {code}) ---\n{second_log}")

    received = Counter(message["chat"]["id"] for message in server.sent())
    duplicates = sum(received.values()) - len(received)
    after = outbox_status(database_url)
    after_crash = [attempt.at for attempt in server.accepted[delivered_before:]]
    pace = (len(after_crash) - 1) / (after_crash[-1] - after_crash[0])
    print(
        f"\n{SUBSCRIBERS} subscribers; killed while the {KILL_AT}th alert was being accepted; "
        f"rows 'sending' at the crash: {at_crash[SENDING]}, sent: {at_crash[SENT]}; "
        f"messages before the crash {delivered_before}, after {len(after_crash)}; "
        f"received by {len(received)} chats, duplicates {duplicates}; "
        f"pace after restart {pace:.1f}/s (configured {ALERTS_PER_SECOND}); "
        f"{time.monotonic() - started:.1f} s in all"
    )

    assert at_crash[SENDING] == 1, "the kill should have caught exactly one alert in flight"
    assert at_crash[SENT] == KILL_AT - 1
    assert set(received) == set(chats), "a subscriber never got the notice"
    assert duplicates <= 1, f"{duplicates} duplicates: the policy allows one"
    assert after[SENT] == SUBSCRIBERS and after[QUEUED] == after[SENDING] == 0
    assert "were being sent when the bot stopped" in second_log
    assert code == 0, f"the bot did not stop cleanly on SIGTERM (exit code {code})"
    assert server.errors == []
