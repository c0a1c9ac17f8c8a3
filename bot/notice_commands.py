"""`rasmi notice ...`: the maintainers' view of alerts, and scheduled messages."""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
import json
from pathlib import Path

from db.engine import open_database
from db.repositories.alerts import AlertRepository, send_time
from db.repositories.registry import RegistryRepository
from handlers.backlog import backlog_text
from knowledge.i18n import Messages
from knowledge.understand import LANGUAGES

EXIT_OK, EXIT_INVALID = 0, 1
MAX_TEXT = 3500
"""Leaves room in Telegram's 4096 characters for the notice's header."""


async def status(database_url: str, as_json: bool, alerts_cap: float) -> int:
    """Queued, sent, failed and cancelled alerts, active and deactivated subscribers, and
    the backlog with when it will be done (at `alerts_cap` a second if nothing went out
    in the last minute)."""
    now = dt.datetime.now(dt.UTC)
    async with open_database(database_url) as sessions, sessions() as session:
        counts = await AlertRepository(session).status()
        backlog = await AlertRepository(session).backlog(now)
    if as_json:
        seconds = backlog.seconds_left(alerts_cap) if backlog.due else 0.0
        print(json.dumps({**counts, **dataclasses.asdict(backlog), "seconds_left": seconds}))
        return EXIT_OK
    print(
        f"Alerts: {counts['queued']} queued, {counts['sending']} sending, {counts['sent']} sent, "
        f"{counts['failed']} failed, {counts['cancelled']} cancelled.\n"
        f"Subscribers: {counts['subscribers_active']} active, "
        f"{counts['subscribers_deactivated']} deactivated.\n"
        + backlog_text(Messages("en"), backlog, alerts_cap, now)
    )
    return EXIT_OK


async def schedule(database_url: str, at: str, entity_id: str | None, text_files: list[str]) -> int:
    """Queues a message for the followers of an entity (or everyone) at a time (UTC)."""
    try:
        when = send_time(at)
        texts = await asyncio.to_thread(_read_texts, text_files)
    except ValueError as exc:
        print(f"Cannot schedule: {exc}")
        return EXIT_INVALID
    except OSError as exc:
        print(f"Cannot schedule: cannot read {exc.filename}: {exc.strerror}.")
        return EXIT_INVALID
    async with open_database(database_url) as sessions, sessions() as session, session.begin():
        kind: str | None = None
        if entity_id is not None:
            kind = await RegistryRepository(session).kind_of(entity_id)
            if kind is None:
                print(f"Cannot schedule: no entity has the id '{entity_id}'.")
                return EXIT_INVALID
        notice_id, queued = await AlertRepository(session).schedule_message(
            entity_id, kind, texts, when
        )
    audience = f"the followers of {entity_id}" if entity_id else "every subscriber"
    print(f"Notice #{notice_id} for {when:%Y-%m-%d %H:%M} UTC to {audience}: {queued} chat(s).")
    return EXIT_OK


def _read_texts(text_files: list[str]) -> dict[str, str]:
    """`PATH` is the text for every language; `ar:PATH`, `en:PATH`, `fr:PATH` per language."""
    shared: str | None = None
    per_language: dict[str, str] = {}
    for item in text_files:
        lang, path = (item[:2], item[3:]) if item[:3] in ("ar:", "en:", "fr:") else ("", item)
        text = Path(path).read_text(encoding="utf-8").strip()
        if not text:
            raise ValueError(f"{path} is empty")
        if len(text) > MAX_TEXT:
            raise ValueError(f"{path} is longer than {MAX_TEXT} characters")
        if lang:
            per_language[lang] = text
        else:
            shared = text
    if shared is None and not per_language:
        raise ValueError("give at least one --text-file")
    fallback = shared or next(iter(per_language.values()))
    return {lang: per_language.get(lang, fallback) for lang in LANGUAGES}
