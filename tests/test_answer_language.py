"""Every bundled entity's card and spokesperson answer, in Arabic, English and French: the
grammar of names in sentences, and no sentence of another language in an Arabic card."""

from __future__ import annotations

import re

import pytest

from knowledge.engine import Engine
from knowledge.grammar import fix_arabic, of, subject
from knowledge.index import RegistryIndex
from knowledge.registry import BUNDLED_REGISTRY
from knowledge.registry.validation import load_registry
from knowledge.render import FSI, PDI, Renderer
from knowledge.understand import Intent, Lang

BROKEN = {
    "ar": ["لـال", "لـأ", "لـإ", "لـآ"],
    "en": ["of Ministry", "of General Authority", "Accounts of Ministry"],
    "fr": [
        "de Ministère",
        "de ministère",
        "de Autorité",
        "de Agence",
        "de Université",
        "de Institut",
        "de Office",
        "de Le ",
        "de Les ",
        " de le ",
        " de les ",
        "du Ministère",
        "(Twitter): ",  # French puts a space before the colon: "X (Twitter) : @handle"
        "Instagram: ",
    ],
}
LATIN_SENTENCE = re.compile(r"[A-Za-z]{2,}(?:[ ,'’-]+[A-Za-z]{2,}){2,}")
"""Three Latin words in a row: an English or French phrase."""
ISOLATED = re.compile(f"{FSI}[^{PDI}]*{PDI}")
"""Handles, links and names with no Arabic form are isolated runs inside Arabic text."""


@pytest.fixture(scope="module")
def engine() -> Engine:
    registry = load_registry(BUNDLED_REGISTRY)
    return Engine(RegistryIndex(registry.entities, registry.non_official))


def cards(engine: Engine, lang: Lang) -> list[tuple[str, str]]:
    renderer = Renderer(lang, html_mode=False)
    return [
        (entity_id, renderer.render(engine.card(entity_id, lang, intent)))
        for entity_id in engine.index.entities
        for intent in (Intent.OFFICIAL_ACCOUNTS, Intent.SPOKESPERSON)
    ]


@pytest.mark.parametrize("lang", ["ar", "en", "fr"])
def test_every_card_is_grammatical(engine: Engine, lang: Lang) -> None:
    rendered = cards(engine, lang)
    assert len(rendered) >= 2 * 300
    wrong = [(i, p) for i, text in rendered for p in BROKEN[lang] if p in text]
    assert wrong == []


def test_no_latin_sentence_in_an_arabic_card(engine: Engine) -> None:
    wrong: list[tuple[str, str]] = []
    for entity_id, text in cards(engine, "ar"):
        bare = ISOLATED.sub(" ", text)
        bare = re.sub(r"https?://\S+|@\w+", " ", bare)
        wrong += [(entity_id, m.group()) for m in LATIN_SENTENCE.finditer(bare)]
    assert wrong == []


def test_arabic_joins_the_preposition() -> None:
    assert fix_arabic("الحسابات الرسمية لـالهيئة") == "الحسابات الرسمية للهيئة"
    assert fix_arabic("لـأبشر لـإمارة لـوزارة") == "لأبشر لإمارة لوزارة"
    assert fix_arabic("لـ4 محادثات") == "لـ4 محادثات"  # a number keeps the separate form
    assert of("الهيئة العامة للإحصاء", "ar") == "للهيئة العامة للإحصاء"


@pytest.mark.parametrize(
    ("name", "of_form", "subject_form"),
    [
        ("Ministère de la Santé", "du ministère de la Santé", "le ministère de la Santé"),
        ("Ministère de l'Intérieur", "du ministère de l'Intérieur", "le ministère de l'Intérieur"),
        ("Autorité générale des statistiques", "de l'Autorité générale des statistiques", None),
        ("Commission royale", "de la Commission royale", "la Commission royale"),
        ("Forces de sécurité", "des Forces de sécurité", "les Forces de sécurité"),
        ("Absher", "d'Absher", "Absher"),
        ("Tawakkalna", "de Tawakkalna", "Tawakkalna"),
    ],
)
def test_french_articles_and_contractions(
    name: str, of_form: str, subject_form: str | None
) -> None:
    assert of(name, "fr") == of_form
    if subject_form is not None:
        assert subject(name, "fr") == subject_form


def test_english_names_of_bodies_take_the_article() -> None:
    assert of("Ministry of Health", "en") == "of the Ministry of Health"
    assert subject("General Authority for Statistics", "en") == (
        "the General Authority for Statistics"
    )
    assert of("King Saud University", "en") == "of King Saud University"
    assert of("Absher", "en") == "of Absher"
    assert of("The Royal Court", "en") == "of the Royal Court"


def test_a_name_missing_in_french_is_given_as_a_name(engine: Engine) -> None:
    """A body with no French name is named in English (Latin script), never in a French
    sentence's grammar that would invent an article for it."""
    entity = next(e for e in engine.index.entities.values() if not e.name.fr and e.name.en)
    text = Renderer("fr", html_mode=False).render(engine.card(entity.id, "fr"))
    assert entity.name.en is not None and entity.name.en in text
