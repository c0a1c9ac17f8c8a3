"""Running bots learn of an import at once, and its alerts wait for the index that serves
it (SQLite, or PostgreSQL when RASMI_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import asyncio
import gc
import weakref
from pathlib import Path
from typing import Any

import pytest
import telegram_fakes as fakes
from registry_edits import edit
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram import Bot

from bot.delivery import OutboxSender
from db import registry_events
from db.importer import ImportOptions, ImportRefused, import_path
from db.registry_events import RegistryWatcher
from db.registry_index import IndexCache
from db.repositories.alerts import SENT, AlertRepository
from db.repositories.registry import RegistryRepository
from knowledge.registry.handles import Platform

Sessions = async_sessionmaker[AsyncSession]

WAIT = 20.0
"""A bound on waiting for a condition, not a measurement: a slow machine passes."""


async def until(condition: Any, what: str) -> None:
    """Waits for `condition()` to be true, checking often."""
    for _ in range(int(WAIT / 0.02)):
        if condition():
            return
        await asyncio.sleep(0.02)
    pytest.fail(f"no {what} within {WAIT:.0f} s")


def engine_of(sessions: Sessions) -> Any:
    return sessions.kw["bind"]


async def test_a_running_bot_serves_an_import_without_being_asked(
    sessions: Sessions, example_registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On PostgreSQL the import's NOTIFY wakes the watcher (its own check is pushed out of
    the test's reach, so only the notification can explain the reload); on SQLite the
    watcher reads the generation every second."""
    monkeypatch.setattr(registry_events, "LISTENING_POLL_SECONDS", 3600.0)
    first = await import_path(sessions, example_registry)
    cache = IndexCache(sessions)
    await cache.current()
    watcher = RegistryWatcher(engine_of(sessions), cache)
    await watcher.start()
    try:
        listening = engine_of(sessions).dialect.name == "postgresql"
        assert (watcher._listener is not None) is listening
        await asyncio.sleep(0.1)  # the watcher's first round: nothing new
        assert cache.generation == first.import_id

        edit(example_registry, "handle: SaudiMOH\n", "handle: SaudiMOH_new\n")
        second = await import_path(sessions, example_registry)
        await until(lambda: cache.generation == second.import_id, "reload after the import")
        assert cache.latest.account(Platform.X, "SaudiMOH_new") is not None
    finally:
        await watcher.stop()


async def test_a_refused_import_announces_nothing(
    sessions: Sessions, example_registry: Path
) -> None:
    """The notification is sent inside the import's transaction: an import that rolls
    back (here, refused for what it removes) leaves the generation where it was."""
    first = await import_path(sessions, example_registry)
    cache = IndexCache(sessions)
    await cache.current()
    # The Ministry of Interior's only account retired: a quarter of the active accounts.
    edit(
        example_registry,
        "handle: MOISaudiArabia\n",
        "handle: MOISaudiArabia\n        status: former\n",
    )
    with pytest.raises(ImportRefused):
        await import_path(sessions, example_registry)
    assert (await cache.current()).version == cache.latest.version
    assert cache.generation == first.import_id
    options = ImportOptions(dry_run=True, allow_removals=True)
    dry = await import_path(sessions, example_registry, options)
    assert dry.import_id == 0 and [c.kind.value for c in dry.changes] == ["account_retired"]
    assert await cache.current() is cache.latest


async def test_an_alert_waits_for_the_index_that_includes_its_import(
    sessions: Sessions, example_registry: Path
) -> None:
    """The sender's process still answers from the index before the import: it sends
    nothing of the import until that index is reloaded, then the alert goes out."""
    await import_path(sessions, example_registry)
    async with sessions() as session, session.begin():
        await AlertRepository(session).subscribe(4242, "en", "entity", "moh")
    cache = IndexCache(sessions)
    await cache.current()
    request = fakes.RecordingRequest()
    async with Bot(fakes.TOKEN, request=request) as bot:
        sender = OutboxSender(sessions, bot, index=lambda: cache.latest)

        edit(example_registry, "handle: SaudiMOH\n", "handle: SaudiMOH_new\n")
        assert (await import_path(sessions, example_registry)).alerts_queued == 1
        assert await sender.drain(0.5) == 0
        assert request.sent() == []

        await cache.current()
        assert await sender.drain(0.5) == 1
    [alert] = request.sent()
    assert int(alert.params["chat_id"]) == 4242 and "@SaudiMOH_new" in alert.text
    async with sessions() as session:
        assert (await AlertRepository(session).status())[SENT] == 1


async def test_the_collector_runs_while_an_import_waits_for_the_database(
    sessions: Sessions, bundled_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The bot's handlers run whenever the import awaits: the collector must be on for
    them. Only synchronous steps in worker threads pause it."""
    await import_path(sessions, bundled_copy)
    states: list[bool] = []
    execute = RegistryRepository._execute

    async def recording(self: RegistryRepository, statement: Any, params: Any = None) -> Any:
        states.append(gc.isenabled())
        return await execute(self, statement, params)

    monkeypatch.setattr(RegistryRepository, "_execute", recording)
    edit(bundled_copy / "entities.yaml", "handle: SaudiMOH\n", "handle: SaudiMOH_new\n")
    result = await import_path(sessions, bundled_copy)
    assert result.changes and len(states) > 10
    assert all(states)


class _Cycle:
    """Garbage only the collector can free: it refers to itself."""

    def __init__(self) -> None:
        self.me = self


async def test_an_index_rebuild_freezes_nothing_the_handlers_hold(
    sessions: Sessions, example_registry: Path
) -> None:
    """gc.freeze() is process-wide: at a rebuild, while the bot answers, it would move
    every handler's objects out of the collector's reach for good, cycles included. Only
    the process's first index (built before it serves anyone) is frozen."""
    await import_path(sessions, example_registry)
    cache = IndexCache(sessions)
    await cache.current()
    edit(example_registry, "handle: SaudiMOH\n", "handle: SaudiMOH_new\n")
    await import_path(sessions, example_registry)

    gc.disable()  # the cycle must still be there when the rebuild runs
    try:
        handler_garbage = weakref.ref(_Cycle())
        rebuilt = await cache.current()
    finally:
        gc.enable()
    assert rebuilt.account(Platform.X, "SaudiMOH_new") is not None
    gc.collect()
    assert handler_garbage() is None
