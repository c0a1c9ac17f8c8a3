"""One queue for everything the bot posts to a chat: who goes next, and when.

Telegram allows a bot about 30 messages a second, one a second per chat and 20 a minute
per group, and answers 429 with `retry_after` beyond; a send inside that wait can extend
it. So every send waits here for its turn:

- **Priorities.** Answers to callback and inline queries first (they are not messages and
  take no slot of the budget, but they do wait out a flood wait), then replies to people,
  then alerts, which only get a slot when no reply is waiting: alerts take what replies
  leave.
- **Budget.** A fixed number of sends per second for the whole bot (`Limits.per_second`),
  as a GCRA: each slot is `1/per_second` after the one before, with a tolerance of a few
  slots so that a sender a little late catches up. The budget lives in a `Budget`: this
  process's memory, or Redis when several replicas share one bot (bot/redis_budget.py).
- **Per chat.** One message a second per chat and 20 a minute per group, kept in this
  process (a chat's replies come from the replica that handles its updates).
- **Flood waits.** A 429 pauses every send, of every priority, for `retry_after`
  (`pause`); nobody sends inside it.

Why a fixed budget and not an adaptive one (faster until a 429, then back off): a 429 is
not free. The next `retry_after` seconds (often 5 to 30) nothing at all can be sent, and
each send inside the wait restarts it, so probing for the limit costs every waiting user
far more than the few percent an adaptive pace could win. The limit Telegram publishes
for bulk messages is the budget's default; a deployment that knows better sets
SEND_PER_SECOND.
"""

from __future__ import annotations

import asyncio
import contextlib
import heapq
import itertools
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from typing import Protocol

log = logging.getLogger(__name__)


class Priority(IntEnum):
    QUERY = 0
    """Answers to callback and inline queries: the user is looking at a spinner."""
    REPLY = 1
    """Messages to a person who just wrote to the bot."""
    ALERT = 2
    """Notices from the outbox: only the budget replies leave."""


@dataclass(frozen=True)
class Limits:
    per_second: float = 30.0
    """The bot's budget of messages a second, over all chats."""
    alerts_per_second: float = 30.0
    """A lower cap for alerts alone (they never take more than the budget either)."""
    chat_interval: float = 1.05
    """Seconds between two messages to one chat: Telegram's one second, and 50 ms for the
    network's jitter (a message that arrives a millisecond early is a 429)."""
    group_per_minute: float = 20.0
    max_age: float = 300.0
    """A reply that waited this long (flood waits included) is given up, logged, counted."""
    paid_alerts: bool = False
    """Alerts are sent as paid broadcasts: they take no slot of the free budget."""
    tolerance: int = 3
    """Slots a late sender may catch up at once (kept below Telegram's own burst)."""

    @property
    def alerts_cap(self) -> float:
        """The most alerts a second can reach: their own cap, within the bot's budget
        unless they are paid broadcasts."""
        if self.paid_alerts:
            return self.alerts_per_second
        return min(self.per_second, self.alerts_per_second)


class Budget(Protocol):
    """Where the bot's slots and its flood wait are kept: in this process, or shared."""

    async def take(self, key: str, interval: float, tolerance: int) -> float:
        """Takes the next slot of `key` and returns 0, or takes nothing and returns the
        seconds until one is free."""

    async def pause(self, seconds: float) -> None:
        """A flood wait: no slot of any key is given for `seconds`."""

    async def paused_for(self) -> float:
        """Seconds left of the flood wait (0 when there is none)."""

    async def replies_waiting(self, waiting: bool) -> bool:
        """Tells the other processes whether this one has replies waiting, and returns
        whether any other has (then alerts wait everywhere)."""


@dataclass
class LocalBudget:
    """The budget of one process (no Redis): GCRA "theoretical arrival times" in a dict."""

    clock: Callable[[], float] = time.monotonic
    _due: dict[str, float] = field(default_factory=dict)
    _paused_until: float = 0.0

    async def take(self, key: str, interval: float, tolerance: int) -> float:
        return gcra(self._due, key, interval, tolerance, self.clock())

    async def pause(self, seconds: float) -> None:
        self._paused_until = max(self._paused_until, self.clock() + seconds)

    async def paused_for(self) -> float:
        return max(0.0, self._paused_until - self.clock())

    async def replies_waiting(self, waiting: bool) -> bool:
        return False


def gcra(due: dict[str, float], key: str, interval: float, tolerance: int, now: float) -> float:
    """The generic cell rate algorithm on `due[key]`, the time the next slot is due: a
    slot is given when that time is at most `tolerance` slots ahead of now."""
    next_due = max(due.get(key, now), now)
    early = next_due - now - tolerance * interval
    if early > 1e-9:
        return early
    due[key] = next_due + interval
    return 0.0


@dataclass(order=True)
class _Waiter:
    rank: int
    """The priority, except that a send whose budget slot is already taken (a claimed
    alert) goes first: holding it back would only keep its row claimed longer."""
    order: int
    priority: Priority = field(compare=False)
    chat_id: int | None = field(compare=False)
    budget: bool = field(compare=False)
    granted: asyncio.Future[None] = field(compare=False)


class SendQueue:
    """Gives each send its turn (see the module docstring); one per process."""

    def __init__(
        self,
        limits: Limits,
        budget: Budget | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.limits = limits
        self.budget: Budget = budget or LocalBudget(clock)
        self.clock = clock
        self.lost = 0
        """Replies given up after `max_age`, since start."""
        self._waiters: list[_Waiter] = []
        self._order = itertools.count()
        self._chat_due: dict[str, float] = {}
        self._wake = asyncio.Event()
        self._task: asyncio.Task[None] | None = None
        self._others_replying = False
        self._told_waiting: float = 0.0
        self._was_waiting = False

    async def acquire(
        self, priority: Priority, chat_id: int | None, *, budget: bool = True
    ) -> None:
        """Waits for this send's turn: its chat's slot (when `chat_id` is given) and a slot
        of the bot's budget (unless `budget` is False: a query's answer, or an alert whose
        budget slot was taken before the row was claimed)."""
        if self._task is None or self._task.done():
            self._task = asyncio.create_task(self._dispatch(), name="send-queue")
        waiter = _Waiter(
            priority if budget else Priority.QUERY,
            next(self._order),
            priority,
            chat_id,
            budget,
            asyncio.get_running_loop().create_future(),
        )
        heapq.heappush(self._waiters, waiter)
        self._wake.set()
        try:
            await waiter.granted
        finally:
            if not waiter.granted.done():
                waiter.granted.cancel()  # the dispatcher drops it

    async def pause(self, seconds: float) -> None:
        """A 429: every send waits `seconds` (in every process sharing the budget)."""
        log.warning("flood wait of %.0f s from Telegram: every send waits", seconds)
        await self.budget.pause(seconds)
        self._wake.set()

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None

    # -- the dispatcher ---------------------------------------------------------------

    async def _dispatch(self) -> None:
        """Hands out turns one at a time, in priority order, forever: a failure (Redis
        unreachable, say) is logged and the next round tries again."""
        while True:
            self._wake.clear()
            try:
                delay = await self._grant_next()
            except Exception:
                log.exception("the send queue could not give a turn; trying again")
                delay = 1.0
            if delay is None:
                continue
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), delay)

    async def _grant_next(self) -> float | None:
        """Grants the first waiter whose turn it is and returns None, or returns how long
        to sleep (unless woken) before trying again. Waiters are taken in priority order,
        skipping those whose chat must wait, so a reply that can go always goes before
        an alert; an alert also waits while another replica has such replies."""
        self._waiters = [w for w in self._waiters if not w.granted.done()]
        heapq.heapify(self._waiters)
        if not self._waiters:
            await self._tell_replies_waiting(False)
            return 3600.0
        paused = await self.budget.paused_for()
        if paused > 0:
            return paused
        now = self.clock()
        ready = [w for w in sorted(self._waiters) if self._chat_wait(w.chat_id, now) <= 0]
        replies = any(w.priority < Priority.ALERT for w in ready)
        others = await self._tell_replies_waiting(replies)
        if not ready:
            return min(self._chat_wait(w.chat_id, now) for w in self._waiters)
        waiter = ready[0]
        if waiter.priority == Priority.ALERT and waiter.budget and others:
            return 0.05  # another replica's replies go first
        if waiter.budget:
            wait = await self._take_budget(waiter.priority)
            if wait > 0:
                return wait
        if waiter.granted.done():
            return None  # given up while the budget was asked (its slot goes unused)
        self._take_chat(waiter.chat_id, self.clock())
        waiter.granted.set_result(None)
        return None

    async def _take_budget(self, priority: Priority) -> float:
        """A slot for a reply (the bot's budget) or an alert (the alerts' cap, and the
        bot's budget unless alerts are paid broadcasts, which Telegram counts apart)."""
        limits = self.limits
        if priority == Priority.QUERY:
            return 0.0
        if priority == Priority.ALERT:
            if not limits.paid_alerts:
                wait = await self.budget.take("bot", 1.0 / limits.per_second, limits.tolerance)
                if wait > 0:
                    return wait
            return await self.budget.take(
                "alerts", 1.0 / limits.alerts_per_second, limits.tolerance
            )
        return await self.budget.take("bot", 1.0 / limits.per_second, limits.tolerance)

    def _chat_keys(self, chat_id: int) -> list[tuple[str, float, int]]:
        keys = [(f"chat:{chat_id}", self.limits.chat_interval, 1)]
        if chat_id < 0:
            keys.append((f"group:{chat_id}", 60.0 / self.limits.group_per_minute, 3))
        return keys

    def _chat_wait(self, chat_id: int | None, now: float) -> float:
        if chat_id is None:
            return 0.0
        wait = 0.0
        for key, interval, tolerance in self._chat_keys(chat_id):
            next_due = self._chat_due.get(key, now)
            wait = max(wait, next_due - now - (tolerance - 1) * interval)
        return wait

    def _take_chat(self, chat_id: int | None, now: float) -> None:
        if chat_id is None:
            return
        for key, interval, tolerance in self._chat_keys(chat_id):
            gcra(self._chat_due, key, interval, tolerance - 1, now)
        if len(self._chat_due) > 200_000:  # forget chats whose slot is long past
            self._chat_due = {k: t for k, t in self._chat_due.items() if t > now}

    async def _tell_replies_waiting(self, waiting: bool) -> bool:
        """Shares this process's "replies waiting" with the others when it changes, and
        at least every 0.2 s."""
        now = self.clock()
        if waiting != self._was_waiting or now - self._told_waiting > 0.2:
            self._told_waiting, self._was_waiting = now, waiting
            self._others_replying = await self.budget.replies_waiting(waiting)
        return self._others_replying
