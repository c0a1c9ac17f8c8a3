"""The maintainers' side of alerts: `rasmi notice`, and the scheduled registry sync that
turns an edited YAML file into queued alerts by itself."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import telegram_fakes as fakes
from registry_edits import without_entities

from bot.cli import main
from bot.registry_sync import sync_registry
from db.repositories.alerts import QUEUED, SENDING, SENT, AlertRepository
from db.repositories.registry import RegistryRepository
from handlers.context import SERVICES, Services
from knowledge.registry.export import export_registry
from knowledge.registry.validation import load_registry


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
        "due": 0,
        "later": 0,
        "sent_last_minute": 0,
        "window": 60.0,
        "seconds_left": 0.0,
    }


async def alerts_for_moh(services: Services) -> int:
    """Queued or already delivered: the bot's drain job runs every second meanwhile."""
    async with services.sessions() as session:
        counts = await AlertRepository(session).status()
    return counts[QUEUED] + counts[SENDING] + counts[SENT]


def to_admin(request: fakes.RecordingRequest) -> list[fakes.Call]:
    return [c for c in request.sent() if int(c.params["chat_id"]) == fakes.ADMIN_ID]


async def test_the_registry_sync_imports_edits_and_queues_alerts(
    bot: Any, bundled_copy: Path, tmp_path: Path
) -> None:
    application, request, _ = bot
    services: Services = application.bot_data[SERVICES]
    async with services.sessions() as session, session.begin():
        await AlertRepository(session).subscribe(555, "en", "entity", "moh")
    settings = application.bot_data["settings"]
    application.bot_data["settings"] = settings.model_copy(update={"registry_path": bundled_copy})
    context = SimpleNamespace(bot_data=application.bot_data, bot=application.bot)

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
    # The broken copy is logged, nothing is imported, and the administrator is told once
    # (in Arabic, the default: their language is not known), not at every run.
    await sync_registry(context)  # type: ignore[arg-type]
    assert await alerts_for_moh(services) == 1
    [told] = to_admin(request)
    assert "rasmi registry check" in told.text and "المزامنة" in told.text
    await sync_registry(context)  # type: ignore[arg-type]
    assert len(to_admin(request)) == 1


async def test_the_registry_sync_never_imports_a_file_that_removes_too_much(
    bot: Any, bundled_copy: Path, tmp_path: Path
) -> None:
    """A file cut short by a failed checkout loses a tenth of the entities: the sync
    refuses it (it never allows removals), queues nothing, and tells the administrator,
    in their language, what it would have removed and how to import it on purpose."""
    application, request, _ = bot
    services: Services = application.bot_data[SERVICES]
    async with services.sessions() as session, session.begin():
        await AlertRepository(session).subscribe(555, "en", "all", "*")
    services.languages[fakes.ADMIN_ID] = "en"
    registry = load_registry(bundled_copy)
    cut = without_entities(registry, 0.1)
    truncated = tmp_path / "truncated"
    truncated.mkdir()
    (truncated / "registry.yaml").write_text(export_registry(cut, "yaml"), encoding="utf-8")
    settings = application.bot_data["settings"]
    application.bot_data["settings"] = settings.model_copy(update={"registry_path": truncated})
    context = SimpleNamespace(bot_data=application.bot_data, bot=application.bot)
    before = services.index_cache.latest

    await sync_registry(context)  # type: ignore[arg-type]

    assert await alerts_for_moh(services) == 0
    async with services.sessions() as session:
        assert len((await RegistryRepository(session).load()).entities) == len(registry.entities)
    assert await services.index_cache.current() is before
    [told] = request.sent()
    assert int(told.params["chat_id"]) == fakes.ADMIN_ID
    removed = len(registry.entities) - len(cut.entities)
    assert f"retire {removed} of {len(registry.entities)} entities" in told.text
    assert "--allow-removals" in told.text


async def test_a_missing_registry_path_is_reported_once(bot: Any, tmp_path: Path) -> None:
    application, request, _ = bot
    settings = application.bot_data["settings"]
    missing = tmp_path / "not-checked-out"
    application.bot_data["settings"] = settings.model_copy(update={"registry_path": missing})
    context = SimpleNamespace(bot_data=application.bot_data, bot=application.bot)
    await sync_registry(context)  # type: ignore[arg-type]
    await sync_registry(context)  # type: ignore[arg-type]
    [told] = to_admin(request)
    assert str(missing) in told.text
