"""Telling running bots that the registry changed, the moment an import commits.

An import's alerts go out within a second or two; if the bots' answers followed only a
timer, a subscriber told "the ministry's handle is now @SaudiMOH_new" could check it and
hear "not in the registry". So every import announces itself, and every bot process
watches for it and reloads its index at once:

- On PostgreSQL the import sends NOTIFY on `CHANNEL` inside its transaction, so the
  notification is delivered when (and only if) the import commits; each bot LISTENs on a
  connection of its own (asyncpg's `add_listener`).
- Everywhere (SQLite has no notifications, and a listening connection can drop) the bot
  also reads the generation, the last import's id, every `POLL_SECONDS`: a cheap query.

Alerts do not rely on the timing: the sender delivers a notice from import N only once
its process's index includes N (`AlertRepository.due`).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import Any

import asyncpg  # type: ignore[import-untyped]
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel.ext.asyncio.session import AsyncSession

from db.registry_index import IndexCache

log = logging.getLogger(__name__)

CHANNEL = "rasmi_registry"
POLL_SECONDS = 1.0
"""How often the generation is read when no notification can arrive (SQLite)."""
LISTENING_POLL_SECONDS = 10.0
"""The same check while listening: only a safety net for a notification lost while the
listening connection was being reopened."""


async def announce_import(session: AsyncSession, import_id: int) -> None:
    """Within the import's transaction: PostgreSQL delivers the notification to every
    listener when the transaction commits, and drops it if it rolls back."""
    connection = await session.connection()
    if connection.dialect.name == "postgresql":
        await connection.execute(
            text("SELECT pg_notify(:channel, :payload)"),
            {"channel": CHANNEL, "payload": str(import_id)},
        )


class RegistryWatcher:
    """Keeps an `IndexCache` at the newest import: woken by NOTIFY where the database has
    it, and checking the generation regularly in any case."""

    def __init__(self, engine: AsyncEngine, cache: IndexCache):
        self._engine = engine
        self._cache = cache
        self._woken = asyncio.Event()
        self._listener: asyncpg.Connection | None = None
        self._task: asyncio.Task[None] | None = None

    async def start(self) -> None:
        await self._listen()
        self._task = asyncio.create_task(self._watch(), name="registry-watcher")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        if self._listener is not None and not self._listener.is_closed():
            await self._listener.close()
        self._listener = None

    async def _watch(self) -> None:
        while True:
            interval = POLL_SECONDS if self._listener is None else LISTENING_POLL_SECONDS
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._woken.wait(), interval)
            self._woken.clear()
            try:
                if self._engine.dialect.name == "postgresql" and self._listener is None:
                    await self._listen()
                await self._cache.current()
            except Exception:  # a database hiccup: the next round tries again
                log.exception("could not refresh the registry index")

    async def _listen(self) -> None:
        """LISTEN on a connection of the watcher's own (not one of the pool's, which
        a query could be waiting for)."""
        if self._engine.dialect.name != "postgresql":
            return
        url = make_url(self._engine.url).set(drivername="postgresql")
        try:
            connection = await asyncpg.connect(url.render_as_string(hide_password=False))
            await connection.add_listener(CHANNEL, self._notified)
        except (OSError, asyncpg.PostgresError) as exc:
            log.warning("cannot listen for registry imports (%s): checking every second", exc)
            return
        connection.add_termination_listener(self._closed)
        self._listener = connection
        # An import may have committed before the LISTEN: look once more.
        self._woken.set()

    def _notified(self, _connection: Any, _pid: int, _channel: str, payload: str) -> None:
        log.info("registry import %s announced: loading it", payload)
        self._woken.set()

    def _closed(self, _connection: Any) -> None:
        log.warning("the connection listening for registry imports closed: reopening it")
        self._listener = None
        self._woken.set()
