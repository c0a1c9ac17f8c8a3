"""What runs before and after every handler: flood control, the polite fallbacks for what
Rasmi cannot read, and the one error handler; and the check of the administrators'
commands."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.constants import ChatType
from telegram.ext import ApplicationHandlerStop

from handlers.context import Context, services
from handlers.flood import SHARED_FLOOD, Flood
from handlers.language import interface_language
from handlers.sending import LostReply, reply
from knowledge.i18n import Messages

log = logging.getLogger(__name__)


async def admin_only(update: Update, context: Context) -> bool:
    """Whether the user is one of Rasmi's administrators (`ADMIN_IDS`); anyone else is
    told politely, in their language, and the command does nothing."""
    user = update.effective_user
    allowed = user is not None and user.id in services(context).admin_ids
    if not allowed and update.effective_message is not None:
        t = Messages(await interface_language(update, context))
        await reply(update.effective_message, t("Only Rasmi's administrators can do that."))
    return allowed


async def flood_gate(update: Update, context: Context) -> None:
    """Group -1: a user over the limit gets one notice, then silence until they slow down;
    other users are not affected."""
    user = update.effective_user
    if user is None:
        return
    shared = context.bot_data.get(SHARED_FLOOD)
    verdict = await shared.check(user.id) if shared else services(context).flood.check(user.id)
    if verdict is Flood.OK:
        return
    if (
        verdict is Flood.NOTICE
        and update.effective_message is not None
        and update.effective_chat is not None
        and update.effective_chat.type == ChatType.PRIVATE
    ):
        t = Messages(await interface_language(update, context))
        await reply(
            update.effective_message,
            t("You are sending messages very fast. Please wait a few seconds, then ask again."),
        )
    raise ApplicationHandlerStop


async def unreadable(update: Update, context: Context) -> None:
    """Stickers, photos without captions, voice notes...: say what Rasmi can read."""
    message = update.effective_message
    if message is not None:
        t = Messages(await interface_language(update, context))
        await reply(
            message,
            t("I can only read text: send me a question, a handle or a link."),
        )


async def on_error(update: object, context: Context) -> None:
    """Logs the error with what caused it, and tells the user politely; never raises."""
    log.error(
        "error while handling an update: %s",
        str(update)[:500] if update else "(no update)",
        exc_info=context.error,
    )
    if (
        not isinstance(update, Update)
        or update.effective_message is None
        or isinstance(context.error, LostReply)  # its turn never came: another would not
    ):
        return
    try:
        t = Messages(await interface_language(update, context))
        await update.effective_message.reply_text(
            t("Sorry, something went wrong on my side. Please try again in a moment.")
        )
    except Exception:  # the error may be that Telegram is unreachable: nothing more to do
        log.exception("could not tell the user about the error")
