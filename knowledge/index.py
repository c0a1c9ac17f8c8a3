"""The in-memory index of one registry version, built once and shared by every question.

Everything a question needs is a dictionary lookup away: entity names in normalized form,
handles by platform, former handles, non-official handles, spokespeople's accounts. `db/`
loads the registry and builds a new index when the registry changes; an index is never
modified, so readers need no lock. The entities themselves are kept as JSON and decoded
when an answer names them (`knowledge.entity_store`): at a million names that is what
keeps the process under a gigabyte.
"""

from __future__ import annotations

import hashlib
from array import array
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import TypeVar

from knowledge.entity_store import EntityNaming, EntityStore
from knowledge.fuzzy import FuzzyIndex
from knowledge.lookalike import LookalikeIndex
from knowledge.one_or_many import OneOrMany, add, values
from knowledge.registry.handles import Platform, handle_key
from knowledge.registry.schema import (
    Account,
    AccountStatus,
    Entity,
    EntityKind,
    EntityStatus,
    NonOfficial,
    Spokesperson,
)
from knowledge.registry.validation import paused_gc
from knowledge.vocabulary import (
    GENERIC_WORDS,
    PLATFORM_TOKENS,
    STOPWORDS,
    TYPE_WORDS,
    match_words,
)

HandleKey = tuple[Platform, str]
_K = TypeVar("_K")
_CLITICS = "وبلفك"


@dataclass(frozen=True)
class AccountHit:
    entity: Entity
    account: Account


@dataclass(frozen=True)
class SpokespersonHit:
    entity: Entity
    person: Spokesperson


@dataclass(frozen=True)
class NameForms:
    """A name as the matcher sees it."""

    content: tuple[str, ...]
    """Its words without function words, in order."""
    core: str
    """What distinguishes it: no kind words ('ministry'), no generic words ('national')."""
    kind: EntityKind | None
    """The kind its words name, if any."""

    @property
    def key(self) -> str:
        """Order-free: 'Health Ministry' and 'Ministry of Health' are one key."""
        return " ".join(sorted(set(self.content)))


@dataclass(frozen=True)
class NameHit:
    entity: Entity
    kind: EntityKind | None
    """The kind the matched name states ('Health Council' -> council), else the entity's."""
    score: float
    core: str


def name_forms(text: str, known_words: frozenset[str] = frozenset()) -> NameForms:
    words = [t for t in match_words(text, known_words) if t not in STOPWORDS]
    kind = next((TYPE_WORDS[w] for w in words if w in TYPE_WORDS), None)
    core = [w for w in words if w not in TYPE_WORDS and w not in GENERIC_WORDS]
    return NameForms(tuple(words), " ".join(core), kind)


def entity_names(entity: Entity | EntityNaming) -> Iterator[str]:
    for name in (entity.name.ar, entity.name.en, entity.name.fr, *entity.aliases):
        if name:
            yield name


class RegistryIndex:
    """Lookups over one registry version.

    Built from a stream of entities, one at a time, so that the validated registry never
    has to be in memory whole: each entity is stored as JSON (see `EntityStore`) and the
    tables below hold only ids, keys and normalized names.
    """

    def __init__(
        self,
        entities: Iterable[Entity],
        non_official: Iterable[NonOfficial] = (),
        version: str = "",
    ):
        self.version = version
        self.entities = EntityStore()
        self.active_by_kind: dict[EntityKind, list[str]] = defaultdict(list)
        """The ids of the active entities of each kind, in registry order."""
        self.account_count = 0
        self._accounts: dict[HandleKey, str] = {}
        self._platform_ids: dict[tuple[Platform, str], str] = {}
        self._spokesperson_accounts: dict[HandleKey, str] = {}
        self._non_official: dict[HandleKey, NonOfficial] = {n.key: n for n in non_official}
        self._by_key: dict[str, str] = {}
        self._exact: dict[str, OneOrMany[str]] = {}
        self._core: dict[str, OneOrMany[str]] = {}
        self._core_words: dict[str, array[int]] = {}
        """For each word of a name core, the positions of the cores that contain it."""
        self._fuzzy_owner: list[str] = []
        self._fuzzy_kind: list[EntityKind | None] = []
        with paused_gc():  # millions of new objects, none of them in a cycle
            words, official_handles = self._add_entities(entities)
            self.known_handles = frozenset(
                key[1]
                for table in (self._accounts, self._spokesperson_accounts, self._non_official)
                for key in table
            )
            """Every handle on record, case-folded: a bare word equal to one is a handle."""
            # 'لحرس' is a word, but it is 'حرس' with a clitic: not a known word.
            known = frozenset(w for w in words if not (w[0] in _CLITICS and w[1:] in words))
            self.known_words = known | PLATFORM_TOKENS
            """Every word of every name: a question's 'وللصحة' loses its 'ول' only if
            'صحه' is one."""
            self._add_names(known)
            self.lookalikes = LookalikeIndex(official_handles)
        # No gc.freeze() here: it is process-wide, and a rebuild runs while the bot
        # answers, so it would freeze every handler's objects with the index (and keep
        # their cycles forever). The process freezes once, after its first index is
        # built and before it serves anyone (db.registry_index.IndexCache).

    def _add_entities(self, entities: Iterable[Entity]) -> tuple[set[str], list[tuple[str, str]]]:
        """Stores each entity and indexes its accounts. Returns the words of all names
        and the active accounts' handles (with their owner) for the look-alike index."""
        words: set[str] = set()
        official_handles: list[tuple[str, str]] = []
        for entity in entities:
            entity_id = self.entities.add(entity)
            self._by_key[self.key(entity_id)] = entity_id
            if entity.status is EntityStatus.ACTIVE:
                self.active_by_kind[entity.kind].append(entity_id)
            for account in entity.accounts:
                key = account.key
                self._accounts[key] = entity_id
                if account.platform_id:
                    self._platform_ids[(account.platform, account.platform_id)] = entity_id
                if account.status is AccountStatus.ACTIVE:
                    official_handles.append((key[1], entity_id))
            self.account_count += len(entity.accounts)
            for person in entity.spokespeople:
                for ref in person.accounts:
                    self._spokesperson_accounts[ref.key] = entity_id
            for name in entity_names(entity):
                words.update(match_words(name))
        words.difference_update(STOPWORDS)
        return words, official_handles

    def _add_names(self, known: frozenset[str]) -> None:
        """Fills the name tables. A second pass over the stored entities: a name's words
        lose a clitic ('لحرس الحدود' -> 'حرس حدود') only if the bare word is a word of
        some name, which is known once every name has been read. Normalizing again costs
        less than keeping a million normalized names until then."""
        fuzzy_names: list[str] = []
        for entity_id, naming in self.entities.namings():
            for name in entity_names(naming):
                forms = name_forms(name, known)
                if not forms.content:
                    continue
                add(self._exact, forms.key, entity_id)
                if forms.core:
                    add(self._core, forms.core, entity_id)
                    for word in set(forms.core.split()):
                        posting = self._core_words.get(word)
                        if posting is None:
                            posting = self._core_words[word] = array("I")
                        posting.append(len(fuzzy_names))
                    fuzzy_names.append(forms.core)
                    self._fuzzy_owner.append(entity_id)
                    self._fuzzy_kind.append(forms.kind or naming.kind)
        self.fuzzy = FuzzyIndex(fuzzy_names)

    # Names

    def exact(self, key: str) -> list[Entity]:
        return [self.entities[i] for i in values(self._exact.get(key))]

    def core(self, core: str) -> list[Entity]:
        return [self.entities[i] for i in values(self._core.get(core))]

    def fuzzy_search(self, core: str, limit: int, cutoff: float = 50) -> list[NameHit]:
        """Entities whose names resemble `core`, best first."""
        return [
            NameHit(self.entities[self._fuzzy_owner[p]], self._fuzzy_kind[p], score, name)
            for p, score, name in self.fuzzy.search(core, limit=limit, cutoff=cutoff)
        ]

    def containing(self, words: set[str], limit: int = 50) -> list[NameHit]:
        """Names whose core holds every one of `words` ('دفاع' -> 'دفاع', 'دفاع مدني'),
        scored by how much of the core the words are."""
        postings = sorted((self._core_words.get(w, array("I")) for w in words), key=len)
        if not postings or not postings[0]:
            return []
        common = set(postings[0]).intersection(*postings[1:])
        hits = []
        for position in sorted(common)[:limit]:
            core = self.fuzzy.name(position)
            score = 100.0 * len(words) / len(core.split())
            owner = self.entities[self._fuzzy_owner[position]]
            hits.append(NameHit(owner, self._fuzzy_kind[position], score, core))
        return sorted(hits, key=lambda hit: -hit.score)

    @property
    def alias_count(self) -> int:
        return len(self.fuzzy)

    # Handles

    def account(self, platform: Platform, handle: str) -> AccountHit | None:
        key = handle_key(platform, handle)
        entity = self._owner(self._accounts, key)
        if entity is None:
            return None
        return next(AccountHit(entity, a) for a in entity.accounts if a.key == key)

    def account_by_platform_id(self, platform: Platform, platform_id: str) -> AccountHit | None:
        entity = self._owner(self._platform_ids, (platform, platform_id))
        if entity is None:
            return None
        return next(
            AccountHit(entity, a)
            for a in entity.accounts
            if a.platform is platform and a.platform_id == platform_id
        )

    def spokesperson_account(self, platform: Platform, handle: str) -> SpokespersonHit | None:
        key = handle_key(platform, handle)
        entity = self._owner(self._spokesperson_accounts, key)
        if entity is None:
            return None
        return next(
            SpokespersonHit(entity, person)
            for person in entity.spokespeople
            if any(ref.key == key for ref in person.accounts)
        )

    def non_official_handle(self, platform: Platform, handle: str) -> NonOfficial | None:
        return self._non_official.get(handle_key(platform, handle))

    # Entities

    @staticmethod
    def key(entity_id: str) -> str:
        """Ten characters that name an entity in a button or a deep link (Telegram's
        button data is 64 bytes): ids may be long, Arabic never appears in them, and the
        key is the same in every process and version."""
        return hashlib.blake2s(entity_id.encode(), digest_size=5).hexdigest()

    def by_key(self, key: str) -> Entity | None:
        """The entity a button or a deep link names, if this registry still has it."""
        return self._owner(self._by_key, key)

    def _owner(self, table: Mapping[_K, str], key: _K) -> Entity | None:
        """The entity whose id `table` holds under `key`, decoded."""
        entity_id = table.get(key)
        return self.entities[entity_id] if entity_id is not None else None

    def successors(self, entity: Entity) -> list[Entity]:
        return [self.entities[i] for i in entity.successors if i in self.entities]

    def current(self, entity: Entity) -> list[Entity]:
        """The active entities that now do what `entity` did (following renames)."""
        if entity.status is EntityStatus.ACTIVE:
            return [entity]
        seen: set[str] = {entity.id}
        frontier = self.successors(entity)
        found: list[Entity] = []
        while frontier:
            nxt = frontier.pop(0)
            if nxt.id in seen:
                continue
            seen.add(nxt.id)
            if nxt.status is EntityStatus.ACTIVE:
                found.append(nxt)
            else:
                frontier.extend(self.successors(nxt))
        return found
