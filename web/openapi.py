"""The API's description, OpenAPI 3.1 (whose schemas are JSON Schema 2020-12): served at
/api/v1/openapi.json, and the contract the tests hold every answer to."""

from __future__ import annotations

from functools import cache
from typing import Any

from knowledge.registry.schema import EntityKind

LANGS = ["ar", "en", "fr"]
_NULLABLE_TEXT = {"type": ["string", "null"]}
_NAMES = {
    "type": "object",
    "required": ["ar", "en", "fr"],
    "properties": {lang: _NULLABLE_TEXT for lang in LANGS},
}


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _json(schema: dict[str, Any], description: str) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


_ERRORS = {
    "400": _json(_ref("Error"), "The request is not understood; the message says why."),
    "429": {
        **_json(_ref("Error"), "Too many requests from this client."),
        "headers": {"Retry-After": {"schema": {"type": "integer"}}},
    },
}
_LANG = {
    "name": "lang",
    "in": "query",
    "required": False,
    "description": "The language of the answer; else the question's, else Arabic.",
    "schema": {"type": "string", "enum": LANGS},
}

_SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["error"],
        "properties": {
            "error": {
                "type": "object",
                "required": ["status", "message"],
                "properties": {"status": {"type": "integer"}, "message": {"type": "string"}},
            }
        },
    },
    "Account": {
        "type": "object",
        "required": ["platform", "handle", "url", "role", "status", "confidence", "checked"],
        "properties": {
            "platform": {"type": "string"},
            "handle": {"type": "string"},
            "url": {"type": "string"},
            "role": {"type": "string"},
            "status": {"type": "string", "enum": ["active", "former"]},
            "since": _NULLABLE_TEXT,
            "until": _NULLABLE_TEXT,
            "confidence": {"type": "string", "enum": ["confirmed", "unconfirmed"]},
            "checked": {"type": "string"},
            "sources": {"type": "array"},
        },
    },
    "EntityMatch": {
        "type": "object",
        "required": ["id", "name", "kind", "status", "accounts"],
        "properties": {
            "id": {"type": "string"},
            "name": _NAMES,
            "kind": {"type": "string"},
            "status": {"type": "string"},
            "status_date": _NULLABLE_TEXT,
            "website": _NULLABLE_TEXT,
            "score": {"type": "number"},
            "confident": {"type": "boolean"},
            "successors": {"type": "array"},
            "accounts": {"type": "array", "items": _ref("Account")},
        },
    },
    "Verification": {
        "type": "object",
        "required": ["input", "platform", "handle", "verdict", "entity_id", "similar_to"],
        "properties": {
            "input": {"type": "string"},
            "platform": _NULLABLE_TEXT,
            "handle": {"type": "string"},
            "verdict": {
                "type": "string",
                "enum": ["official", "unconfirmed", "former", "known_fake", "lookalike", "unknown"],
            },
            "entity_id": _NULLABLE_TEXT,
            "until": _NULLABLE_TEXT,
            "official_handle": _NULLABLE_TEXT,
            "official_url": _NULLABLE_TEXT,
            "reason": _NULLABLE_TEXT,
            "similar_to": {"type": "array"},
            "evidence": {"type": ["object", "null"]},
        },
    },
    "Spokesperson": {
        "type": "object",
        "required": ["name", "entity_id", "current", "accounts"],
        "properties": {
            "name": {"type": "object"},
            "title": {"type": ["object", "null"]},
            "entity_id": {"type": "string"},
            "current": {"type": "boolean"},
            "accounts": {"type": "array"},
        },
    },
    "Answer": {
        "type": "object",
        "description": "The answer JSON of `rasmi ask --json` (docs/answer-json.md).",
        "required": [
            "query",
            "lang",
            "intent",
            "entities",
            "total",
            "verification",
            "verifications",
            "spokespeople",
            "text",
        ],
        "properties": {
            "query": {"type": "string"},
            "lang": {"type": "string", "enum": LANGS},
            "intent": {"type": "string"},
            "entities": {"type": "array", "items": _ref("EntityMatch")},
            "total": {"type": ["integer", "null"]},
            "verification": {"oneOf": [_ref("Verification"), {"type": "null"}]},
            "verifications": {"type": "array", "items": _ref("Verification")},
            "spokespeople": {"type": "array", "items": _ref("Spokesperson")},
            "text": {"type": "string"},
        },
    },
    "EntitySummary": {
        "type": "object",
        "required": ["id", "name", "kind", "status", "url"],
        "properties": {
            "id": {"type": "string"},
            "name": _NAMES,
            "kind": {"type": "string", "enum": [k.value for k in EntityKind]},
            "status": {"type": "string"},
            "url": {"type": "string"},
        },
    },
    "EntityList": {
        "type": "object",
        "required": ["total", "offset", "limit", "entities"],
        "properties": {
            "total": {"type": "integer", "minimum": 0},
            "offset": {"type": "integer", "minimum": 0},
            "limit": {"type": "integer", "minimum": 1},
            "entities": {"type": "array", "items": _ref("EntitySummary")},
        },
    },
    "EntityDetail": {
        "type": "object",
        "required": ["entity", "spokespeople"],
        "properties": {
            "entity": _ref("EntityMatch"),
            "spokespeople": {"type": "array", "items": _ref("Spokesperson")},
        },
    },
    "Change": {
        "type": "object",
        "required": ["id", "at", "import_id", "entity_id", "kind"],
        "properties": {
            "id": {"type": "integer"},
            "at": {"type": "string", "format": "date-time"},
            "import_id": {"type": "integer"},
            "entity_id": _NULLABLE_TEXT,
            "kind": {"type": "string"},
            "subject": _NULLABLE_TEXT,
            "field": _NULLABLE_TEXT,
            "old": {},
            "new": {},
        },
    },
    "ChangeList": {
        "type": "object",
        "required": ["since", "changes"],
        "properties": {
            "since": {"type": "string", "format": "date-time"},
            "changes": {"type": "array", "items": _ref("Change")},
        },
    },
}


def _get(
    summary: str, parameters: list[dict[str, Any]], schema: str, *extra: str
) -> dict[str, Any]:
    responses: dict[str, Any] = {"200": _json(_ref(schema), summary), **_ERRORS}
    for code in extra:
        responses[code] = _json(_ref("Error"), "Not found.")
    return {"get": {"summary": summary, "parameters": parameters, "responses": responses}}


def _query(name: str, description: str, required: bool, **schema: Any) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": required,
        "description": description,
        "schema": {"type": "string", **schema},
    }


@cache
def spec() -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Rasmi: the directory of official government accounts",
            "version": "1",
            "description": "Which Saudi government social-media accounts are official. "
            "Every answer has an ETag; GET from any origin (CORS); a client may make "
            "a limited number of requests a minute (429 with Retry-After beyond it).",
        },
        "servers": [{"url": "/api/v1"}],
        "paths": {
            "/ask": _get(
                "Answer a question, a handle or a link, as the bot does.",
                [_query("q", "The question, a handle or a link.", True, minLength=1), _LANG],
                "Answer",
            ),
            "/verify": _get(
                "The verdict on one handle or link (give exactly one of handle, url).",
                [
                    _query("handle", "A handle, like @SaudiMOH.", False),
                    _query("url", "A profile link, like https://x.com/SaudiMOH.", False),
                    _LANG,
                ],
                "Answer",
            ),
            "/entities": _get(
                "The active entities, of one kind or all (by kind, then registry order).",
                [
                    _query("kind", "A kind of body.", False, enum=[k.value for k in EntityKind]),
                    {
                        "name": "limit",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 1, "maximum": 1000},
                    },
                    {
                        "name": "offset",
                        "in": "query",
                        "required": False,
                        "schema": {"type": "integer", "minimum": 0},
                    },
                ],
                "EntityList",
            ),
            "/entities/{entity_id}": _get(
                "One entity with its accounts and spokespeople.",
                [
                    {
                        "name": "entity_id",
                        "in": "path",
                        "required": True,
                        "schema": {"type": "string"},
                    },
                    _LANG,
                ],
                "EntityDetail",
                "404",
            ),
            "/changes": _get(
                "The registry's change log from a time on, oldest first (at most 1,000).",
                [_query("since", "An ISO 8601 date or date-time (UTC if no zone).", True)],
                "ChangeList",
            ),
        },
        "components": {"schemas": _SCHEMAS},
    }
