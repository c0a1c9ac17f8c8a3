"""Answers agree with alerts: after an import renames a handle, the alert about it and the
bot's answers about the old and the new handle say the same thing, from the first
moment (the real `rasmi run` against the local Bot API server, on SQLite, or on
PostgreSQL when RASMI_TEST_DATABASE_URL is set).

Before, the alert reached subscribers about a second after the import while the bot's
answers followed a 60-second timer: for that time the bot said the handle the alert had
just announced was "not in the registry", and that the retired one was official.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from bot_api_server import BotApiServer
from bot_process import bot_environment
from registry_edits import edit
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession
from test_end_to_end import RunningBot, running_bot, wait_until_polling

from db.engine import open_database
from db.importer import import_path
from db.registry_index import IndexCache
from db.repositories.alerts import ALL, EVERYTHING, AlertRepository
from knowledge.answer import Verdict
from knowledge.engine import Engine
from knowledge.registry.handles import Platform

SUBSCRIBER = 8101
ASKER = 8102


@pytest.fixture
def server() -> Iterator[BotApiServer]:
    with BotApiServer() as running:
        yield running


def subscribe_everyone(database_url: str, chat_id: int) -> None:
    async def run() -> None:
        async with (
            open_database(database_url) as sessions,
            sessions() as session,
            session.begin(),
        ):
            await AlertRepository(session).subscribe(chat_id, "en", ALL, EVERYTHING)

    asyncio.run(run())


def test_the_first_alert_and_the_answers_right_after_it_agree(
    server: BotApiServer, database_url: str, bundled_copy: Path, tmp_path: Path
) -> None:
    with running_bot(server, database_url, tmp_path, REGISTRY_PATH=str(bundled_copy)) as bot:
        wait_until_polling(bot)
        server.user(SUBSCRIBER, "Lama", language_code="en")
        asker = server.user(ASKER, "Omar", language_code="en")
        subscribe_everyone(database_url, SUBSCRIBER)
        assert "@SaudiMOH" in bot.ask(asker, "/verify @SaudiMOH")["text"]

        # The maintainer renames the ministry's X handle and imports, as they would.
        edit(bundled_copy / "entities.yaml", "handle: SaudiMOH\n", "handle: SaudiMOH_new\n")
        imported = subprocess.run(
            [sys.executable, "-m", "bot.cli", "registry", "import", str(bundled_copy)],
            env=bot_environment(server, database_url),
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert imported.returncode == 0, imported.stderr
        assert "handle_changed x @SaudiMOH -> @SaudiMOH_new" in imported.stdout

        # The first alert, then at once what the bot answers about both handles.
        [alert] = bot.replies(SUBSCRIBER, 0)
        new = ask_right_away(bot, asker, "/verify @SaudiMOH_new")
        old = ask_right_away(bot, asker, "/verify x.com/SaudiMOH")
        bare = ask_right_away(bot, asker, "/verify @SaudiMOH")
        bot.note("[alert]", alert["text"])

    assert "@SaudiMOH_new" in alert["text"]
    assert "✅" in new and "not in the registry" not in new
    # The X link is the retired X handle; the bare handle is the ministry's Instagram
    # account, and on X its account is now the new one: neither is a green mark for X.
    assert "✅" not in old and "@SaudiMOH_new" in old
    assert not bare.startswith("✅") and "@SaudiMOH_new" in bare


def ask_right_away(bot: RunningBot, user: dict[str, object], text: str) -> str:
    """The question is sent the moment the caller has seen the alert."""
    return str(bot.ask(user, text)["text"])


async def test_the_engine_calls_a_renamed_handle_former_and_names_its_successor(
    sessions: async_sessionmaker[AsyncSession], bundled_copy: Path
) -> None:
    """What the former verdict is built from: the import kept @SaudiMOH as the
    ministry's former X account, and its current X account is the new handle."""
    await import_path(sessions, bundled_copy)
    edit(bundled_copy / "entities.yaml", "handle: SaudiMOH\n", "handle: SaudiMOH_new\n")
    await import_path(sessions, bundled_copy)
    engine = Engine(await IndexCache(sessions).current(), "en")

    [verification] = engine.answer("x.com/SaudiMOH").verifications
    assert verification.verdict is Verdict.FORMER
    assert verification.entity is not None and verification.entity.id == "moh"
    assert verification.official is not None
    assert (verification.official.platform, verification.official.handle) == (
        Platform.X,
        "SaudiMOH_new",
    )
