"""The new registry fields in the database and in exports, and migration 0005, which
turns stored string sources into typed ones (SQLite, or PostgreSQL when
RASMI_TEST_DATABASE_URL is set)."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from registry_edits import edit
from sqlalchemy import JSON, column, insert, table, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from db.engine import MIGRATIONS, create_engine, migrate, session_factory
from db.importer import import_path
from db.repositories.registry import RegistryRepository
from knowledge.registry.export import export_registry
from knowledge.registry.schema import Confidence, NonOfficialReason, SourceKind
from knowledge.registry.validation import load_registry

Sessions = async_sessionmaker[AsyncSession]


async def test_policies_numeric_ids_roles_and_offices_survive_import_and_export(
    sessions: Sessions, example_registry: Path, tmp_path: Path
) -> None:
    await import_path(sessions, example_registry)
    async with sessions() as session:
        registry = await RegistryRepository(session).load()
    assert registry == load_registry(example_registry)
    [policy] = registry.policies
    assert policy.id == "official-accounts" and policy.sources[0].openable
    [listed] = registry.non_official
    assert (listed.platform_id, listed.reason) == (
        "1712345678901234567",
        NonOfficialReason.CONFLICTING,
    )
    person = registry.entities[0].spokespeople[0]
    assert person.role == "spokesperson"
    assert person.contact is not None and person.contact.office is not None

    exported = tmp_path / "exported.yaml"
    exported.write_text(export_registry(registry, "yaml"), encoding="utf-8")
    assert load_registry(exported) == registry
    assert (await import_path(sessions, exported)).changes == []
    data = json.loads(export_registry(registry, "json"))
    assert data["policies"][0]["id"] == "official-accounts"
    assert data["entities"][0]["accounts"][0]["evidence"]["sources"][1] == {
        "kind": "dataset",
        "note": "public code listing the ministry's accounts",
    }


async def test_a_changed_policy_is_stored(sessions: Sessions, example_registry: Path) -> None:
    await import_path(sessions, example_registry)
    edit(example_registry, "updated: 2026-11", "updated: 2026-12")
    await import_path(sessions, example_registry)
    async with sessions() as session:
        [policy] = await RegistryRepository(session).policies()
    assert policy.updated == "2026-12"


def test_the_csv_shows_the_source_a_citizen_would_be_shown(example_registry: Path) -> None:
    rows = list(
        csv.DictReader(io.StringIO(export_registry(load_registry(example_registry), "csv")))
    )
    moh_x = next(r for r in rows if r["handle"] == "SaudiMOH")
    assert (moh_x["source_kind"], moh_x["source_url"], moh_x["source_date"], moh_x["sources"]) == (
        "official_website",
        "https://www.moh.gov.sa/en/Pages/Default.aspx",
        "2026-11-20",
        "2",
    )
    moh_ig = next(r for r in rows if r["handle"] == "saudimoh")
    assert (moh_ig["source_kind"], moh_ig["source_url"], moh_ig["confidence"]) == (
        "dataset",
        "",
        "unconfirmed",
    )
    assert "public code" not in export_registry(load_registry(example_registry), "csv")


# Migration 0005 on a database that holds a registry stored before it.

BEFORE = "33351c519984"  # 0004
OLD_CONFIRMED = {
    "sources": ["https://www.my.gov.sa/x", "a crawl"],
    "checked": "2026-11",
    "confidence": "confirmed",
}


def _alembic(connection: Connection, revision: str, down: bool = False) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    (command.downgrade if down else command.upgrade)(config, revision)


async def _store_old_rows(connection: Any) -> None:
    """Rows as 0004 stored them, written with 0004's columns only."""
    for name, rows in _old_rows():
        columns = [
            column(k, JSON()) if isinstance(v, dict | list) else column(k)
            for k, v in rows[0].items()
        ]
        await connection.execute(insert(table(name, *columns)), rows)


def _old_rows() -> list[tuple[str, list[dict[str, Any]]]]:
    entity = {
        "id": "moh",
        "position": 0,
        "name_en": "Ministry of Health",
        "aliases": [],
        "kind": "ministry",
        "status": "active",
        "successors": [],
        "evidence": OLD_CONFIRMED,
    }
    account = {
        "entity_id": "moh",
        "position": 0,
        "platform": "x",
        "handle": "SaudiMOH",
        "handle_key": "saudimoh",
        "role": "main",
        "status": "active",
        "evidence": {**OLD_CONFIRMED, "sources": ["public GitHub code"]},
    }
    person = {
        "entity_id": "moh",
        "position": 0,
        "name": {"en": "Someone"},
        "accounts": [],
        "evidence": {**OLD_CONFIRMED, "confidence": "unconfirmed"},
    }
    fakes = [
        {
            "position": n,
            "platform": "x",
            "handle": handle,
            "handle_key": handle.casefold(),
            "reason": reason,
            "evidence": {**OLD_CONFIRMED, "sources": ["EVENTME list"]},
        }
        for n, (handle, reason) in enumerate(
            [("KAUST", "flagged"), ("MOD_Saudi", "ambiguous"), ("SaudiM0H", "impersonation")]
        )
    ]
    return [
        ("entity", [entity]),
        ("account", [account]),
        ("spokesperson", [person]),
        ("non_official", fakes),
    ]


async def test_migration_0005_types_stored_sources_and_keeps_the_registry_valid(
    database_url: str,
) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_alembic, BEFORE)
            await _store_old_rows(connection)
        await migrate(engine)  # to every head, as the bot does at start
        async with session_factory(engine)() as session:
            registry = await RegistryRepository(session).load()
    finally:
        await engine.dispose()

    [moh] = registry.entities
    # A URL string was provenance too: nothing openable remains, so not confirmed.
    assert [s.kind for s in moh.evidence.sources] == [SourceKind.DATASET, SourceKind.DATASET]
    assert moh.evidence.sources[0].note == "https://www.my.gov.sa/x"
    assert moh.evidence.confidence is Confidence.UNCONFIRMED
    assert not moh.accounts[0].official
    assert moh.accounts[0].evidence.sources[0].note == "public GitHub code"
    assert moh.spokespeople[0].role == "spokesperson"
    reasons = {n.handle: n.reason.value for n in registry.non_official}
    assert reasons == {
        "KAUST": "not_government",
        "MOD_Saudi": "conflicting",
        "SaudiM0H": "impersonation",
    }
    assert all(n.platform_id is None for n in registry.non_official)


async def test_migration_0005_goes_back_to_string_sources(database_url: str) -> None:
    engine = create_engine(database_url)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(_alembic, BEFORE)
            await _store_old_rows(connection)
            await connection.run_sync(_alembic, "a5c1e0d09e01")
            await connection.run_sync(_alembic, BEFORE, True)
            evidence = (await connection.execute(text("SELECT evidence FROM entity"))).scalar_one()
            reasons = (await connection.execute(text("SELECT reason FROM non_official"))).all()
            assert "policy" not in await connection.run_sync(
                lambda sync: sync.dialect.get_table_names(sync)
            )
    finally:
        await engine.dispose()
    evidence = json.loads(evidence) if isinstance(evidence, str) else evidence
    assert evidence["sources"] == ["https://www.my.gov.sa/x", "a crawl"]
    assert sorted(r[0] for r in reasons) == ["conflicting", "flagged", "impersonation"]
