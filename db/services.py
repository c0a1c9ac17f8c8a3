"""What the Telegram bot and the web directory share: the database sessions, the index of
the stored registry, the engine over it and the question log's buffer.

Both front ends answer from the same engine and write the same question log; only what is
Telegram's (the flood gate, chosen languages by user id, admin user ids) stays in
`handlers/context.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from db.registry_index import IndexCache
from db.repositories.questions import LoggedQuestion, QuestionLogRepository
from knowledge.engine import Engine
from knowledge.understand import Lang


@dataclass
class QuestionLog:
    """Questions waiting to be written. Appending never waits for the database; a job
    writes the buffer every few seconds, in one transaction."""

    pending: list[LoggedQuestion] = field(default_factory=list)

    def append(self, question: LoggedQuestion) -> None:
        self.pending.append(question)

    async def flush(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        """At most the last few seconds of the log are lost if the process dies: the log
        is for statistics."""
        batch, self.pending = self.pending, []
        if batch:
            async with sessions() as session, session.begin():
                await QuestionLogRepository(session).record(batch)


@dataclass
class Services:
    sessions: async_sessionmaker[AsyncSession]
    index_cache: IndexCache
    default_lang: Lang
    question_log: QuestionLog = field(default_factory=QuestionLog)
    _engine: Engine | None = None

    async def flush_question_log(self) -> None:
        await self.question_log.flush(self.sessions)

    @property
    def engine(self) -> Engine:
        """An engine over the newest index; rebuilt only when the index changed."""
        index = self.index_cache.latest
        if self._engine is None or self._engine.index is not index:
            self._engine = Engine(index, self.default_lang)
        return self._engine
