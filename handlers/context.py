"""What every handler needs, kept in `application.bot_data` by `bot/app.py`.

Handlers reach the engine, the database and the settings through `services(context)`, so
they stay thin adapters: Telegram in, the engine's Answer out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from telegram.ext import ContextTypes

from db.registry_index import IndexCache
from handlers.flood import FloodGate
from knowledge.engine import Engine
from knowledge.understand import Lang

SERVICES = "rasmi"


@dataclass
class Services:
    sessions: async_sessionmaker[AsyncSession]
    index_cache: IndexCache
    default_lang: Lang
    admin_ids: frozenset[int] = frozenset()
    flood: FloodGate = field(default_factory=FloodGate)
    _engine: Engine | None = None

    @property
    def engine(self) -> Engine:
        """An engine over the newest index; rebuilt only when the index changed."""
        index = self.index_cache.latest
        if self._engine is None or self._engine.index is not index:
            self._engine = Engine(index, self.default_lang)
        return self._engine


Context = ContextTypes.DEFAULT_TYPE


def services(context: Context) -> Services:
    found: Any = context.bot_data[SERVICES]
    assert isinstance(found, Services)
    return found
