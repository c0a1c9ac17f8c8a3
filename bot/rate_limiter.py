"""Every Bot API call of the Application goes through here (PTB's BaseRateLimiter): the
calls that post to a chat wait for their turn in the `SendQueue`, and a 429 pauses all
of them and is retried, never dropped, until the reply is `Limits.max_age` old.

Which turn a call gets:

- `answerCallbackQuery`, `answerInlineQuery`: `Priority.QUERY`, no slot of the budget
  (they are not messages), but they wait out flood waits like everything else;
- anything else with a `chat_id` (sendMessage, editMessageText, ...): `Priority.REPLY`,
  unless `rate_limit_args` says `{"priority": "alert"}` (the outbox sender);
  `{"budget_taken": True}` says the caller already took the budget's slot
  (`SendQueue.acquire`) before claiming the row;
- calls without a chat (getMe, setMyCommands, setWebhook...) go straight through.

An alert's 429 is not retried here: it goes back to the outbox sender, which puts the row
back in the queue (bot/delivery.py), so a claimed row never waits out a long flood wait.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any, TypedDict

from telegram.error import RetryAfter
from telegram.ext import BaseRateLimiter

from bot.send_queue import Priority, SendQueue
from handlers.sending import LostReply, retry_after_seconds

log = logging.getLogger(__name__)

QUERY_ANSWERS = frozenset({"answerCallbackQuery", "answerInlineQuery"})

JSONResult = bool | dict[str, Any] | list[dict[str, Any]]


class SendArgs(TypedDict, total=False):
    priority: str
    """"alert" for the outbox's notices; replies need not say anything."""
    budget_taken: bool


class QueueRateLimiter(BaseRateLimiter[SendArgs]):
    def __init__(self, queue: SendQueue) -> None:
        self.queue = queue

    async def initialize(self) -> None:
        """Nothing to open: the queue starts its dispatcher on the first send."""

    async def shutdown(self) -> None:
        await self.queue.close()

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, JSONResult]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: SendArgs | None,
    ) -> JSONResult:
        chat_id = data.get("chat_id")
        if endpoint in QUERY_ANSWERS:
            priority, chat = Priority.QUERY, None
        elif isinstance(chat_id, int):
            alert = (rate_limit_args or {}).get("priority") == "alert"
            priority, chat = (Priority.ALERT if alert else Priority.REPLY), chat_id
        else:
            return await callback(*args, **kwargs)
        budget = not (rate_limit_args or {}).get("budget_taken", False)
        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.queue.limits.max_age
        while True:
            remaining = deadline - loop.time()
            try:
                await asyncio.wait_for(
                    self.queue.acquire(priority, chat, budget=budget), max(0.0, remaining)
                )
            except TimeoutError:
                self.queue.lost += 1
                log.error(
                    "a %s to chat %s waited %.0f s and was given up (%d lost since start)",
                    endpoint,
                    chat_id,
                    self.queue.limits.max_age,
                    self.queue.lost,
                )
                raise LostReply(endpoint) from None
            try:
                return await callback(*args, **kwargs)
            except RetryAfter as exc:
                await self.queue.pause(retry_after_seconds(exc))
                if priority == Priority.ALERT:
                    raise
                budget = True  # the retry takes a new slot after the wait
