"""Alerts from the registry to the chats: fan-out into the outbox, then `OutboxSender` draining
it through python-telegram-bot's real `telegram.Bot` into the local Bot API server
(tests/bot_api_server.py), on SQLite, or on PostgreSQL when RASMI_TEST_DATABASE_URL is set.

The repository's unit of truth is the outbox row; what a subscriber experiences is the
messages Telegram accepted. So every test checks both: the rows (state, language, time) and
what the server received (text, chat, and when). The server is Telegram as far as PTB can
tell, so the errors the sender must survive (429 with retry_after, 403 for a blocked bot,
400 with migrate_to_chat_id) come as PTB's own exceptions, not as mocks.

Time is real, except where an alert belongs hours away (a daily digest): there the sender's
idea of the current time (`bot.delivery._utcnow`) is moved forward instead of waiting.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import itertools
import re
import threading
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Self

import pytest
from bot_api_server import Attempt, BotApiServer, busiest_second
from pydantic import SecretStr
from registry_edits import edit
from sqlalchemy import select
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot

import bot.delivery
from bot.app import build_application, prepare
from bot.delivery import OutboxSender, Pace
from bot.settings import Settings
from db.importer import import_path
from db.registry_index import IndexCache
from db.repositories.alerts import (
    ALL,
    CANCELLED,
    ENTITY,
    EVERYTHING,
    KIND,
    NOTICE,
    OUTBOX,
    QUEUED,
    SENDING,
    SENT,
    SUBSCRIBER,
    AlertRepository,
    next_digest_time,
)

Sessions = async_sessionmaker[AsyncSession]

DRAIN_TIMEOUT = 40.0
"""Longest a test waits for the outbox to empty; the slowest test needs about 20 s."""

MOH_AR, MOH_EN, MOH_FR = "وزارة الصحة", "Ministry of Health", "Ministère de la Santé"
OLD_HANDLE = re.compile(r"@SaudiMOH(?![_A-Za-z0-9])")
"""The old handle as a whole word: '@SaudiMOH' is also the start of '@SaudiMOH_new'."""


# ---------------------------------------------------------------------------------------
# What the server saw: the pace is judged by the times of its sendMessage answers
# ---------------------------------------------------------------------------------------


def texts_of(server: BotApiServer, chat_id: int) -> list[str]:
    return [str(message["text"]) for message in server.sent(chat_id)]


def shortest_gap_per_chat(accepted: Sequence[Attempt]) -> float:
    """The shortest time between two accepted messages to the same chat (inf if none)."""
    last: dict[int, float] = {}
    shortest = float("inf")
    for item in sorted(accepted, key=lambda a: a.at):
        if item.chat_id in last:
            shortest = min(shortest, item.at - last[item.chat_id])
        last[item.chat_id] = item.at
    return shortest


# ---------------------------------------------------------------------------------------
# The database side
# ---------------------------------------------------------------------------------------


async def subscribe(
    sessions: Sessions,
    chat_id: int,
    lang: str,
    scope: str = ALL,
    target: str = EVERYTHING,
    digest_hour: int | None = None,
) -> None:
    async with sessions() as session, session.begin():
        repository = AlertRepository(session)
        await repository.subscribe(chat_id, lang, scope, target)
        if digest_hour is not None:
            await repository.set_digest(chat_id, digest_hour)


@dataclass(frozen=True)
class Row:
    """An outbox row with what the tests look at."""

    chat_id: int
    lang: str
    state: str
    entity_id: str | None
    notice_id: int
    digest: bool
    next_attempt_at: dt.datetime


async def outbox(sessions: Sessions) -> list[Row]:
    async with sessions() as session:
        result = await (await session.connection()).execute(
            select(
                OUTBOX.c.chat_id,
                OUTBOX.c.lang,
                OUTBOX.c.state,
                NOTICE.c.entity_id,
                OUTBOX.c.notice_id,
                OUTBOX.c.digest,
                OUTBOX.c.next_attempt_at,
            )
            .join(NOTICE, NOTICE.c.id == OUTBOX.c.notice_id)
            .order_by(OUTBOX.c.id)
        )
        return [Row(*row) for row in result.all()]


async def is_active(sessions: Sessions, chat_id: int) -> bool | None:
    async with sessions() as session:
        result = await (await session.connection()).execute(
            select(SUBSCRIBER.c.active).where(SUBSCRIBER.c.chat_id == chat_id)
        )
        active = result.scalar_one_or_none()
        return None if active is None else bool(active)


def utc(value: dt.datetime) -> dt.datetime:
    """SQLite gives back naive datetimes for timezone-aware columns; they are UTC."""
    return value if value.tzinfo else value.replace(tzinfo=dt.UTC)


async def pending(sessions: Sessions, horizon: dt.timedelta) -> int:
    """Rows still to send (queued or sending) that are due within `horizon`."""
    limit = dt.datetime.now(dt.UTC) + horizon
    return sum(
        1
        for row in await outbox(sessions)
        if row.state in (QUEUED, SENDING) and utc(row.next_attempt_at) <= limit
    )


async def deliver_all(
    sender: OutboxSender,
    sessions: Sessions,
    horizon: dt.timedelta = dt.timedelta(minutes=5),
    during: Callable[[], None] | None = None,
) -> None:
    """Drains back to back (`drain(1.0)` again and again, the bot's job without its
    scheduling) until nothing due within `horizon` is left; `during()` runs between
    drains, to change the world mid-delivery."""
    deadline = time.monotonic() + DRAIN_TIMEOUT
    while await pending(sessions, horizon):
        assert time.monotonic() < deadline, f"the outbox did not empty in {DRAIN_TIMEOUT} s"
        await sender.drain(1.0)
        if during is not None:
            during()
        await asyncio.sleep(0.02)


# ---------------------------------------------------------------------------------------
# Fixtures
# ---------------------------------------------------------------------------------------


@pytest.fixture
def server() -> Iterator[BotApiServer]:
    """Telegram without flood limits: what the sender does, not what it is allowed."""
    with BotApiServer() as running:
        yield running


@pytest.fixture
def limited() -> Iterator[BotApiServer]:
    """Telegram with its documented limits: 30 messages a second, one a second per chat."""
    with BotApiServer(global_rate=30, per_chat_rate=1) as running:
        yield running


@pytest.fixture
async def index(sessions: Sessions) -> IndexCache:
    return IndexCache(sessions)


@pytest.fixture
async def imported(sessions: Sessions, example_registry: Path) -> Path:
    """The example registry imported once: the baseline, which alerts nobody."""
    result = await import_path(sessions, example_registry)
    assert result.baseline and result.alerts_queued == 0
    return example_registry


class Sending:
    """Senders bound to a server, with the index they render from. On leaving, their bots
    are shut down and the server must not have failed itself."""

    def __init__(self, sessions: Sessions, index: IndexCache, server: BotApiServer) -> None:
        self.sessions, self.index, self.server = sessions, index, server
        self.bots: list[Bot] = []

    async def sender(self, pace: Pace | None = None) -> OutboxSender:
        await self.index.current()
        ptb = Bot(self.server.token, base_url=self.server.base_url)
        await ptb.initialize()
        self.bots.append(ptb)
        cache = self.index
        return OutboxSender(self.sessions, ptb, index=lambda: cache.latest, pace=pace or Pace())

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        for ptb in self.bots:
            await ptb.shutdown()
        assert self.server.errors == []


@pytest.fixture
async def sending(
    sessions: Sessions, index: IndexCache, server: BotApiServer
) -> AsyncIterator[Sending]:
    async with Sending(sessions, index, server) as made:
        yield made


@pytest.fixture
async def sending_limited(
    sessions: Sessions, index: IndexCache, limited: BotApiServer
) -> AsyncIterator[Sending]:
    async with Sending(sessions, index, limited) as made:
        yield made


# ---------------------------------------------------------------------------------------
# 1. Fan-out: who gets a notice, in which language
# ---------------------------------------------------------------------------------------


async def test_a_changed_handle_reaches_exactly_its_followers_in_their_language(
    sessions: Sessions, imported: Path, sending: Sending, server: BotApiServer
) -> None:
    """Following an entity, its kind, or everything all lead to the notice, once per chat
    even when several subscriptions match; following another entity, or having blocked
    the bot, does not."""
    a, b, c, d, e = 1001, 1002, 1003, 1004, 1005
    await subscribe(sessions, a, "ar", ENTITY, "moh")
    await subscribe(sessions, b, "en", ALL, EVERYTHING)
    await subscribe(sessions, b, "en", ENTITY, "moh")  # twice matched, still one notice
    await subscribe(sessions, c, "fr", KIND, "ministry")
    await subscribe(sessions, d, "en", ENTITY, "hrsd")
    await subscribe(sessions, e, "ar", ENTITY, "moh")
    async with sessions() as session, session.begin():
        await AlertRepository(session).deactivate(e, "Forbidden: bot was blocked by the user")
    for chat in (a, b, c, d, e):
        server.user(chat)

    edit(imported, "handle: SaudiMOH\n", "handle: SaudiMOH_new\n")
    result = await import_path(sessions, imported)

    assert result.alerts_queued == 3
    rows = await outbox(sessions)
    assert sorted((r.chat_id, r.lang, r.entity_id, r.state) for r in rows) == [
        (a, "ar", "moh", QUEUED),
        (b, "en", "moh", QUEUED),
        (c, "fr", "moh", QUEUED),
    ]
    assert len({r.notice_id for r in rows}) == 1

    await deliver_all(await sending.sender(), sessions)

    assert {r.state for r in await outbox(sessions)} == {SENT}
    [arabic], [english], [french] = texts_of(server, a), texts_of(server, b), texts_of(server, c)
    assert server.sent(d) == [] and server.sent(e) == []
    for text in (arabic, english, french):
        assert OLD_HANDLE.search(text), text
        assert "@SaudiMOH_new" in text, text
    assert MOH_AR in arabic and "Update to" not in arabic, arabic
    assert MOH_EN in english and "Update to the official accounts of" in english, english
    assert MOH_FR in french and "Update to" not in french, french


# ---------------------------------------------------------------------------------------
# 2. Telegram's limits, flood waits, blocked users and a migrated group
# ---------------------------------------------------------------------------------------

STORM_SUBSCRIBERS = 300
STORM_BLOCKED_EVERY = 10
STORM_429S = 3
"""Injected 429s per storm; each costs the sender a one-second pause."""
GROUP, SUPERGROUP = -4001, -1004001
STORM_PACE = Pace(per_second=25, per_chat_interval=1.0, max_attempts=6, backoff=0.5)


async def test_a_fan_out_under_telegrams_limits_arrives_exactly_once_at_the_configured_pace(
    sessions: Sessions, imported: Path, sending_limited: Sending, limited: BotApiServer
) -> None:
    """The whole delivery story at once, against a server that enforces 30/s and 1/s per
    chat: two storms of 429s (at the start and mid-way), a tenth of the users blocked the
    bot, one group became a supergroup. Every notice that can arrive arrives once; the
    blocked chats are asked once and dropped; the group's subscription follows it; and
    the sender, set to 25/s, never goes faster, so the server never has to refuse."""
    server = limited
    chats = list(range(20_000, 20_000 + STORM_SUBSCRIBERS))
    blocked = set(chats[::STORM_BLOCKED_EVERY])
    async with sessions() as session, session.begin():
        repository = AlertRepository(session)
        for n, chat in enumerate(chats):
            await repository.subscribe(chat, ("ar", "en", "fr")[n % 3], ALL, EVERYTHING)
        await repository.subscribe(GROUP, "en", ALL, EVERYTHING)
    for chat in chats:
        server.user(chat)
    for chat in blocked:
        server.block(chat)
    server.group(GROUP, "Followers")
    server.migrate(GROUP, SUPERGROUP)

    edit(imported, "handle: SaudiMOH\n", "handle: SaudiMOH_new\n")
    assert (await import_path(sessions, imported)).alerts_queued == STORM_SUBSCRIBERS + 1

    server.fail_next("sendMessage", 429, retry_after=1, times=STORM_429S)
    second_storm = threading.Event()

    def storm_midway() -> None:
        if not second_storm.is_set() and len(server.accepted) >= 100:
            second_storm.set()
            server.fail_next("sendMessage", 429, retry_after=1, times=STORM_429S)

    started = time.monotonic()
    await deliver_all(await sending_limited.sender(STORM_PACE), sessions, during=storm_midway)
    took = time.monotonic() - started

    deliverable = [chat for chat in chats if chat not in blocked] + [SUPERGROUP]
    received = Counter(item.chat_id for item in server.accepted)
    assert received == Counter(deliverable), "not every notice arrived exactly once"
    assert all(OLD_HANDLE.search(text) for text in texts_of(server, SUPERGROUP))

    rows = await outbox(sessions)
    assert Counter(r.state for r in rows) == {SENT: len(deliverable), CANCELLED: len(blocked)}
    assert {r.chat_id for r in rows if r.state == CANCELLED} == blocked
    for chat in blocked:
        assert await is_active(sessions, chat) is False
        answers = server.answers(chat)  # an injected 429 may come before the 403
        assert answers[-1] == 403 and answers.count(403) == 1, f"chat {chat}: {answers}"

    async with sessions() as session:
        repository = AlertRepository(session)
        assert await repository.subscriptions(GROUP) == []
        assert [(s, t) for _, s, t in await repository.subscriptions(SUPERGROUP)] == [
            (ALL, EVERYTHING)
        ]
        assert await repository.subscriber(GROUP) is None
    answers = server.answers(GROUP)
    assert answers[-1] == 400 and answers.count(400) == 1, answers

    times = [item.at for item in server.accepted]
    print(
        f"\n{len(deliverable)} delivered in {took:.1f} s, {len(blocked)} blocked, "
        f"{server.too_many_requests} 429s, busiest second {busiest_second(times)} messages"
    )
    assert second_storm.is_set()
    assert server.too_many_requests == 2 * STORM_429S, "the server had to refuse: too fast"
    # The sender spaces requests as they leave; the server sees them after a database
    # commit and an HTTP round trip whose jitter can bring one more into a window.
    assert busiest_second(times) <= STORM_PACE.per_second + 1
    assert shortest_gap_per_chat(server.accepted) >= STORM_PACE.per_chat_interval


async def test_a_blocked_chat_and_a_migrated_group_with_several_notices_are_asked_once(
    sessions: Sessions, sending: Sending, server: BotApiServer
) -> None:
    """A chat that blocked the bot has all its queued notices cancelled by the first 403;
    none of them may be tried again (each try is a request Telegram counts against the
    bot). Likewise the old id of a migrated group: once moved, its other notices go to the
    new id."""
    blocked, group, supergroup, reader = 6001, -6002, -1006002, 6003
    for chat, lang in ((blocked, "en"), (group, "en"), (reader, "fr")):
        await subscribe(sessions, chat, lang)
    server.user(blocked)
    server.user(reader)
    server.block(blocked)
    server.group(group)
    server.migrate(group, supergroup)
    async with sessions() as session, session.begin():
        repository = AlertRepository(session)
        for n in range(3):
            await repository.schedule_message(
                None, None, {"en": f"Notice {n}"}, dt.datetime.now(dt.UTC)
            )

    await deliver_all(await sending.sender(Pace(per_second=50)), sessions)

    assert server.answers(blocked) == [403], "the blocked chat was asked again"
    assert server.answers(group) == [400], "the group's old id was asked again"
    # The notice that met the migration is queued again behind the others: order is lost.
    assert sorted(t.splitlines()[-3] for t in texts_of(server, supergroup)) == [
        "Notice 0",
        "Notice 1",
        "Notice 2",
    ]
    assert len(server.sent(reader)) == 3
    assert Counter(r.state for r in await outbox(sessions)) == {SENT: 6, CANCELLED: 3}


async def test_a_group_that_migrated_after_its_supergroup_subscribed_gets_the_notice_once(
    sessions: Sessions, sending: Sending, server: BotApiServer
) -> None:
    """A group becomes a supergroup and someone subscribes again there before the bot
    learns of the move: both ids follow everything, so a notice is queued for both. When
    the old id answers 'migrated', the subscriptions merge and the supergroup still gets
    the notice once; nothing is left stuck in 'sending'."""
    group, supergroup = -7001, -1007001
    await subscribe(sessions, group, "en")
    await subscribe(sessions, supergroup, "en")
    server.group(group)
    server.migrate(group, supergroup)
    async with sessions() as session, session.begin():
        await AlertRepository(session).schedule_message(
            None, None, {"en": "Hello"}, dt.datetime.now(dt.UTC)
        )

    await deliver_all(await sending.sender(), sessions)

    assert len(server.sent(supergroup)) == 1
    async with sessions() as session:
        repository = AlertRepository(session)
        assert [(s, t) for _, s, t in await repository.subscriptions(supergroup)] == [
            (ALL, EVERYTHING)
        ]
        assert await repository.subscriber(group) is None
    assert {r.state for r in await outbox(sessions)} <= {SENT, CANCELLED}


# ---------------------------------------------------------------------------------------
# 3. One chat, several notices: the per-chat pace, and the daily digest
# ---------------------------------------------------------------------------------------


async def test_several_notices_for_one_chat_are_a_second_apart(
    sessions: Sessions, sending_limited: Sending, limited: BotApiServer
) -> None:
    """Telegram allows about one message a second per chat: three notices queued at once
    for one chat leave one per interval, in the order they were queued, while other
    chats are served in between."""
    server = limited
    busy, others = 3001, [3002, 3003, 3004]
    for chat in (busy, *others):
        await subscribe(sessions, chat, "en")
        server.user(chat)
    now = dt.datetime.now(dt.UTC)
    async with sessions() as session, session.begin():
        for n in range(3):
            await AlertRepository(session).schedule_message(None, None, {"en": f"Part {n}"}, now)

    await deliver_all(await sending_limited.sender(), sessions)

    assert [t.splitlines()[-3] for t in texts_of(server, busy)] == ["Part 0", "Part 1", "Part 2"]
    mine = [item.at for item in server.accepted if item.chat_id == busy]
    gaps = [later - earlier for earlier, later in itertools.pairwise(mine)]
    assert min(gaps) >= 1.0, gaps
    assert shortest_gap_per_chat(server.accepted) >= 1.0
    first_round = {item.chat_id for item in server.accepted[:4]}
    assert first_round == {busy, *others}, "the other chats waited for the busy one"
    assert all(len(server.sent(chat)) == 3 for chat in others)
    assert server.too_many_requests == 0


async def test_paid_broadcasts_go_beyond_the_free_budget_exactly_once_each(
    sessions: Sessions, sending_limited: Sending, limited: BotApiServer
) -> None:
    """ALERTS_PAID_BROADCAST: every alert carries allow_paid_broadcast, so Telegram holds
    them to its 1,000/s instead of 30/s; several workers send at once, none claims a row
    another has (SQLite has no row locks), and nobody meets a 429."""
    server = limited
    chats = range(40_000, 40_240)
    for chat in chats:
        await subscribe(sessions, chat, "en")
        server.user(chat)
    async with sessions() as session, session.begin():
        await AlertRepository(session).schedule_message(
            None, None, {"en": "Urgent"}, dt.datetime.now(dt.UTC)
        )
    pace = Pace(per_second=200, paid_broadcast=True, workers=8)

    await deliver_all(await sending_limited.sender(pace), sessions)

    assert Counter(item.chat_id for item in server.accepted) == Counter(chats)
    assert server.paid_messages == len(chats)
    assert all(
        params.get("allow_paid_broadcast")
        for method, params in server.calls
        if method == "sendMessage"
    )
    assert server.too_many_requests == 0
    assert busiest_second(item.at for item in server.accepted) > 30  # beyond the free cap


@pytest.fixture
def fake_now(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[dt.datetime | None]]:
    """The sender's current time, settable: [None] is the real clock."""
    now: list[dt.datetime | None] = [None]
    real = bot.delivery._utcnow
    monkeypatch.setattr(bot.delivery, "_utcnow", lambda: now[0] or real())
    yield now


def digest_hour_ahead(hours: int) -> int:
    return (dt.datetime.now(dt.UTC).hour + hours) % 24


async def test_digest_subscribers_get_one_message_with_both_notices_at_their_hour(
    sessions: Sessions,
    imported: Path,
    sending: Sending,
    server: BotApiServer,
    fake_now: list[dt.datetime | None],
) -> None:
    """A daily digest gathers the day's notices: none is sent before the chat's hour, and
    at the hour one message carries them all, in the chat's language. A chat without a
    digest gets each notice at once."""
    hour = digest_hour_ahead(3)
    immediate, digests = 3101, {3102: "ar", 3103: "en", 3104: "fr"}
    await subscribe(sessions, immediate, "en")
    for chat, lang in digests.items():
        await subscribe(sessions, chat, lang, digest_hour=hour)
    for chat in (immediate, *digests):
        server.user(chat)

    edit(imported, "handle: SaudiMOH\n", "handle: SaudiMOH_new\n")
    edit(imported, "handle: HRSD_SA\n", "handle: HRSD_KSA\n")
    before = dt.datetime.now(dt.UTC)
    assert (await import_path(sessions, imported)).alerts_queued == 2 * 4
    at = next_digest_time(before, hour)

    rows = await outbox(sessions)
    assert {(r.chat_id, r.entity_id) for r in rows if r.digest} == {
        (chat, entity) for chat in digests for entity in ("moh", "hrsd")
    }
    assert {utc(r.next_attempt_at) for r in rows if r.digest} == {at}
    sender = await sending.sender()
    await deliver_all(sender, sessions)
    assert len(server.sent(immediate)) == 2
    assert all(server.sent(chat) == [] for chat in digests), "a digest left before its hour"

    fake_now[0] = at - dt.timedelta(minutes=1)
    await sender.drain(1.0)
    assert all(server.sent(chat) == [] for chat in digests), "a digest left before its hour"

    fake_now[0] = at + dt.timedelta(minutes=1)
    await deliver_all(sender, sessions, horizon=dt.timedelta(hours=25))

    for chat in digests:
        [digest] = texts_of(server, chat)
        assert "@SaudiMOH_new" in digest and "@HRSD_KSA" in digest, digest
    assert MOH_AR in texts_of(server, 3102)[0]
    assert MOH_FR in texts_of(server, 3104)[0]
    assert "digest" in texts_of(server, 3103)[0]
    assert {r.state for r in await outbox(sessions)} == {SENT}


@pytest.mark.parametrize(
    ("interval", "count"),
    [
        pytest.param(1.0, 40, id="interval-1s"),
        pytest.param(0.25, 12, id="interval-0.25s"),
    ],
)
async def test_many_digest_subscribers_each_get_exactly_one_digest(
    sessions: Sessions,
    imported: Path,
    sending: Sending,
    server: BotApiServer,
    fake_now: list[dt.datetime | None],
    interval: float,
    count: int,
) -> None:
    """At a popular hour many chats' digests fall due together, more than the sender
    sends in one per-chat interval. Each chat must still get one message with both
    notices, and never a second one repeating a notice it already got.

    The sender reads rows in batches, and a batch holds each chat's two rows; the first
    one sends both. With the default interval (1 s, also the drain's budget) the chat
    still waits when the sender reaches its second row. With a shorter interval (a
    legitimate ALERTS_PER_CHAT_INTERVAL) the wait is over by then: 12 chats take about
    0.5 s at 25/s, twice the 0.25 s interval, within one drain, so the sender meets rows
    it read as queued that are sent by now, and must not send them again."""
    hour = digest_hour_ahead(5)
    chats = list(range(3200, 3200 + count))
    for chat in chats:
        await subscribe(sessions, chat, "en", digest_hour=hour)
        server.user(chat)
    edit(imported, "handle: SaudiMOH\n", "handle: SaudiMOH_new\n")
    edit(imported, "handle: HRSD_SA\n", "handle: HRSD_KSA\n")
    before = dt.datetime.now(dt.UTC)
    assert (await import_path(sessions, imported)).alerts_queued == 2 * len(chats)

    fake_now[0] = next_digest_time(before, hour) + dt.timedelta(minutes=1)
    pace = Pace(per_chat_interval=interval)
    await deliver_all(await sending.sender(pace), sessions, horizon=dt.timedelta(hours=25))

    received = Counter(item.chat_id for item in server.accepted)
    repeated = {chat: n for chat, n in received.items() if n != 1}
    assert repeated == {}, f"{len(repeated)} chats got more than one digest"
    for chat in chats:
        [digest] = texts_of(server, chat)
        assert "@SaudiMOH_new" in digest and "@HRSD_KSA" in digest


# ---------------------------------------------------------------------------------------
# 4. A scheduled message waits for its time
# ---------------------------------------------------------------------------------------


async def test_a_scheduled_message_is_sent_at_its_time_and_not_before(
    sessions: Sessions, imported: Path, sending: Sending, server: BotApiServer
) -> None:
    """A maintainer's message with a time in the future: the sender, draining as the bot
    does every second, leaves it alone until the time, then sends it in each reader's
    language (the text of another language when theirs was not written)."""
    await subscribe(sessions, 4001, "en", ENTITY, "moh")
    await subscribe(sessions, 4002, "ar", ENTITY, "moh")
    await subscribe(sessions, 4003, "en", ENTITY, "moi")
    await subscribe(sessions, 4004, "fr", ENTITY, "moh")
    for chat in (4001, 4002, 4003, 4004):
        server.user(chat)
    deliver_at = dt.datetime.now(dt.UTC) + dt.timedelta(seconds=2)
    texts = {"en": "Our X account moves on Monday.", "ar": "ينتقل حسابنا يوم الاثنين."}
    async with sessions() as session, session.begin():
        _, queued = await AlertRepository(session).schedule_message(
            "moh", "ministry", texts, deliver_at
        )
    assert queued == 3
    sender = await sending.sender()

    await sender.drain(1.0)
    assert server.accepted == [], "sent before its time"
    await deliver_all(sender, sessions)

    assert sorted(a.chat_id for a in server.accepted) == [4001, 4002, 4004]
    first = min(a.wall for a in server.accepted)
    assert first >= deliver_at.timestamp(), "sent before its time"
    assert first < deliver_at.timestamp() + 2.0, "sent long after its time"
    [english], [arabic] = texts_of(server, 4001), texts_of(server, 4002)
    assert texts["en"] in english and MOH_EN in english
    assert texts["ar"] in arabic and MOH_AR in arabic
    [french] = texts_of(server, 4004)
    assert MOH_FR in french and (texts["en"] in french or texts["ar"] in french)
    assert server.sent(4003) == []


# ---------------------------------------------------------------------------------------
# 5. The pace of the bot itself: the sender inside the application's job
# ---------------------------------------------------------------------------------------

APP_NOTICES = 100
APP_RATE = 20.0


async def test_the_bots_drain_job_keeps_the_configured_pace(
    sessions: Sessions, database_url: str, server: BotApiServer
) -> None:
    """The tests above drive `drain()` back to back; the bot drives it from a repeating
    job. What subscribers wait for is the bot's pace: at ALERTS_PER_SECOND=20, 100
    notices should take about 5 s, not 10."""
    async with sessions() as session, session.begin():
        repository = AlertRepository(session)
        for n in range(APP_NOTICES):
            await repository.subscribe(8000 + n, "en", ALL, EVERYTHING)
            server.user(8000 + n)
        await repository.schedule_message(None, None, {"en": "Pace"}, dt.datetime.now(dt.UTC))
    settings = Settings(
        database_url=database_url,
        telegram_bot_token=SecretStr(server.token),
        telegram_base_url=server.base_url,
        alerts_per_second=APP_RATE,
    )
    application = build_application(settings)
    async with application:
        await prepare(application)
        await application.start()
        try:
            await asyncio.to_thread(
                server.wait_until, lambda: len(server.sent()) >= APP_NOTICES, DRAIN_TIMEOUT
            )
        finally:
            await application.stop()
            assert application.post_shutdown is not None
            await application.post_shutdown(application)

    accepted = server.accepted
    assert len(accepted) == APP_NOTICES
    rate = (len(accepted) - 1) / (accepted[-1].at - accepted[0].at)
    print(f"\nthe bot's pace: {rate:.1f}/s at ALERTS_PER_SECOND={APP_RATE:g}")
    assert rate >= 0.9 * APP_RATE
