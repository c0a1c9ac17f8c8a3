"""Answers in words: every registry and user string escaped in HTML, handles isolated in
Arabic, and every answer readable in the three languages."""

from __future__ import annotations

import re

import pytest

from knowledge.answer import Answer
from knowledge.engine import Engine
from knowledge.index import RegistryIndex
from knowledge.registry.schema import Registry
from knowledge.render import FSI, PDI, render
from knowledge.understand import Intent

EVIDENCE = {
    "sources": [
        {
            "kind": "official_website",
            "url": "https://example.gov.sa/?a=1&b=<2>",
            "title": {"en": "<script>alert(1)</script> & co"},
        },
        {"kind": "dataset", "note": "<script>repo aldhhmshi/Khatauat</script>"},
    ],
    "checked": "2026-11",
    "confidence": "unconfirmed",
}


@pytest.fixture(scope="module")
def engine() -> Engine:
    registry = Registry.model_validate(
        {
            "entities": [
                {
                    "id": "evil",
                    "name": {"ar": "هيئة <b>الاختبار</b>", "en": "Test & <i>Authority</i>"},
                    "kind": "authority",
                    "website": "https://example.gov.sa/?a=1&b=<2>",
                    "evidence": EVIDENCE,
                    "accounts": [{"platform": "x", "handle": "Test_Auth", "evidence": EVIDENCE}],
                    "spokespeople": [
                        {
                            "name": {"en": "<Someone>"},
                            "as_of": 2021,
                            "contact": {"email": "press@example.gov.sa"},
                            "evidence": EVIDENCE,
                        }
                    ],
                }
            ]
        }
    )
    return Engine(RegistryIndex(registry.entities, registry.non_official))


def tags(html: str) -> set[str]:
    return set(re.findall(r"</?([a-zA-Z]+)", html))


@pytest.mark.parametrize("lang", ["ar", "en", "fr"])
@pytest.mark.parametrize(
    "question",
    ["Test Authority account", "@Test_Auth", "Test Authority spokesperson", "@Tesst_Auth"],
)
def test_html_escapes_every_registry_string(engine: Engine, lang: str, question: str) -> None:
    html = render(engine.answer(question, lang=lang), html_mode=True)  # type: ignore[arg-type]
    assert tags(html) <= {"b", "i", "a", "code"}
    assert "<script>" not in html and "Khatauat" not in html
    assert "<Someone>" not in html
    assert "<b>الاختبار</b>" not in html and "<i>Authority</i>" not in html


def test_user_text_is_escaped_too(engine: Engine) -> None:
    answer = engine.answer("@<b>bold</b>", lang="en")
    assert "<b>bold" not in render(answer, html_mode=True)


def test_handles_are_isolated_in_arabic_only(engine: Engine) -> None:
    arabic = render(engine.answer("@Test_Auth", lang="ar"))
    english = render(engine.answer("@Test_Auth", lang="en"))
    assert f"{FSI}@Test_Auth{PDI}" in arabic
    assert FSI not in english and "@Test_Auth" in english


def test_unconfirmed_data_is_labelled(engine: Engine) -> None:
    assert "unconfirmed" in render(engine.answer("@Test_Auth", lang="en"))
    assert "غير مؤكد" in render(engine.answer("@Test_Auth", lang="ar"))
    assert "non confirmé" in render(engine.answer("@Test_Auth", lang="fr"))


def test_an_old_spokesperson_record_says_how_old(engine: Engine) -> None:
    text = render(engine.answer("Test Authority spokesperson", lang="en"))
    assert "This information dates from 2021, more than two years ago: it may have" in text
    assert "press@example.gov.sa" in text


@pytest.mark.parametrize("intent", list(Intent))
@pytest.mark.parametrize("lang", ["ar", "en", "fr"])
def test_every_intent_renders_in_every_language(engine: Engine, intent: Intent, lang: str) -> None:
    answer = Answer("q", lang, intent)  # type: ignore[arg-type]
    assert render(answer).strip()
    assert render(answer, html_mode=True).strip()


def test_a_list_names_the_platform_of_a_handle_not_on_x() -> None:
    """A body whose first account is a LinkedIn page: its slug must not read as an X handle."""
    evidence = EVIDENCE
    registry = Registry.model_validate(
        {
            "entities": [
                {
                    "id": "mep",
                    "name": {"en": "Ministry of Economy"},
                    "kind": "ministry",
                    "evidence": evidence,
                    "accounts": [
                        {"platform": "linkedin", "handle": "mepsaudi", "evidence": evidence}
                    ],
                },
                {
                    "id": "moh",
                    "name": {"en": "Ministry of Health"},
                    "kind": "ministry",
                    "evidence": evidence,
                    "accounts": [{"platform": "x", "handle": "SaudiMOH", "evidence": evidence}],
                },
            ]
        }
    )
    engine = Engine(RegistryIndex(registry.entities, registry.non_official))
    text = render(engine.answer("list all ministries", lang="en"))
    assert "• Ministry of Economy — LinkedIn: mepsaudi" in text
    assert "• Ministry of Health — @SaudiMOH" in text
    assert "@mepsaudi" not in text
