"""One record at a time: what the registry schema accepts and rejects."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import ValidationError

from knowledge.registry.handles import Platform, handle_key, profile_url
from knowledge.registry.schema import Account, Entity, Evidence, Spokesperson

EVIDENCE = {"sources": ["https://example.gov.sa"], "checked": "2026-11", "confidence": "confirmed"}


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
