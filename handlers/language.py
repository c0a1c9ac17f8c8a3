"""Which language to answer a user in.

A language the user chose with /language wins; otherwise a question is answered in its
own language, and everything else (buttons, /start) in the language of the user's
Telegram app, or Arabic. The choice is kept in the database and, from start, in memory,
so no message waits for a query.
"""

from __future__ import annotations

from telegram import Update

from db.repositories.alerts import AlertRepository
from db.repositories.users import PreferenceRepository
from handlers.context import Context, services
from knowledge.i18n import supported
from knowledge.understand import Lang


async def chosen_language(update: Update, context: Context) -> Lang | None:
    """The language the user picked with /language, if any."""
    user = update.effective_user
    if user is None:
        return None
    return supported(services(context).languages.get(user.id))


async def interface_language(update: Update, context: Context) -> Lang:
    """For messages that are not answers to a question: menus, buttons, errors."""
    chosen = await chosen_language(update, context)
    if chosen is not None:
        return chosen
    user = update.effective_user
    from_app = supported(user.language_code) if user else None
    return from_app or services(context).default_lang


async def choose_language(update: Update, context: Context, lang: Lang) -> None:
    """Keeps the user's choice; the alerts to their private chat (whose id is theirs)
    follow it too."""
    user = update.effective_user
    if user is None:
        return
    async with services(context).sessions() as session, session.begin():
        await PreferenceRepository(session).set_language(user.id, lang)
        await AlertRepository(session).set_language(user.id, lang)
    services(context).languages[user.id] = lang
