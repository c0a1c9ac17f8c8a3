"""Reading and replacing the registry stored in the database, and its change log.

Rows are read and written on the event loop, where the async session lives; turning rows
into models and models into rows, and comparing two registries, is CPU work over the
whole registry and runs in worker threads, so an import never stalls the bot.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections import defaultdict
from collections.abc import AsyncGenerator, Iterable, Sequence
from dataclasses import dataclass
from itertools import islice
from typing import Any

from sqlalchemy import Table, bindparam, delete, func, insert, select, text, update
from sqlmodel import col
from sqlmodel import select as select_rows
from sqlmodel.ext.asyncio.session import AsyncSession

from db.models import (
    AccountRow,
    ChangeRow,
    EntityRow,
    NonOfficialRow,
    PolicyRow,
    RegistryImportRow,
    SpokespersonRow,
)
from db.registry_rows import (
    account_rows,
    entity_from_rows,
    entity_row,
    non_official_from_row,
    non_official_row,
    policy_from_row,
    policy_row,
    spokesperson_rows,
)
from knowledge.registry.diff import Change
from knowledge.registry.schema import Entity, NonOfficial, Policy, Registry
from knowledge.registry.validation import paused_gc

# Stay far below every backend's limit on bound parameters in one statement.
_CHUNK = 500
_BATCH = 5000
"""Rows per executemany: large enough to be fast, small enough to keep memory flat."""
_PAGE = 1000
"""Entities per page read: the event loop turns each page's rows into Python objects."""
# Any constant will do: it only has to be the same for every Rasmi process.
_IMPORT_LOCK_KEY = 0x7261736D69

REPORTS_SOURCE = "citizen reports"
"""The `source` of the import an accepted citizens' report writes (`db.repositories.reports`)."""
ENTITY: Table = EntityRow.__table__  # type: ignore[attr-defined]
ACCOUNT: Table = AccountRow.__table__  # type: ignore[attr-defined]
SPOKESPERSON: Table = SpokespersonRow.__table__  # type: ignore[attr-defined]
NON_OFFICIAL: Table = NonOfficialRow.__table__  # type: ignore[attr-defined]
POLICY: Table = PolicyRow.__table__  # type: ignore[attr-defined]
IMPORT: Table = RegistryImportRow.__table__  # type: ignore[attr-defined]
CHANGE: Table = ChangeRow.__table__  # type: ignore[attr-defined]


@dataclass(frozen=True)
class RegistryCounts:
    entities: int
    accounts: int
    spokespeople: int
    non_official: int


@dataclass(frozen=True)
class EntityPage:
    """A page of stored entities, as rows: turning them into models is CPU work, left to
    whoever reads the page (the index build does it in its worker thread)."""

    entities: Sequence[Any]
    accounts: dict[str, list[Any]]
    spokespeople: dict[str, list[Any]]

    def models(self) -> list[Entity]:
        """Synchronous, with no await inside: the one place a bulk load pauses the
        collector (see `paused_gc`). The caller awaits the database between pages with
        the collector on, so a running bot's handlers never go without it."""
        with paused_gc():
            return [
                entity_from_rows(row, self.accounts[row.id], self.spokespeople[row.id])
                for row in self.entities
            ]


class RegistryRepository:
    """The registry tables, seen through one session (one transaction)."""

    def __init__(self, session: AsyncSession):
        self._session = session

    async def lock_for_import(self) -> None:
        """Serialize imports: two at once would each diff against a stale registry.
        PostgreSQL takes an advisory lock; SQLite serializes writers by itself once the
        transaction has written (the caller writes the import row first)."""
        connection = await self._session.connection()
        if connection.dialect.name == "postgresql":
            await self._execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": _IMPORT_LOCK_KEY}
            )

    async def is_empty(self) -> bool:
        return (await self._execute(select(ENTITY.c.id).limit(1))).first() is None

    async def kind_of(self, entity_id: str) -> str | None:
        """The stored entity's kind, or None when no entity has that id."""
        found: str | None = await self._session.scalar(
            select(ENTITY.c.kind).where(ENTITY.c.id == entity_id)
        )
        return found

    async def counts(self) -> RegistryCounts:
        return RegistryCounts(
            entities=await self._scalar(select(func.count()).select_from(ENTITY)),
            accounts=await self._scalar(select(func.count()).select_from(ACCOUNT)),
            spokespeople=await self._scalar(select(func.count()).select_from(SPOKESPERSON)),
            non_official=await self._scalar(select(func.count()).select_from(NON_OFFICIAL)),
        )

    async def load(self) -> Registry:
        """The whole registry, in the order of the files it was imported from."""
        entities: list[Entity] = []
        async for page in self.entity_pages():
            entities += await asyncio.to_thread(page.models)
        return Registry(
            entities=entities,
            non_official=await self.non_official(),
            policies=await self.policies(),
        )

    async def entity_pages(self, size: int = _PAGE) -> AsyncGenerator[EntityPage, None]:
        """The entities in file order, `size` at a time, with their accounts and
        spokespeople: the answering index reads a million names without ever holding
        all their rows or models."""
        after = -1
        while True:
            query = select(ENTITY).where(ENTITY.c.position > after).order_by(ENTITY.c.position)
            rows = await self._rows(query.limit(size))
            if not rows:
                return
            first, after = rows[0].position, rows[-1].position
            accounts = await self._children(ACCOUNT, first, after)
            people = await self._children(SPOKESPERSON, first, after)
            yield EntityPage(rows, accounts, people)

    async def _children(self, table: Table, first: int, last: int) -> dict[str, list[Any]]:
        """The rows of `table` (accounts or spokespeople) of the entities whose positions
        are `first` to `last`, by entity id, in their own order."""
        query = (
            select(table)
            .join(ENTITY, ENTITY.c.id == table.c.entity_id)
            .where(ENTITY.c.position.between(first, last))
            .order_by(table.c.entity_id, table.c.position)
        )
        children: dict[str, list[Any]] = defaultdict(list)
        for row in await self._rows(query):
            children[row.entity_id].append(row)
        return children

    async def non_official(self) -> list[NonOfficial]:
        rows = await self._rows(select(NON_OFFICIAL).order_by(NON_OFFICIAL.c.position))
        return await asyncio.to_thread(lambda: [non_official_from_row(row) for row in rows])

    async def policies(self) -> list[Policy]:
        rows = await self._rows(select(POLICY).order_by(POLICY.c.position))
        return [policy_from_row(row) for row in rows]

    async def replace(self, old: Registry, new: Registry) -> None:
        """Makes the stored registry `new`, knowing it holds `old`: unchanged entities are
        not touched, changed ones are rewritten with their accounts and spokespeople."""
        rewritten, moved, stale = await asyncio.to_thread(_rewrites, old, new)
        # Children first: SQLite cascades only when foreign keys are on; deleting them
        # explicitly makes the order of the statements, not a pragma, keep handles unique.
        for table in (ACCOUNT, SPOKESPERSON):
            await self._delete_in(table, table.c.entity_id, stale)
        await self._delete_in(ENTITY, ENTITY.c.id, stale)
        await self._insert(ENTITY, (entity_row(e, p) for p, e in rewritten))
        await self._insert(ACCOUNT, (r for _, e in rewritten for r in account_rows(e)))
        await self._insert(SPOKESPERSON, (r for _, e in rewritten for r in spokesperson_rows(e)))
        if moved:
            statement = (
                update(ENTITY)
                .where(ENTITY.c.id == bindparam("b_id"))
                .values(position=bindparam("b_position"))
            )
            await self._execute(statement, moved)
        if old.non_official != new.non_official:
            await self._execute(delete(NON_OFFICIAL))
            await self._insert(
                NON_OFFICIAL, (non_official_row(n, p) for p, n in enumerate(new.non_official))
            )
        if old.policies != new.policies:
            await self._execute(delete(POLICY))
            await self._insert(POLICY, (policy_row(x, p) for p, x in enumerate(new.policies)))

    async def start_import(self, source: str, digest: str, at: dt.datetime) -> int:
        """Records the import's start; its counts are filled in by `finish_import`."""
        values = {
            "at": at,
            "source": source,
            "digest": digest,
            "entities": 0,
            "accounts": 0,
            "spokespeople": 0,
            "changes": 0,
        }
        result = await self._execute(insert(IMPORT).values(**values).returning(IMPORT.c.id))
        import_id: int = result.scalar_one()
        return import_id

    async def finish_import(
        self, import_id: int, counts: RegistryCounts, changes: Sequence[Change], at: dt.datetime
    ) -> None:
        await self._execute(
            update(IMPORT)
            .where(IMPORT.c.id == import_id)
            .values(
                entities=counts.entities,
                accounts=counts.accounts,
                spokespeople=counts.spokespeople,
                changes=len(changes),
            )
        )
        await self._insert(
            CHANGE, [{"import_id": import_id, "at": at, **c.as_dict()} for c in changes]
        )

    async def history(self, entity_id: str | None = None, limit: int = 50) -> list[ChangeRow]:
        """The change log, newest first, for one entity or all."""
        query = select_rows(ChangeRow).order_by(col(ChangeRow.id).desc()).limit(limit)
        if entity_id is not None:
            query = query.where(col(ChangeRow.entity_id) == entity_id)
        return list((await self._session.exec(query)).all())

    async def changes_since(
        self, since: dt.datetime, limit: int, entity_id: str | None = None
    ) -> list[ChangeRow]:
        """The change log from a time on, oldest first: a reader that keeps the time of
        the last change it saw asks again from there and misses nothing."""
        query = (
            select_rows(ChangeRow)
            .where(col(ChangeRow.at) >= since)
            .order_by(col(ChangeRow.id))
            .limit(limit)
        )
        if entity_id is not None:
            query = query.where(col(ChangeRow.entity_id) == entity_id)
        return list((await self._session.exec(query)).all())

    async def last_import(self) -> RegistryImportRow | None:
        query = select_rows(RegistryImportRow).order_by(col(RegistryImportRow.id).desc()).limit(1)
        return (await self._session.exec(query)).first()

    async def last_file_import(self) -> RegistryImportRow | None:
        """The newest import of registry files (not an accepted citizens' report, which
        is written like an import of its own): which files the stored registry came
        from, and in which version."""
        query = (
            select_rows(RegistryImportRow)
            .where(col(RegistryImportRow.source) != REPORTS_SOURCE)
            .order_by(col(RegistryImportRow.id).desc())
            .limit(1)
        )
        return (await self._session.exec(query)).first()

    async def _insert(self, table: Table, rows: Iterable[dict[str, Any]]) -> None:
        """Inserts in batches, each built in a worker thread only when it is sent: a
        300,000-row import never holds all its rows at once."""
        pending = iter(rows)
        while batch := await asyncio.to_thread(list, islice(pending, _BATCH)):
            await self._execute(insert(table), batch)

    async def _delete_in(self, table: Table, column: Any, values: Iterable[str]) -> None:
        values = list(values)
        for start in range(0, len(values), _CHUNK):
            await self._execute(delete(table).where(column.in_(values[start : start + _CHUNK])))

    async def _rows(self, query: Any) -> Sequence[Any]:
        rows: Sequence[Any] = (await self._execute(query)).all()
        return rows

    async def _scalar(self, query: Any) -> int:
        value: int = (await self._execute(query)).scalar_one()
        return value

    async def _execute(self, statement: Any, params: Any = None) -> Any:
        connection = await self._session.connection()
        return await connection.execute(statement, params)


def change_json(row: ChangeRow) -> dict[str, Any]:
    """A change-log row as JSON (`rasmi registry history --json`, the web API): its time
    in UTC with its offset (SQLite hands times back without one)."""
    at = row.at if row.at.tzinfo else row.at.replace(tzinfo=dt.UTC)
    return {
        "id": row.id,
        "import_id": row.import_id,
        "at": at.isoformat(),
        "entity_id": row.entity_id,
        "kind": row.kind,
        "subject": row.subject,
        "field": row.field,
        "old": row.old,
        "new": row.new,
    }


def _rewrites(
    old: Registry, new: Registry
) -> tuple[list[tuple[int, Entity]], list[dict[str, Any]], list[str]]:
    """What turns the stored `old` into `new`: the entities to write (with their new
    positions), the unchanged ones that only moved, and the ids of the rows to delete."""
    old_entities = {e.id: e for e in old.entities}
    old_positions = {e.id: i for i, e in enumerate(old.entities)}
    new_entities = {e.id: e for e in new.entities}
    rewritten: list[tuple[int, Entity]] = []
    moved: list[dict[str, Any]] = []
    for position, entity in enumerate(new.entities):
        if old_entities.get(entity.id) != entity:
            rewritten.append((position, entity))
        elif old_positions[entity.id] != position:
            moved.append({"b_id": entity.id, "b_position": position})
    stale = [e.id for e in old.entities if new_entities.get(e.id) != e]
    return rewritten, moved, stale
