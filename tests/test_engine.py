"""The answering engine over the bundled registry: what each kind of question gets."""

from __future__ import annotations

import pytest

from knowledge.answer import Verdict
from knowledge.engine import LIST_LIMIT, Engine
from knowledge.index import RegistryIndex
from knowledge.links import HandleRef
from knowledge.registry import BUNDLED_REGISTRY
from knowledge.registry.handles import Platform
from knowledge.registry.schema import Entity
from knowledge.registry.validation import load_registry
from knowledge.render import render
from knowledge.understand import Intent


@pytest.fixture(scope="module")
def engine() -> Engine:
    registry = load_registry(BUNDLED_REGISTRY)
    return Engine(RegistryIndex(registry.entities, registry.non_official))


def test_an_official_handle_comes_with_its_entity_role_and_evidence(engine: Engine) -> None:
    [check] = engine.answer("is @SaudiMOH official?").verifications
    assert check.verdict is Verdict.OFFICIAL
    assert check.entity is not None and check.entity.id == "moh"
    assert check.account is not None and check.account.role.value == "main"
    assert check.evidence is not None and check.evidence.sources and check.evidence.checked


def test_case_and_invisible_marks_do_not_matter_but_underscores_do(engine: Engine) -> None:
    assert engine.answer("@saudi\u200bmoh").verifications[0].verdict is Verdict.OFFICIAL
    assert engine.answer("＠ＳａｕｄｉＭＯＨ").verifications[0].verdict is Verdict.OFFICIAL
    assert engine.answer("@Saudi_MOH").verifications[0].verdict is Verdict.LOOKALIKE


def test_a_former_handle_names_the_current_one(engine: Engine) -> None:
    [check] = engine.answer("twitter.com/saudimomrah").verifications
    assert check.verdict is Verdict.FORMER
    assert check.official is not None and check.official.handle == "Momah_SA"
    assert check.official_entity is not None and check.official_entity.id == "momah"


def test_a_handle_listed_as_conflicting_is_unconfirmed_not_fake(engine: Engine) -> None:
    """@SaudiMOI is listed because stronger evidence points to @MOISaudiArabia: that is
    "not confirmed", never ⛔, and the account named instead is a confirmed one or none."""
    [check] = engine.answer("@SaudiMOI").verifications
    assert check.verdict is Verdict.UNCONFIRMED
    assert check.non_official is not None and check.non_official.reason.value == "conflicting"
    assert check.official is None or check.official.official


def test_unknown_is_never_fake(engine: Engine) -> None:
    [check] = engine.answer("@riyadh_food_guide").verifications
    assert check.verdict is Verdict.UNKNOWN
    assert check.entity is None and check.official is None


def test_a_numeric_platform_id_is_an_exact_match(engine: Engine) -> None:
    check = engine.verify_platform_id(Platform.X, "491190146", "forwarded")
    assert check is not None and check.verdict is Verdict.OFFICIAL
    assert check.account is not None and check.account.handle == "Absher"
    assert engine.verify_platform_id(Platform.X, "1", "forwarded") is None


def test_a_bare_handle_is_checked_on_x_first_then_where_it_is_on_record(engine: Engine) -> None:
    check = engine.verify(HandleRef(None, "sdaia.saudi", "sdaia.saudi", False))
    assert check.platform is Platform.INSTAGRAM
    assert check.account is not None
    assert (check.verdict is Verdict.OFFICIAL) == check.account.official


def test_a_renamed_body_leads_to_its_successor(engine: Engine) -> None:
    answer = engine.answer("وزارة العمل والتنمية الاجتماعية")
    first, successor = answer.entities[:2]
    assert first.entity.id == "mlsd" and first.confident
    assert [s.id for s in first.successors] == ["hrsd"]
    assert successor.entity.id == "hrsd" and successor.confident


def test_spokespeople_current_first(engine: Engine) -> None:
    answer = engine.answer("who is the Education spokesperson?")
    assert answer.intent is Intent.SPOKESPERSON
    names = [p.name.en for _, p in answer.spokespeople]
    assert names[0] == "Mona Al-Ajmi"


def test_no_spokesperson_on_record_still_answers_with_the_entity(engine: Engine) -> None:
    answer = engine.answer("من المتحدث الرسمي لوزارة العدل")
    assert answer.intent is Intent.SPOKESPERSON
    assert answer.entities[0].entity.id == "moj"
    assert answer.spokespeople == []


def test_a_platform_question_keeps_the_platform(engine: Engine) -> None:
    answer = engine.answer("وش حساب وزارة الصحة في انستقرام")
    assert answer.intent is Intent.PLATFORM_ACCOUNT
    assert answer.platform is Platform.INSTAGRAM
    assert answer.entities[0].entity.id == "moh"


def test_close_calls_offer_candidates_and_nonsense_suggests_the_nearest(engine: Engine) -> None:
    answer = engine.answer("حساب وزارة السعادة")  # not in the registry: at most a ministry
    assert not answer.entities and all(m.entity.kind.value == "ministry" for m in answer.nearest)
    assert engine.answer("وش الجو بكرة في الرياض؟").intent is Intent.OUT_OF_SCOPE


def test_listing_a_kind(engine: Engine) -> None:
    answer = engine.answer("list all ministries")
    assert answer.intent is Intent.LIST_KIND
    assert len(answer.entities) >= 20
    assert all(m.entity.kind.value == "ministry" for m in answer.entities)
    assert answer.total == len(answer.entities)


def test_a_long_list_carries_its_first_entities_and_the_count() -> None:
    """Thousands of municipalities are counted, not all decoded and sent."""
    count = LIST_LIMIT + 25
    evidence = {
        "sources": [{"kind": "official_website", "url": "https://example.gov.sa"}],
        "checked": "2026-11",
        "confidence": "confirmed",
    }
    entities = [
        Entity.model_validate(
            {
                "id": f"m-{i}",
                "name": {"en": f"Municipality {i}"},
                "kind": "municipality",
                "evidence": evidence,
            }
        )
        for i in range(count)
    ]
    answer = Engine(RegistryIndex(entities)).answer("list all municipalities", lang="en")
    assert answer.total == count
    assert [m.entity.id for m in answer.entities] == [f"m-{i}" for i in range(LIST_LIMIT)]
    text = render(answer)
    assert f"{count} in the registry" in text and "and 65 more" in text


@pytest.mark.parametrize(
    ("question", "lang"),
    [
        ("حساب وزارة الصحة", "ar"),
        ("Ministry of Health account", "en"),
        ("compte du ministère de la Santé", "fr"),
        ("@SaudiMOH", "ar"),
    ],
)
def test_replies_in_the_question_language_or_arabic(
    engine: Engine, question: str, lang: str
) -> None:
    assert engine.answer(question).lang == lang
    assert engine.answer(question, lang="fr").lang == "fr"


def test_huge_and_strange_input_is_answered(engine: Engine) -> None:
    for text in ["", " ", "؟؟؟", "\u200f\u200e", "x" * 100_000, "🙂" * 5000, "@" * 300, "\x00\x01"]:
        answer = engine.answer(text)
        assert answer.intent is not None


def test_answer_json_has_the_documented_shape(engine: Engine) -> None:
    data = engine.answer("Ministry of Health account").as_json("text")
    assert set(data) >= {
        "query",
        "lang",
        "intent",
        "entities",
        "verification",
        "spokespeople",
        "text",
    }
    entity = data["entities"][0]
    assert set(entity) >= {"id", "name", "kind", "status", "website", "score", "confident"}
    assert set(entity) >= {"successors", "accounts"}
    account = entity["accounts"][0]
    assert set(account) >= {"platform", "handle", "url", "role", "status", "confidence"}
    check = engine.answer("@SaudiM0H").as_json("text")["verification"]
    assert set(check) >= {"input", "platform", "handle", "verdict", "entity_id"}
    assert set(check) >= {"official_handle", "similar_to", "evidence"}
    assert check["verdict"] == "lookalike" and check["official_handle"] == "SaudiMOH"


@pytest.mark.parametrize(
    ("question", "verdict"),
    [
        ("https://mobile.twitter.com/SaudiМОН?s=20", Verdict.LOOKALIKE),  # Cyrillic М, О, Н
        ("x.com/SaudiMOHх", Verdict.UNKNOWN),  # a Cyrillic х added
    ],
)
def test_a_link_with_letters_beyond_ascii_is_never_the_official_handle(
    engine: Engine, question: str, verdict: Verdict
) -> None:
    [check] = engine.answer(question).verifications
    assert check.verdict is verdict
    assert check.handle != "SaudiMOH" and check.account is None


def test_a_link_that_names_no_profile_is_a_check_with_nothing_to_confirm(
    engine: Engine,
) -> None:
    """Its words are its path: x.com/SaudiMOH‐fake (U+2010) is not @SaudiMOH."""
    for question in ("x.com/SaudiMOH‐fake", "is x.com/SaudiMOH‐fake official?", "x.com/home"):
        answer = engine.answer(question)
        assert answer.intent is Intent.VERIFY and answer.verifications == [], question
