"""The answering engine's index, loaded from the database and rebuilt when it changes.

Building an index is CPU work (normalizing every name), so it runs in a worker thread and
never stalls the event loop. The thread reads the registry page by page: each page is
fetched by the event loop (the database driver is async) and handed to the thread, so a
million names never sit in memory as rows or models all at once. The index is keyed by
the last import's id and digest: a process asks `current()` and gets the same object
until an import changes the registry. The import's id is the index's generation: alerts
from an import wait until the index that answers questions includes it, and a running
bot learns of an import at once (`db.registry_events.RegistryWatcher`).
"""

from __future__ import annotations

import asyncio
import gc
from collections.abc import AsyncIterator, Iterator

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from db.repositories.registry import EntityPage, RegistryRepository
from knowledge.index import RegistryIndex
from knowledge.registry.schema import Entity

MAX_ATTEMPTS = 3
"""Loads retried when an import lands during one (each retry reads the new registry)."""


class IndexCache:
    """Holds the index of the stored registry's current version."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]):
        self._sessions = sessions
        self._index: RegistryIndex | None = None
        self._lock = asyncio.Lock()

    async def current(self) -> RegistryIndex:
        """The index of the stored registry, rebuilt only if another import happened."""
        version = await self._version()
        if self._index is not None and self._index.version == version:
            return self._index
        async with self._lock:
            if self._index is None:
                self._index = await self._build(version)
                # The first index, built before anything else runs: what the process
                # holds now lives as long as it does, and the collector need not walk
                # it again and again (a full pass over a million names holds the
                # interpreter lock for 0.3 s). A rebuild later never freezes: that
                # would freeze whatever the handlers hold at that moment too.
                gc.freeze()
            elif self._index.version != version:
                self._index = await self._build(version)
        return self._index

    async def _version(self) -> str:
        async with self._sessions() as session:
            last = await RegistryRepository(session).last_import()
        return f"{last.id}:{last.digest}" if last else ""

    @property
    def generation(self) -> int:
        """The import the served index includes (0 before the first load)."""
        return index_generation(self._index) if self._index is not None else 0

    async def _build(self, version: str) -> RegistryIndex:
        """The index of the registry stored at `version`. The pages are read by several
        statements, so an import that commits in between would mix two versions: the
        version is read again afterwards, and the load repeated if it moved."""
        for _ in range(MAX_ATTEMPTS):
            async with self._sessions() as session:
                repository = RegistryRepository(session)
                non_official = await repository.non_official()
                pages = repository.entity_pages()
                try:
                    entities = _pulled_from(pages, asyncio.get_running_loop())
                    index = await asyncio.to_thread(RegistryIndex, entities, non_official, version)
                finally:
                    await pages.aclose()
            latest = await self._version()
            if latest == version:
                return index
            version = latest
        return index  # imports keep landing: serve this one, the next refresh catches up

    @property
    def latest(self) -> RegistryIndex:
        """The index last built, without asking the database: what handlers use. The bot
        calls `current()` at start, and its `RegistryWatcher` whenever an import lands."""
        if self._index is None:
            raise RuntimeError("the registry index has not been loaded yet")
        return self._index


def index_generation(index: RegistryIndex) -> int:
    """The id of the last import an index of this cache includes: its version is
    "<import id>:<digest>" (0 for an index built from no import)."""
    head = index.version.partition(":")[0]
    return int(head) if head.isdigit() else 0


def _pulled_from(
    pages: AsyncIterator[EntityPage], loop: asyncio.AbstractEventLoop
) -> Iterator[Entity]:
    """The entities of `pages`, for a worker thread: each page is fetched on `loop`
    (where the async database session lives) while the thread waits for it, then made
    into models in the thread, off the loop."""

    async def next_page() -> EntityPage | None:
        return await anext(pages, None)

    while (page := asyncio.run_coroutine_threadsafe(next_page(), loop).result()) is not None:
        yield from page.models()
