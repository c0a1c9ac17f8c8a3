"""`rasmi registry ...`: the maintainer's commands for checking, importing, exporting the
registry and reading its change log. Output is for the terminal (or JSON for scripts)."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
import logging
import sys
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from db.engine import open_database
from db.importer import (
    ImportOptions,
    ImportRefused,
    ImportResult,
    import_path,
    import_registry,
    refuse_empty,
    registry_digest,
)
from db.repositories.questions import QuestionLogRepository
from db.repositories.registry import RegistryRepository, change_json
from knowledge.registry import BUNDLED_REGISTRY
from knowledge.registry.diff import Change, ChangeKind
from knowledge.registry.export import ExportFormat, export_registry
from knowledge.registry.schema import Registry
from knowledge.registry.validation import Problem, RegistryInvalid, load_registry
from knowledge.registry.yaml_io import registry_files

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_INVALID = 1
"""An invalid registry, or one with no entities: nothing was written."""
EXIT_REFUSED = 3
"""A valid registry that would remove or retire too much: nothing was written; run the
import again with --allow-removals if that is what was meant."""
SHOWN_CHANGES = 20
"""Changes listed one per line; beyond this, counts by kind (--json keeps them all)."""


def check(path: Path, as_json: bool) -> int:
    """Validates without touching the database."""
    try:
        registry = load_registry(path)
        refuse_empty(registry)
    except RegistryInvalid as exc:
        return _report_problems(exc.problems, as_json)
    except ImportRefused as exc:
        return _report_refusal(exc, path, as_json)
    summary = {
        "valid": True,
        "entities": len(registry.entities),
        "accounts": sum(len(e.accounts) for e in registry.entities),
        "spokespeople": sum(len(e.spokespeople) for e in registry.entities),
        "non_official": len(registry.non_official),
    }
    if as_json:
        print(json.dumps(summary))
    else:
        print(
            f"{path}: valid. {summary['entities']} entities, {summary['accounts']} accounts, "
            f"{summary['spokespeople']} spokespeople, "
            f"{summary['non_official']} non-official handles.",
        )
    return EXIT_OK


async def import_(
    database_url: str, path: Path | None, as_json: bool, options: ImportOptions
) -> int:
    """Validates everything first; writes only a valid registry, in one transaction, and
    only if it does not remove more than the options allow (or, dry, writes nothing)."""
    source = path or BUNDLED_REGISTRY
    try:
        registry = load_registry(source)
        refuse_empty(registry)
        result = await _store(database_url, registry, source, options)
    except RegistryInvalid as exc:
        return _report_problems(exc.problems, as_json)
    except ImportRefused as exc:
        return _report_refusal(exc, source, as_json)
    if as_json:
        print(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        _print_import(result, source)
    return EXIT_OK


async def ensure_imported(
    sessions: async_sessionmaker[AsyncSession], path: Path | None
) -> ImportResult | None:
    """At start (the database migrated): import the registry when there is none, and
    again when its files changed since they were last imported: after an upgrade of
    Rasmi the bundled registry is newer than the stored one, and answering from the old
    one would contradict the files a maintainer reads. Only the same source is
    re-imported (a database filled from other files is left alone), with the usual
    safety: a re-import that is invalid or would remove too much is logged, and the
    stored registry goes on serving."""
    source = path or BUNDLED_REGISTRY
    async with sessions() as session:
        repository = RegistryRepository(session)
        empty = await repository.is_empty()
        last = None if empty else await repository.last_file_import()
    # Before the bot serves anyone, or in a terminal command: nothing else is running.
    options = ImportOptions(alone=True)
    if empty:
        return await import_path(sessions, source, options)
    if last is None or last.source != str(source):
        return None
    if await asyncio.to_thread(registry_digest, source) == last.digest:
        return None
    try:
        result = await import_path(sessions, source, options)
    except (RegistryInvalid, ImportRefused) as exc:
        log.error(
            "%s changed since it was imported, but it was not imported again: %s", source, exc
        )
        return None
    log.info("%s changed since it was imported: %d change(s) imported", source, len(result.changes))
    return result


async def export(database_url: str, fmt: ExportFormat, output: Path | None) -> int:
    registry = await _load(database_url)
    text = export_registry(registry, fmt)
    if output is None:
        sys.stdout.write(text)
    else:
        await asyncio.to_thread(output.write_text, text, encoding="utf-8")
        print(f"Wrote {len(registry.entities)} entities to {output}.", file=sys.stderr)
    return EXIT_OK


async def history(database_url: str, entity_id: str | None, limit: int, as_json: bool) -> int:
    async with open_database(database_url) as sessions, sessions() as session:
        rows = await RegistryRepository(session).history(entity_id, limit)
    if as_json:
        for row in rows:
            print(json.dumps(change_json(row), ensure_ascii=False))
        return EXIT_OK
    if not rows:
        scope = f" for '{entity_id}'" if entity_id else ""
        print(f"No changes recorded{scope}.")
    for row in rows:
        change = Change(
            ChangeKind(row.kind), row.entity_id, row.subject, row.field, row.old, row.new
        )
        print(f"{row.at:%Y-%m-%d %H:%M:%S}  import #{row.import_id}  {describe(change)}")
    return EXIT_OK


async def listing(database_url: str, kind: str | None) -> int:
    registry = await _load(database_url)
    for entity in registry.entities:
        if kind and entity.kind.value != kind:
            continue
        handles = ", ".join(
            f"{a.platform.value}:@{a.handle}" for a in entity.accounts if a.status.value == "active"
        )
        name = entity.name.en or entity.name.ar or entity.name.fr
        print(f"{entity.id:<40} {entity.kind.value:<13} {name}  {handles}".rstrip())
    return EXIT_OK


def describe(change: Change) -> str:
    """One line a maintainer can read: what changed, from what, to what."""
    who = change.entity_id or "-"
    kind = change.kind.value
    subject = f" {change.subject}" if change.subject else ""
    if change.kind is ChangeKind.HANDLE_CHANGED:
        old, new = change.old, change.new
        return f"{who}: {kind} {old['platform']} @{old['handle']} -> @{new['handle']}"
    if change.kind is ChangeKind.SPOKESPERSON_CHANGED:
        return f"{who}: {kind} {_person(change.old)} -> {_person(change.new)}"
    if change.field:
        values = f"{_short(change.old)} -> {_short(change.new)}"
        return f"{who}: {kind}{subject} {change.field}: {values}"
    if change.kind is ChangeKind.ENTITY_STATUS_CHANGED:
        return f"{who}: {kind} {_short(change.old)} -> {_short(change.new)}"
    return f"{who}: {kind}{subject}"


def _person(record: dict[str, Any]) -> str:
    name = record.get("name", {})
    return str(name.get("en") or name.get("ar") or name.get("fr") or "?")


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= 80 else text[:77] + "..."


async def _store(
    database_url: str, registry: Registry, source: Path, options: ImportOptions
) -> ImportResult:
    async with open_database(database_url) as sessions:
        digest = registry_digest(source)
        return await import_registry(sessions, registry, str(source), digest, options)


async def _load(database_url: str) -> Registry:
    async with open_database(database_url) as sessions, sessions() as session:
        return await RegistryRepository(session).load()


def _report_problems(problems: Iterable[Problem], as_json: bool) -> int:
    problems = list(problems)
    if as_json:
        print(
            json.dumps(
                {"valid": False, "problems": [p.as_dict() for p in problems]}, ensure_ascii=False
            ),
        )
    else:
        for problem in problems:
            print(problem, file=sys.stderr)
        print(f"{len(problems)} problem(s) found; nothing was written.", file=sys.stderr)
    return EXIT_INVALID


def _report_refusal(refusal: ImportRefused, source: Path, as_json: bool) -> int:
    """An empty registry is invalid (exit 1); one that removes too much is refused (exit
    3), with the changes it would have made."""
    code = EXIT_INVALID if refusal.removals is None else EXIT_REFUSED
    if as_json:
        print(json.dumps(refusal.as_dict(), ensure_ascii=False))
        return code
    if refusal.changes:
        _print_changes(refusal.changes, sys.stderr)
    print(f"{source}: not imported: {refusal.reason}. Nothing was written.", file=sys.stderr)
    return code


def _print_import(result: ImportResult, source: Path) -> None:
    files = len(registry_files(source))
    counts = result.counts
    verb = "Dry run, nothing written. Importing" if result.dry_run else "Imported"
    print(
        f"{verb} {source} ({files} file{'s' if files != 1 else ''}): {counts.entities} entities, "
        f"{counts.accounts} accounts, {counts.spokespeople} spokespeople, "
        f"{counts.non_official} non-official handles.",
    )
    if result.baseline:
        print(
            "First import: this registry is the starting point of the change log. 0 changes.",
        )
    elif not result.changes:
        print("0 changes: the registry is already up to date.")
    else:
        _print_changes(result.changes, sys.stdout)


def _print_changes(changes: list[Change], out: TextIO) -> None:
    """Every change when there are few; else the count of each kind and the first
    `SHOWN_CHANGES` (a 400-change list scrolls the one that matters out of sight)."""
    print(f"{len(changes)} change(s):", file=out)
    if len(changes) > SHOWN_CHANGES:
        for kind, count in Counter(c.kind.value for c in changes).most_common():
            print(f"  {count:>6}  {kind}", file=out)
        print(f"The first {SHOWN_CHANGES} (--json lists them all):", file=out)
    for change in changes[:SHOWN_CHANGES]:
        print(f"  {describe(change)}", file=out)


async def questions(database_url: str, days: int, as_json: bool) -> int:
    """What people asked in the last days, and what went unanswered."""
    since = dt.datetime.now(dt.UTC) - dt.timedelta(days=days)
    async with open_database(database_url) as sessions, sessions() as session:
        stats = await QuestionLogRepository(session).stats(since)
    if as_json:
        print(json.dumps(dataclasses.asdict(stats), ensure_ascii=False))
        return EXIT_OK
    print(f"Questions in the last {days} day(s): {stats.total}, unanswered: {stats.unanswered}")
    for intent, count in sorted(stats.by_intent.items(), key=lambda item: -item[1]):
        print(f"  {intent:<20} {count}")
    if stats.top_unanswered:
        print("Most asked without an answer:")
        for text, count in stats.top_unanswered:
            print(f"  {count:>5}  {text}")
    return EXIT_OK
