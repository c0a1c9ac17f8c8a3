"""What every handler needs, kept in `application.bot_data` by `bot/app.py`.

Handlers reach the engine, the database and the settings through `services(context)`, so
they stay thin adapters: Telegram in, the engine's Answer out. What the web directory
shares with the bot (sessions, index, engine, question log) is `db.services.Services`;
this adds what only Telegram has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from telegram.ext import ContextTypes

from db.services import Services as SharedServices
from handlers.flood import FloodGate

SERVICES = "rasmi"


@dataclass
class Services(SharedServices):
    admin_ids: frozenset[int] = frozenset()
    flood: FloodGate = field(default_factory=FloodGate)
    languages: dict[int, str] = field(default_factory=dict)
    """Chosen languages by user id, loaded at start and kept in step with the database."""


Context = ContextTypes.DEFAULT_TYPE


def services(context: Context) -> Services:
    found: Any = context.bot_data[SERVICES]
    assert isinstance(found, Services)
    return found
