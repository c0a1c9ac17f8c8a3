"""Draining the outbox: alerts delivered with what the bot's replies leave, and no faster.

A repeating job calls `OutboxSender.drain` every second. Each send first takes a slot of
the bot's budget at alert priority in the `SendQueue` (bot/send_queue.py), which gives
one only when no reply is waiting, in this process or, with Redis, in any replica; only
then is a row claimed, so a claimed row is sent at once. Each outcome is recorded in the
row before the next, so a crash or restart resumes from the database.

Claiming: `AlertRepository.claim_next` picks the oldest due row FOR UPDATE SKIP LOCKED on
PostgreSQL and marks it `sending` with a lease (`Pace.lease`), so any number of replicas
can drain one outbox and no row is claimed twice. A replica that dies leaves its claimed
row `sending`; when the lease runs out any replica puts it back (`recover`).

Duplicate policy (at least once, with the smallest window): a row is marked `sending` and
committed before its message is sent, and `sent` right after Telegram confirms. Each
worker (`Pace.workers`, one unless paid broadcasts are on) sends one message at a time,
so a crash can leave at most one row per worker whose message went out unrecorded: it is
sent again, and that one chat may receive that one notice twice. A timeout after the
request left (Telegram may have delivered it) is treated the same way. A timeout while
waiting for a connection from the pool means nothing was sent and is retried freely.
Nothing is lost: only a row that failed `max_attempts` times, or whose chat blocked the
bot, stops.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from bot.rate_limiter import QueueRateLimiter
from bot.send_queue import Limits, Priority, SendQueue
from db.registry_index import index_generation
from db.repositories.alerts import FAILED, QUEUED, SENT, AlertRepository, Due
from handlers.sending import retry_after_seconds
from knowledge.i18n import DEFAULT_LANG, supported
from knowledge.index import RegistryIndex
from knowledge.notices import render_change_notice, render_digests, render_message_notice

log = logging.getLogger(__name__)

RECOVERED = "%d alert(s) were being sent when the bot stopped: they are sent again"


@dataclass(frozen=True)
class Pace:
    per_second: float = 30.0
    """Cap of alerts a second (the bot's budget caps them as well, and replies go first)."""
    per_chat_interval: float = Limits.chat_interval
    """Seconds between two alerts to one chat (Telegram: about 1 per second per chat)."""
    max_attempts: int = 6
    backoff: float = 5.0
    """First retry delay after an error other than a flood wait; it doubles each time."""
    lease: float = 30.0
    """A row `sending` for longer belongs to a replica that died: it is put back."""
    workers: int = 1
    """Alerts in flight at once: one keeps 30/s; paid broadcasts (1,000/s) need more."""
    paid_broadcast: bool = False
    """Send with allow_paid_broadcast (0.1 Telegram Star a message beyond the free 30/s)."""


@dataclass
class OutboxSender:
    sessions: async_sessionmaker[AsyncSession]
    bot: Bot
    index: Callable[[], RegistryIndex]
    pace: Pace = field(default_factory=Pace)
    queue: SendQueue | None = None
    """The bot's send queue; without one (a plain Bot), the sender paces itself alone."""
    clock: Callable[[], float] = time.monotonic
    _last_sent: dict[int, float] = field(default_factory=dict)
    _in_flight: set[int] = field(default_factory=set)
    _last_recovery: float = 0.0

    def __post_init__(self) -> None:
        if self.queue is None:
            self.queue = SendQueue(
                Limits(
                    per_second=self.pace.per_second,
                    alerts_per_second=self.pace.per_second,
                    chat_interval=self.pace.per_chat_interval,
                    tolerance=1,  # alone, the sender paces its own requests closely
                ),
                clock=self.clock,
            )
        self._through_limiter = isinstance(
            getattr(self.bot, "rate_limiter", None), QueueRateLimiter
        )

    @property
    def send_queue(self) -> SendQueue:
        assert self.queue is not None
        return self.queue

    async def recover(self, everything: bool = True) -> int:
        """Rows left `sending`: all of them at the start of a lone process (SQLite), else
        those whose lease ran out (another replica may be sending the rest)."""
        before = None if everything else _utcnow() - dt.timedelta(seconds=self.pace.lease)
        async with self.sessions() as session, session.begin():
            recovered = await AlertRepository(session).recover(before)
        if recovered:
            log.warning(RECOVERED, recovered)
        return recovered

    async def drain(self, budget: float = 1.0) -> int:
        """Sends what is due for about `budget` seconds; returns the messages sent."""
        deadline = self.clock() + budget
        if self.clock() - self._last_recovery > self.pace.lease / 2:
            self._last_recovery = self.clock()
            await self.recover(everything=False)
        counts = await asyncio.gather(
            *(self._work(deadline) for _ in range(max(1, self.pace.workers)))
        )
        return sum(counts)

    async def _work(self, deadline: float) -> int:
        """One worker: a slot of the budget, then a row, then its message; until the
        deadline or until nothing is due."""
        sent = 0
        while self.clock() < deadline:
            if await self.send_queue.budget.paused_for() > 0:
                return sent
            try:
                await asyncio.wait_for(
                    self.send_queue.acquire(Priority.ALERT, None), deadline - self.clock()
                )
            except TimeoutError:
                return sent
            rows = await self._claim()
            if not rows:
                rows = await self._claim()  # another worker took the same row first
            if not rows:
                return sent
            chat_id = rows[0].chat_id
            self._in_flight.add(chat_id)
            try:
                sent += await self._deliver(rows)
            finally:
                self._in_flight.discard(chat_id)
        return sent

    async def _claim(self) -> list[Due]:
        now = self.clock()
        waiting = {c for c, at in self._last_sent.items() if now - at < self.pace.per_chat_interval}
        if len(self._last_sent) > 100_000:
            self._last_sent = {c: self._last_sent[c] for c in waiting}
        # Answers first: an import's alerts wait until this process serves that import.
        served = index_generation(self.index())
        async with self.sessions() as session, session.begin():
            return await AlertRepository(session).claim_next(
                _utcnow(), waiting | self._in_flight, served
            )

    async def _deliver(self, rows: list[Due]) -> int:
        ids = [r.id for r in rows]
        chat_id = rows[0].chat_id
        texts = self._render(rows)
        try:
            for n, text in enumerate(texts):
                await self._send(chat_id, text, budget_taken=n == 0)
        except RetryAfter as exc:
            wait = retry_after_seconds(exc)
            if not self._through_limiter:
                await self.send_queue.pause(wait)
            # The row keeps its place in the queue, so this chat's notices stay in order:
            # the pause, not the row's time, makes the sender wait.
            async with self.sessions() as session, session.begin():
                await AlertRepository(session).mark(
                    ids, QUEUED, last_error=f"flood wait {wait:.0f}s"
                )
            return 0
        except Forbidden as exc:
            await self._deactivate(chat_id, str(exc))
            return 0
        except ChatMigrated as exc:
            await self._migrate(chat_id, exc.new_chat_id, ids)
            return 0
        except BadRequest as exc:
            await self._fail_or_retry(rows, f"rejected: {exc}")
            return 0
        except TimedOut as exc:
            reason = (
                "not sent (pool timeout)" if "pool" in str(exc).lower() else "unknown (timed out)"
            )
            await self._fail_or_retry(rows, reason)
            return 0
        except NetworkError as exc:
            await self._fail_or_retry(rows, f"not sent: {exc}")
            return 0
        self._last_sent[chat_id] = self.clock()
        async with self.sessions() as session, session.begin():
            await AlertRepository(session).mark(ids, SENT, sent_at=_utcnow())
        return 1

    async def _send(self, chat_id: int, text: str, budget_taken: bool) -> None:
        """One message at alert priority: through the bot's rate limiter when it has
        ours, else after waiting for the chat's slot here."""
        extra: dict[str, Any] = {}
        if self.pace.paid_broadcast:
            extra["allow_paid_broadcast"] = True
        if self._through_limiter:
            extra["rate_limit_args"] = {"priority": "alert", "budget_taken": budget_taken}
        else:
            await self.send_queue.acquire(Priority.ALERT, chat_id, budget=not budget_taken)
        await self.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML, **extra)

    def _render(self, rows: list[Due]) -> list[str]:
        """The message for a row, or the digest of a chat's rows (in as many messages as
        it takes, so no notice is counted as sent without being shown)."""
        lang = supported(rows[0].lang) or DEFAULT_LANG
        index = self.index()
        parts = []
        for row in rows:
            entity = index.entities.get(row.entity_id) if row.entity_id else None
            if row.notice_kind == "message":
                texts: dict[str, str] = row.payload.get("texts", {})
                text = texts.get(lang) or next(iter(texts.values()), "")
                parts.append(render_message_notice(text, entity, lang, html_mode=True))
            else:
                parts.append(
                    render_change_notice(
                        row.payload["changes"],
                        entity,
                        lang,
                        html_mode=True,
                        entities=index.entities,
                    )
                )
        if len(parts) == 1 and not rows[0].digest:
            return parts
        return render_digests(parts, lang, html_mode=True)

    async def _retry(self, ids: list[int], wait: float, error: str, count_attempt: bool) -> None:
        at = _utcnow() + dt.timedelta(seconds=wait)
        async with self.sessions() as session, session.begin():
            await AlertRepository(session).retry(ids, at, error, count_attempt)

    async def _fail_or_retry(self, rows: list[Due], error: str) -> None:
        attempts = max(r.attempts for r in rows) + 1
        ids = [r.id for r in rows]
        if attempts >= self.pace.max_attempts:
            log.warning("giving up on outbox rows %s after %d attempts: %s", ids, attempts, error)
            async with self.sessions() as session, session.begin():
                await AlertRepository(session).mark(
                    ids, FAILED, last_error=error[:500], attempts=attempts
                )
            return
        await self._retry(ids, self.pace.backoff * 2 ** (attempts - 1), error, count_attempt=True)

    async def _deactivate(self, chat_id: int, reason: str) -> None:
        log.info("chat %s blocked the bot or is gone: deactivated (%s)", chat_id, reason)
        async with self.sessions() as session, session.begin():
            await AlertRepository(session).deactivate(chat_id, reason)

    async def _migrate(self, old: int, new: int, ids: list[int]) -> None:
        log.info("chat %s moved to %s: subscriptions follow", old, new)
        async with self.sessions() as session, session.begin():
            repository = AlertRepository(session)
            await repository.migrate_chat(old, new)
            await repository.retry(ids, _utcnow(), f"chat migrated to {new}", count_attempt=False)


def _utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)
