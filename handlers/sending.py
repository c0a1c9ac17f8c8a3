"""Sending answers: split to Telegram's 4096 characters. Every send waits for its turn
in the bot's send queue (bot/rate_limiter.py), which also waits out flood waits and
retries: a handler just sends."""

from __future__ import annotations

import datetime as dt

from telegram import InlineKeyboardMarkup, Message
from telegram.constants import MessageLimit
from telegram.error import RetryAfter


def split_message(text: str, limit: int = MessageLimit.MAX_TEXT_LENGTH) -> list[str]:
    """Pieces of at most `limit` characters, cut at line ends (a line longer than the
    limit is cut where it must be). Answers are built line by line, so a cut between
    lines never splits an HTML tag."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current or not pieces:
        pieces.append(current)
    return pieces


class LostReply(Exception):
    """A reply waited for its turn longer than REPLY_MAX_AGE (flood waits included) and
    was given up; bot/rate_limiter.py logs and counts it."""


def retry_after_seconds(exc: RetryAfter) -> float:
    """The flood wait Telegram asked for: PTB gives a timedelta or, until PTB_TIMEDELTA is
    the default, a number of seconds."""
    wait = exc.retry_after
    return wait.total_seconds() if isinstance(wait, dt.timedelta) else float(wait)


async def reply(
    message: Message, text: str, keyboard: InlineKeyboardMarkup | None = None
) -> Message:
    """Replies with `text` in as many messages as it takes; the keyboard goes on the last."""
    pieces = split_message(text)
    sent = message
    for position, piece in enumerate(pieces):
        markup = keyboard if position == len(pieces) - 1 else None
        sent = await message.reply_text(piece, reply_markup=markup, do_quote=False)
    return sent
