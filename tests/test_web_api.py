# ruff: noqa: F811  (pytest fixtures imported from web_fixtures are parameters here)
"""The JSON API: every documented endpoint's answers hold to /api/v1/openapi.json; ETags,
CORS, the rate limit, errors as JSON; and the admins' view of what the public asks."""

from __future__ import annotations

import asyncio
import csv
import io
from typing import Any

import pytest
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012
from sqlmodel import select
from starlette.testclient import TestClient
from web_fixtures import ADMIN_TOKEN, call, client, imported, site_of, web_client  # noqa: F401

from db.engine import open_database
from db.models import QuestionLogRow
from knowledge.engine import Engine

CALLS = [
    ("/ask", {"q": "Ministry of Health account", "lang": "en"}, 200),
    ("/ask", {"q": "@SaudiM0H"}, 200),
    ("/ask", {"q": ""}, 400),
    ("/verify", {"handle": "@SaudiMOH"}, 200),
    ("/verify", {"url": "https://x.com/SaudiM0H", "lang": "fr"}, 200),
    ("/verify", {}, 400),
    ("/verify", {"handle": "@a", "url": "https://x.com/b"}, 400),
    ("/entities", {}, 200),
    ("/entities", {"kind": "ministry", "limit": "5", "offset": "2"}, 200),
    ("/entities", {"kind": "castle"}, 400),
    ("/entities", {"limit": "0"}, 400),
    ("/entities/moh", {"lang": "ar"}, 200),
    ("/entities/no-such-body", {}, 404),
    ("/changes", {"since": "2020-01-01"}, 200),
    ("/changes", {"since": "2020-01-01T10:00:00+03:00"}, 200),
    ("/changes", {"since": "yesterday"}, 400),
    ("/changes", {}, 400),
]


def validator_for(spec: dict[str, Any], path: str, status: int) -> Draft202012Validator:
    response = spec["paths"][path]["get"]["responses"][str(status)]
    schema = response["content"]["application/json"]["schema"]
    resource = Resource.from_contents(spec, default_specification=DRAFT202012)
    registry: Registry[Any] = Registry().with_resource("urn:spec", resource)
    return Draft202012Validator({"$ref": "urn:spec" + schema["$ref"]}, registry=registry)


_DRAFT = (
    Draft202012Validator.META_SCHEMA
    and __import__("referencing.jsonschema", fromlist=["DRAFT202012"]).DRAFT202012
)


def test_every_documented_answer_matches_the_openapi_description(client: TestClient) -> None:
    spec = client.get("/api/v1/openapi.json").json()
    assert spec["openapi"].startswith("3.1")
    assert {path for path, _, _ in CALLS} == set(spec["paths"]) - {"/entities/{entity_id}"} | {
        "/entities/moh",
        "/entities/no-such-body",
    } - {"/entities/{entity_id}"}
    for path, params, status in CALLS:
        response = client.get("/api/v1" + path, params=params)
        assert response.status_code == status, (path, params, response.text)
        assert response.headers["content-type"].startswith("application/json")
        documented = "/entities/{entity_id}" if path.startswith("/entities/") else path
        errors = list(validator_for(spec, documented, status).iter_errors(response.json()))
        assert errors == [], (path, params, errors[:1])


def test_ask_is_the_answer_json_of_the_cli(client: TestClient) -> None:
    answer = client.get("/api/v1/verify", params={"handle": "@SaudiM0H", "lang": "en"}).json()
    verification = answer["verification"]
    assert verification["verdict"] == "lookalike"
    assert verification["official_handle"] == "SaudiMOH"
    assert answer["lang"] == "en" and "looks like" in answer["text"]
    entity = client.get("/api/v1/entities/moh").json()["entity"]
    assert entity["id"] == "moh" and entity["name"]["fr"]
    assert any(a["handle"] == "SaudiMOH" for a in entity["accounts"])


def test_etags_caching_and_cors(client: TestClient) -> None:
    first = client.get("/api/v1/entities/moh", headers={"Origin": "https://news.example"})
    assert first.headers["access-control-allow-origin"] == "*"
    assert "max-age" in first.headers["cache-control"]
    etag = first.headers["etag"]
    again = client.get("/api/v1/entities/moh", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    page = client.get("/en/entities/moh")
    assert (
        client.get("/en/entities/moh", headers={"If-None-Match": page.headers["etag"]}).status_code
        == 304
    )
    assert client.post("/api/v1/ask").status_code == 405


def test_a_client_over_its_rate_gets_429_with_retry_after(imported: str) -> None:
    with web_client(imported, rate_per_minute=3) as limited:
        codes = [limited.get("/api/v1/entities").status_code for _ in range(4)]
        assert codes == [200, 200, 200, 429]
        refused = limited.get("/api/v1/entities", headers={"Origin": "https://news.example"})
        assert int(refused.headers["retry-after"]) >= 1
        assert refused.headers["access-control-allow-origin"] == "*"
        assert "Too many requests" in refused.json()["error"]["message"]


def test_the_admin_view_is_for_the_token_holder_only(client: TestClient) -> None:
    for question in ("Ministry of Health account", "Ministry of Health account", "@SaudiM0H"):
        client.get("/en/search", params={"q": question})
    client.get("/en/search", params={"q": "best falafel in Riyadh"})
    call(client, site_of(client).services.flush_question_log)
    assert client.get("/en/admin").status_code == 401
    assert client.get("/en/admin/questions.csv").status_code == 404
    assert client.post("/en/admin", data={"token": "wrong"}).status_code == 403
    signed = client.post("/en/admin", data={"token": ADMIN_TOKEN}, follow_redirects=False)
    assert signed.status_code == 303
    page = client.get("/en/admin")
    assert page.status_code == 200 and "<svg" in page.text
    assert 'href="/en/entities/moh"' in page.text  # the most-asked body
    assert "SaudiM0H" in page.text  # a look-alike people asked about
    assert "falafel" in page.text  # unanswered, and its words
    rows = list(csv.DictReader(io.StringIO(client.get("/en/admin/questions.csv").text)))
    assert sum(int(r["questions"]) for r in rows) == 4
    assert set(rows[0]) == {"day", "lang", "intent", "questions", "unanswered"}


@pytest.mark.parametrize("header", [{}, {"Authorization": "Bearer nope"}])
def test_no_admin_view_without_the_token(client: TestClient, header: dict[str, str]) -> None:
    assert client.get("/ar/admin", headers=header).status_code == 401


def test_the_token_as_a_bearer_opens_the_view_and_the_cookie_is_not_the_token(
    client: TestClient,
) -> None:
    bearer = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    assert client.get("/fr/admin", headers=bearer).status_code == 200
    assert client.get("/fr/admin/questions.csv", headers=bearer).status_code == 200
    signed = client.post("/fr/admin", data={"token": ADMIN_TOKEN}, follow_redirects=False)
    cookie = signed.headers["set-cookie"]
    assert ADMIN_TOKEN not in cookie and "HttpOnly" in cookie


def test_a_repeated_question_is_answered_alike_and_logged_each_time(
    client: TestClient, imported: str
) -> None:
    first = client.get("/api/v1/ask", params={"q": "@SaudiM0H", "lang": "en"})
    again = client.get("/api/v1/ask", params={"q": "@SaudiM0H", "lang": "en"})
    assert first.json() == again.json() and first.headers["etag"] == again.headers["etag"]
    client.get("/api/v1/verify", params={"handle": "no handle here"})
    call(client, site_of(client).services.flush_question_log)
    logged = asyncio.run(_api_questions(imported))
    assert logged == [("@SaudiM0H", "en", "verify"), ("@SaudiM0H", "en", "verify")]


async def _api_questions(url: str) -> list[tuple[str, str, str]]:
    async with open_database(url) as sessions, sessions() as session:
        rows = await session.exec(select(QuestionLogRow).where(QuestionLogRow.source == "api"))
        return [(r.text, r.lang, r.intent) for r in rows.all()]


def test_a_bug_is_a_polite_500_never_a_traceback(
    imported: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: object, **kwargs: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(Engine, "answer", broken)
    with web_client(imported, raise_server_exceptions=False) as failing:
        api = failing.get("/api/v1/ask", params={"q": "Ministry of Health"})
        assert api.status_code == 500
        assert "try again" in api.json()["error"]["message"]
        page = failing.get("/fr/search", params={"q": "Ministry of Health"})
        assert page.status_code == 500
        assert '<html lang="fr"' in page.text and "Traceback" not in page.text


def test_pages_forbid_scripts_and_sniffing(client: TestClient) -> None:
    for path in ("/ar/", "/en/entities/moh", "/api/v1/entities/moh"):
        headers = client.get(path).headers
        assert headers["x-content-type-options"] == "nosniff"
        assert "default-src 'none'" in headers["content-security-policy"]
