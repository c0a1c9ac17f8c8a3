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
from db.repositories.questions import LoggedQuestion, QuestionLogRepository
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
    languages: dict[int, str] = field(default_factory=dict)
    """Chosen languages by user id, loaded at start and kept in step with the database."""
    question_log: list[LoggedQuestion] = field(default_factory=list)
    """Questions waiting to be written; `flush_question_log` empties it."""
    _engine: Engine | None = None

    async def flush_question_log(self) -> None:
        """Writes the buffered questions in one transaction. At most the last few seconds
        of the log are lost if the process dies: the log is for statistics."""
        batch, self.question_log = self.question_log, []
        if batch:
            async with self.sessions() as session, session.begin():
                await QuestionLogRepository(session).record(batch)

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
