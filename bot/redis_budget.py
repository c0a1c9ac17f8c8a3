"""What replicas of one bot share through Redis (REDIS_URL): the send budget, the flood
wait, whether anyone's replies are waiting, and each user's flood control.

Telegram counts the bot's messages whoever sends them, so N replicas must draw from one
budget: the GCRA of bot/send_queue.py runs here as a Lua script, atomic on the Redis
server and timed by its clock (the replicas' clocks need not agree). A 429 seen by one
replica pauses all of them. A user whose updates the load balancer spreads over several
replicas is counted once. Without REDIS_URL, one process keeps all of this in memory.
"""

from __future__ import annotations

from typing import Any

from redis.asyncio import Redis

from handlers.flood import Flood, FloodGate

PREFIX = "rasmi:"

_TAKE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local interval = tonumber(ARGV[1])
local tolerance = tonumber(ARGV[2])
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > now then return tostring(paused - now) end
local due = tonumber(redis.call('GET', KEYS[1]) or '0')
if due < now then due = now end
local early = due - now - tolerance * interval
if early > 0.000000001 then return tostring(early) end
local ttl = math.ceil((due + interval - now) * 1000) + 1000
redis.call('SET', KEYS[1], tostring(due + interval), 'PX', ttl)
return '0'
"""

_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local untill = now + tonumber(ARGV[1])
local current = tonumber(redis.call('GET', KEYS[1]) or '0')
if untill > current then
  redis.call('SET', KEYS[1], tostring(untill), 'PX', math.ceil(tonumber(ARGV[1]) * 1000) + 1000)
end
return 'ok'
"""

_PAUSED_FOR = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local paused = tonumber(redis.call('GET', KEYS[1]) or '0')
if paused > now then return tostring(paused - now) end
return '0'
"""

_FLOOD = """
local t = redis.call('TIME')
local now = tonumber(t[1]) + tonumber(t[2]) / 1000000
local window = tonumber(ARGV[1])
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now - window)
redis.call('ZADD', KEYS[1], now, ARGV[3])
redis.call('PEXPIRE', KEYS[1], math.ceil(window * 1000))
if redis.call('ZCARD', KEYS[1]) <= limit then
  redis.call('DEL', KEYS[2])
  return 'ok'
end
if redis.call('SET', KEYS[2], '1', 'NX', 'PX', math.ceil(window * 1000)) then
  return 'notice'
end
return 'drop'
"""


class RedisBudget:
    """The `Budget` of bot/send_queue.py, shared by every replica through Redis."""

    def __init__(self, redis: Redis, replica: str, prefix: str = PREFIX) -> None:
        self._redis = redis
        self._replica = replica
        self._prefix = prefix
        self._take = redis.register_script(_TAKE)
        self._pause = redis.register_script(_PAUSE)
        self._paused_for = redis.register_script(_PAUSED_FOR)

    async def take(self, key: str, interval: float, tolerance: int) -> float:
        wait = await self._take(
            keys=[f"{self._prefix}slot:{key}", f"{self._prefix}paused"], args=[interval, tolerance]
        )
        return float(wait)

    async def pause(self, seconds: float) -> None:
        await self._pause(keys=[f"{self._prefix}paused"], args=[seconds])

    async def paused_for(self) -> float:
        return float(await self._paused_for(keys=[f"{self._prefix}paused"]))

    async def replies_waiting(self, waiting: bool) -> bool:
        """Each replica with replies waiting keeps a key alive for a second; alerts wait
        while another replica's key exists."""
        mine = f"{self._prefix}replying:{self._replica}"
        if waiting:
            await self._redis.set(mine, "1", px=1000)
        else:
            await self._redis.delete(mine)
        keys: list[Any] = [
            key async for key in self._redis.scan_iter(match=f"{self._prefix}replying:*", count=100)
        ]
        return any(_text(key) != mine for key in keys)


class RedisFloodGate:
    """handlers/flood.py's per-user sliding window, counted over every replica."""

    def __init__(self, redis: Redis, gate: FloodGate, replica: str, prefix: str = PREFIX) -> None:
        self._gate = gate
        self._replica = replica
        self._prefix = prefix
        self._script = redis.register_script(_FLOOD)
        self._counter = 0

    async def check(self, user_id: int) -> Flood:
        self._counter += 1
        verdict = await self._script(
            keys=[f"{self._prefix}flood:{user_id}", f"{self._prefix}flood-noticed:{user_id}"],
            args=[self._gate.window, self._gate.limit, f"{self._replica}:{self._counter}"],
        )
        return Flood(_text(verdict))


def _text(value: Any) -> str:
    return value.decode() if isinstance(value, bytes) else str(value)
