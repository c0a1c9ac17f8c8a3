"""Draining the outbox: alerts delivered at the pace Telegram allows, and no faster.

A repeating job calls `OutboxSender.drain` every second. It takes due rows from the
database, paces itself below the configured caps (overall messages per second, and one
message per chat per interval), and records each outcome in the row before taking the
next, so a crash or restart resumes from the database.

Duplicate policy (at least once, with the smallest window): a row is marked `sending` and
committed before its message is sent, and `sent` right after Telegram confirms. Messages
are sent one at a time, so a crash between the two commits can leave at most ONE row in
`sending`; at start `recover()` puts it back in the queue, and that one chat may receive
that one notice twice. A timeout after the request left (Telegram may have delivered it)
is treated the same way: retried, possibly duplicated. A timeout while waiting for a
connection from the pool means nothing was sent and is retried freely. Nothing is lost:
only a row that failed `max_attempts` times, or whose chat blocked the bot, stops.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter, TimedOut

from db.registry_index import index_generation
from db.repositories.alerts import FAILED, QUEUED, SENT, AlertRepository, Due, StaleRows
from handlers.sending import retry_after_seconds
from knowledge.i18n import DEFAULT_LANG, supported
from knowledge.index import RegistryIndex
from knowledge.notices import render_change_notice, render_digests, render_message_notice

log = logging.getLogger(__name__)

BATCH = 100
"""Rows read per query; a batch is a few seconds of sending at the default pace."""


@dataclass(frozen=True)
class Pace:
    per_second: float = 25.0
    """Overall cap. Telegram allows about 30/s; the rest is left for interactive replies."""
    per_chat_interval: float = 1.0
    """Seconds between two alerts to one chat (Telegram: about 1 per second per chat)."""
    max_attempts: int = 6
    backoff: float = 5.0
    """First retry delay after an error other than a flood wait; it doubles each time."""


@dataclass
class OutboxSender:
    sessions: async_sessionmaker[AsyncSession]
    bot: Bot
    index: Callable[[], RegistryIndex]
    pace: Pace = field(default_factory=Pace)
    clock: Callable[[], float] = time.monotonic
    _next_slot: float = 0.0
    _paused_until: float = 0.0
    _last_sent: dict[int, float] = field(default_factory=dict)

    async def recover(self) -> int:
        async with self.sessions() as session, session.begin():
            return await AlertRepository(session).recover()

    async def drain(self, budget: float = 1.0) -> int:
        """Sends what is due for about `budget` seconds; returns the messages sent."""
        deadline = self.clock() + budget
        sent = 0
        while self.clock() < deadline:
            if self.clock() < self._paused_until:
                return sent
            rows = await self._due()
            if not rows:
                return sent
            for row in rows:
                next_slot = max(self._next_slot, self.clock())
                if next_slot >= deadline or self.clock() < self._paused_until:
                    return sent
                if self._chat_waits(row.chat_id):
                    continue
                await self._wait_for_slot()
                sent += await self._deliver(row)
        return sent

    async def _due(self) -> list[Due]:
        now = self.clock()
        waiting = [c for c, at in self._last_sent.items() if now - at < self.pace.per_chat_interval]
        # Answers first: an import's alerts wait until this process serves that import.
        served = index_generation(self.index())
        async with self.sessions() as session:
            return await AlertRepository(session).due(_utcnow(), BATCH, waiting, served)

    def _chat_waits(self, chat_id: int) -> bool:
        last = self._last_sent.get(chat_id)
        return last is not None and self.clock() - last < self.pace.per_chat_interval

    async def _wait_for_slot(self) -> None:
        """A steady pace of `per_second`: each message takes the next free slot."""
        now = self.clock()
        self._next_slot = max(self._next_slot, now)
        if self._next_slot > now:
            await asyncio.sleep(self._next_slot - now)
        self._next_slot += 1.0 / self.pace.per_second

    async def _deliver(self, row: Due) -> int:
        rows = await self._digest_rows(row) if row.digest else [row]
        ids = [r.id for r in rows]
        texts = self._render(rows)
        try:
            async with self.sessions() as session, session.begin():
                chat_id = await AlertRepository(session).claim(ids)
        except StaleRows:
            return 0  # cancelled or taken since it was read
        try:
            for text in texts:
                await self.bot.send_message(chat_id, text, parse_mode=ParseMode.HTML)
        except RetryAfter as exc:
            wait = retry_after_seconds(exc)
            self._paused_until = self.clock() + wait
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

    async def _digest_rows(self, row: Due) -> list[Due]:
        async with self.sessions() as session:
            rows = await AlertRepository(session).digest_rows(
                row.chat_id, _utcnow(), index_generation(self.index())
            )
        return rows or [row]

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
