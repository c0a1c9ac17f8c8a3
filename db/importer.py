"""Importing a registry: validate first, then one transaction that diffs and writes.

Either the whole registry and its change log are written, or nothing is: a problem found
by validation stops before the database is opened, and any failure later rolls back.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from db.repositories.alerts import AlertRepository
from db.repositories.registry import RegistryCounts, RegistryRepository
from knowledge.registry.diff import Change, diff_registries
from knowledge.registry.schema import Registry
from knowledge.registry.validation import load_registry, paused_gc
from knowledge.registry.yaml_io import registry_files


@dataclass(frozen=True)
class ImportResult:
    counts: RegistryCounts
    changes: list[Change]
    baseline: bool
    """The database was empty: this import is the starting point, not a list of changes."""
    import_id: int
    digest: str
    source: str
    alerts_queued: int = 0
    """Outbox rows created for subscribers of the changed entities."""

    def as_dict(self) -> dict[str, Any]:
        return {
            "entities": self.counts.entities,
            "accounts": self.counts.accounts,
            "spokespeople": self.counts.spokespeople,
            "non_official": self.counts.non_official,
            "baseline": self.baseline,
            "import_id": self.import_id,
            "source": self.source,
            "digest": self.digest,
            "alerts_queued": self.alerts_queued,
            "changes": [c.as_dict() for c in self.changes],
        }


async def import_path(sessions: async_sessionmaker[AsyncSession], source: Path) -> ImportResult:
    """Validates and imports the registry file or folder `source`, reading and hashing its
    files in a worker thread so a running bot goes on answering; raises RegistryInvalid
    for an invalid registry."""
    registry = await asyncio.to_thread(load_registry, source)
    digest = await asyncio.to_thread(registry_digest, source)
    return await import_registry(sessions, registry, str(source), digest)


def registry_digest(path: Path) -> str:
    """SHA-256 over the registry's files, names and contents, to identify its version."""
    digest = hashlib.sha256()
    for file in registry_files(path):
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


async def import_registry(
    sessions: async_sessionmaker[AsyncSession], registry: Registry, source: str, digest: str
) -> ImportResult:
    """Stores `registry` and logs how it differs from the stored one, atomically."""
    now = dt.datetime.now(dt.UTC)
    with paused_gc():
        return await _import(sessions, registry, source, digest, now)


async def _import(
    sessions: async_sessionmaker[AsyncSession],
    registry: Registry,
    source: str,
    digest: str,
    now: dt.datetime,
) -> ImportResult:
    async with sessions() as session, session.begin():
        repository = RegistryRepository(session)
        await repository.lock_for_import()
        previous = await repository.last_import()
        import_id = await repository.start_import(source, digest, now)
        baseline = await repository.is_empty()
        if not baseline and previous is not None and previous.digest == digest:
            # The very files of the last import: nothing can have changed, and a large
            # registry need not be loaded and compared to find that out.
            counts = await repository.counts()
            await repository.finish_import(import_id, counts, [], now)
            return ImportResult(counts, [], False, import_id, digest, source, 0)
        old = await repository.load()
        changes, kinds = ([], {}) if baseline else await asyncio.to_thread(_changes, old, registry)
        await repository.replace(old, registry)
        counts = await repository.counts()
        await repository.finish_import(import_id, counts, changes, now)
        queued = await AlertRepository(session).notify_changes(import_id, changes, kinds, now)
    return ImportResult(counts, changes, baseline, import_id, digest, source, queued)


def _changes(old: Registry, new: Registry) -> tuple[list[Change], dict[str, str]]:
    """The changes, and the kind of each entity they name (its subscribers may follow the
    kind): work over the whole registry, for a worker thread."""
    changes = diff_registries(old, new)
    named = {change.entity_id for change in changes}
    kinds = {e.id: e.kind.value for e in (*old.entities, *new.entities) if e.id in named}
    return changes, kinds
