"""HTTP plumbing shared by the pages and the API: cached bodies with their ETags, a
per-client rate limit, errors as JSON.

Every public page and API answer depends only on its address and on the registry's
version, so its body is rendered once per version and kept (an LRU of bodies): a page
served again costs a dictionary lookup, and a client that already has it gets 304.
"""

from __future__ import annotations

import hashlib
import math
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Generic, TypeVar

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send

T = TypeVar("T")

PUBLIC_CACHE = "public, max-age=60"
"""Browsers and proxies may keep a page a minute: an import shows within that."""
PRIVATE = "private, no-store"


@dataclass(frozen=True)
class Body:
    content: bytes
    media_type: str
    etag: str
    status: int = 200


def body(content: bytes, media_type: str, status: int = 200) -> Body:
    digest = hashlib.blake2b(content, digest_size=12).hexdigest()
    return Body(content, media_type, f'"{digest}"', status)


class VersionCache(Generic[T]):
    """Values of the current registry version, least recently used out: a new version
    empties it, so nothing stale is ever served."""

    def __init__(self, size: int = 4096):
        self._size = size
        self._version: str | None = None
        self._values: OrderedDict[str, T] = OrderedDict()

    def get(self, version: str, key: str) -> T | None:
        if version != self._version:
            self._version, self._values = version, OrderedDict()
            return None
        found = self._values.get(key)
        if found is not None:
            self._values.move_to_end(key)
        return found

    def put(self, version: str, key: str, value: T) -> None:
        if version != self._version:
            self._version, self._values = version, OrderedDict()
        self._values[key] = value
        if len(self._values) > self._size:
            self._values.popitem(last=False)


BodyCache = VersionCache[Body]


async def cached(
    request: Request,
    cache: BodyCache,
    version: str,
    build: Callable[[], Awaitable[Body]],
    key: str | None = None,
) -> Response:
    """The body for this address at this version, built once; 304 when the client has it."""
    key = key or str(request.url.path) + "?" + str(request.url.query)
    found = cache.get(version, key)
    if found is None:
        found = await build()
        if found.status == 200:
            cache.put(version, key, found)
    return send(request, found, PUBLIC_CACHE)


SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    # The pages have no script at all, and their styles come from /static/ only.
    "Content-Security-Policy": "default-src 'none'; style-src 'self'; img-src 'self'; "
    "form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
}


def send(request: Request, found: Body, cache_control: str) -> Response:
    headers = {
        "ETag": found.etag,
        "Cache-Control": cache_control,
        "Vary": "Accept-Encoding",
        **SECURITY_HEADERS,
    }
    if found.status == 200 and found.etag in _etags(request.headers.get("if-none-match", "")):
        return Response(status_code=304, headers=headers)
    return Response(found.content, found.status, headers, media_type=found.media_type)


def _etags(header: str) -> set[str]:
    return {tag.strip().removeprefix("W/") for tag in header.split(",") if tag.strip()}


def json_error(status: int, message: str, headers: dict[str, str] | None = None) -> JSONResponse:
    """Every API error: its status and a sentence saying what to do about it."""
    return JSONResponse({"error": {"status": status, "message": message}}, status, headers=headers)


class RateLimit:
    """A token bucket per client address: `per_minute` requests a minute, in bursts of as
    many. The clock is monotonic; buckets of clients gone quiet are dropped."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic):
        self.capacity = float(per_minute)
        self.rate = per_minute / 60.0
        self._clock = clock
        self._buckets: dict[str, tuple[float, float]] = {}

    def wait(self, client: str) -> float:
        """0 when the request may go now (and takes a token), else the seconds to wait."""
        now = self._clock()
        tokens, last = self._buckets.get(client, (self.capacity, now))
        tokens = min(self.capacity, tokens + (now - last) * self.rate)
        if tokens >= 1:
            self._buckets[client] = (tokens - 1, now)
            if len(self._buckets) > 100_000:
                self._forget(now)
            return 0.0
        self._buckets[client] = (tokens, now)
        return (1 - tokens) / self.rate

    def _forget(self, now: float) -> None:
        full = self.capacity / self.rate
        self._buckets = {c: v for c, v in self._buckets.items() if now - v[1] < full}


class RateLimitMiddleware:
    """Answers 429 with Retry-After once a client has used its requests; static files
    are not counted."""

    def __init__(self, app: ASGIApp, limit: RateLimit):
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send_: Send) -> None:
        if scope["type"] != "http" or scope["path"].startswith("/static/"):
            await self.app(scope, receive, send_)
            return
        client = scope.get("client")
        wait = self.limit.wait(client[0] if client else "")
        if not wait:
            await self.app(scope, receive, send_)
            return
        retry = str(max(1, math.ceil(wait)))
        response = json_error(
            429,
            f"Too many requests from this address: try again in {retry} seconds.",
            {"Retry-After": retry},
        )
        await response(scope, receive, send_)
