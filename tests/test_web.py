# ruff: noqa: F811  (pytest fixtures imported from web_fixtures are parameters here)
"""The web directory's pages: languages and direction, search, entity, verify, lists,
policies, about and downloads, feeds, escaping, and the question log they feed."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from pathlib import Path
from xml.etree import ElementTree as ET

import yaml
from registry_edits import edit
from sqlmodel import select
from starlette.testclient import TestClient
from web_fixtures import BOT, call, client, copy_bundled, imported, site_of  # noqa: F401

from db.engine import open_database
from db.importer import ImportOptions, import_path
from db.models import QuestionLogRow

ATOM = "{http://www.w3.org/2005/Atom}"


def test_the_root_follows_accept_language_and_defaults_to_arabic(client: TestClient) -> None:
    cases = {
        "": "/ar/",
        "de-DE, de;q=0.9": "/ar/",
        "fr-FR,fr;q=0.9,en;q=0.8": "/fr/",
        "de, en;q=0.5, fr;q=0.4": "/en/",
        "en;q=0.2, ar-SA": "/ar/",
    }
    for header, target in cases.items():
        response = client.get("/", headers={"Accept-Language": header}, follow_redirects=False)
        assert response.status_code == 302
        assert response.headers["location"] == target, header


def test_pages_say_their_language_and_direction(client: TestClient) -> None:
    arabic = client.get("/ar/").text
    assert '<html lang="ar" dir="rtl">' in arabic
    assert "ابحث" in arabic or "بحث" in arabic
    assert '<html lang="en" dir="ltr">' in client.get("/en/").text
    french = client.get("/fr/").text
    assert '<html lang="fr" dir="ltr">' in french
    assert "Rechercher" in french
    for page in (arabic, french):
        assert '<main id="main"' in page and 'role="banner"' in page
        assert 'role="contentinfo"' in page and 'role="search"' in page


def test_search_answers_as_the_bot_and_logs_the_question(client: TestClient, imported: str) -> None:
    page = client.get("/en/search", params={"q": "Ministry of Health account"})
    assert page.status_code == 200
    assert "Ministry of Health" in page.text
    assert 'href="https://x.com/SaudiMOH"' in page.text
    assert '<li class="account official">' in page.text
    assert 'href="/en/entities/moh"' in page.text
    assert 'href="/fr/search?q=Ministry+of+Health+account"' in page.text
    call(client, site_of(client).services.flush_question_log)
    rows = asyncio.run(_logged(imported))
    assert ("Ministry of Health account", "en", "web") in rows


async def _logged(url: str) -> list[tuple[str, str, str]]:
    async with open_database(url) as sessions, sessions() as session:
        found = await session.exec(select(QuestionLogRow))
        return [(r.text, r.lang, r.source) for r in found.all()]


def test_what_people_type_is_escaped(client: TestClient) -> None:
    page = client.get("/en/search", params={"q": '<script>alert("x")</script>'}).text
    assert "<script>" not in page
    assert "&lt;script&gt;" in page


def test_an_entity_page_in_each_language(client: TestClient) -> None:
    for lang, name in (("ar", "وزارة الصحة"), ("en", "Ministry of Health"), ("fr", "Santé")):
        page = client.get(f"/{lang}/entities/moh")
        assert page.status_code == 200
        assert name in page.text
        assert 'href="https://x.com/SaudiMOH"' in page.text
        assert f"https://t.me/{BOT}?start=e_" in page.text
        assert 'id="people"' in page.text and 'id="former"' in page.text
        assert 'id="history"' in page.text
        assert "/moh/feed.atom" in page.text
    assert client.get("/en/entities/no-such-body").status_code == 404
    assert client.get("/xx/entities/moh").status_code == 404


def test_verify_explains_a_lookalike(client: TestClient) -> None:
    page = client.get("/en/verify", params={"q": "https://x.com/SaudiM0H"})
    assert page.status_code == 200
    assert "looks like" in page.text
    assert 'href="https://x.com/SaudiMOH"' in page.text
    assert "check every character" in page.text
    unread = client.get("/en/verify", params={"q": "hello there"}).text
    assert "No handle or link could be read" in unread


def test_lists_by_kind_with_pages(client: TestClient) -> None:
    kinds = client.get("/en/kinds").text
    assert 'href="/en/kinds/ministry"' in kinds
    ministries = client.get("/en/kinds/ministry")
    assert "Ministry of Health" in ministries.text
    assert client.get("/en/kinds/ministry?page=99").status_code == 404
    assert client.get("/en/kinds/nothing").status_code == 404


def test_downloads_are_the_current_registry(client: TestClient) -> None:
    rows = list(csv.DictReader(io.StringIO(client.get("/data/registry.csv").text)))
    assert any(r["entity_id"] == "moh" and r["handle"] == "SaudiMOH" for r in rows)
    data = json.loads(client.get("/data/registry.json").text)
    assert any(e["id"] == "moh" for e in data["entities"])
    response = client.get("/data/registry.yaml")
    assert "attachment" in response.headers["content-disposition"]
    assert any(e["id"] == "moh" for e in yaml.safe_load(response.text)["entities"])
    assert client.get("/data/registry.xml").status_code == 404


def test_policies_and_about(client: TestClient) -> None:
    policies = client.get("/en/policies").text
    assert "<h1>Policies and standards</h1>" in policies
    assert "Reporting an account that impersonates a body on X" in policies
    assert 'href="https://help.twitter.com/en/rules-and-policies/twitter-impersonation-policy"' in (
        policies
    )
    assert "الإبلاغ عن حساب ينتحل صفة جهة على إكس" in client.get("/ar/policies").text
    about = client.get("/fr/about").text
    assert 'href="/data/registry.csv"' in about and 'href="/fr/feed.atom"' in about


def test_history_former_handles_and_feeds_follow_an_import(
    client: TestClient, imported: str, tmp_path: Path
) -> None:
    folder = copy_bundled(tmp_path)
    edit(folder / "entities.yaml", "handle: SaudiMOH\n", "handle: SaudiMOH_new\n")
    asyncio.run(_import(imported, folder))
    call(client, site_of(client).services.index_cache.current)
    page = client.get("/en/entities/moh").text
    assert 'href="https://x.com/SaudiMOH_new"' in page
    former = page.split('id="former"')[1].split("</section>")[0]
    assert "@SaudiMOH<" in former
    history = page.split('id="history"')[1].split("</section>")[0]
    assert "SaudiMOH_new" in history and "<time" in history
    for path in ("/en/feed.atom", "/ar/entities/moh/feed.atom"):
        response = client.get(path)
        assert response.headers["content-type"].startswith("application/atom+xml")
        feed = ET.fromstring(response.content)
        entries = feed.findall(f"{ATOM}entry")
        assert entries, path
        assert "SaudiMOH_new" in (entries[0].findtext(f"{ATOM}content") or "")
    assert client.get("/en/entities/nobody/feed.atom").status_code == 404


async def _import(url: str, folder: Path) -> None:
    async with open_database(url) as sessions:
        await import_path(sessions, folder, ImportOptions(allow_removals=True))


def test_unknown_pages_are_polite_in_their_language(client: TestClient) -> None:
    page = client.get("/fr/nothing/here")
    assert page.status_code == 404
    assert '<html lang="fr"' in page.text


def test_without_a_bot_username_no_telegram_link(imported: str) -> None:
    from web.app import create_app
    from web.config import WebConfig

    with TestClient(create_app(WebConfig(imported))) as plain:
        assert "t.me/" not in plain.get("/en/entities/moh").text


def test_a_renamed_body_says_what_became_of_it(client: TestClient) -> None:
    page = client.get("/en/entities/sagia").text
    notice = page.split('class="notice">')[1].split("</p>")[0]
    assert "Saudi Arabian General Investment Authority became" in notice
    assert "2020" in notice and 'href="/en/entities/misa"' in notice
    answer = client.get("/en/search", params={"q": "SAGIA account"}).text
    assert "Saudi Arabian General Investment Authority became" in answer
    assert 'href="/en/entities/misa"' in answer
