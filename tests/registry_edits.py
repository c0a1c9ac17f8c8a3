"""Shared by the tests that import a registry, change it and import it again."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text

from db.engine import create_engine
from knowledge.registry.schema import Registry


def edit(path: Path, old: str, new: str) -> None:
    """Replaces the first `old` in the file with `new`; `old` must be there."""
    content = path.read_text(encoding="utf-8")
    assert old in content
    path.write_text(content.replace(old, new, 1), encoding="utf-8")


async def empty_postgres(url: str) -> None:
    """Drops and recreates the public schema: the next migration starts from nothing, as
    on a new SQLite file. Used by the tests and the benchmarks."""
    engine = create_engine(url)
    try:
        async with engine.begin() as connection:
            await connection.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
            await connection.execute(text("CREATE SCHEMA public"))
    finally:
        await engine.dispose()


def without_entities(registry: Registry, share: float) -> Registry:
    """`registry` less `share` of its entities, as a file cut short would be, but still
    valid: only entities that no other record names (as parent, successor or imitated
    body) are left out."""
    named = {e.parent for e in registry.entities} | {n.imitates for n in registry.non_official}
    named.update(s for e in registry.entities for s in e.successors)
    dropped = {e.id for e in registry.entities if e.id not in named}
    dropped = set(sorted(dropped)[: round(len(registry.entities) * share)])
    kept = [e for e in registry.entities if e.id not in dropped]
    return registry.model_copy(update={"entities": kept})
