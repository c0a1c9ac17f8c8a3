"""Verdicts say only what the evidence supports, on any registry: ⛔ only for an
impersonation on record, ✅ only for a confirmed active account; cards keep the two apart;
a former handle, a bare handle official on another platform, a look-alike and a
spokesperson's contact are said plainly."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from knowledge.answer import Answer, Verdict, body_account
from knowledge.engine import Engine
from knowledge.index import RegistryIndex
from knowledge.links import HandleRef
from knowledge.registry.handles import Platform
from knowledge.registry.schema import NonOfficialReason, Registry
from knowledge.render import Renderer, render
from knowledge.understand import Intent

OPEN = {"kind": "official_website", "url": "https://www.moh.gov.sa/en/about"}
CONFIRMED = {"sources": [OPEN], "checked": "2026-11-20", "confidence": "confirmed"}
UNCONFIRMED = {
    "sources": [{"kind": "dataset", "note": "repo aldhhmshi/Khatauat @c482f96"}],
    "checked": "2026-11",
    "confidence": "unconfirmed",
    "note": "Resolve before use.",
}
HANDLES = [f"Handle{n}" for n in range(12)]


def engine_of(data: dict[str, Any]) -> Engine:
    registry = Registry.model_validate(data)
    return Engine(RegistryIndex(registry.entities, registry.non_official))


@st.composite
def registries(draw: st.DrawFn) -> dict[str, Any]:
    """Small registries: each handle of the pool used once, as an account (active or
    former, confirmed or not, of any role), a spokesperson's account, or a listed
    non-official handle of any reason."""
    handles = draw(st.permutations(HANDLES))
    uses = draw(
        st.lists(st.sampled_from(["account", "person", "listed", "none"]), min_size=12, max_size=12)
    )
    entities: list[dict[str, Any]] = []
    for n in range(draw(st.integers(1, 3))):
        entities.append(
            {
                "id": f"body-{n}",
                "name": {"en": f"Authority {n}"},
                "kind": "authority",
                "evidence": UNCONFIRMED,
                "accounts": [],
                "spokespeople": [],
            }
        )
    listed: list[dict[str, Any]] = []
    for handle, use in zip(handles, uses, strict=True):
        owner = draw(st.sampled_from(entities))
        evidence = draw(st.sampled_from([CONFIRMED, UNCONFIRMED]))
        if use == "account":
            status = draw(st.sampled_from(["active", "former"]))
            role = draw(st.sampled_from(["main", "customer_care", "minister", "news"]))
            owner["accounts"].append(
                {
                    "platform": "x",
                    "handle": handle,
                    "status": status,
                    "role": role,
                    "evidence": evidence,
                }
            )
        elif use == "person":
            current = draw(st.booleans()) and not any(
                p.get("until") is None for p in owner["spokespeople"]
            )
            owner["spokespeople"].append(
                {
                    "name": {"en": "A Person"},
                    "accounts": [{"platform": "x", "handle": handle}],
                    "since": "2024",
                    "until": None if current else "2025",
                    "evidence": evidence,
                }
            )
        elif use == "listed":
            listed.append(
                {
                    "platform": "x",
                    "handle": handle,
                    "imitates": owner["id"],
                    "reason": draw(st.sampled_from(list(NonOfficialReason))).value,
                    "evidence": evidence,
                }
            )
    return {"entities": entities, "non_official": listed}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=registries(), asked=st.sampled_from([*HANDLES, "Handle0_official", "HandIe1"]))
def test_no_red_mark_without_impersonation_and_no_green_without_confirmation(
    data: dict[str, Any], asked: str
) -> None:
    engine = engine_of(data)
    for platform in (Platform.X, None):
        check = engine.verify(HandleRef(platform, asked, asked, False))
        listed = engine.index.non_official_handle(Platform.X, asked)
        hit = engine.index.account(Platform.X, asked)
        person = engine.index.spokesperson_account(Platform.X, asked)
        if check.verdict is Verdict.KNOWN_FAKE:
            assert listed is not None and listed.reason is NonOfficialReason.IMPERSONATION
            assert listed.evidence.sources
        if check.verdict is Verdict.OFFICIAL:
            confirmed_person = (
                person is not None and person.person.current and person.person.evidence.confirmed
            )
            assert (hit is not None and hit.account.official) or confirmed_person
        for lang in ("ar", "en", "fr"):
            answer = Answer(asked, lang, Intent.VERIFY, verifications=[check])
            text = render(answer, html_mode=True)
            assert ("⛔" in text) == (check.verdict is Verdict.KNOWN_FAKE)
            assert ("✅" in text) == (check.verdict is Verdict.OFFICIAL)
            assert "Khatauat" not in text and "Resolve before use" not in text


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=registries())
def test_cards_link_only_official_accounts_under_the_green_mark(data: dict[str, Any]) -> None:
    engine = engine_of(data)
    for entity in engine.index.entities.values():
        text = Renderer("en", html_mode=True).entity_card(entity)
        official = [a for a in entity.accounts if a.official and a.role.value != "minister"]
        assert ("✅" in text) == bool(official)
        linked = set(re.findall(r'<a href="https://x\.com/(\w+)">', text))
        assert linked == {a.handle for a in entity.accounts if a.official}
        unconfirmed = [
            a
            for a in entity.accounts
            if not a.official and a.status.value == "active" and a.role.value != "minister"
        ]
        green, heading, listed = text.partition("Listed, not confirmed:")
        assert bool(heading) == bool(unconfirmed), "unconfirmed accounts have their own section"
        for account in unconfirmed:
            assert f"<code>@{account.handle}</code>" in listed
            assert not re.search(rf"@{account.handle}\b", green)


def registry_with_history() -> dict[str, Any]:
    return {
        "entities": [
            {
                "id": "moh",
                "name": {
                    "ar": "وزارة الصحة",
                    "en": "Ministry of Health",
                    "fr": "Ministère de la Santé",
                },
                "kind": "ministry",
                "evidence": CONFIRMED,
                "accounts": [
                    {"platform": "x", "handle": "SaudiMOH_new", "evidence": CONFIRMED},
                    {
                        "platform": "x",
                        "handle": "SaudiMOH",
                        "status": "former",
                        "until": "2026-12-03",
                        "evidence": CONFIRMED,
                    },
                    {"platform": "instagram", "handle": "SaudiMOH", "evidence": CONFIRMED},
                    {"platform": "instagram", "handle": "mohpictures", "evidence": CONFIRMED},
                    {
                        "platform": "x",
                        "handle": "MOH_Press",
                        "role": "spokesperson",
                        "evidence": UNCONFIRMED,
                    },
                ],
                "spokespeople": [
                    {
                        "name": {
                            "ar": "محمد العبدالعالي",
                            "en": "Mohammed Al-Abdulaali",
                            "fr": "Mohammed Al-Abdulaali",
                        },
                        "title": {"en": "Spokesperson"},
                        "as_of": "2020",
                        "accounts": [{"platform": "x", "handle": "spokesman_moh"}],
                        "contact": {"phone": "+966 11 000 0000", "email": "press@moh.gov.sa"},
                        "evidence": CONFIRMED,
                    }
                ],
            },
            {
                "id": "mot",
                "name": {"en": "Ministry of Transport", "ar": "وزارة النقل"},
                "kind": "ministry",
                "evidence": UNCONFIRMED,
                "accounts": [
                    {
                        "platform": "x",
                        "handle": "motls19955",
                        "role": "customer_care",
                        "evidence": CONFIRMED,
                    },
                    {"platform": "x", "handle": "MOTLS_KSA", "evidence": UNCONFIRMED},
                ],
            },
        ]
    }


@pytest.fixture(scope="module")
def engine() -> Engine:
    return engine_of(registry_with_history())


def test_a_former_handle_says_until_when_and_what_replaced_it(engine: Engine) -> None:
    [check] = engine.answer("x.com/SaudiMOH").verifications
    assert check.verdict is Verdict.FORMER
    text = render(engine.answer("x.com/SaudiMOH", lang="en"))
    assert (
        "@SaudiMOH was the X (Twitter) account of the Ministry of Health until 3 December 2026"
        in text
    )
    assert "now @SaudiMOH_new" in text
    assert "posts from it after that date are not those of the Ministry of Health" in text


def test_a_bare_handle_retired_on_x_is_never_green(engine: Engine) -> None:
    """@SaudiMOH is former on X although Instagram has an official account of that name."""
    check = engine.verify(HandleRef(None, "SaudiMOH", "@SaudiMOH", False))
    assert check.verdict is Verdict.FORMER and check.platform is Platform.X
    assert "✅" not in render(engine.answer("@SaudiMOH", lang="en"))


def test_a_bare_handle_official_elsewhere_names_the_platform(engine: Engine) -> None:
    check = engine.verify(HandleRef(None, "mohpictures", "@mohpictures", False))
    assert check.verdict is Verdict.OFFICIAL and check.platform is Platform.INSTAGRAM
    assert check.elsewhere is not None and check.elsewhere.handle == "SaudiMOH_new"
    text = render(engine.answer("@mohpictures", lang="en"))
    assert "is the official Instagram account of the Ministry of Health" in text
    assert "On X (Twitter), its account is @SaudiMOH_new" in text


def test_the_body_account_is_never_customer_care(engine: Engine) -> None:
    mot = engine.index.entities["mot"]
    main = body_account(mot)
    assert main is not None and main.handle == "MOTLS_KSA"
    text = render(engine.answer("Ministry of Transport spokesperson", lang="en"))
    assert "motls19955" not in text and "@MOTLS_KSA" in text
    listing = render(engine.answer("list all ministries", lang="en"))
    assert "motls19955" not in listing


def test_a_lookalike_names_the_differing_characters(engine: Engine) -> None:
    text = render(engine.answer("is @SaudiM0H_new official?", lang="en"))
    assert "The 7th character is the digit 0, not the letter O." in text
    arabic = render(engine.answer("@SaudiM0H_new", lang="ar"))
    assert "الحرف رقم 7 هو الرقم" in arabic
    cyrillic = render(engine.answer("x.com/SaudiМOH_new", lang="en"))  # Cyrillic М
    assert "the Cyrillic letter М, not the letter M" in cyrillic


def test_a_contact_question_puts_the_contact_first(engine: Engine) -> None:
    text = render(engine.answer("ابي رقم تواصل المتحدث الرسمي لوزارة الصحة"))
    lines = text.splitlines()
    assert lines[1].startswith("👤") and "الهاتف" in lines[2]
    assert "البريد الإلكتروني" in text and "@spokesman_moh" in text
    assert "قبل أكثر من سنتين" in text  # 2020 information says it may have changed
    assert "Spokesperson" not in text  # an English-only title is not mixed in


def test_no_contact_on_record_is_said(engine: Engine) -> None:
    data = registry_with_history()
    del data["entities"][0]["spokespeople"][0]["contact"]
    text = render(engine_of(data).answer("Ministry of Health spokesperson phone", lang="en"))
    assert "No contact on record." in text


def test_the_spokesperson_json_keeps_every_language(engine: Engine) -> None:
    answer = engine.answer("Ministry of Health spokesperson", lang="en")
    [person] = answer.as_json("")["spokespeople"]
    assert person["name"] == {
        "ar": "محمد العبدالعالي",
        "en": "Mohammed Al-Abdulaali",
        "fr": "Mohammed Al-Abdulaali",
    }
    assert person["contact"]["phone"] == "+966 11 000 0000"
    json.dumps(answer.as_json(""))


def test_provenance_is_in_the_details_not_in_the_answer(engine: Engine) -> None:
    renderer = Renderer("en", html_mode=True)
    check = engine.verify(HandleRef(Platform.X, "MOTLS_KSA", "@MOTLS_KSA", False))
    assert check.verdict is Verdict.UNCONFIRMED
    answer = render(engine.answer("@MOTLS_KSA", lang="en"), html_mode=True)
    assert "Khatauat" not in answer and "Resolve before use" not in answer
    details = renderer.details(None, check)
    assert "Khatauat" in details and "Resolve before use" in details


def test_an_unconfirmed_handle_names_a_confirmed_account_with_its_role(engine: Engine) -> None:
    [check] = engine.answer("@MOTLS_KSA").verifications
    assert check.verdict is Verdict.UNCONFIRMED
    assert check.official is not None and check.official.handle == "motls19955"
    text = render(engine.answer("@MOTLS_KSA", lang="en"), html_mode=True)
    assert "<code>@MOTLS_KSA</code>" in text
    assert '<a href="https://x.com/motls19955">@motls19955</a> (customer care)' in text


def test_a_lookalike_of_an_unconfirmed_account_does_not_call_it_official(engine: Engine) -> None:
    text = render(engine.answer("@M0TLS_KSA", lang="en"), html_mode=True)
    assert "listed as an account of the Ministry of Transport (not confirmed)" in text
    assert "the official account" not in text and "x.com/MOTLS_KSA" not in text


def test_the_spokesperson_answer_gives_the_offices_account(engine: Engine) -> None:
    text = render(engine.answer("Ministry of Health spokesperson", lang="en"), html_mode=True)
    assert '<a href="https://x.com/spokesman_moh">@spokesman_moh</a>' in text  # the person's
    assert "<code>@MOH_Press</code> (spokesperson's account)" in text  # the office's, unconfirmed
