"""The question log: what people ask, in which language, and whether Rasmi could answer.

Rows carry no user or chat id, so the log tells maintainers what is asked and what went
unanswered without telling anyone who asked it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from sqlalchemy import func, insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import QuestionLogRow
from db.text import storable

MAX_LOGGED_CHARS = 1000


@dataclass(frozen=True)
class LoggedQuestion:
    text: str
    lang: str
    intent: str
    answered: bool
    source: str
    at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))

    def row(self) -> dict[str, object]:
        return {
            "at": self.at,
            "text": storable(self.text)[:MAX_LOGGED_CHARS],
            "lang": self.lang,
            "intent": self.intent,
            "answered": self.answered,
            "source": self.source,
        }


@dataclass(frozen=True)
class QuestionStats:
    total: int
    unanswered: int
    by_intent: dict[str, int]
    top_unanswered: list[tuple[str, int]]


class QuestionLogRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def record(self, questions: list[LoggedQuestion]) -> None:
        """Writes a batch in one statement: the bot buffers questions and flushes them
        every few seconds, so answering never waits for the log."""
        if questions:
            await self._session.exec(insert(QuestionLogRow), params=[q.row() for q in questions])

    async def stats(self, since: dt.datetime, top: int = 10) -> QuestionStats:
        """Counts since a time, and the questions most often left unanswered."""
        recent = col(QuestionLogRow.at) >= since
        total = (await self._session.exec(select(func.count()).where(recent))).one()
        unanswered_only = recent & (col(QuestionLogRow.answered).is_(False))
        unanswered = (await self._session.exec(select(func.count()).where(unanswered_only))).one()
        intents = await self._session.exec(
            select(QuestionLogRow.intent, func.count())
            .where(recent)
            .group_by(QuestionLogRow.intent)
        )
        misses = await self._session.exec(
            select(QuestionLogRow.text, func.count().label("n"))
            .where(unanswered_only)
            .group_by(QuestionLogRow.text)
            .order_by(func.count().desc())
            .limit(top)
        )
        return QuestionStats(
            total=total,
            unanswered=unanswered,
            by_intent={intent: n for intent, n in intents.all()},
            top_unanswered=[(text, n) for text, n in misses.all()],
        )
