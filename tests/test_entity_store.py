"""The index keeps entities as JSON: what comes back out must be what went in."""

from __future__ import annotations

import pytest

from knowledge.entity_store import EntityStore
from knowledge.registry import BUNDLED_REGISTRY
from knowledge.registry.schema import Registry
from knowledge.registry.validation import load_registry


@pytest.fixture(scope="module")
def registry() -> Registry:
    return load_registry(BUNDLED_REGISTRY)


def test_every_bundled_entity_comes_back_equal_and_in_order(registry: Registry) -> None:
    store = EntityStore(cache_size=8)  # most decodes miss the cache
    for entity in registry.entities:
        store.add(entity)
    assert list(store) == [e.id for e in registry.entities]
    assert [store[e.id] for e in registry.entities] == registry.entities
    assert len(store) == len(registry.entities)


def test_a_recent_entity_is_decoded_once_and_unknown_ids_are_missing(
    registry: Registry,
) -> None:
    store = EntityStore()
    moh = next(e for e in registry.entities if e.id == "moh")
    store.add(moh)
    assert store["moh"] is store["moh"]
    assert "moh" in store and "nope" not in store
    assert store.get("nope") is None
    with pytest.raises(KeyError):
        store["nope"]
