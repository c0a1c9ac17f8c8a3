"""Sending answers: split to Telegram's 4096 characters, retried on flood waits and
network errors without holding up any other chat."""

from __future__ import annotations

import asyncio
import datetime as dt
import logging
from collections.abc import Awaitable, Callable
from functools import partial
from typing import TypeVar

from telegram import InlineKeyboardMarkup, Message
from telegram.constants import MessageLimit
from telegram.error import BadRequest, NetworkError, RetryAfter

log = logging.getLogger(__name__)

MAX_RETRIES = 3
MAX_WAIT = 60.0
"""A flood wait longer than this is not worth keeping a user waiting for: give up."""

T = TypeVar("T")


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


async def with_retries(call: Callable[[], Awaitable[T]]) -> T:
    """Runs one Bot API call, waiting out RetryAfter and retrying network errors with
    backoff. Only this chat's reply waits; concurrent updates go on (BadRequest is a
    NetworkError subclass in PTB, and is never retried)."""
    for attempt in range(MAX_RETRIES + 1):
        try:
            return await call()
        except RetryAfter as exc:
            seconds = retry_after_seconds(exc)
            if attempt == MAX_RETRIES or seconds > MAX_WAIT:
                raise
            log.warning("flood wait of %.0f s from Telegram; retrying", seconds)
            await asyncio.sleep(seconds)
        except BadRequest:
            raise
        except NetworkError:  # TimedOut included
            if attempt == MAX_RETRIES:
                raise
            await asyncio.sleep(0.5 * 2**attempt)
    raise AssertionError("unreachable")


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
        sent = await with_retries(
            partial(message.reply_text, piece, reply_markup=markup, do_quote=False)
        )
    return sent
