"""The audit of the stored registry, read page by page (see `knowledge.registry.audit`).

Shared by `rasmi registry audit` and the admins' `/audit`: the pages come off the
database on the event loop and are made into models and audited in a worker thread, so a
running bot goes on answering while a large registry is audited.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from db.repositories.registry import EntityPage, RegistryRepository
from knowledge.registry.audit import DEFAULT_MAX_AGE_DAYS, Audit, AuditReport
from knowledge.registry.validation import paused_gc


async def audit_stored(
    sessions: async_sessionmaker[AsyncSession],
    today: dt.date,
    max_age_days: int = DEFAULT_MAX_AGE_DAYS,
    alone: bool = False,
) -> AuditReport:
    """The audit of the stored registry. `alone`: nothing else runs in this process (a
    terminal command), so the collector may stay paused across the awaits too: with it
    on, reading 400,000 rows beside 300,000 findings kept alive made it scan them again
    and again (measured: two thirds of the reading time of a 100,000-entity audit). A
    running bot never passes it: its handlers need the collector."""
    audit = Audit(today, max_age_days)

    def add_page(page: EntityPage) -> None:
        with paused_gc():  # synchronous work only, with no await inside
            audit.add_entities(page.models())

    with paused_gc() if alone else contextlib.nullcontext():
        async with sessions() as session:
            repository = RegistryRepository(session)
            async for page in repository.entity_pages():
                await asyncio.to_thread(add_page, page)
            for record in await repository.non_official():
                audit.add_non_official(record)
            for policy in await repository.policies():
                audit.add_policy(policy)
    return audit.report
