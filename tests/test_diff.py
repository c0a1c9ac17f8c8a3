"""The change log's vocabulary: each edit a maintainer makes becomes the right change."""

from __future__ import annotations

from typing import Any

from knowledge.registry.diff import ChangeKind, diff_registries
from knowledge.registry.schema import Registry

EVIDENCE = {
    "sources": [{"kind": "news", "url": "https://example.com/s"}],
    "checked": "2026-11",
    "confidence": "confirmed",
}


def acc(handle: str, **fields: Any) -> dict[str, Any]:
    return {"platform": "x", "handle": handle, "evidence": EVIDENCE, **fields}


def person(name: str, **fields: Any) -> dict[str, Any]:
    return {"name": {"en": name}, "evidence": EVIDENCE, **fields}


def entity(entity_id: str = "moh", **fields: Any) -> dict[str, Any]:
    base = {"id": entity_id, "name": {"en": "Ministry of Health"}, "kind": "ministry"}
    return {**base, "evidence": EVIDENCE, **fields}


def registry(*entities: dict[str, Any], non_official: Any = ()) -> Registry:
    return Registry.model_validate({"entities": list(entities), "non_official": list(non_official)})


def kinds(old: Registry, new: Registry) -> list[ChangeKind]:
    return [c.kind for c in diff_registries(old, new)]


def test_the_same_registry_has_no_changes() -> None:
    reg = registry(entity(accounts=[acc("SaudiMOH")], spokespeople=[person("A")]))
    assert diff_registries(reg, reg.model_copy(deep=True)) == []


def test_order_alone_is_no_change() -> None:
    a, b = entity("moh"), entity("moe", name={"en": "Education"})
    assert diff_registries(registry(a, b), registry(b, a)) == []


def test_a_handle_edited_in_place_is_a_handle_change() -> None:
    old = registry(entity(accounts=[acc("SaudiMOH")]))
    new = registry(entity(accounts=[acc("SaudiMOH2")]))
    [change] = diff_registries(old, new)
    assert change.kind is ChangeKind.HANDLE_CHANGED
    assert change.entity_id == "moh"
    assert (change.old["handle"], change.new["handle"]) == ("SaudiMOH", "SaudiMOH2")
    assert change.subject == "x:SaudiMOH2"


def test_a_handle_kept_as_former_with_a_new_one_is_a_handle_change() -> None:
    old = registry(entity(accounts=[acc("saudimomrah")]))
    new = registry(
        entity(accounts=[acc("saudimomrah", status="former", until="2024-07"), acc("Momah_SA")])
    )
    [change] = diff_registries(old, new)
    assert change.kind is ChangeKind.HANDLE_CHANGED
    assert (change.old["handle"], change.new["handle"]) == ("saudimomrah", "Momah_SA")


def test_retiring_and_adding_and_removing_accounts() -> None:
    old = registry(entity(accounts=[acc("SaudiMOH"), acc("MOH_care", role="customer_care")]))
    new = registry(
        entity(
            accounts=[
                acc("SaudiMOH", status="former"),
                acc("saudimoh", platform="instagram"),
            ]
        )
    )
    assert kinds(old, new) == [
        ChangeKind.ACCOUNT_RETIRED,
        ChangeKind.ACCOUNT_ADDED,
        ChangeKind.ACCOUNT_REMOVED,
    ]


def test_reactivation_and_field_updates() -> None:
    old = registry(entity(accounts=[acc("A", status="former"), acc("B")]))
    new = registry(entity(accounts=[acc("A"), acc("B", platform_id="123")]))
    changes = diff_registries(old, new)
    assert [c.kind for c in changes] == [ChangeKind.ACCOUNT_REACTIVATED, ChangeKind.ACCOUNT_UPDATED]
    assert (changes[1].field, changes[1].old, changes[1].new) == ("platform_id", None, "123")


def test_a_replaced_spokesperson_is_one_change() -> None:
    old = registry(entity(spokespeople=[person("Ibtisam Al-Shehri", as_of="2019")]))
    new = registry(entity(spokespeople=[person("Mona Al-Ajmi", since="2025-08")]))
    [change] = diff_registries(old, new)
    assert change.kind is ChangeKind.SPOKESPERSON_CHANGED
    assert change.old["name"] == {"en": "Ibtisam Al-Shehri"}
    assert change.new["name"] == {"en": "Mona Al-Ajmi"}


def test_spokespeople_added_updated_removed() -> None:
    old = registry(entity(spokespeople=[person("A"), person("B", role="deputy-spokesperson")]))
    new = registry(entity(spokespeople=[person("A", until="2026")]))
    assert kinds(old, new) == [ChangeKind.SPOKESPERSON_UPDATED, ChangeKind.SPOKESPERSON_REMOVED]
    assert kinds(new, old) == [ChangeKind.SPOKESPERSON_UPDATED, ChangeKind.SPOKESPERSON_ADDED]


def test_entity_rename_status_and_field_changes() -> None:
    old = registry(entity("mlsd"), entity("hrsd", name={"en": "HRSD"}))
    new = registry(
        entity("mlsd", name={"en": "Labor"}, status="renamed", successors=["hrsd"]),
        entity("hrsd", name={"en": "HRSD"}, website="https://hrsd.gov.sa"),
    )
    changes = diff_registries(old, new)
    assert [c.kind for c in changes] == [
        ChangeKind.ENTITY_RENAMED,
        ChangeKind.ENTITY_STATUS_CHANGED,
        ChangeKind.ENTITY_UPDATED,
    ]
    assert changes[1].new == {"status": "renamed", "successors": ["hrsd"], "status_date": None}
    assert (changes[2].entity_id, changes[2].field) == ("hrsd", "website")


def test_entities_added_and_removed_keep_their_whole_record() -> None:
    old = registry(entity("moh", accounts=[acc("SaudiMOH")]))
    new = registry(entity("moe", name={"en": "Education"}))
    changes = diff_registries(old, new)
    assert [c.kind for c in changes] == [ChangeKind.ENTITY_ADDED, ChangeKind.ENTITY_REMOVED]
    assert changes[1].old["accounts"][0]["handle"] == "SaudiMOH"


def test_non_official_handles() -> None:
    fake = {"platform": "x", "handle": "SaudiM0H", "reason": "impersonation", "evidence": EVIDENCE}
    old = registry(entity(), non_official=[fake])
    new = registry(entity(), non_official=[{**fake, "imitates": "moh"}])
    [change] = diff_registries(old, new)
    assert change.kind is ChangeKind.NON_OFFICIAL_UPDATED
    assert change.entity_id == "moh"
    assert kinds(registry(entity()), old) == [ChangeKind.NON_OFFICIAL_ADDED]
    assert kinds(old, registry(entity())) == [ChangeKind.NON_OFFICIAL_REMOVED]
