"""The scheduled registry sync (REGISTRY_SYNC_CRON): re-import REGISTRY_PATH unattended.

Unattended, it is the most careful importer: it never allows removals beyond the
threshold, so one truncated file cannot wipe the registry at night. A file it does not
import (invalid, empty, or removing too much) is logged and the administrators are told
in Telegram, in their own language, once per version of the file (not every hour).
"""

from __future__ import annotations

import asyncio
import html
import logging
from collections.abc import Callable
from functools import partial
from pathlib import Path

from telegram.error import TelegramError
from telegram.ext import ContextTypes

from bot.settings import Settings
from db.importer import ImportOptions, ImportRefused, import_registry, registry_digest
from handlers.context import SERVICES, Services
from knowledge.i18n import DEFAULT_LANG, Messages, supported
from knowledge.registry import BUNDLED_REGISTRY
from knowledge.registry.validation import RegistryInvalid, load_registry

log = logging.getLogger(__name__)

SETTINGS = "settings"
"""Where bot/app.py keeps the Settings in bot_data."""
_TOLD = "registry_sync_told"
"""bot_data key: the digest of the last file the administrators were told about."""


async def sync_registry(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Re-imports the configured registry; a file that is not imported changes nothing,
    is logged, and is reported to the administrators."""
    settings: Settings = context.bot_data[SETTINGS]
    services: Services = context.bot_data[SERVICES]
    source = settings.registry_path or BUNDLED_REGISTRY
    options = ImportOptions(max_removals=settings.import_max_removals)
    try:
        registry = await asyncio.to_thread(load_registry, source)
    except RegistryInvalid as exc:
        log.error(
            "registry sync: %s is invalid, nothing imported:\n%s",
            source,
            "\n".join(map(str, exc.problems)),
        )
        version = await asyncio.to_thread(_version, source)
        await _tell_admins(
            context, services, version, partial(_invalid, source=str(source), exc=exc)
        )
        return
    digest = await asyncio.to_thread(registry_digest, source)
    try:
        result = await import_registry(services.sessions, registry, str(source), digest, options)
    except ImportRefused as exc:
        log.error("registry sync: %s refused, nothing imported: %s", source, exc.reason)
        await _tell_admins(
            context, services, digest, partial(_refused, source=str(source), exc=exc)
        )
        return
    context.bot_data.pop(_TOLD, None)
    log.info(
        "registry sync: %d change(s), %d alert(s) queued", len(result.changes), result.alerts_queued
    )
    await services.index_cache.current()


def _version(source: Path) -> str:
    """What tells one version of a file that could not be imported from the next: its
    digest ("unreadable" while the file is missing)."""
    try:
        return registry_digest(source)
    except OSError:
        return "unreadable"


def _invalid(t: Messages, source: str, exc: RegistryInvalid) -> str:
    return t(
        "⚠️ The scheduled registry sync did not import {source}: the file has errors "
        "({count} found). Nothing was changed. Run <code>rasmi registry check</code> "
        "on it for the details.",
        source=html.escape(source),
        count=len(exc.problems),
    )


def _refused(t: Messages, source: str, exc: ImportRefused) -> str:
    if exc.removals is None:
        return t(
            "⚠️ The scheduled registry sync did not import {source}: it has no entities, "
            "and importing it would empty the registry. Nothing was changed.",
            source=html.escape(source),
        )
    taken = exc.removals
    return t(
        "⚠️ The scheduled registry sync did not import {source}: it would remove or "
        "retire {entities} of {entity_total} entities and {accounts} of {account_total} "
        "active accounts. Nothing was changed. If this is intended, import it by hand "
        "with <code>rasmi registry import --allow-removals</code>.",
        source=html.escape(source),
        entities=taken.entities,
        entity_total=taken.entity_total,
        accounts=taken.accounts,
        account_total=taken.account_total,
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
