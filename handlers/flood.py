"""Per-user flood control: a burst gets one polite notice, not one answer per message.

A sliding window per user, in memory: it protects the bot's replies (and Telegram's rate
limits) from one user's burst without slowing anyone else down. Nothing about the user is
stored beyond the timestamps of their last few updates.
"""

from __future__ import annotations

import time
from collections import deque
from dataclasses import dataclass, field
from enum import Enum

SHARED_FLOOD = "shared_flood_gate"
"""bot_data key of the flood control shared by replicas (bot/redis_budget.py), when
REDIS_URL is set; without it, `Services.flood` counts in this process."""


class Flood(Enum):
    OK = "ok"
    NOTICE = "notice"
    """The first update over the limit: tell the user once."""
    DROP = "drop"
    """Further updates while over the limit: answer nothing."""


@dataclass
class FloodGate:
    limit: int = 8
    """Updates a user may send within `window` seconds and still be answered."""
    window: float = 10.0
    max_users: int = 100_000
    """Bounds memory: the least recently seen users are forgotten first."""
    _seen: dict[int, deque[float]] = field(default_factory=dict)
    _noticed: dict[int, float] = field(default_factory=dict)

    def check(self, user_id: int, now: float | None = None) -> Flood:
        now = time.monotonic() if now is None else now
        stamps = self._seen.pop(user_id, None) or deque()
        self._seen[user_id] = stamps  # re-inserted: the dict keeps users in recency order
        while stamps and now - stamps[0] > self.window:
            stamps.popleft()
        stamps.append(now)
        if len(self._seen) > self.max_users:
            oldest = next(iter(self._seen))
            self._seen.pop(oldest)
            self._noticed.pop(oldest, None)
        if len(stamps) <= self.limit:
            self._noticed.pop(user_id, None)
            return Flood.OK
        if user_id in self._noticed and now - self._noticed[user_id] <= self.window:
            return Flood.DROP
        self._noticed[user_id] = now
        return Flood.NOTICE
