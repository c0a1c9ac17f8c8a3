"""The registry index as a long-lived object: what it keeps and what it lets go."""

from __future__ import annotations

import weakref
from typing import Any

from knowledge.index import RegistryIndex
from knowledge.registry import BUNDLED_REGISTRY
from knowledge.registry.validation import load_registry, paused_gc


def test_an_index_of_an_old_registry_version_is_freed_without_the_collector() -> None:
    """The index build freezes the collector over what it made, so a reference cycle in
    an index would keep every old registry version in memory."""
    registry = load_registry(BUNDLED_REGISTRY)
    index = RegistryIndex(registry.entities, registry.non_official)
    assert index.entities["moh"].id == "moh"  # the decode cache holds an entity
    parts: list[Any] = [index, index.entities, index.lookalikes, index.fuzzy]
    gone = [weakref.ref(part) for part in parts]
    with paused_gc():
        del index, parts
        assert [ref() for ref in gone] == [None] * len(gone)
