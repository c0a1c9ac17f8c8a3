"""The JSON API under /api/v1/: the answer JSON of `rasmi ask --json` (docs/answer-json.md)
for questions and handles, the entities, and the change log. Described by
/api/v1/openapi.json (web/openapi.py); the tests hold every answer to that description.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from starlette.requests import Request
from starlette.responses import Response

from db.repositories.questions import LoggedQuestion
from db.repositories.registry import RegistryRepository, change_json
from knowledge.i18n import supported
from knowledge.registry.schema import EntityKind
from knowledge.render import render
from knowledge.understand import MAX_QUESTION_CHARS, Intent, Lang
from web.http import PUBLIC_CACHE, Body, body, cached, json_error, send
from web.openapi import spec
from web.site import Answered, Site, site

MAX_LIMIT = 1000
CHANGES_LIMIT = 1000


def json_body(data: Any, status: int = 200) -> Body:
    text = json.dumps(data, ensure_ascii=False, separators=(",", ":"))
    return body(text.encode(), "application/json", status)


def _lang(request: Request) -> Lang | None:
    return supported(request.query_params.get("lang"))


async def ask(request: Request) -> Response:
    s = site(request)
    question = request.query_params.get("q", "").strip()
    if not question:
        return json_error(400, "Give a question, a handle or a link: /api/v1/ask?q=...")
    if len(question) > MAX_QUESTION_CHARS:
        return json_error(400, f"A question is at most {MAX_QUESTION_CHARS} characters.")
    found = answered(s, question, _lang(request), None)
    return send(request, found.body, PUBLIC_CACHE)


async def verify(request: Request) -> Response:
    s = site(request)
    given = [request.query_params.get(k, "").strip() for k in ("handle", "url")]
    present = [value for value in given if value]
    if len(present) != 1:
        return json_error(400, "Give exactly one of handle= (like @SaudiMOH) or url= (a link).")
    text = present[0]
    if len(text) > MAX_QUESTION_CHARS:
        return json_error(400, f"A handle or link is at most {MAX_QUESTION_CHARS} characters.")
    found = answered(s, text, _lang(request), Intent.VERIFY)
    if found.body.status != 200:
        return json_error(400, f"No handle or link could be read in {text!r}.")
    return send(request, found.body, PUBLIC_CACHE)


def answered(s: Site, question: str, lang: Lang | None, intent: Intent | None) -> Answered:
    """The answer JSON to a question, from the engine once per registry version (then
    from `Site.answers`), and logged every time it is asked. A verification that finds
    no handle is kept as a 400 body."""
    key = f"{intent}\0{lang}\0{question}"
    found = s.answers.get(s.version, key)
    if found is None:
        answer = s.services.engine.answer(question, lang, intent)
        unread = intent is Intent.VERIFY and not answer.verifications
        data = answer.as_json(render(answer))
        found = Answered(
            json_body(data, 400 if unread else 200),
            answer.lang,
            answer.intent.value,
            answer.answered,
        )
        s.answers.put(s.version, key, found)
    if found.body.status == 200:
        s.services.question_log.append(
            LoggedQuestion(question, found.lang, found.intent, found.answered, "api")
        )
    return found


async def entities(request: Request) -> Response:
    """The active entities (of one kind), by kind then registry order, a page at a time."""
    s = site(request)
    params = request.query_params
    kind_name = params.get("kind")
    try:
        kind = EntityKind(kind_name) if kind_name else None
    except ValueError:
        kinds = ", ".join(k.value for k in EntityKind)
        return json_error(400, f"Unknown kind {kind_name!r}: one of {kinds}.")
    try:
        limit = int(params.get("limit", "100"))
        offset = int(params.get("offset", "0"))
    except ValueError:
        return json_error(400, "limit and offset are whole numbers.")
    if not (1 <= limit <= MAX_LIMIT and offset >= 0):
        return json_error(400, f"limit is 1 to {MAX_LIMIT}; offset is 0 or more.")

    async def build() -> Body:
        index = s.index
        kinds = [kind] if kind else list(EntityKind)
        ids = [i for k in kinds for i in index.active_by_kind.get(k, [])]
        shown = [index.entities[i] for i in ids[offset : offset + limit]]
        return json_body(
            {
                "total": len(ids),
                "offset": offset,
                "limit": limit,
                "entities": [
                    {
                        "id": e.id,
                        "name": {"ar": e.name.ar, "en": e.name.en, "fr": e.name.fr},
                        "kind": e.kind.value,
                        "status": e.status.value,
                        "url": f"/api/v1/entities/{e.id}",
                    }
                    for e in shown
                ],
            }
        )

    return await cached(request, s.bodies, s.version, build)


async def entity(request: Request) -> Response:
    """One entity as in the answer JSON (with its spokespeople), in the language asked."""
    s = site(request)
    entity_id = request.path_params["entity_id"]
    lang = _lang(request) or s.config.default_lang

    async def build() -> Body:
        if entity_id not in s.index.entities:
            return json_body(
                {"error": {"status": 404, "message": f"No entity has the id {entity_id!r}."}}, 404
            )
        answer = s.services.engine.card(entity_id, lang, Intent.SPOKESPERSON)
        data = answer.as_json(render(answer))
        return json_body({"entity": data["entities"][0], "spokespeople": data["spokespeople"]})

    return await cached(request, s.bodies, s.version, build)


def parse_since(value: str) -> dt.datetime:
    """An ISO 8601 date or date and time; without a zone, UTC."""
    moment = dt.datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)


async def changes(request: Request) -> Response:
    """The change log since a time, oldest first, at most CHANGES_LIMIT entries."""
    s = site(request)
    given = request.query_params.get("since")
    if not given:
        return json_error(400, "Give since= as an ISO 8601 date, like 2026-11-01.")
    try:
        since = parse_since(given)
    except ValueError:
        return json_error(400, f"since={given!r} is not an ISO 8601 date, like 2026-11-01.")

    async def build() -> Body:
        rows = await changes_since(s, since)
        return json_body({"since": since.isoformat(), "changes": [change_json(r) for r in rows]})

    return await cached(request, s.bodies, s.version, build)


async def changes_since(s: Site, since: dt.datetime) -> list[Any]:
    async with s.services.sessions() as session:
        rows = await RegistryRepository(session).changes_since(since, CHANGES_LIMIT)
    return rows


async def openapi(request: Request) -> Response:
    return send(request, json_body(spec()), PUBLIC_CACHE)


async def not_found(request: Request, exc: Exception) -> Response:
    code = getattr(exc, "status_code", 404)
    if code == 405:
        return json_error(405, "Only GET is served by this API.")
    return json_error(code, f"Nothing is served at {request.url.path}: see /api/v1/openapi.json.")
