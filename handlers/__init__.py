"""Telegram adapters: updates in, the engine's answers out.

Handler groups, in the order they run: -1 guards every update (flood control), 0 answers
it. Errors go to one error handler.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers import (
    admin_audit,
    buttons,
    commands,
    guards,
    inline,
    questions,
    report_buttons,
    reports,
    subscriptions,
)

GUARDS = -1
ANSWERS = 0

_TEXT = filters.TEXT & ~filters.COMMAND & ~filters.FORWARDED
_UNREADABLE = filters.ChatType.PRIVATE & (
    filters.Sticker.ALL
    | (filters.PHOTO & ~filters.CAPTION)
    | filters.VOICE
    | filters.VIDEO
    | filters.Document.ALL
    | filters.LOCATION
    | filters.CONTACT
    | filters.AUDIO
    | filters.VIDEO_NOTE
    | filters.ANIMATION
)


def register(application: Application) -> None:  # type: ignore[type-arg]
    application.add_handler(TypeHandler(Update, guards.flood_gate), group=GUARDS)
    for name, callback in (
        ("start", commands.start),
        ("help", commands.help_command),
        ("about", commands.about),
        ("language", commands.language),
        ("verify", commands.verify),
        ("spokesperson", commands.spokesperson),
        ("subscribe", subscriptions.subscribe),
        ("unsubscribe", subscriptions.unsubscribe),
        ("subscriptions", subscriptions.subscriptions),
        ("digest", subscriptions.digest),
        ("status", subscriptions.status),
        ("notice", subscriptions.notice),
        ("audit", admin_audit.audit),
        ("report", reports.report),
        ("reports", reports.reports),
    ):
        application.add_handler(CommandHandler(name, callback), group=ANSWERS)
    application.add_handler(
        MessageHandler(filters.FORWARDED & filters.ChatType.PRIVATE, questions.forwarded),
        group=ANSWERS,
    )
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & _TEXT & filters.ChatType.PRIVATE, questions.private_text
        ),
        group=ANSWERS,
    )
    application.add_handler(
        MessageHandler(
            filters.UpdateType.MESSAGE & _TEXT & filters.ChatType.GROUPS, questions.group_text
        ),
        group=ANSWERS,
    )
    application.add_handler(
        MessageHandler(
            filters.UpdateType.EDITED_MESSAGE & _TEXT & filters.ChatType.PRIVATE,
            questions.edited_text,
        ),
        group=ANSWERS,
    )
    application.add_handler(
        MessageHandler(
            filters.PHOTO & filters.CAPTION & filters.ChatType.PRIVATE, questions.caption
        ),
        group=ANSWERS,
    )
    application.add_handler(MessageHandler(_UNREADABLE, guards.unreadable), group=ANSWERS)
    application.add_handler(
        CallbackQueryHandler(reports.button, pattern=report_buttons.PATTERN), group=ANSWERS
    )
    application.add_handler(CallbackQueryHandler(buttons.button), group=ANSWERS)
    application.add_handler(InlineQueryHandler(inline.inline_query), group=ANSWERS)
    application.add_error_handler(guards.on_error)
