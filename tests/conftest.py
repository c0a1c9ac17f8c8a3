"""Shared fixtures. Database tests run on SQLite by default and on PostgreSQL when
RASMI_TEST_DATABASE_URL is set (`.ci/run` runs the suite once each way)."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest
from registry_edits import empty_postgres
from sqlalchemy.ext.asyncio import async_sessionmaker
from sqlmodel.ext.asyncio.session import AsyncSession

from db.engine import open_database

DOCS = Path(__file__).resolve().parent.parent / "docs"


@pytest.fixture
async def database_url(tmp_path: Path) -> AsyncIterator[str]:
    """An empty database: a new SQLite file, or the PostgreSQL test database wiped clean."""
    url = os.environ.get("RASMI_TEST_DATABASE_URL")
    if not url:
        yield f"sqlite:///{tmp_path / 'rasmi.db'}"
        return
    await empty_postgres(url)
    yield url


@pytest.fixture
async def sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    async with open_database(database_url) as factory:
        yield factory


@pytest.fixture
async def bot(database_url: str) -> AsyncIterator[tuple[Any, Any, Any]]:
    """The real Application, started, with Telegram replaced by a recording request:
    (application, request, updates). User ADMIN_ID is an administrator."""
    import telegram_fakes as fakes
    from pydantic import SecretStr

    from bot.app import build_application, prepare
    from bot.settings import Settings

    request = fakes.RecordingRequest()
    settings = Settings(
        database_url=database_url,
        telegram_bot_token=SecretStr(fakes.TOKEN),
        telegram_base_url="http://telegram.invalid/bot",
        admin_ids=[fakes.ADMIN_ID],
    )
    application = build_application(
        settings, request=request, updates_request=fakes.RecordingRequest()
    )
    async with application:
        await prepare(application)
        await application.start()
        request.clear()
        yield application, request, fakes.Updates(application.bot)
        await application.stop()
        # What `run_polling` does after stopping: the watcher's connection and the pool go.
        assert application.post_shutdown is not None
        await application.post_shutdown(application)


@pytest.fixture
def example_registry(tmp_path: Path) -> Path:
    """The complete example of docs/registry-format.md, as a file."""
    text_ = (DOCS / "registry-format.md").read_text(encoding="utf-8")
    block = text_.split("## A complete example", 1)[1].split("```yaml\n", 1)[1].split("```", 1)[0]
    path = tmp_path / "example.yaml"
    path.write_text(block, encoding="utf-8")
    return path


@pytest.fixture
def bundled_copy(tmp_path: Path) -> Path:
    """A copy of the bundled registry folder that a test may edit."""
    from knowledge.registry import BUNDLED_REGISTRY

    target = tmp_path / "registry"
    shutil.copytree(BUNDLED_REGISTRY, target)
    return target


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    """Prints the labeled set's accuracy per category, when that test ran."""
    module = sys.modules.get("test_questions")
    report: dict[str, tuple[int, int]] = getattr(module, "ACCURACY_REPORT", {})
    if not report:
        return
    terminalreporter.write_sep("-", "labeled questions: top-1 accuracy per category")
    for category, (right, total) in sorted(report.items()):
        terminalreporter.write_line(f"{category:<20} {right:>4}/{total:<4} {right / total:7.1%}")
    right = sum(r for r, _ in report.values())
    total = sum(t for _, t in report.values())
    terminalreporter.write_line(f"{'overall':<20} {right:>4}/{total:<4} {right / total:7.1%}")
