"""The website sweep's network side: a polite HTTP client, and the sweep of each site.

Government sites are other people's servers, and the sweep must look like what it is: a
clear user agent, robots.txt honoured (urllib.robotparser, its Crawl-delay too), one
request at a time per host with a pause between two, at most `concurrency` requests in
flight overall, timeouts on every step and a deadline per request, pages cut at
`max_bytes`, and a disk cache keyed on ETag/Last-Modified so a second sweep asks "changed
since?" and is answered 304. Redirects are followed by hand, so each hop goes through
robots.txt and the pause of its own host.

The pause is per host, not per site: while one site waits, others are fetched, so a
sweep of a thousand sites takes about as long as its slowest site's few requests.

What the pages say is read in `knowledge.registry.sweep`; nothing here writes to the
registry.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urljoin, urlsplit
from urllib.robotparser import RobotFileParser

import httpx
from platformdirs import user_data_path

from knowledge.registry.schema import Entity, EntityStatus, Registry
from knowledge.registry.sweep import (
    EntitySweep,
    Owners,
    compare,
    handle_owners,
    read_page,
    settle_shared_links,
)

USER_AGENT = (
    "RasmiSweep/0.1 (Rasmi registry maintenance: reads the social-media links on "
    "government websites, a few pages per site)"
)
ROBOTS_AGENT = "RasmiSweep"
"""The name robots.txt rules are matched against."""
MAX_REDIRECTS = 5
MAX_CRAWL_DELAY = 30.0
"""A longer Crawl-delay is honoured as this: the sweep is a handful of requests a site."""


def default_cache_dir() -> Path:
    return user_data_path("rasmi", ensure_exists=True) / "sweep-cache"


@dataclass(frozen=True)
class SweepOptions:
    concurrency: int = 8
    """Requests in flight at once, over all hosts."""
    delay: float = 1.0
    """Seconds between two requests to one host (more if its robots.txt asks)."""
    timeout: float = 10.0
    """Connect and read timeout of each request."""
    deadline: float = 30.0
    """The most one request may take once sent, its whole body read (a server dripping
    bytes beats every read timeout); waiting for the host's turn does not count."""
    max_bytes: int = 3_000_000
    """A page is read up to this size; its footer is rarely further."""
    cache_dir: Path | None = None
    """Where ETag/Last-Modified answers are kept; None: no cache."""


@dataclass(frozen=True)
class Page:
    """A page as read: its final URL and text, or why it could not be read."""

    url: str
    text: str = ""
    error: str | None = None
    truncated: bool = False


class PageCache:
    """One JSON file per URL: its validators (ETag, Last-Modified) and text."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder

    def _path(self, url: str) -> Path:
        return self.folder / (hashlib.sha256(url.encode()).hexdigest() + ".json")

    def get(self, url: str) -> dict[str, str] | None:
        try:
            found = json.loads(self._path(url).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return found if isinstance(found, dict) else None

    def put(self, url: str, entry: dict[str, str]) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        path = self._path(url)
        temporary = path.with_suffix(".tmp")
        temporary.write_text(json.dumps(entry, ensure_ascii=False), encoding="utf-8")
        temporary.replace(path)  # a reader never sees half a file


@dataclass
class _Host:
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last: float = float("-inf")
    delay: float = 0.0
    robots: RobotFileParser | None = None
    robots_read: bool = False


class PoliteClient:
    """GET with robots.txt, pacing per host, a global limit, a size cap and the cache."""

    def __init__(self, client: httpx.AsyncClient, options: SweepOptions) -> None:
        self._client = client
        self._options = options
        self._slots = asyncio.Semaphore(options.concurrency)
        self._hosts: dict[str, _Host] = {}
        self._cache = PageCache(options.cache_dir) if options.cache_dir else None
        self.requests = 0
        self.not_modified = 0

    async def get(self, url: str) -> Page:
        """The page at `url`, following redirects."""
        for _ in range(MAX_REDIRECTS + 1):
            host = await self._host(url)
            if host.robots is not None and not host.robots.can_fetch(ROBOTS_AGENT, url):
                return Page(url, error=f"robots.txt disallows {urlsplit(url).path or '/'}")
            result = await self._fetch(url, host)
            if isinstance(result, Page):
                return result
            url = result
        return Page(url, error=f"more than {MAX_REDIRECTS} redirects")

    async def _host(self, url: str) -> _Host:
        """The host's state, reading its robots.txt the first time."""
        parts = urlsplit(url)
        origin = f"{parts.scheme}://{parts.netloc}"
        host = self._hosts.setdefault(origin, _Host(delay=self._options.delay))
        if not host.robots_read:
            async with host.lock:
                if not host.robots_read:
                    await self._read_robots(origin, host)
        return host

    async def _read_robots(self, origin: str, host: _Host) -> None:
        """RobotFileParser's own reading of the answer: 401 or 403 disallow everything,
        another error allows everything. An unreachable robots.txt allows, and the page
        itself then fails with the reason."""
        try:
            response, body, _ = await self._request(f"{origin}/robots.txt", host, {})
        except (httpx.HTTPError, TimeoutError):
            return
        finally:
            host.robots_read = True
        robots = RobotFileParser(f"{origin}/robots.txt")
        if response.status_code in (401, 403):
            robots.parse(["User-agent: *", "Disallow: /"])
        elif response.status_code >= 400:
            robots.parse([])
        else:
            robots.parse(body.decode("utf-8", errors="replace").splitlines())
        host.robots = robots
        crawl_delay = robots.crawl_delay(ROBOTS_AGENT)
        if crawl_delay is not None:
            host.delay = max(host.delay, min(float(crawl_delay), MAX_CRAWL_DELAY))

    async def _fetch(self, url: str, host: _Host) -> Page | str:
        """One request: a Page, or the next URL of a redirect."""
        cached = self._cache.get(url) if self._cache else None
        headers = {}
        if cached:
            if cached.get("etag"):
                headers["If-None-Match"] = cached["etag"]
            if cached.get("last_modified"):
                headers["If-Modified-Since"] = cached["last_modified"]
        try:
            async with host.lock:
                response, body, truncated = await self._request(url, host, headers)
        except httpx.TimeoutException:
            return Page(url, error=f"timed out after {self._options.timeout:g} s")
        except TimeoutError:
            return Page(url, error=f"no whole answer within {self._options.deadline:g} s")
        except httpx.HTTPError as exc:
            return Page(url, error=_network_error(exc))
        if response.is_redirect and "location" in response.headers:
            return urljoin(url, response.headers["location"])
        if response.status_code == 304 and cached:
            self.not_modified += 1
            return Page(url, text=cached["text"], truncated=cached.get("truncated") == "yes")
        if response.status_code >= 400:
            return Page(url, error=f"HTTP {response.status_code}")
        text = body.decode(response.encoding or "utf-8", errors="replace")
        if self._cache and (response.headers.get("etag") or response.headers.get("last-modified")):
            entry = {
                "etag": response.headers.get("etag", ""),
                "last_modified": response.headers.get("last-modified", ""),
                "text": text,
                "truncated": "yes" if truncated else "no",
            }
            await asyncio.to_thread(self._cache.put, url, entry)
        return Page(url, text=text, truncated=truncated)

    async def _request(
        self, url: str, host: _Host, headers: dict[str, str]
    ) -> tuple[httpx.Response, bytes, bool]:
        """A paced GET (the caller holds the host's lock), read up to `max_bytes`."""
        wait = host.last + host.delay - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)
        try:
            async with self._slots, asyncio.timeout(self._options.deadline):
                self.requests += 1
                request = self._client.build_request("GET", url, headers=headers)
                response = await self._client.send(request, stream=True)
                try:
                    body, truncated = await _read_capped(response, self._options.max_bytes)
                finally:
                    await response.aclose()
        finally:
            host.last = time.monotonic()
        return response, body, truncated


async def _read_capped(response: httpx.Response, limit: int) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.aiter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            return b"".join(chunks)[:limit], True
    return b"".join(chunks), False


def _network_error(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return f"cannot connect: {exc}" if str(exc) else "cannot connect"
    return f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


async def sweep_entity(client: PoliteClient, entity: Entity, owners: Owners) -> EntitySweep:
    """The home page and, when it links one, the contact page of the entity's site."""
    assert entity.website is not None
    sweep = EntitySweep(entity.id, entity.website)
    home = await client.get(entity.website)
    if home.error is not None:
        sweep.unreachable = home.error
        return sweep
    pages = [home]
    found = await asyncio.to_thread(read_page, home.text, home.url)
    if found.contact is not None:
        contact = await client.get(found.contact)
        if contact.error is not None:
            sweep.notes.append(f"{found.contact}: {contact.error}")
        else:
            pages.append(contact)
    profiles = list(found.profiles)
    for page in pages[1:]:
        profiles += (await asyncio.to_thread(read_page, page.text, page.url)).profiles
    sweep.pages = [page.url for page in pages]
    sweep.notes += [f"{p.url}: only the first bytes were read" for p in pages if p.truncated]
    compare(entity, profiles, owners, sweep)
    return sweep


def entities_to_sweep(registry: Registry, ids: Iterable[str] = ()) -> list[Entity]:
    """The active entities with a website; only those named, when ids are given."""
    wanted = set(ids)
    return [
        e
        for e in registry.entities
        if e.website and e.status is EntityStatus.ACTIVE and (not wanted or e.id in wanted)
    ]


async def sweep_registry(
    registry: Registry,
    entities: list[Entity],
    options: SweepOptions,
) -> list[EntitySweep]:
    """Sweeps the sites of `entities`, all at once within the client's limits."""
    owners = handle_owners(registry)
    timeout = httpx.Timeout(options.timeout)
    limits = httpx.Limits(max_connections=options.concurrency * 2)
    async with httpx.AsyncClient(
        headers={"User-Agent": USER_AGENT},
        timeout=timeout,
        limits=limits,
        follow_redirects=False,
    ) as http:
        client = PoliteClient(http, options)
        sweeps = list(await asyncio.gather(*(sweep_entity(client, e, owners) for e in entities)))
    settle_shared_links(sweeps)
    return sweeps
