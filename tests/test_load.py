"""Every question answered under Telegram's limits, alerts that give way, and replicas,
with the real `rasmi run` processes against the local Bot API server, its limits on (30
messages a second per bot, 1 a second per chat, a send inside a flood wait restarts it).

Small sizes, so the suite stays quick; bench/load_bench.py runs the full ones (1,000
users, 10,000 notices) and prints the times. The replica test needs PostgreSQL
(RASMI_TEST_DATABASE_URL) and Redis at 127.0.0.1:6379.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import signal
import socket
import subprocess
import time
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from bot_api_server import BotApiServer
from bot_process import start_bot, stop
from replicas import Burst, free_port, round_robin_proxy, start_replicas, wait_for_ports

from db.engine import open_database
from db.importer import import_path
from db.repositories.alerts import ALL, EVERYTHING, AlertRepository
from knowledge.registry import BUNDLED_REGISTRY

START_WAIT = 60.0
FIRST_SUBSCRIBER = 700_000
FIRST_USER = 800_000
REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture
def telegram() -> Iterator[BotApiServer]:
    with BotApiServer(global_rate=30, per_chat_rate=1) as server:
        yield server


def wait(
    condition: Callable[[], bool], what: str, timeout: float, *alive: subprocess.Popen[bytes]
) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        for process in alive:
            if process.poll() is not None:
                pytest.fail(f"a bot exited with code {process.returncode} waiting for {what}")
        if time.monotonic() > deadline:
            pytest.fail(f"no {what} within {timeout:.0f} s")
        time.sleep(0.2)


def polling(server: BotApiServer) -> bool:
    return any(method == "getUpdates" for method, _ in server.calls)


async def queue_notice(database_url: str, subscribers: int) -> None:
    """The bundled registry, subscribers of everything, and one message for all, due now."""
    async with open_database(database_url) as sessions:
        await import_path(sessions, BUNDLED_REGISTRY)
        async with sessions() as session, session.begin():
            repository = AlertRepository(session)
            for n in range(subscribers):
                await repository.subscribe(FIRST_SUBSCRIBER + n, "en", ALL, EVERYTHING)
            await repository.schedule_message(
                None,
                None,
                {"ar": "تنبيه", "en": "An alert", "fr": "Une alerte"},
                dt.datetime.now(dt.UTC),
            )


def notices(server: BotApiServer, subscribers: int) -> Counter[int]:
    chats = range(FIRST_SUBSCRIBER, FIRST_SUBSCRIBER + subscribers)
    return Counter(a.chat_id for a in server.accepted if a.chat_id in chats)


def test_a_burst_of_questions_is_all_answered_without_a_429(
    telegram: BotApiServer, database_url: str, tmp_path: Path
) -> None:
    """150 users ask within one second: 5 s of Telegram's budget. Every one is answered,
    and the bot's own pace never meets a 429."""
    burst = Burst(telegram, FIRST_USER, 150)
    burst.register()
    bot = start_bot(telegram, database_url, tmp_path / "bot.log")
    try:
        wait(lambda: polling(telegram), "polling", START_WAIT, bot)
        burst.ask(spread=1.0)
        wait(lambda: burst.unanswered() == 0, "answer for everyone", 60, bot)
    finally:
        stop(bot)
    assert telegram.too_many_requests == 0
    assert telegram.errors == []


def test_questions_during_a_broadcast_come_first_and_the_broadcast_resumes(
    telegram: BotApiServer, database_url: str, tmp_path: Path
) -> None:
    subscribers = 300
    asyncio.run(queue_notice(database_url, subscribers))
    for n in range(subscribers):
        telegram.user(FIRST_SUBSCRIBER + n)
    burst = Burst(telegram, FIRST_USER, 100)
    burst.register()
    bot = start_bot(telegram, database_url, tmp_path / "bot.log")
    try:
        wait(lambda: len(notices(telegram, subscribers)) >= 30, "broadcast", START_WAIT, bot)
        burst.ask(spread=1.0)
        wait(lambda: burst.unanswered() == 0, "answer for everyone", 60, bot)
        last_answer = max(burst.answered_at().values())
        wait(lambda: len(notices(telegram, subscribers)) == subscribers, "all notices", 60, bot)
    finally:
        stop(bot)
    received = notices(telegram, subscribers)
    alerts = [a.at for a in telegram.accepted if a.chat_id in received]
    during = [at for at in alerts if min(burst.asked_at.values()) < at < last_answer]
    assert max(received.values()) == 1, "a notice was sent twice"
    assert any(at > last_answer for at in alerts), "the broadcast did not resume"
    # Replies go first: while the 100 answers (over 3 s of budget) went out, alerts only
    # got slots no reply was waiting for.
    assert len(during) < 30
    assert telegram.too_many_requests == 0


def redis_available() -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", 6379)) == 0


def test_two_replicas_share_the_work_and_survive_a_kill(
    telegram: BotApiServer, database_url: str, tmp_path: Path
) -> None:
    """Two webhook replicas behind a round-robin proxy, on PostgreSQL and Redis: one is
    killed while the broadcast runs. The other finishes it (the dead one's claimed row
    comes back when its lease runs out) and answers every question asked after the kill."""
    if not database_url.startswith("postgres") or not redis_available():
        pytest.skip("replicas need PostgreSQL (RASMI_TEST_DATABASE_URL) and Redis")
    subscribers = 200
    asyncio.run(queue_notice(database_url, subscribers))
    for n in range(subscribers):
        telegram.user(FIRST_SUBSCRIBER + n)
    burst = Burst(telegram, FIRST_USER, 40)
    burst.register()
    ports = [free_port(), free_port()]
    with round_robin_proxy(ports) as proxy:
        replicas = start_replicas(
            telegram, database_url, tmp_path, proxy, ports, None, REDIS_URL=REDIS_URL
        )
        try:
            wait_for_ports(ports, replicas, START_WAIT)
            wait(lambda: len(notices(telegram, subscribers)) >= 60, "broadcast", 60, *replicas)
            replicas[0].send_signal(signal.SIGKILL)
            replicas[0].wait()
            burst.ask(spread=1.0)
            wait(lambda: burst.unanswered() == 0, "answer for everyone", 60, replicas[1])
            wait(
                lambda: len(notices(telegram, subscribers)) == subscribers,
                "all notices",
                90,
                replicas[1],
            )
        finally:
            for replica in replicas:
                stop(replica)
    received = notices(telegram, subscribers)
    # The killed replica had at most one row in flight: its chat may get it twice.
    assert sum(received.values()) - len(received) <= 1
    assert telegram.too_many_requests == 0
    logs = "".join(p.read_text(errors="replace") for p in tmp_path.glob("replica-*.log"))
    assert "Traceback" not in logs
