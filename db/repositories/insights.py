"""What the public asks, counted for decision makers (the web directory's admin view).

The question log keeps no user or chat id, so nothing here can tell who asked: only what,
when (by day), in which language and with which intent, and whether it was answered.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import String, case, cast, func
from sqlalchemy import select as select_columns
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import QuestionLogRow


@dataclass(frozen=True)
class DayCount:
    day: str
    """YYYY-MM-DD, in UTC."""
    lang: str
    intent: str
    questions: int
    unanswered: int


@dataclass(frozen=True)
class AskedText:
    text: str
    intent: str
    answered: bool
    times: int


class InsightsRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def per_day(self, since: dt.datetime) -> list[DayCount]:
        """Questions per day, language and intent, oldest day first."""
        # The day as the text of the time's first ten characters: SQLite has no date type.
        day = func.substr(cast(col(QuestionLogRow.at), String), 1, 10)
        missed = func.sum(case((col(QuestionLogRow.answered).is_(False), 1), else_=0))
        query = (
            select_columns(
                day, col(QuestionLogRow.lang), col(QuestionLogRow.intent), func.count(), missed
            )
            .where(col(QuestionLogRow.at) >= since)
            .group_by(day, col(QuestionLogRow.lang), col(QuestionLogRow.intent))
            .order_by(day, col(QuestionLogRow.lang), col(QuestionLogRow.intent))
        )
        connection = await self._session.connection()
        rows = (await connection.execute(query)).all()
        return [
            DayCount(str(d)[:10], lang, intent, int(n), int(m or 0))
            for d, lang, intent, n, m in rows
        ]

    async def texts(self, since: dt.datetime, limit: int) -> list[AskedText]:
        """The distinct questions most often asked, with how often: what the engine
        makes of them (which body, which look-alike) is worked out by the caller."""
        times = func.count().label("times")
        query = (
            select(
                col(QuestionLogRow.text),
                col(QuestionLogRow.intent),
                col(QuestionLogRow.answered),
                times,
            )
            .where(col(QuestionLogRow.at) >= since)
            .group_by(
                col(QuestionLogRow.text), col(QuestionLogRow.intent), col(QuestionLogRow.answered)
            )
            .order_by(times.desc(), col(QuestionLogRow.text))
            .limit(limit)
        )
        rows = (await self._session.exec(query)).all()
        return [
            AskedText(text, intent, bool(answered), int(n)) for text, intent, answered, n in rows
        ]
