"""The registry's entities, kept as compact JSON and decoded when an answer needs one.

A validated `Entity` is a tree of pydantic objects: about 4.3 KB for an entity with three
names and one account, because every model carries its own dict and its set of fields
set. A million names (333,000 entities) took 1.4 GB that way, more than the whole
answering process may use. The same entity as JSON is about 450 bytes. An answer names a
handful of entities, and decoding one takes about 13 microseconds, so the index keeps the
JSON and decodes on demand; the most recently used entities stay decoded.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from knowledge.registry.schema import Entity, EntityKind, LocalizedText

DECODED_CACHE = 4096
"""Entities kept decoded: the registry's popular bodies and a few answers' worth more."""


class EntityNaming(BaseModel):
    """What the name tables need of an entity, read from its JSON alone: validating a
    whole entity again would cost the index build of a million names several seconds."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    name: LocalizedText
    aliases: list[str] = Field(default_factory=list)
    kind: EntityKind


class EntityStore(Mapping[str, Entity]):
    """Entities by id, in the order they were added. Read-only once built."""

    def __init__(self, cache_size: int = DECODED_CACHE) -> None:
        self._json: dict[str, bytes] = {}
        stored = self._json
        # Per store, not per class: a new registry version must not see the old entities.
        # The cached function holds the dict, not the store: a cycle through the store
        # would outlive the registry version, since the index build freezes the collector
        # over everything it made (`gc.freeze`), and reference counting alone frees it.
        self._decode = lru_cache(maxsize=cache_size)(
            lambda entity_id: Entity.model_validate_json(stored[entity_id])
        )

    def add(self, entity: Entity) -> str:
        """Stores `entity` and returns its id (the one string object every table shares)."""
        # Defaults left out: most fields are empty lists and default statuses.
        self._json[entity.id] = entity.model_dump_json(exclude_defaults=True).encode()
        return entity.id

    def namings(self) -> Iterator[tuple[str, EntityNaming]]:
        """Every entity's id and names, in order, without decoding the entities."""
        for entity_id, data in self._json.items():
            yield entity_id, EntityNaming.model_validate_json(data)

    def __getitem__(self, entity_id: str) -> Entity:
        if entity_id not in self._json:
            raise KeyError(entity_id)
        return self._decode(entity_id)

    def __contains__(self, entity_id: object) -> bool:
        return entity_id in self._json

    def __iter__(self) -> Iterator[str]:
        return iter(self._json)

    def __len__(self) -> int:
        return len(self._json)
