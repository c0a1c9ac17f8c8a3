"""The pages: home and search, an entity, lists by kind, verify, policies, about and data.

Every page is built from what the engine returns (`Answer`, `Entity`) and the catalogs;
the pages of a registry version are rendered once and then served from `Site.bodies`.
Questions typed in the search box are logged like the bot's (text, language, intent,
answered: never who asked).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any
from urllib.parse import urlencode

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response

from db.repositories.questions import LoggedQuestion
from db.repositories.registry import RegistryRepository
from knowledge.answer import Answer, body_account
from knowledge.engine import spokespeople
from knowledge.i18n import supported
from knowledge.index import RegistryIndex
from knowledge.notices import change_lines
from knowledge.registry.schema import AccountStatus, Entity, EntityKind, Policy
from knowledge.understand import MAX_QUESTION_CHARS, Intent, Lang
from web.http import PRIVATE, Body, cached, send
from web.site import Site, site
from web.words import LANGS

PAGE_SIZE = 100
"""Entities on one page of a list."""
HISTORY = 50
"""Changes shown on an entity's page (the feed has them all)."""


def lang_of(request: Request) -> Lang:
    lang = request.path_params.get("lang")
    for known in LANGS:
        if lang == known:
            return known
    raise HTTPException(404)


def preferred_lang(header: str, default: Lang) -> Lang:
    """The first language of Accept-Language ("fr-FR,fr;q=0.9,en;q=0.8") that Rasmi
    speaks, by the client's weights; else the default (Arabic)."""
    ranked: list[tuple[float, int, str]] = []
    for position, part in enumerate(header.split(",")):
        code, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                weight = 0.0
        ranked.append((-weight, position, code))
    for weight, _, code in sorted(ranked):
        found = supported(code)
        if found is not None and weight < 0:
            return found
    return default


async def root(request: Request) -> Response:
    lang = preferred_lang(request.headers.get("accept-language", ""), "ar")
    return RedirectResponse(f"/{lang}/", 302, headers={"Vary": "Accept-Language"})


async def home(request: Request) -> Response:
    lang, s = lang_of(request), site(request)

    async def build() -> Body:
        kinds = [(kind, len(ids)) for kind, ids in _kinds(s.index)]
        return s.page("home.html", lang, "/", kinds=kinds)

    return await cached(request, s.bodies, s.version, build)


async def search(request: Request) -> Response:
    """A question, a handle or a link, answered as in the bot, as a page."""
    lang, s = lang_of(request), site(request)
    question = request.query_params.get("q", "").strip()[:MAX_QUESTION_CHARS]
    if not question:
        return RedirectResponse(f"/{lang}/", 303)
    answer = s.services.engine.answer(question, lang)
    log(s, answer, "web")
    path = "/search?" + urlencode({"q": question})
    found = s.page("answer.html", lang, path, answer=answer, q=question)
    return send(request, found, PRIVATE)


async def verify(request: Request) -> Response:
    """Paste a link or a handle: the verdict, with the look-alike explanation."""
    lang, s = lang_of(request), site(request)
    question = request.query_params.get("q", "").strip()[:MAX_QUESTION_CHARS]
    answer = s.services.engine.answer(question, lang, Intent.VERIFY) if question else None
    if answer is not None:
        log(s, answer, "web")
    page = s.page("verify.html", lang, "/verify", answer=answer, q=question)
    return send(request, page, PRIVATE)


async def entity_page(request: Request) -> Response:
    lang, s = lang_of(request), site(request)
    entity_id = request.path_params["entity_id"]

    async def build() -> Body:
        if entity_id not in s.index.entities:
            return s.page("error.html", lang, "/", 404, code=404)
        return s.page(
            "entity.html", lang, f"/entities/{entity_id}", **await entity_view(s, entity_id, lang)
        )

    return await cached(request, s.bodies, s.version, build)


async def entity_view(s: Site, entity_id: str, lang: Lang) -> dict[str, Any]:
    index = s.index
    entity = index.entities[entity_id]
    async with s.services.sessions() as session:
        rows = await RegistryRepository(session).history(entity_id, HISTORY)
    return {
        "entity": entity,
        "active": [a for a in entity.accounts if a.status is AccountStatus.ACTIVE],
        "former": [a for a in entity.accounts if a.status is AccountStatus.FORMER],
        "people": spokespeople(entity),
        "successors": index.successors(entity),
        "parent": index.entities.get(entity.parent) if entity.parent else None,
        "history": history(rows, entity, lang, index),
        "follow": _follow(s, index, entity),
    }


def history(
    rows: list[Any], entity: Entity | None, lang: Lang, index: RegistryIndex
) -> list[tuple[dt.datetime, list[str]]]:
    """The change log as (date, sentences), one item per import, newest first."""
    by_import: dict[int, list[Any]] = defaultdict(list)
    for row in rows:
        by_import[row.import_id].append(row)
    items = []
    for group in by_import.values():
        changes = [_change_dict(row) for row in group]
        lines = change_lines(changes, entity, lang, entities=index.entities)
        items.append((group[0].at, lines))
    return items


def _change_dict(row: Any) -> dict[str, Any]:
    return {
        "kind": row.kind,
        "entity_id": row.entity_id,
        "subject": row.subject,
        "field": row.field,
        "old": row.old,
        "new": row.new,
    }


def _follow(s: Site, index: RegistryIndex, entity: Entity) -> str | None:
    """The bot's deep link to this entity's card (`/start e_<key>`), where the reader can
    follow the entity's changes."""
    if not s.config.bot_username:
        return None
    return f"https://t.me/{s.config.bot_username}?start=e_{index.key(entity.id)}"


async def kinds_page(request: Request) -> Response:
    lang, s = lang_of(request), site(request)

    async def build() -> Body:
        return s.page("kinds.html", lang, "/kinds", kinds=[(k, len(i)) for k, i in _kinds(s.index)])

    return await cached(request, s.bodies, s.version, build)


async def kind_page(request: Request) -> Response:
    lang, s = lang_of(request), site(request)
    try:
        kind = EntityKind(request.path_params["kind"])
        number = int(request.query_params.get("page", "1"))
    except ValueError:
        raise HTTPException(404) from None

    async def build() -> Body:
        ids = s.index.active_by_kind.get(kind, [])
        pages = max(1, -(-len(ids) // PAGE_SIZE))
        if not 1 <= number <= pages:
            return s.page("error.html", lang, "/", 404, code=404)
        shown = [s.index.entities[i] for i in ids[(number - 1) * PAGE_SIZE : number * PAGE_SIZE]]
        return s.page(
            "kind.html",
            lang,
            f"/kinds/{kind.value}",
            kind=kind,
            entities=shown,
            total=len(ids),
            number=number,
            pages=pages,
            main=body_account,
        )

    return await cached(request, s.bodies, s.version, build)


async def policies_page(request: Request) -> Response:
    lang, s = lang_of(request), site(request)

    async def build() -> Body:
        return s.page("policies.html", lang, "/policies", policies=await stored_policies(s))

    return await cached(request, s.bodies, s.version, build)


async def stored_policies(s: Site) -> list[Policy]:
    async with s.services.sessions() as session:
        return await RegistryRepository(session).policies()


async def about_page(request: Request) -> Response:
    lang, s = lang_of(request), site(request)

    async def build() -> Body:
        async with s.services.sessions() as session:
            repository = RegistryRepository(session)
            counts = await repository.counts()
            last = await repository.last_import()
        return s.page(
            "about.html", lang, "/about", counts=counts, updated=last.at if last else None
        )

    return await cached(request, s.bodies, s.version, build)


async def not_found(request: Request, exc: Exception) -> Response:
    """A page that does not exist, in the language of its address (else Arabic)."""
    code = getattr(exc, "status_code", 404)
    lang = supported(request.url.path.strip("/").split("/")[0]) or "ar"
    return send(request, site(request).page("error.html", lang, "/", code, code=code), PRIVATE)


def log(s: Site, answer: Answer, source: str) -> None:
    s.services.question_log.append(
        LoggedQuestion(answer.query, answer.lang, answer.intent.value, answer.answered, source)
    )


def _kinds(index: RegistryIndex) -> list[tuple[EntityKind, list[str]]]:
    return [
        (kind, index.active_by_kind[kind]) for kind in EntityKind if index.active_by_kind.get(kind)
    ]
