"""The maintainers' side of alerts: `rasmi notice`, and the scheduled registry sync that
turns an edited YAML file into queued alerts by itself."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from bot.app import sync_registry
from bot.cli import main
from db.repositories.alerts import QUEUED, SENDING, SENT, AlertRepository
from handlers.context import SERVICES, Services


def run(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str]:
    code = main(list(args))
    return code, capsys.readouterr().out


def test_schedule_and_status(
    capsys: pytest.CaptureFixture[str],
    database_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert run(capsys, "registry", "import")[0] == 0
    text = tmp_path / "message.txt"
    text.write_text("The ministry's call centre number changed to 937.", encoding="utf-8")
    code, out = run(
        capsys,
        "notice",
        "schedule",
        "--at",
        "2030-01-01T09:00",
        "--entity",
        "moh",
        "--text-file",
        str(text),
    )
    assert code == 0 and "to the followers of moh: 0 chat(s)" in out
    code, out = run(capsys, "notice", "schedule", "--at", "soon", "--all", "--text-file", str(text))
    assert code == 1 and "not a time" in out
    code, out = run(
        capsys, "notice", "schedule", "--at", "now", "--entity", "nobody", "--text-file", str(text)
    )
    assert code == 1 and "no entity has the id 'nobody'" in out
    code, out = run(capsys, "notice", "status", "--json")
    assert code == 0
    assert json.loads(out) == {
        "queued": 0,
        "sending": 0,
        "sent": 0,
        "failed": 0,
        "cancelled": 0,
        "subscribers_active": 0,
        "subscribers_deactivated": 0,
    }


async def alerts_for_moh(services: Services) -> int:
    """Queued or already delivered: the bot's drain job runs every second meanwhile."""
    async with services.sessions() as session:
        counts = await AlertRepository(session).status()
    return counts[QUEUED] + counts[SENDING] + counts[SENT]


async def test_the_registry_sync_imports_edits_and_queues_alerts(
    bot: Any, bundled_copy: Path, tmp_path: Path
) -> None:
    application, _, _ = bot
    services: Services = application.bot_data[SERVICES]
    async with services.sessions() as session, session.begin():
        await AlertRepository(session).subscribe(555, "en", "entity", "moh")
    settings = application.bot_data["settings"]
    application.bot_data["settings"] = settings.model_copy(update={"registry_path": bundled_copy})
    context = SimpleNamespace(bot_data=application.bot_data)

    entities = bundled_copy / "entities.yaml"
    entities.write_text(
        entities.read_text(encoding="utf-8").replace(
            "        handle: SaudiMOH\n", "        handle: SaudiMOH_new\n", 1
        ),
        encoding="utf-8",
    )
    await sync_registry(context)  # type: ignore[arg-type]
    assert await alerts_for_moh(services) == 1
    assert services.index_cache.latest.account(
        services.index_cache.latest.entities["moh"].accounts[0].platform, "SaudiMOH_new"
    )

    broken = tmp_path / "broken"
    shutil.copytree(bundled_copy, broken)
    (broken / "entities.yaml").write_text("entities: [", encoding="utf-8")
    application.bot_data["settings"] = settings.model_copy(update={"registry_path": broken})
    # The broken copy is logged and nothing is imported:
    await sync_registry(context)  # type: ignore[arg-type]
    assert await alerts_for_moh(services) == 1
