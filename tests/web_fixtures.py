"""The web directory on a real database with the bundled registry, for the web tests."""

from __future__ import annotations

import shutil
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from pathlib import Path

import pytest
from starlette.applications import Starlette
from starlette.testclient import TestClient

from db.engine import open_database
from db.importer import import_path
from knowledge.registry import BUNDLED_REGISTRY
from web.app import create_app
from web.config import WebConfig
from web.site import Site

ADMIN_TOKEN = "test-admin-token"
BOT = "RasmiTestBot"


@pytest.fixture
async def imported(database_url: str) -> AsyncIterator[str]:
    """The database with the bundled registry imported."""
    async with open_database(database_url) as sessions:
        await import_path(sessions, BUNDLED_REGISTRY)
    yield database_url


def web_client(
    database_url: str, rate_per_minute: int = 120, raise_server_exceptions: bool = True
) -> TestClient:
    config = WebConfig(
        database_url,
        admin_token=ADMIN_TOKEN,
        bot_username=BOT,
        rate_per_minute=rate_per_minute,
        refresh_seconds=0.05,
    )
    return TestClient(create_app(config), raise_server_exceptions=raise_server_exceptions)


def site_of(client: TestClient) -> Site:
    app = client.app
    assert isinstance(app, Starlette)
    found = app.state.site
    assert isinstance(found, Site)
    return found


def call(client: TestClient, job: Callable[[], Awaitable[object]]) -> None:
    """Runs `job` on the app's event loop (the client's thread)."""
    assert client.portal is not None
    client.portal.call(job)


@pytest.fixture
def client(imported: str) -> Iterator[TestClient]:
    with web_client(imported) as found:
        yield found


def copy_bundled(tmp_path: Path) -> Path:
    folder = tmp_path / "registry"
    shutil.copytree(BUNDLED_REGISTRY, folder)
    return folder
