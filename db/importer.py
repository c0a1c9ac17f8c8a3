"""Importing a registry: validate first, then one transaction that diffs and writes.

Either the whole registry and its change log are written, or nothing is: a problem found
by validation stops before the database is opened, and any failure later rolls back.

An import is also refused when it would lose what a maintainer did not mean to lose: a
registry with no entities (a truncated or emptied file), or one that removes or retires
more than a share of the stored entities or accounts (`max_removals`, 5% unless set),
unless the maintainer says so (`allow_removals`). A handle the file no longer lists is
kept as a former account, and an impersonation accepted from citizens' reports is kept
until the files list its handle: that import folds the acceptance, in its own transaction,
and the files decide from then on (see `knowledge.registry.former`). The import's transaction
tells running bots about it as it commits (see `db.registry_events`).
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import hashlib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from db.registry_events import announce_import
from db.repositories.alerts import AlertRepository
from db.repositories.registry import RegistryCounts, RegistryRepository
from db.repositories.reports import ReportRepository
from knowledge.registry.diff import Change, Removals, diff_registries, removals
from knowledge.registry.former import deciding_handles, keep_dropped_records
from knowledge.registry.handles import Platform
from knowledge.registry.schema import Registry
from knowledge.registry.validation import load_registry, paused_gc
from knowledge.registry.yaml_io import registry_files

HandleKey = tuple[Platform, str]

MAX_REMOVALS = 0.05
"""The share of stored entities, or of active accounts, one import may remove or retire
unless removals are allowed: more is a truncated file far more often than an intent."""


@dataclass(frozen=True)
class ImportOptions:
    allow_removals: bool = False
    """Import even when more than `max_removals` would go: the maintainer meant it."""
    max_removals: float = MAX_REMOVALS
    dry_run: bool = False
    """Compute and report the changes; write nothing (not even the import's record)."""
    alone: bool = False
    """Nothing else runs in this process (`rasmi registry import`, or the bot before it
    serves anyone): the collector may stay paused for the whole import. It roughly
    halves the CPU of a 100,000-entity import, whose validated registry the collector
    would otherwise walk again during the writes. Never for a running bot: the pause
    would hold across awaits, and every handler would go without the collector."""


class ImportRefused(Exception):
    """A valid registry that was not imported, because of what it would remove. Nothing
    was written."""

    def __init__(
        self, reason: str, removals: Removals | None = None, changes: list[Change] | None = None
    ):
        super().__init__(reason)
        self.reason = reason
        self.removals = removals
        self.changes = changes or []

    def as_dict(self) -> dict[str, Any]:
        return {
            "refused": True,
            "reason": self.reason,
            "removals": self.removals.as_dict() if self.removals else None,
            "changes": [c.as_dict() for c in self.changes],
        }


def refuse_empty(registry: Registry) -> None:
    """A registry with no entities would remove them all: always a mistake."""
    if not registry.entities:
        raise ImportRefused("the registry has no entities: importing it would remove every entity")


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
    dry_run: bool = False
    """Nothing was written: `import_id` is 0 and no alert was queued."""

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
            "dry_run": self.dry_run,
            "changes": [c.as_dict() for c in self.changes],
        }


async def import_path(
    sessions: async_sessionmaker[AsyncSession],
    source: Path,
    options: ImportOptions = ImportOptions(),
) -> ImportResult:
    """Validates and imports the registry file or folder `source`, reading and hashing its
    files in a worker thread so a running bot goes on answering; raises RegistryInvalid
    for an invalid registry and ImportRefused for one that would remove too much."""
    registry = await asyncio.to_thread(load_registry, source)
    digest = await asyncio.to_thread(registry_digest, source)
    return await import_registry(sessions, registry, str(source), digest, options)


def registry_digest(path: Path) -> str:
    """SHA-256 over the registry's files, names and contents, to identify its version."""
    digest = hashlib.sha256()
    for file in registry_files(path):
        digest.update(file.name.encode())
        digest.update(file.read_bytes())
    return digest.hexdigest()


async def import_registry(
    sessions: async_sessionmaker[AsyncSession],
    registry: Registry,
    source: str,
    digest: str,
    options: ImportOptions = ImportOptions(),
) -> ImportResult:
    """Stores `registry` and logs how it differs from the stored one, atomically.

    The collector is not paused across this coroutine's awaits (unless `options.alone`):
    the bot's handlers run in between. Only synchronous steps with no await inside
    (building models, comparing) pause it, in their worker threads."""
    refuse_empty(registry)
    with paused_gc() if options.alone else contextlib.nullcontext():
        return await _import(sessions, registry, source, digest, options)


async def _import(
    sessions: async_sessionmaker[AsyncSession],
    registry: Registry,
    source: str,
    digest: str,
    options: ImportOptions,
) -> ImportResult:
    now = dt.datetime.now(dt.UTC)
    async with sessions() as session, session.begin():
        repository = RegistryRepository(session)
        if not options.dry_run:
            await repository.lock_for_import()
        previous = await repository.last_import()
        import_id = 0 if options.dry_run else await repository.start_import(source, digest, now)
        baseline = await repository.is_empty()
        if not baseline and previous is not None and previous.digest == digest:
            # The very files of the last import: nothing can have changed, and a large
            # registry need not be loaded and compared to find that out.
            counts = await repository.counts()
            if not options.dry_run:
                await repository.finish_import(import_id, counts, [], now)
                await announce_import(session, import_id)
            return ImportResult(counts, [], False, import_id, digest, source, 0, options.dry_run)
        old = await repository.load()
        reports = ReportRepository(session)
        standing = await reports.standing()
        new, changes, kinds, taken, listed = await asyncio.to_thread(
            _changes, old, registry, now.date().isoformat(), baseline, standing
        )
        if taken.exceed(options.max_removals) and not options.allow_removals:
            raise ImportRefused(_too_many(taken, options.max_removals), taken, changes)
        if options.dry_run:
            counts = await asyncio.to_thread(_counts, new)
            return ImportResult(counts, changes, baseline, 0, digest, source, 0, True)
        await repository.replace(old, new)
        await reports.fold(listed)
        counts = await repository.counts()
        await repository.finish_import(import_id, counts, changes, now)
        queued = await AlertRepository(session).notify_changes(import_id, changes, kinds, now)
        await announce_import(session, import_id)
    return ImportResult(counts, changes, baseline, import_id, digest, source, queued)


def _too_many(taken: Removals, share: float) -> str:
    return (
        f"it would remove or retire {taken.entities} of {taken.entity_total} entities and "
        f"{taken.accounts} of {taken.account_total} active accounts, more than "
        f"{share:.0%} of either; allow removals to import it anyway"
    )


def _changes(
    old: Registry, registry: Registry, date: str, baseline: bool, standing: set[HandleKey]
) -> tuple[Registry, list[Change], dict[str, str], Removals, set[HandleKey]]:
    """The registry to store (the file's, with the handles it dropped kept as former
    accounts and the records of `standing` acceptances of citizens' reports it does not
    list kept), the changes, the kind of each entity they name (its subscribers may follow
    the kind), what they remove, and the standing acceptances the file decides (to fold):
    synchronous work over the whole registry, for a worker thread."""
    with paused_gc():  # no await in here: the collector is paused for this thread's work
        listed = standing & deciding_handles(registry)
        new = keep_dropped_records(old, registry, date, standing - listed)
        changes = [] if baseline else diff_registries(old, new)
        named = {change.entity_id for change in changes}
        kinds = {e.id: e.kind.value for e in (*old.entities, *new.entities) if e.id in named}
        taken = removals(old, changes)
    return new, changes, kinds, taken, listed


def _counts(registry: Registry) -> RegistryCounts:
    """What storing `registry` would leave in the tables (for a dry run)."""
    return RegistryCounts(
        entities=len(registry.entities),
        accounts=sum(len(e.accounts) for e in registry.entities),
        spokespeople=sum(len(e.spokespeople) for e in registry.entities),
        non_official=len(registry.non_official),
    )
