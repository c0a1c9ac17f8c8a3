"""The yardstick of bench/load_bench.py's handling rate: a bare python-telegram-bot echo
bot (concurrent updates, no rate limiter, no database), long polling the server whose
base URL and token it is given.

    .venv/bin/python bench/echo_bot.py BASE_URL TOKEN
"""

from __future__ import annotations

import sys

from telegram import Update
from telegram.ext import ApplicationBuilder, ContextTypes, MessageHandler, filters


async def echo(update: Update, _context: ContextTypes.DEFAULT_TYPE) -> None:
    if update.effective_message is not None and update.effective_message.text:
        await update.effective_message.reply_text(update.effective_message.text)


def main(base_url: str, token: str) -> None:
    application = (
        ApplicationBuilder().token(token).base_url(base_url).concurrent_updates(True).build()
    )
    application.add_handler(MessageHandler(filters.TEXT, echo))
    application.run_polling(allowed_updates=Update.ALL_TYPES)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
