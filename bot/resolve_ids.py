"""Numeric account ids for the registry: a handle can be renamed and taken by someone
else, an id cannot.

- Telegram: a public username is resolved with the bot's own token (`getChat`), at a
  pace well under the Bot API's limits, waiting out a 429's retry_after.
- X: usernames are looked up through X's API v2 (`users/by?usernames=...`, 100 at a
  time) when X_BEARER_TOKEN is set: batches are paced, and a 429 waits until the
  x-rate-limit-reset time (or retry-after), as does a batch that used the last request of
  the window.

Nothing is written to the registry: the ids are proposed in a review file (the whole
registry with the ids filled in), like the website sweep's. An id the registry already
has is compared, never replaced: a different id means the handle now belongs to another
account, which a maintainer must look at.
"""

from __future__ import annotations

import asyncio
import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx

from knowledge.registry.handles import Platform, handle_key, telegram_platform_id
from knowledge.registry.schema import Account, AccountStatus, Registry

X_BATCH = 100
"""The most usernames users/by accepts in one request."""
_X_USERNAME = re.compile(r"[A-Za-z0-9_]{1,15}")
"""What users/by accepts; one longer (pre-2009) name would fail the whole batch."""

Sleep = Callable[[float], Awaitable[None]]


@dataclass(frozen=True)
class ResolveOptions:
    telegram_url: str | None = None
    """The Bot API method prefix with the token (…/bot<TOKEN>); None: Telegram skipped."""
    x_base_url: str = "https://api.x.com/2"
    x_bearer_token: str | None = None
    """None: X is skipped."""
    x_pause: float = 1.0
    """Seconds between two users/by requests."""
    telegram_pause: float = 0.1
    """Seconds between two getChat requests."""
    max_wait: float = 900.0
    """The longest a rate limit is waited out; beyond it the rest is reported as such."""
    timeout: float = 15.0


@dataclass(frozen=True)
class Resolution:
    """What the platform says of one registry account."""

    entity_id: str
    platform: Platform
    handle: str
    outcome: str
    """resolved (a new id), same (the registry's id), differs, not_found, skipped, error."""
    platform_id: str | None = None
    detail: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "platform": self.platform.value,
            "handle": self.handle,
            "outcome": self.outcome,
            "platform_id": self.platform_id,
            "detail": self.detail,
        }


class RateLimited(Exception):
    """The platform asks for a wait longer than `max_wait`."""


def accounts_on(registry: Registry, platform: Platform) -> list[tuple[str, Account]]:
    return [
        (entity.id, account)
        for entity in registry.entities
        for account in entity.accounts
        if account.platform is platform and account.status is AccountStatus.ACTIVE
    ]


def _judge(entity_id: str, account: Account, found: str | None, detail: str = "") -> Resolution:
    platform, handle = account.platform, account.handle
    if found is None:
        return Resolution(entity_id, platform, handle, "not_found", detail=detail)
    if account.platform_id is None:
        return Resolution(entity_id, platform, handle, "resolved", found, detail)
    if account.platform_id == found:
        return Resolution(entity_id, platform, handle, "same", found, detail)
    return Resolution(
        entity_id,
        platform,
        handle,
        "differs",
        found,
        f"the registry has {account.platform_id}: the handle may now be another account's",
    )


async def resolve_telegram(
    client: httpx.AsyncClient,
    registry: Registry,
    options: ResolveOptions,
    sleep: Sleep = asyncio.sleep,
) -> list[Resolution]:
    assert options.telegram_url is not None
    results = []
    for entity_id, account in accounts_on(registry, Platform.TELEGRAM):
        try:
            found, detail = await _get_chat(client, options, account.handle, sleep)
        except (httpx.HTTPError, ValueError) as exc:
            results.append(
                Resolution(entity_id, Platform.TELEGRAM, account.handle, "error", detail=str(exc))
            )
            continue
        except RateLimited as exc:
            results.append(
                Resolution(entity_id, Platform.TELEGRAM, account.handle, "error", detail=str(exc))
            )
            break
        results.append(_judge(entity_id, account, found, detail))
        await sleep(options.telegram_pause)
    return results


async def _get_chat(
    client: httpx.AsyncClient, options: ResolveOptions, handle: str, sleep: Sleep
) -> tuple[str | None, str]:
    while True:
        response = await client.get(
            f"{options.telegram_url}/getChat", params={"chat_id": f"@{handle}"}
        )
        payload = response.json()
        if payload.get("ok"):
            chat = payload["result"]
            return telegram_platform_id(
                int(chat["id"])
            ), f"{chat.get('type', '?')} {chat.get('title', '')}".strip()
        if payload.get("error_code") == 429:
            wait = float(payload.get("parameters", {}).get("retry_after", 1))
            if wait > options.max_wait:
                raise RateLimited(f"Telegram asks to wait {wait:g} s")
            await sleep(wait)
            continue
        if payload.get("error_code") == 400:
            return None, str(payload.get("description", ""))
        raise ValueError(f"getChat: {payload.get('error_code')} {payload.get('description')}")


async def resolve_x(
    client: httpx.AsyncClient,
    registry: Registry,
    options: ResolveOptions,
    sleep: Sleep = asyncio.sleep,
    clock: Callable[[], float] = time.time,
) -> list[Resolution]:
    """users/by in batches of 100, paced, waiting out 429s."""
    results: list[Resolution] = []
    pending: list[tuple[str, Account]] = []
    for entity_id, account in accounts_on(registry, Platform.X):
        if _X_USERNAME.fullmatch(account.handle):
            pending.append((entity_id, account))
        else:
            results.append(
                Resolution(
                    entity_id,
                    Platform.X,
                    account.handle,
                    "skipped",
                    detail="longer than 15 characters: users/by does not take it",
                )
            )
    for start in range(0, len(pending), X_BATCH):
        batch = pending[start : start + X_BATCH]
        try:
            found = await _users_by(client, options, [a.handle for _, a in batch], sleep, clock)
        except (httpx.HTTPError, ValueError, RateLimited) as exc:
            results += [
                Resolution(entity_id, Platform.X, a.handle, "error", detail=str(exc))
                for entity_id, a in batch
            ]
            if isinstance(exc, RateLimited):
                break
            continue
        for entity_id, account in batch:
            user = found.get(handle_key(Platform.X, account.handle)[1])
            results.append(_judge(entity_id, account, user))
        if start + X_BATCH < len(pending):
            await sleep(options.x_pause)
    return results


async def _users_by(
    client: httpx.AsyncClient,
    options: ResolveOptions,
    usernames: list[str],
    sleep: Sleep,
    clock: Callable[[], float],
) -> dict[str, str]:
    """Case-folded username -> id for those X knows."""
    headers = {"Authorization": f"Bearer {options.x_bearer_token}"}
    while True:
        response = await client.get(
            f"{options.x_base_url}/users/by",
            params={"usernames": ",".join(usernames)},
            headers=headers,
        )
        if response.status_code == 429:
            await sleep(_rate_wait(response, options, clock))
            continue
        if response.status_code != 200:
            raise ValueError(f"users/by: HTTP {response.status_code} {response.text[:200]}")
        payload = response.json()
        if response.headers.get("x-rate-limit-remaining") == "0":
            await sleep(_rate_wait(response, options, clock))
        return {u["username"].casefold(): str(u["id"]) for u in payload.get("data", [])}


def _rate_wait(
    response: httpx.Response, options: ResolveOptions, clock: Callable[[], float]
) -> float:
    """Seconds until the window resets: retry-after, else x-rate-limit-reset (epoch
    seconds), else a minute."""
    headers = response.headers
    if "retry-after" in headers:
        wait = float(headers["retry-after"])
    elif "x-rate-limit-reset" in headers:
        wait = max(0.0, float(headers["x-rate-limit-reset"]) - clock()) + 1.0
    else:
        wait = 60.0
    if wait > options.max_wait:
        raise RateLimited(f"X asks to wait {wait:.0f} s (more than {options.max_wait:g} s)")
    return wait


async def resolve_ids(
    registry: Registry,
    options: ResolveOptions,
    sleep: Sleep = asyncio.sleep,
) -> list[Resolution]:
    """Every platform that has its credentials; the others are left out."""
    results: list[Resolution] = []
    async with httpx.AsyncClient(timeout=options.timeout) as client:
        if options.telegram_url is not None:
            results += await resolve_telegram(client, registry, options, sleep)
        if options.x_bearer_token is not None:
            results += await resolve_x(client, registry, options, sleep)
    return results


def review_registry(registry: Registry, results: list[Resolution]) -> Registry:
    """The registry with the resolved ids filled in (only where it had none)."""
    ids = {
        (r.entity_id, handle_key(r.platform, r.handle)): r.platform_id
        for r in results
        if r.outcome == "resolved"
    }
    entities = []
    for entity in registry.entities:
        accounts = [
            a.model_copy(update={"platform_id": ids[(entity.id, a.key)]})
            if (entity.id, a.key) in ids and a.status is AccountStatus.ACTIVE
            else a
            for a in entity.accounts
        ]
        entities.append(entity.model_copy(update={"accounts": accounts}))
    return registry.model_copy(update={"entities": entities})


def review_header(results: list[Resolution], today: str) -> str:
    counts: dict[str, int] = {}
    for result in results:
        counts[result.outcome] = counts.get(result.outcome, 0) + 1
    lines = [
        f"Review file written by `rasmi registry resolve-ids` on {today}.",
        "It is the whole registry with the resolved numeric ids filled in: "
        f"{counts.get('resolved', 0)} new id(s).",
        "`rasmi registry import --dry-run FILE` lists exactly these changes; edit, then import.",
        "Not changed, to judge by hand:",
    ]
    lines += [
        f"  {r.entity_id}: {r.outcome}: {r.platform.value} @{r.handle} "
        f"{r.platform_id or ''} {r.detail}".rstrip()
        for r in results
        if r.outcome not in ("resolved", "same")
    ]
    return "".join(f"# {line}\n" for line in lines)
