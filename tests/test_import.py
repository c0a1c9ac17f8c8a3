"""Import, diff, history and export against a real database (SQLite, or PostgreSQL when
RASMI_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from registry_edits import edit
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

import db.models  # noqa: F401  (the tables, on SQLModel.metadata)
from db.importer import import_path
from db.registry_index import IndexCache
from db.repositories.registry import RegistryCounts, RegistryRepository
from knowledge.index import RegistryIndex
from knowledge.registry.diff import ChangeKind
from knowledge.registry.export import export_registry
from knowledge.registry.handles import Platform
from knowledge.registry.schema import AccountStatus
from knowledge.registry.validation import load_registry

Sessions = async_sessionmaker[AsyncSession]


async def stored(sessions: Sessions) -> tuple[RegistryCounts, int]:
    async with sessions() as session:
        repository = RegistryRepository(session)
        return await repository.counts(), len(await repository.history(limit=10_000))


async def test_the_migrations_make_the_tables_the_models_describe(sessions: Sessions) -> None:
    """Alembic's autogenerate finds nothing to add: no model was changed without its
    migration, and no migration without its model."""

    def differences(connection: Connection) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, SQLModel.metadata))

    async with sessions() as session:
        connection = await session.connection()
        assert await connection.run_sync(differences) == []


async def test_first_import_is_the_baseline_and_reimport_changes_nothing(
    sessions: Sessions, example_registry: Path
) -> None:
    first = await import_path(sessions, example_registry)
    assert first.baseline
    assert first.changes == []
    assert first.counts == RegistryCounts(entities=4, accounts=5, spokespeople=1, non_official=1)

    again = await import_path(sessions, example_registry)
    assert not again.baseline
    assert again.changes == []
    assert await stored(sessions) == (first.counts, 0)


async def test_what_is_stored_is_what_was_imported(
    sessions: Sessions, example_registry: Path
) -> None:
    await import_path(sessions, example_registry)
    async with sessions() as session:
        assert await RegistryRepository(session).load() == load_registry(example_registry)


async def test_pages_of_entities_are_the_registry_in_file_order(
    sessions: Sessions, bundled_copy: Path
) -> None:
    """Page boundaries fall between entities with accounts and spokespeople: none may be
    lost, duplicated or given to the wrong neighbour."""
    await import_path(sessions, bundled_copy)
    async with sessions() as session:
        pages = [page.models() async for page in RegistryRepository(session).entity_pages(7)]
    assert {len(page) for page in pages[:-1]} == {7}
    assert [e for page in pages for e in page] == load_registry(bundled_copy).entities


async def test_the_index_cache_reads_the_stored_registry_and_follows_imports(
    sessions: Sessions, bundled_copy: Path
) -> None:
    await import_path(sessions, bundled_copy)
    cache = IndexCache(sessions)
    index = await cache.current()
    assert len(index.entities) == len(load_registry(bundled_copy).entities)
    hit = index.account(Platform.X, "saudimoh")
    assert hit is not None and hit.entity.id == "moh"
    assert await cache.current() is index  # same version: not rebuilt

    edit(bundled_copy / "entities.yaml", "handle: SaudiMOH\n", "handle: SaudiMOH_new\n")
    await import_path(sessions, bundled_copy)
    rebuilt = await cache.current()
    assert rebuilt is not index and cache.latest is rebuilt
    retired = rebuilt.account(Platform.X, "SaudiMOH")
    assert retired is not None and retired.account.status is AccountStatus.FORMER
    moved = rebuilt.account(Platform.X, "saudimoh_new")
    assert moved is not None and moved.account.handle == "SaudiMOH_new"


async def test_an_import_that_lands_during_the_index_load_is_not_half_read(
    sessions: Sessions, bundled_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The pages are read by several statements: an import committed between them must
    make the cache load again, not serve a mix of two versions."""
    await import_path(sessions, bundled_copy)
    loop = asyncio.get_running_loop()
    builds: list[str] = []

    def build_while_importing(*args: Any) -> RegistryIndex:
        index = RegistryIndex(*args)
        if not builds:  # the first load: an import lands before it is finished
            edit(bundled_copy / "entities.yaml", "handle: SaudiMOH\n", "handle: SaudiMOH_new\n")
            asyncio.run_coroutine_threadsafe(import_path(sessions, bundled_copy), loop).result()
        builds.append(index.version)
        return index

    monkeypatch.setattr("db.registry_index.RegistryIndex", build_while_importing)
    index = await IndexCache(sessions).current()
    assert len(builds) == 2 and builds[0] != builds[1] == index.version
    assert index.account(Platform.X, "SaudiMOH_new") is not None
    retired = index.account(Platform.X, "SaudiMOH")
    assert retired is not None and retired.account.status is AccountStatus.FORMER


async def test_a_renamed_handle_and_a_replaced_spokesperson_are_two_changes(
    sessions: Sessions, example_registry: Path
) -> None:
    await import_path(sessions, example_registry)
    edit(example_registry, "handle: SaudiMOH\n", "handle: SaudiMOH_new\n")
    edit(example_registry, "{ar: محمد العبدالعالي, en: Mohammed Al-Abdulaali}", "{en: A. New}")

    result = await import_path(sessions, example_registry)

    assert [c.kind for c in result.changes] == [
        ChangeKind.HANDLE_CHANGED,
        ChangeKind.SPOKESPERSON_CHANGED,
    ]
    async with sessions() as session:
        history = await RegistryRepository(session).history("moh")
    assert [row.kind for row in history] == ["spokesperson_changed", "handle_changed"]
    handle_change = history[1]
    assert handle_change.old["handle"] == "SaudiMOH"
    assert handle_change.new["handle"] == "SaudiMOH_new"
    assert handle_change.import_id == result.import_id
    assert handle_change.at is not None


async def test_history_is_newest_first_and_per_entity(
    sessions: Sessions, example_registry: Path
) -> None:
    await import_path(sessions, example_registry)
    edit(example_registry, "website: https://www.moh.gov.sa", "website: https://moh.gov.sa")
    await import_path(sessions, example_registry)
    edit(example_registry, "handle: HRSD_SA", "handle: HRSD_KSA")
    await import_path(sessions, example_registry)
    async with sessions() as session:
        repository = RegistryRepository(session)
        assert [r.entity_id for r in await repository.history()] == ["hrsd", "moh"]
        assert [r.field for r in await repository.history("moh")] == ["website"]
        assert await repository.history("moi") == []


async def test_an_entity_moving_a_handle_to_another_in_one_import_is_allowed(
    sessions: Sessions, example_registry: Path
) -> None:
    """Rows are deleted before they are re-inserted, so the unique handle index never
    sees the handle twice mid-import."""
    await import_path(sessions, example_registry)
    edit(example_registry, "handle: MLSD_SA\n", "handle: MLSD_old\n")
    edit(example_registry, "handle: HRSD_SA\n", "handle: MLSD_SA\n")
    result = await import_path(sessions, example_registry)
    assert {c.kind for c in result.changes} == {ChangeKind.HANDLE_CHANGED}
    async with sessions() as session:
        stored_registry = await RegistryRepository(session).load()
    # MLSD_SA moved to hrsd, so the file lists it and takes it as it says; HRSD_SA is
    # listed nowhere any more: hrsd keeps it as a former account.
    handles = {e.id: [a.handle for a in e.accounts] for e in stored_registry.entities}
    assert handles["mlsd"] == ["MLSD_old"]
    assert handles["hrsd"] == ["MLSD_SA", "HRSD_SA"]
    assert stored_registry.entities[2].accounts[1].status is AccountStatus.FORMER


async def test_a_failed_import_leaves_the_database_as_it_was(
    sessions: Sessions, example_registry: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    await import_path(sessions, example_registry)
    before = await stored(sessions)
    edit(example_registry, "handle: SaudiMOH\n", "handle: SaudiMOH_new\n")

    async def crash(*args: object) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(RegistryRepository, "finish_import", crash)
    with pytest.raises(RuntimeError):
        await import_path(sessions, example_registry)
    monkeypatch.undo()

    assert await stored(sessions) == before
    async with sessions() as session:
        repository = RegistryRepository(session)
        reloaded = await repository.load()
        last = await repository.last_import()
    assert reloaded.entities[0].accounts[0].handle == "SaudiMOH"
    assert last is not None and last.id == 1


async def test_yaml_export_reimports_with_no_change(
    sessions: Sessions, example_registry: Path, tmp_path: Path
) -> None:
    await import_path(sessions, example_registry)
    async with sessions() as session:
        registry = await RegistryRepository(session).load()
    exported = tmp_path / "exported.yaml"
    exported.write_text(export_registry(registry, "yaml"), encoding="utf-8")

    assert load_registry(exported) == registry
    assert (await import_path(sessions, exported)).changes == []


async def test_json_and_csv_exports(sessions: Sessions, example_registry: Path) -> None:
    await import_path(sessions, example_registry)
    async with sessions() as session:
        registry = await RegistryRepository(session).load()

    data = json.loads(export_registry(registry, "json"))
    assert [e["id"] for e in data["entities"]] == ["moh", "mlsd", "hrsd", "moi"]

    rows = list(csv.DictReader(io.StringIO(export_registry(registry, "csv"))))
    moh_x = next(r for r in rows if r["handle"] == "SaudiMOH")
    assert moh_x["url"] == "https://x.com/SaudiMOH"
    assert moh_x["name_ar"] == "وزارة الصحة"
    assert moh_x["confidence"] == "confirmed"
    assert {r["entity_id"] for r in rows} == {"moh", "mlsd", "hrsd", "moi"}


async def test_a_handle_the_file_lists_as_not_official_is_not_kept_as_former(
    sessions: Sessions, example_registry: Path
) -> None:
    """Removed for cause: the maintainers moved the ministry to a new handle and listed
    the old one as taken over. The file decides; no former account is kept for it."""
    await import_path(sessions, example_registry)
    edit(example_registry, "handle: SaudiMOH\n", "handle: SaudiMOH_new\n")
    edit(
        example_registry,
        "non_official:\n",
        "non_official:\n"
        "  - platform: x\n"
        "    handle: SaudiMOH\n"
        "    imitates: moh\n"
        "    reason: impersonation\n"
        "    evidence: {sources: [{kind: news, url: 'https://example.com/takeover'}], "
        "checked: 2026-12, confidence: confirmed}\n",
    )
    result = await import_path(sessions, example_registry)
    async with sessions() as session:
        stored_registry = await RegistryRepository(session).load()
    moh = stored_registry.entities[0]
    assert "SaudiMOH" not in [a.handle for a in moh.accounts]
    assert "SaudiMOH" in [n.handle for n in stored_registry.non_official]
    assert {c.kind for c in result.changes} >= {
        ChangeKind.HANDLE_CHANGED,
        ChangeKind.NON_OFFICIAL_ADDED,
    }
