"""A bare @handle is checked on X; when the handle is an official account on another
platform, the answer says which, in every language, and never gives X's handle a ✅."""

from __future__ import annotations

from typing import Any

import pytest

from knowledge.answer import Verdict
from knowledge.engine import Engine
from knowledge.index import RegistryIndex
from knowledge.links import HandleRef
from knowledge.registry.handles import Platform
from knowledge.registry.schema import Registry
from knowledge.render import render
from knowledge.understand import Lang

CONFIRMED = {
    "sources": [{"kind": "official_website", "url": "https://www.moh.gov.sa/en"}],
    "checked": "2026-11-20",
    "confidence": "confirmed",
}
UNCONFIRMED = {
    "sources": [{"kind": "dataset", "note": "seed"}],
    "checked": "2026-11",
    "confidence": "unconfirmed",
}


def account(platform: str, handle: str, **more: Any) -> dict[str, Any]:
    return {"platform": platform, "handle": handle, "evidence": CONFIRMED, **more}


@pytest.fixture
def engine() -> Engine:
    """The Ministry of Health moved from @SaudiMOH to @SaudiMOH_new on X; its Instagram
    account is still @SaudiMOH. @mohpictures exists on Instagram only. The Ministry of
    Education is @moe_gov_sa on X and on Instagram; @moe_old was its X account and is an
    unconfirmed Instagram account."""
    registry = Registry.model_validate(
        {
            "entities": [
                {
                    "id": "moh",
                    "name": {
                        "en": "Ministry of Health",
                        "ar": "وزارة الصحة",
                        "fr": "Ministère de la Santé",
                    },
                    "kind": "ministry",
                    "evidence": CONFIRMED,
                    "accounts": [
                        account("x", "SaudiMOH_new", since="2026-12-03"),
                        account("x", "SaudiMOH", status="former", until="2026-12-03"),
                        account("instagram", "SaudiMOH"),
                        account("instagram", "mohpictures", role="media"),
                    ],
                },
                {
                    "id": "moe",
                    "name": {"en": "Ministry of Education", "ar": "وزارة التعليم"},
                    "kind": "ministry",
                    "evidence": CONFIRMED,
                    "accounts": [
                        account("x", "moe_gov_sa"),
                        account("instagram", "moe_gov_sa"),
                        account("x", "moe_old", status="former", until="2025-01-01"),
                        {
                            "platform": "instagram",
                            "handle": "moe_old",
                            "role": "other",
                            "evidence": UNCONFIRMED,
                        },
                    ],
                },
            ]
        }
    )
    return Engine(RegistryIndex(registry.entities, registry.non_official))


def bare(handle: str) -> HandleRef:
    return HandleRef(None, handle, f"@{handle}", False)


ELSEWHERE = {
    "en": "ℹ️ On Instagram, @SaudiMOH https://www.instagram.com/SaudiMOH is the official "
    "account of the Ministry of Health.",
    "ar": "ℹ️ على إنستغرام، \u2068@SaudiMOH\u2069 \u2068https://www.instagram.com/SaudiMOH\u2069 "
    "هو الحساب الرسمي لوزارة الصحة.",
    "fr": "ℹ️ Sur Instagram, @SaudiMOH https://www.instagram.com/SaudiMOH est le compte "
    "officiel du ministère de la Santé.",
}


@pytest.mark.parametrize("lang", ["en", "ar", "fr"])
def test_a_handle_former_on_x_and_official_on_instagram_says_both(
    engine: Engine, lang: Lang
) -> None:
    check = engine.verify(bare("SaudiMOH"))
    assert (check.verdict, check.platform) == (Verdict.FORMER, Platform.X)
    assert check.also is not None
    assert (check.also.verdict, check.also.platform) == (Verdict.OFFICIAL, Platform.INSTAGRAM)

    text = render(engine.answer("@SaudiMOH", lang=lang))
    assert "✅" not in text  # not for the X handle the ministry released
    assert text.startswith("⚠️ ")
    assert "SaudiMOH_new" in text  # the X account now in use
    assert ELSEWHERE[lang] in text
    assert text.index("SaudiMOH_new") < text.index(ELSEWHERE[lang])
    assert "moh.gov.sa" in text.split(ELSEWHERE[lang], 1)[1]  # the Instagram account's source


def test_the_json_answer_carries_the_other_platforms_account(engine: Engine) -> None:
    answer = engine.answer("@SaudiMOH", lang="en")
    [verification] = answer.as_json(render(answer))["verifications"]
    assert verification["verdict"] == "former" and verification["platform"] == "x"
    also = verification["also"]
    assert (also["verdict"], also["platform"], also["handle"]) == (
        "official",
        "instagram",
        "SaudiMOH",
    )


@pytest.mark.parametrize(
    ("lang", "official", "on_x"),
    [
        ("en", "is the official Instagram account of the Ministry of Health", "On X (Twitter)"),
        ("ar", "هو الحساب الرسمي لوزارة الصحة على إنستغرام", "أما على إكس (تويتر)"),
        ("fr", "est le compte Instagram officiel du ministère de la Santé", "Sur X (Twitter)"),
    ],
)
def test_a_handle_unknown_on_x_and_official_on_instagram_names_instagram(
    engine: Engine, lang: Lang, official: str, on_x: str
) -> None:
    check = engine.verify(bare("mohpictures"))
    assert (check.verdict, check.platform) == (Verdict.OFFICIAL, Platform.INSTAGRAM)
    text = render(engine.answer("@mohpictures", lang=lang))
    assert official in text and on_x in text and "SaudiMOH_new" in text
    html = render(engine.answer("@mohpictures", lang=lang), html_mode=True)
    assert 'href="https://www.instagram.com/mohpictures"' in html
    assert "x.com/mohpictures" not in html  # the ✅ is the Instagram account's, not X's


def test_only_an_official_account_elsewhere_is_named(engine: Engine) -> None:
    # Official on X itself: X's answer alone.
    on_x = engine.verify(bare("moe_gov_sa"))
    assert (on_x.verdict, on_x.platform, on_x.also) == (Verdict.OFFICIAL, Platform.X, None)
    # Former on X, only an unconfirmed account on Instagram: nothing to call official.
    former = engine.verify(bare("moe_old"))
    assert (former.verdict, former.also) == (Verdict.FORMER, None)
    assert "Instagram" not in render(engine.answer("@moe_old", lang="en"))
    # A link is checked on its own platform only.
    link = engine.verify(HandleRef(Platform.X, "SaudiMOH", "x.com/SaudiMOH", True))
    assert (link.verdict, link.also) == (Verdict.FORMER, None)
