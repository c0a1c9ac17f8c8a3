"""The alerts' backlog and when it will be done (`/status`, `rasmi notice status`),
counted in the database whichever replica sends."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import update
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from db.repositories.alerts import ALL, EVERYTHING, OUTBOX, SENT, AlertRepository, Backlog
from handlers.backlog import backlog_text
from knowledge.i18n import Messages

NOW = dt.datetime(2026, 12, 3, 9, 0, tzinfo=dt.UTC)


async def test_the_backlog_counts_what_is_due_later_and_the_pace_of_the_last_minute(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    async with sessions() as session, session.begin():
        repository = AlertRepository(session)
        for chat in range(1, 11):
            await repository.subscribe(chat, "en", ALL, EVERYTHING)
        texts = {"ar": "نص", "en": "text", "fr": "texte"}
        await repository.schedule_message(None, None, texts, NOW - dt.timedelta(minutes=5))
        await repository.schedule_message(None, None, texts, NOW + dt.timedelta(hours=1))
        # Four of the first message went out 20, 15, 10 and 5 seconds ago.
        for chat, ago in zip(range(1, 5), (20, 15, 10, 5), strict=True):
            await session.execute(
                update(OUTBOX)
                .where(OUTBOX.c.chat_id == chat, OUTBOX.c.next_attempt_at < NOW)
                .values(state=SENT, sent_at=NOW - dt.timedelta(seconds=ago))
            )
    async with sessions() as session:
        backlog = await AlertRepository(session).backlog(NOW)
    assert (backlog.due, backlog.later, backlog.sent_last_minute) == (6, 10, 4)
    assert round(backlog.window) == 20
    # 4 in 20 s: 0.2 a second, so the 6 left take 30 s, whatever the configured cap.
    assert round(backlog.seconds_left(cap=30.0)) == 30
    assert "6 alerts to send now, 10 later; 4 sent" in backlog_text(
        Messages("en"), backlog, 30.0, NOW
    )


def test_with_no_recent_pace_the_configured_cap_gives_the_time() -> None:
    backlog = Backlog(due=3000, later=0, sent_last_minute=0)
    assert backlog.seconds_left(cap=30.0) == 100.0
    text = backlog_text(Messages("en"), backlog, 30.0, NOW)
    assert text.endswith("It will be sent in about 2 minutes, around 09:01 UTC.")
    arabic = backlog_text(Messages("ar"), backlog, 30.0, NOW)
    assert "09:01" in arabic and "2" in arabic
    assert backlog_text(Messages("en"), Backlog(0, 5, 0), 30.0, NOW).count("\n") == 0
