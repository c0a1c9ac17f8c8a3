"""The answering engine's index, loaded from the database and rebuilt when it changes.

Building an index is CPU work (normalizing every name), so it runs in a worker thread and
never stalls the event loop. The index is keyed by the last import's digest: a process
asks `current()` and gets the same object until an import changes the registry.
"""

from __future__ import annotations

import asyncio
import gc

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from db.repositories.registry import RegistryRepository
from knowledge.index import RegistryIndex


class IndexCache:
    """Holds the index of the stored registry's current version."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]):
        self._sessions = sessions
        self._index: RegistryIndex | None = None
        self._lock = asyncio.Lock()

    async def current(self) -> RegistryIndex:
        """The index of the stored registry, rebuilt only if another import happened."""
        async with self._sessions() as session:
            last = await RegistryRepository(session).last_import()
        version = f"{last.id}:{last.digest}" if last else ""
        if self._index is not None and self._index.version == version:
            return self._index
        async with self._lock:
            if self._index is None or self._index.version != version:
                async with self._sessions() as session:
                    registry = await RegistryRepository(session).load()
                self._index = await asyncio.to_thread(RegistryIndex, registry, version)
                # The index lives until the next import: keep the collector from
                # walking its millions of objects again and again (seconds at 1M names).
                gc.freeze()
        return self._index

    @property
    def latest(self) -> RegistryIndex:
        """The index last built, without asking the database: what handlers use. The bot
        calls `current()` at start and then periodically to pick up imports."""
        if self._index is None:
            raise RuntimeError("the registry index has not been loaded yet")
        return self._index
