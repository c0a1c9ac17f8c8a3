"""A user's chosen language: the only thing Rasmi keeps about a Telegram user."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, insert
from sqlmodel import col, select
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import UserPreferenceRow


class PreferenceRepository:
    def __init__(self, session: AsyncSession):
        self._session = session

    async def language(self, user_id: int) -> str | None:
        query = select(UserPreferenceRow.lang).where(col(UserPreferenceRow.user_id) == user_id)
        return (await self._session.exec(query)).first()

    async def set_language(self, user_id: int, lang: str) -> None:
        """Replace, not upsert: the same two statements work on SQLite and PostgreSQL, and
        the caller's transaction makes them one change."""
        now = dt.datetime.now(dt.UTC)
        await self._session.exec(
            delete(UserPreferenceRow).where(col(UserPreferenceRow.user_id) == user_id)
        )
        await self._session.exec(
            insert(UserPreferenceRow).values(user_id=user_id, lang=lang, updated_at=now)
        )

    async def all_languages(self) -> dict[int, str]:
        """Every chosen language, loaded once at start: users who chose one are few, and
        answering must not wait for a query per message."""
        rows = await self._session.exec(select(UserPreferenceRow.user_id, UserPreferenceRow.lang))
        return {user_id: lang for user_id, lang in rows.all()}
