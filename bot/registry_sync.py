"""The scheduled registry sync (REGISTRY_SYNC_CRON): re-import REGISTRY_PATH unattended.

Unattended, it is the most careful importer: it never allows removals beyond the
threshold, so one truncated file cannot wipe the registry at night. A file it does not
import (invalid, empty, or removing too much) is logged and the administrators are told
in Telegram, in their own language, once per version of the file (not every hour).

The import runs as `rasmi registry import --json` in a child process, as a maintainer
would run it: reading and validating a large registry is a minute of CPU and a gigabyte
of memory that the bot answering questions should not share (its event loop would
compete with the validation for the interpreter lock, and the collector would walk the
validated registry while handlers wait). The child announces the import to every running
bot, this one included (`db.registry_events`); the bot reads the outcome from its exit
code and JSON.
"""

from __future__ import annotations

import asyncio
import html
import json
import logging
import os
import sys
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.settings import Settings
from db.importer import registry_digest
from handlers.context import SERVICES, Services
from knowledge.i18n import DEFAULT_LANG, Messages, supported
from knowledge.registry import BUNDLED_REGISTRY

log = logging.getLogger(__name__)

SETTINGS = "settings"
"""Where bot/app.py keeps the Settings in bot_data."""
_TOLD = "registry_sync_told"
"""bot_data key: the digest of the last file the administrators were told about."""
EXIT_OK, EXIT_INVALID, EXIT_REFUSED = 0, 1, 3
"""`rasmi registry import`'s exit codes (bot/registry_commands.py)."""


async def sync_registry(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Re-imports the configured registry; a file that is not imported changes nothing,
    is logged, and is reported to the administrators."""
    settings: Settings = context.bot_data[SETTINGS]
    services: Services = context.bot_data[SERVICES]
    source = settings.registry_path or BUNDLED_REGISTRY
    code, outcome, errors = await _import_in_child(settings, source)
    if code == EXIT_OK:
        context.bot_data.pop(_TOLD, None)
        log.info(
            "registry sync: %d change(s), %d alert(s) queued",
            len(outcome["changes"]),
            outcome["alerts_queued"],
        )
        await services.index_cache.current()
        return
    version = await asyncio.to_thread(_version, source)
    if code == EXIT_INVALID and "problems" in outcome:
        problems = [_problem_line(p) for p in outcome["problems"]]
        log.error(
            "registry sync: %s is invalid, nothing imported:\n%s", source, "\n".join(problems)
        )
        message = partial(_invalid, source=str(source), count=len(problems))
    elif code in (EXIT_INVALID, EXIT_REFUSED) and outcome.get("refused"):
        log.error("registry sync: %s refused, nothing imported: %s", source, outcome["reason"])
        message = partial(_refused, source=str(source), removals=outcome["removals"])
    else:
        log.error("registry sync: the import of %s failed (exit %s):\n%s", source, code, errors)
        return
    await _tell_admins(context, services, version, message)


async def _import_in_child(settings: Settings, source: Path) -> tuple[int, dict[str, Any], str]:
    """`rasmi registry import SOURCE --json` with this process's code and database; its
    exit code, its JSON (empty if it printed none) and the end of its error output."""
    environment = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(path for path in sys.path if path),
        "DATABASE_URL": settings.database_url,
        "IMPORT_MAX_REMOVALS": str(settings.import_max_removals),
    }
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bot.cli",
        "registry",
        "import",
        str(source),
        "--json",
        env=environment,
        stdin=asyncio.subprocess.DEVNULL,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    out, err = await process.communicate()
    try:
        outcome: dict[str, Any] = json.loads(out)
    except ValueError:
        outcome = {}
    code = process.returncode if process.returncode is not None else -1
    return code, outcome, err.decode("utf-8", "replace")[-2000:]


def _version(source: Path) -> str:
    """What tells one version of a file that could not be imported from the next: its
    digest ("unreadable" while the file is missing)."""
    try:
        return registry_digest(source)
    except OSError:
        return "unreadable"


def _problem_line(problem: dict[str, Any]) -> str:
    where = f"{problem['file']}:{problem['line']}" if problem.get("line") else problem["file"]
    field = f"{problem['field']}: " if problem.get("field") else ""
    return f"{where}: {field}{problem['message']}"


def _invalid(t: Messages, source: str, count: int) -> str:
    return t(
        "⚠️ The scheduled registry sync did not import {source}: the file has errors "
        "({count} found). Nothing was changed. Run <code>rasmi registry check</code> "
        "on it for the details.",
        source=html.escape(source),
        count=count,
    )


def _refused(t: Messages, source: str, removals: dict[str, int] | None) -> str:
    if removals is None:
        return t(
            "⚠️ The scheduled registry sync did not import {source}: it has no entities, "
            "and importing it would empty the registry. Nothing was changed.",
            source=html.escape(source),
        )
    return t(
        "⚠️ The scheduled registry sync did not import {source}: it would remove or "
        "retire {entities} of {entity_total} entities and {accounts} of {account_total} "
        "active accounts. Nothing was changed. If this is intended, import it by hand "
        "with <code>rasmi registry import --allow-removals</code>.",
        source=html.escape(source),
        **removals,
    )


async def _tell_admins(
    context: ContextTypes.DEFAULT_TYPE,
    services: Services,
    digest: str,
    message: Callable[[Messages], str],
) -> None:
    """Each administrator once per version of the file: the next hourly run of the same
    broken file stays quiet."""
    if context.bot_data.get(_TOLD) == digest:
        return
    context.bot_data[_TOLD] = digest
    for admin in sorted(services.admin_ids):
        lang = supported(services.languages.get(admin)) or services.default_lang or DEFAULT_LANG
        try:
            await context.bot.send_message(admin, message(Messages(lang)))
        except TelegramError as exc:
            log.warning("could not tell administrator %s about the registry sync: %s", admin, exc)
