"""One record at a time: what the registry schema accepts and rejects."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from knowledge.registry.handles import Platform, handle_key, profile_url
from knowledge.registry.schema import (
    Account,
    Confidence,
    Entity,
    Evidence,
    NonOfficial,
    NonOfficialReason,
    Policy,
    Source,
    SourceKind,
    Spokesperson,
)

SITE = {"kind": "official_website", "url": "https://example.gov.sa"}
EVIDENCE = {"sources": [SITE], "checked": "2026-11", "confidence": "confirmed"}
DATASET = {"kind": "dataset", "note": "hrunx/KSAmcp reports/govsa_entity_registry.json"}


def account(**fields: Any) -> Account:
    return Account.model_validate({"platform": "x", "evidence": EVIDENCE, **fields})


def error_fields(exc: pytest.ExceptionInfo[ValidationError]) -> set[str]:
    return {".".join(str(p) for p in e["loc"]) for e in exc.value.errors()}


@pytest.mark.parametrize(
    ("platform", "handle"),
    [
        ("x", "SaudiMOH"),
        ("x", "moe_gov_sa"),
        ("instagram", "sdaia.saudi"),
        ("youtube", "c/Saudimoh"),
        ("youtube", "Momah_SA"),
        ("youtube", "channel/UC1234567890abcdefghijkl"),
        ("tiktok", "saudimoh"),
        ("snapchat", "saudi-moh"),
        ("facebook", "HRSDSA"),
        ("linkedin", "ministry-of-health-saudi-arabia"),
        ("telegram", "saudimoi"),
        ("whatsapp", "+966920000000"),
        ("threads", "saudimoh"),
    ],
)
def test_valid_handles_are_accepted(platform: str, handle: str) -> None:
    assert account(platform=platform, handle=handle).handle == handle


@pytest.mark.parametrize(
    ("platform", "handle"),
    [
        ("x", "MODA Saudi"),  # a space: seen in a list of "official" accounts
        ("x", "saudi-moh"),  # X has no hyphens
        ("x", "a" * 21),
        ("instagram", ".saudimoh"),
        ("instagram", "saudi..moh"),
        ("telegram", "moh"),  # Telegram usernames have at least 5 characters
        ("snapchat", "1moh"),
        ("youtube", "c/"),
        ("whatsapp", "call us"),
    ],
)
def test_impossible_handles_are_rejected_on_the_handle_field(platform: str, handle: str) -> None:
    with pytest.raises(ValidationError) as exc:
        account(platform=platform, handle=handle)
    assert error_fields(exc) == {"handle"}


def test_a_leading_at_sign_is_not_part_of_the_handle() -> None:
    assert account(handle="@SaudiMOH").handle == "SaudiMOH"


def test_handles_compare_without_case_but_with_underscores() -> None:
    assert account(handle="SaudiMOH").key == account(handle="saudimoh").key
    assert account(handle="Saudi_MOH").key != account(handle="SaudiMOH").key
    assert handle_key(Platform.X, "@SaudiMOH") == (Platform.X, "saudimoh")


def test_profile_links_follow_each_platform() -> None:
    assert profile_url(Platform.X, "SaudiMOH") == "https://x.com/SaudiMOH"
    assert profile_url(Platform.YOUTUBE, "Momah_SA") == "https://www.youtube.com/@Momah_SA"
    assert profile_url(Platform.YOUTUBE, "c/Saudimoh") == "https://www.youtube.com/c/Saudimoh"
    assert profile_url(Platform.WHATSAPP, "+966920000000") == "https://wa.me/966920000000"
    assert profile_url(Platform.TELEGRAM, "saudimoi") == "https://t.me/saudimoi"


@pytest.mark.parametrize("value", ["2020", "2020-02", "2020-02-25", 2020])
def test_dates_keep_their_precision(value: object) -> None:
    assert Evidence.model_validate({**EVIDENCE, "checked": value}).checked == str(value)


def test_yaml_dates_become_iso_text() -> None:
    import datetime as dt

    assert Evidence.model_validate({**EVIDENCE, "checked": dt.date(2020, 2, 25)}).checked == (
        "2020-02-25"
    )


@pytest.mark.parametrize("value", ["2020-13", "2020-02-30", "25/02/2020", "soon"])
def test_impossible_dates_are_rejected(value: str) -> None:
    with pytest.raises(ValidationError) as exc:
        Evidence.model_validate({**EVIDENCE, "checked": value})
    assert error_fields(exc) == {"checked"}


def test_a_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValidationError) as exc:
        account(handle="old", status="former", since="2021", until="2019-05")
    assert error_fields(exc) == {"until"}


def test_an_active_account_has_no_end_date() -> None:
    with pytest.raises(ValidationError) as exc:
        account(handle="old", until="2019")
    assert error_fields(exc) == {"until"}


def test_unknown_fields_are_errors_not_ignored() -> None:
    with pytest.raises(ValidationError) as exc:
        account(handle="SaudiMOH", verified=True)
    assert error_fields(exc) == {"verified"}


def test_evidence_needs_a_source() -> None:
    with pytest.raises(ValidationError) as exc:
        Evidence.model_validate({**EVIDENCE, "sources": []})
    assert error_fields(exc) == {"sources"}


def entity(**fields: Any) -> Entity:
    base = {"id": "moh", "name": {"en": "Ministry of Health"}, "kind": "ministry"}
    return Entity.model_validate({**base, "evidence": EVIDENCE, **fields})


def test_renamed_and_merged_entities_name_their_successors() -> None:
    with pytest.raises(ValidationError) as exc:
        entity(status="renamed")
    assert error_fields(exc) == {"successors"}
    assert entity(status="renamed", successors=["hrsd"]).successors == ["hrsd"]
    assert entity(status="dissolved").successors == []


def test_an_active_entity_has_no_successor_and_nothing_succeeds_itself() -> None:
    with pytest.raises(ValidationError):
        entity(successors=["hrsd"])
    with pytest.raises(ValidationError):
        entity(status="merged", successors=["moh"])
    with pytest.raises(ValidationError):
        entity(parent="moh")


@pytest.mark.parametrize("bad_id", ["MOH", "moh ministry", "-moh", "moh--x", ""])
def test_ids_are_slugs(bad_id: str) -> None:
    with pytest.raises(ValidationError) as exc:
        entity(id=bad_id)
    assert "id" in error_fields(exc)


def test_names_need_one_language() -> None:
    with pytest.raises(ValidationError):
        entity(name={})


def test_a_spokesperson_without_until_is_current() -> None:
    person = Spokesperson.model_validate(
        {"name": {"en": "Mona Al-Ajmi"}, "since": "2025-08", "evidence": EVIDENCE}
    )
    assert person.current
    former = Spokesperson.model_validate(
        {"name": {"en": "Mansour Al-Turki"}, "since": 2004, "until": 2020, "evidence": EVIDENCE}
    )
    assert not former.current


def person(**fields: Any) -> dict[str, Any]:
    return {"name": {"en": "Someone"}, "evidence": EVIDENCE, **fields}


def test_a_plain_string_is_not_a_source() -> None:
    with pytest.raises(ValidationError) as exc:
        Evidence.model_validate({**EVIDENCE, "sources": ["https://example.gov.sa"]})
    assert error_fields(exc) == {"sources.0"}


@pytest.mark.parametrize(
    ("source", "openable"),
    [
        (SITE, True),
        ({"kind": "news", "url": "http://example.com/a?b=1"}, True),
        ({"kind": "platform_verification", "url": "https://x.com/SaudiMOH"}, True),
        ({"kind": "dataset", "url": "https://github.com/hrunx/KSAmcp"}, False),
        ({"kind": "maintainer", "url": "https://example.gov.sa/review"}, False),
        ({"kind": "official_website", "title": {"en": "The ministry's site"}}, False),
        (DATASET, False),
    ],
)
def test_a_source_is_openable_with_a_url_and_a_kind_a_citizen_can_read(
    source: dict[str, Any], openable: bool
) -> None:
    assert Source.model_validate(source).openable is openable


@pytest.mark.parametrize(
    "source",
    [
        {"kind": "news"},  # says nothing about where
        {"kind": "news", "url": "www.example.com/article"},  # not a whole URL
        {"kind": "news", "url": "https://example.com/arti…"},  # a cut URL is not a URL
        {"kind": "rumour", "note": "x"},
    ],
)
def test_a_source_says_where_with_a_whole_url(source: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        Source.model_validate(source)


def test_the_confirmation_rule_needs_a_source_a_citizen_can_open() -> None:
    with pytest.raises(ValidationError) as exc:
        Evidence.model_validate({**EVIDENCE, "sources": [DATASET]})
    assert "confirmed needs a source a person can open" in str(exc.value)
    unconfirmed = Evidence.model_validate(
        {**EVIDENCE, "sources": [DATASET], "confidence": "unconfirmed"}
    )
    assert not unconfirmed.confirmed and unconfirmed.strongest is None
    confirmed = Evidence.model_validate({**EVIDENCE, "sources": [DATASET, SITE]})
    assert confirmed.confirmed


def test_evidence_built_without_validation_cannot_claim_to_be_confirmed() -> None:
    built = Evidence.model_construct(
        sources=[Source.model_validate(DATASET)], checked="2026", confidence=Confidence.CONFIRMED
    )
    assert not built.confirmed


def test_the_strongest_source_is_the_strongest_kind_then_the_newest() -> None:
    sources = [
        {"kind": "news", "url": "https://news.example/1", "date": "2026-11-01"},
        {"kind": "government_announcement", "url": "https://gov.example/old", "date": "2019"},
        {"kind": "government_announcement", "url": "https://gov.example/new", "date": "2025-02"},
        {"kind": "government_announcement", "url": "https://gov.example/undated"},
        {"kind": "dataset", "url": "https://github.com/x/y", "date": "2026-12"},
    ]
    evidence = Evidence.model_validate({**EVIDENCE, "sources": sources})
    assert evidence.strongest is not None
    assert evidence.strongest.url == "https://gov.example/new"
    evidence = Evidence.model_validate({**EVIDENCE, "sources": [*sources, SITE]})
    assert evidence.strongest is not None and evidence.strongest.kind is SourceKind.OFFICIAL_WEBSITE


def test_official_means_active_and_confirmed() -> None:
    assert account(handle="SaudiMOH").official
    unconfirmed = {"sources": [DATASET], "checked": "2026-11", "confidence": "unconfirmed"}
    assert not account(handle="SaudiMOH", evidence=unconfirmed).official
    assert not account(handle="old", status="former", until="2024").official


def test_non_official_reasons_and_numeric_id() -> None:
    assert {r.value for r in NonOfficialReason} == {
        "impersonation",
        "not_primary",
        "conflicting",
        "unverified",
        "not_government",
        "invalid",
    }
    record = NonOfficial.model_validate(
        {
            "platform": "x",
            "handle": "SaudiM0H",
            "platform_id": 1234567,
            "reason": "impersonation",
            "evidence": {"sources": [DATASET], "checked": "2026", "confidence": "unconfirmed"},
        }
    )
    assert record.platform_id == "1234567"
    for old in ("ambiguous", "flagged"):
        with pytest.raises(ValidationError):
            NonOfficial.model_validate({**record.model_dump(), "reason": old})


def test_an_impersonation_record_needs_its_evidence() -> None:
    base = {"platform": "x", "handle": "SaudiM0H", "reason": "impersonation"}
    with pytest.raises(ValidationError) as exc:
        NonOfficial.model_validate(base)
    assert error_fields(exc) == {"evidence"}
    empty = {"sources": [], "checked": "2026", "confidence": "unconfirmed"}
    with pytest.raises(ValidationError) as exc:
        NonOfficial.model_validate({**base, "evidence": empty})
    assert error_fields(exc) == {"evidence.sources"}


def test_one_current_spokesperson_per_role() -> None:
    with pytest.raises(ValidationError) as exc:
        entity(spokespeople=[person(since="2019"), person(since="2025-08")])
    assert error_fields(exc) == {"spokespeople"}
    assert "spokespeople[0] and spokespeople[1] are both current" in str(exc.value)
    # The file ends the older one: fine. Another role: fine.
    ended = entity(spokespeople=[person(since="2019", until="2025-08"), person(since="2025-08")])
    assert [p.current for p in ended.spokespeople] == [False, True]
    deputy = entity(spokespeople=[person(), person(role="deputy-spokesperson")])
    assert [p.role for p in deputy.spokespeople] == ["spokesperson", "deputy-spokesperson"]


def test_a_contact_names_its_office_per_language() -> None:
    office = {"ar": "المركز الإعلامي", "en": "Media centre"}
    someone = Spokesperson.model_validate(
        person(contact={"phone": "+966 11 000", "office": office})
    )
    assert someone.contact is not None and someone.contact.office is not None
    assert someone.contact.office.ar == "المركز الإعلامي"


def test_a_policy_has_texts_sources_and_a_date() -> None:
    policy = Policy.model_validate(
        {
            "id": "official-accounts",
            "title": {"en": "Official accounts"},
            "body": {"en": "Each body lists its accounts on its website."},
            "sources": [SITE],
            "updated": "2026-11",
        }
    )
    assert policy.sources[0].openable
    with pytest.raises(ValidationError) as exc:
        Policy.model_validate({**policy.model_dump(), "sources": [], "id": "Bad Id"})
    assert error_fields(exc) == {"sources", "id"}


def test_a_spokespersons_accounts_are_official_only_while_current_and_confirmed() -> None:
    person = {"name": {"en": "Name"}, "accounts": [{"platform": "x", "handle": "spokesman_moh"}]}
    unconfirmed = {**EVIDENCE, "sources": [DATASET], "confidence": "unconfirmed"}
    assert Spokesperson.model_validate({**person, "evidence": EVIDENCE}).official
    former = {**person, "evidence": EVIDENCE, "since": "2017", "until": "2023"}
    assert not Spokesperson.model_validate(former).official
    assert not Spokesperson.model_validate({**person, "evidence": unconfirmed}).official
