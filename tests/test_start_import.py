"""At start, the stored registry follows its files: an empty database gets them, and one
filled from the same files gets them again when they changed (an upgrade of Rasmi brings a
newer bundled registry). A database filled from other files is left alone, and a changed
file that is invalid or would remove too much leaves the stored registry serving."""

from __future__ import annotations

import logging
import shutil
from pathlib import Path

import pytest
from registry_edits import edit
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from bot.registry_commands import ensure_imported
from db.importer import import_path, import_registry
from db.repositories.registry import RegistryRepository
from knowledge.registry import BUNDLED_REGISTRY
from knowledge.registry.handles import Platform
from knowledge.registry.validation import load_registry

Sessions = async_sessionmaker[AsyncSession]


async def moh_x(sessions: Sessions) -> list[str]:
    async with sessions() as session:
        registry = await RegistryRepository(session).load()
    moh = next(e for e in registry.entities if e.id == "moh")
    return [f"{a.handle}:{a.status.value}" for a in moh.accounts if a.platform is Platform.X]


async def test_an_upgraded_bundled_registry_is_imported_at_start(sessions: Sessions) -> None:
    """The stored registry came from an older bundled registry (the ministry's X handle
    was then @SaudiMOH_old): the start imports the current one, as a change."""
    older = load_registry(BUNDLED_REGISTRY)
    moh = next(e for e in older.entities if e.id == "moh")
    renamed = [
        a.model_copy(update={"handle": "SaudiMOH_old"}) if a.handle == "SaudiMOH" else a
        for a in moh.accounts
    ]
    entities = [
        moh.model_copy(update={"accounts": renamed}) if e.id == "moh" else e for e in older.entities
    ]
    older = older.model_copy(update={"entities": entities})
    await import_registry(sessions, older, str(BUNDLED_REGISTRY), "0" * 64)
    assert "SaudiMOH_old:active" in await moh_x(sessions)

    result = await ensure_imported(sessions, None)

    assert result is not None and [c.subject for c in result.changes] == ["x:SaudiMOH"]
    assert {"SaudiMOH:active", "SaudiMOH_old:former"} <= set(await moh_x(sessions))
    assert await ensure_imported(sessions, None) is None  # the same files: nothing to do


async def test_a_database_filled_from_other_files_is_left_alone(
    sessions: Sessions, tmp_path: Path
) -> None:
    own = tmp_path / "own"
    shutil.copytree(BUNDLED_REGISTRY, own)
    edit(own / "entities.yaml", "handle: SaudiMOH\n", "handle: SaudiMOH_own\n")
    await import_path(sessions, own)

    assert await ensure_imported(sessions, None) is None

    assert "SaudiMOH_own:active" in await moh_x(sessions)


async def test_a_changed_file_that_is_invalid_or_removes_too_much_leaves_the_registry_serving(
    sessions: Sessions, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    files = tmp_path / "registry"
    shutil.copytree(BUNDLED_REGISTRY, files)
    await import_path(sessions, files)
    before = await moh_x(sessions)

    edit(files / "entities.yaml", "handle: SaudiMOH\n", "handle: 'Saudi MOH'\n")
    with caplog.at_level(logging.ERROR):
        assert await ensure_imported(sessions, files) is None
    assert "changed since it was imported, but it was not imported again" in caplog.text

    (files / "entities.yaml").write_text("entities:\n", encoding="utf-8")
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        assert await ensure_imported(sessions, files) is None
    assert "not imported again" in caplog.text
    assert await moh_x(sessions) == before
