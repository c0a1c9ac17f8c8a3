"""The send queue (bot/send_queue.py) and its rate limiter (bot/rate_limiter.py): who
goes first, the budget's pace, flood waits honoured by everyone, no reply dropped before
its maximum age; and the same budget and flood control shared through Redis.

Telegram is the local Bot API server with its limits on (a send inside a flood wait
restarts it); Redis is the local one at 127.0.0.1:6379, each test under its own prefix.
"""

from __future__ import annotations

import asyncio
import time
import uuid
from collections.abc import AsyncIterator, Iterator

import pytest
from bot_api_server import BotApiServer, busiest_second
from redis.asyncio import Redis
from telegram.ext import ExtBot

from bot.rate_limiter import QueueRateLimiter, SendArgs
from bot.redis_budget import RedisBudget, RedisFloodGate
from bot.send_queue import Limits, Priority, SendQueue
from handlers.flood import Flood, FloodGate
from handlers.sending import LostReply

REDIS_URL = "redis://127.0.0.1:6379/0"


@pytest.fixture(autouse=True)
def timedelta_retry_after(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PTB_TIMEDELTA", "1")


@pytest.fixture
def telegram() -> Iterator[BotApiServer]:
    with BotApiServer(global_rate=30, per_chat_rate=1) as server:
        for chat in range(1, 101):
            server.user(chat)
        yield server


def limited_bot(server: BotApiServer, queue: SendQueue) -> ExtBot[SendArgs]:
    return ExtBot(server.token, base_url=server.base_url, rate_limiter=QueueRateLimiter(queue))


@pytest.fixture
async def redis() -> AsyncIterator[tuple[Redis, str]]:
    """The local Redis and a prefix of this test's own, removed afterwards."""
    client = Redis.from_url(REDIS_URL)
    try:
        await client.ping()
    except OSError:
        pytest.skip("no Redis at 127.0.0.1:6379")
    prefix = f"rasmi-test:{uuid.uuid4().hex}:"
    yield client, prefix
    async for key in client.scan_iter(match=f"{prefix}*"):
        await client.delete(key)
    await client.aclose()


async def test_queries_go_first_then_replies_and_alerts_take_what_is_left() -> None:
    queue = SendQueue(Limits(per_second=20, tolerance=0))
    granted: list[str] = []

    async def send(name: str, priority: Priority, chat: int | None, budget: bool = True) -> None:
        await queue.acquire(priority, chat, budget=budget)
        granted.append(name)

    tasks = [asyncio.create_task(send(f"alert{n}", Priority.ALERT, 100 + n)) for n in range(3)]
    tasks += [asyncio.create_task(send(f"reply{n}", Priority.REPLY, n)) for n in range(3)]
    tasks.append(asyncio.create_task(send("query", Priority.QUERY, None)))
    # An alert whose budget slot was taken before its row was claimed is not held back.
    tasks.append(asyncio.create_task(send("claimed", Priority.ALERT, 200, budget=False)))
    await asyncio.gather(*tasks)
    await queue.close()
    assert granted == [
        *["query", "claimed", "reply0", "reply1", "reply2"],
        *["alert0", "alert1", "alert2"],
    ]


async def test_a_chat_gets_one_message_a_second_and_others_are_not_held_up() -> None:
    queue = SendQueue(Limits(per_second=100, chat_interval=1.0))
    times: dict[str, float] = {}
    start = time.monotonic()

    async def send(name: str, chat: int) -> None:
        await queue.acquire(Priority.REPLY, chat)
        times[name] = time.monotonic() - start

    await asyncio.gather(send("a1", 1), send("a2", 1), send("b1", 2))
    await queue.close()
    assert times["a2"] - times["a1"] >= 0.99
    assert times["b1"] < 0.5  # chat 2 did not wait behind chat 1's second message


async def test_a_burst_at_the_budget_meets_no_429(telegram: BotApiServer) -> None:
    """Three messages to each of 40 chats, all at once: the bot's pace alone keeps under
    Telegram's 30 a second and 1 a second per chat, so no request is refused."""
    queue = SendQueue(Limits())
    async with limited_bot(telegram, queue) as bot:
        await asyncio.gather(
            *(bot.send_message(chat, f"m{n}") for n in range(3) for chat in range(1, 41))
        )
    await queue.close()
    assert len(telegram.accepted) == 120
    assert telegram.too_many_requests == 0
    # 30 a second, plus the few slots of tolerance a sender may catch up on at once.
    assert busiest_second(a.at for a in telegram.accepted) <= 30 + Limits().tolerance + 1


async def test_a_flood_wait_pauses_every_send_and_every_reply_arrives(
    telegram: BotApiServer,
) -> None:
    """A 429 on one reply: nobody sends inside the wait (which would restart it), and
    both replies, the refused one and another chat's, arrive after it."""
    telegram.fail_next("sendMessage", retry_after=1)
    queue = SendQueue(Limits())
    async with limited_bot(telegram, queue) as bot:
        first = asyncio.create_task(bot.send_message(1, "first"))
        await asyncio.sleep(0.2)  # the 429 has come: chat 2's reply starts inside the wait
        await asyncio.gather(first, bot.send_message(2, "second"))
    await queue.close()
    [refused] = [a for a in telegram.attempts if a.status == 429]
    assert sorted(m["chat"]["id"] for m in telegram.sent()) == [1, 2]
    assert all(a.at >= refused.at + 1.0 for a in telegram.accepted)
    assert telegram.too_many_requests == 1 and telegram.restarted_floods == 0


async def test_a_reply_past_its_maximum_age_is_given_up_and_counted(
    telegram: BotApiServer,
) -> None:
    telegram.fail_next("sendMessage", retry_after=3)
    queue = SendQueue(Limits(max_age=1.0))
    async with limited_bot(telegram, queue) as bot:
        with pytest.raises(LostReply):
            await bot.send_message(1, "too late")
    await queue.close()
    assert queue.lost == 1 and telegram.sent() == []


async def test_replicas_share_one_budget_and_one_flood_wait_through_redis(
    redis: tuple[Redis, str],
) -> None:
    client, prefix = redis
    limits = Limits(per_second=10, tolerance=0)
    first = SendQueue(limits, RedisBudget(client, "one", prefix))
    second = SendQueue(limits, RedisBudget(client, "two", prefix))
    start = time.monotonic()
    await asyncio.gather(
        *(queue.acquire(Priority.REPLY, n) for n in range(10) for queue in (first, second))
    )
    # 20 slots at 10 a second over both: about 1.9 s, not the 0.9 s each alone would take.
    assert time.monotonic() - start >= 1.7
    await first.pause(1.0)
    assert await second.budget.paused_for() > 0.5
    paused = time.monotonic()
    await second.acquire(Priority.REPLY, 99)
    assert time.monotonic() - paused >= 0.9
    await first.close()
    await second.close()


async def test_alerts_wait_while_another_replica_has_replies_waiting(
    redis: tuple[Redis, str],
) -> None:
    client, prefix = redis
    limits = Limits(per_second=5, tolerance=0)
    replying = SendQueue(limits, RedisBudget(client, "replying", prefix))
    alerting = SendQueue(limits, RedisBudget(client, "alerting", prefix))
    granted: list[str] = []

    async def send(queue: SendQueue, name: str, priority: Priority, chat: int) -> None:
        await queue.acquire(priority, chat)
        granted.append(name)

    replies = [asyncio.create_task(send(replying, f"r{n}", Priority.REPLY, n)) for n in range(5)]
    await asyncio.sleep(0.1)  # the replies are waiting (5 a second: a second's worth)
    alert = asyncio.create_task(send(alerting, "alert", Priority.ALERT, 100))
    await asyncio.gather(*replies, alert)
    await replying.close()
    await alerting.close()
    assert granted[-1] == "alert"


async def test_flood_control_counts_a_user_over_every_replica(
    redis: tuple[Redis, str],
) -> None:
    client, prefix = redis
    gate = FloodGate(limit=3, window=10)
    one = RedisFloodGate(client, gate, "one", prefix)
    two = RedisFloodGate(client, gate, "two", prefix)
    verdicts = [await (one if n % 2 else two).check(7) for n in range(6)]
    assert verdicts == [Flood.OK] * 3 + [Flood.NOTICE, Flood.DROP, Flood.DROP]
    assert await one.check(8) is Flood.OK  # another user is not affected
