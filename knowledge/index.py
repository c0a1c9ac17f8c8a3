"""The in-memory index of one registry version, built once and shared by every question.

Everything a question needs is a dictionary lookup away: entity names in normalized form,
handles by platform, former handles, non-official handles, spokespeople's accounts. `db/`
loads the registry and builds a new index when the registry changes; an index is never
modified, so readers need no lock.
"""

from __future__ import annotations

import hashlib
from array import array
from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass

from knowledge.fuzzy import FuzzyIndex
from knowledge.lookalike import LookalikeIndex
from knowledge.normalize import normalize, tokens
from knowledge.registry.handles import Platform, handle_key
from knowledge.registry.schema import (
    Account,
    AccountStatus,
    Entity,
    EntityKind,
    EntityStatus,
    NonOfficial,
    Registry,
    Spokesperson,
)
from knowledge.vocabulary import (
    GENERIC_WORDS,
    PLATFORM_TOKENS,
    STOPWORDS,
    TYPE_WORDS,
    fold_spelling,
)

HandleKey = tuple[Platform, str]
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
    return _forms(fold_spelling(normalize(text)), known_words)


def _forms(normalized: str, known_words: frozenset[str]) -> NameForms:
    words = [t for t in tokens(normalized, known_words) if t not in STOPWORDS]
    kind = next((TYPE_WORDS[w] for w in words if w in TYPE_WORDS), None)
    core = [w for w in words if w not in TYPE_WORDS and w not in GENERIC_WORDS]
    return NameForms(tuple(words), " ".join(core), kind)


def entity_names(entity: Entity) -> Iterator[str]:
    for name in (entity.name.ar, entity.name.en, entity.name.fr, *entity.aliases):
        if name:
            yield name


class RegistryIndex:
    """Lookups over one registry version."""

    def __init__(self, registry: Registry, version: str = ""):
        self.version = version
        self.registry = registry
        self.entities: dict[str, Entity] = {e.id: e for e in registry.entities}
        self.by_kind: dict[EntityKind, list[Entity]] = defaultdict(list)
        self.predecessors: dict[str, list[Entity]] = defaultdict(list)
        self.accounts: dict[HandleKey, AccountHit] = {}
        self.platform_ids: dict[tuple[Platform, str], AccountHit] = {}
        self.spokesperson_accounts: dict[HandleKey, SpokespersonHit] = {}
        self.non_official: dict[HandleKey, NonOfficial] = {n.key: n for n in registry.non_official}
        self.known_handles = frozenset(
            [a.key[1] for e in registry.entities for a in e.accounts]
            + [r.key[1] for e in registry.entities for p in e.spokespeople for r in p.accounts]
            + [key[1] for key in self.non_official]
        )
        """Every handle on record, case-folded: a bare word equal to one is a handle."""
        # Most names belong to one entity: a key maps to its id, and only the rare shared
        # key to a tuple of ids (a list per key cost 130 MB at a million names).
        self._exact: dict[str, str | tuple[str, ...]] = {}
        self._core: dict[str, str | tuple[str, ...]] = {}
        fuzzy_names: list[str] = []
        self._fuzzy_owner: list[str] = []
        self._core_words: dict[str, array[int]] = {}
        """For each word of a name core, the positions of the cores that contain it."""
        self._fuzzy_kind: list[EntityKind | None] = []

        self.keys: dict[str, str] = {e.id: short_key(e.id) for e in registry.entities}
        """A short stable key per entity, for Telegram's 64-byte button data and deep links."""
        self.by_key: dict[str, Entity] = {self.keys[e.id]: e for e in registry.entities}
        for entity in registry.entities:
            self.by_kind[entity.kind].append(entity)
            for successor in entity.successors:
                self.predecessors[successor].append(entity)
            self._add_accounts(entity)
        # Two passes: the words of all names are known only after the first, and the
        # second needs them to strip a clitic ('لحرس الحدود' -> 'حرس حدود').
        normalized = [
            (entity, fold_spelling(normalize(name)))
            for entity in registry.entities
            for name in entity_names(entity)
        ]
        words = {w for _, text in normalized for w in tokens(text) if w not in STOPWORDS}
        # 'لحرس' is a word of the first pass, but it is 'حرس' with a clitic: not a word.
        known = frozenset(w for w in words if not (w[0] in _CLITICS and w[1:] in words))
        for entity, text in normalized:
            forms = _forms(text, known)
            if not forms.content:
                continue
            _add(self._exact, forms.key, entity.id)
            if forms.core:
                _add(self._core, forms.core, entity.id)
                for word in set(forms.core.split()):
                    posting = self._core_words.get(word)
                    if posting is None:
                        posting = self._core_words[word] = array("I")
                    posting.append(len(fuzzy_names))
                fuzzy_names.append(forms.core)
                self._fuzzy_owner.append(entity.id)
                self._fuzzy_kind.append(forms.kind or entity.kind)
        self.known_words = frozenset(known | PLATFORM_TOKENS)
        """Every word of every name: a question's 'وللصحة' loses its 'ول' only if 'صحه' is one."""
        self.fuzzy = FuzzyIndex(fuzzy_names)
        self.lookalikes = LookalikeIndex(
            (hit.account.handle, hit.entity.id)
            for hit in self.accounts.values()
            if hit.account.status is AccountStatus.ACTIVE
        )

    def _add_accounts(self, entity: Entity) -> None:
        for account in entity.accounts:
            hit = AccountHit(entity, account)
            self.accounts[account.key] = hit
            if account.platform_id:
                self.platform_ids[(account.platform, account.platform_id)] = hit
        for person in entity.spokespeople:
            for ref in person.accounts:
                self.spokesperson_accounts[ref.key] = SpokespersonHit(entity, person)

    # Names

    def exact(self, key: str) -> list[Entity]:
        return [self.entities[i] for i in _ids(self._exact.get(key))]

    def core(self, core: str) -> list[Entity]:
        return [self.entities[i] for i in _ids(self._core.get(core))]

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
        return self.accounts.get(handle_key(platform, handle))

    def account_by_platform_id(self, platform: Platform, platform_id: str) -> AccountHit | None:
        return self.platform_ids.get((platform, platform_id))

    def spokesperson_account(self, platform: Platform, handle: str) -> SpokespersonHit | None:
        return self.spokesperson_accounts.get(handle_key(platform, handle))

    def non_official_handle(self, platform: Platform, handle: str) -> NonOfficial | None:
        return self.non_official.get(handle_key(platform, handle))

    # Entities

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

    def main_account(self, entity: Entity, platform: Platform | None = None) -> Account | None:
        """The account to name when one is needed: active, main role first, X first."""
        active = [a for a in entity.accounts if a.status is AccountStatus.ACTIVE]
        if platform is not None:
            active = [a for a in active if a.platform is platform]
        ranked = sorted(
            active, key=lambda a: (a.role.value != "main", a.platform is not Platform.X)
        )
        return ranked[0] if ranked else None


def short_key(entity_id: str) -> str:
    """Ten characters that name an entity in a button or a link: ids may be long, Arabic
    never appears in them, and the key is the same in every process and version."""
    return hashlib.blake2s(entity_id.encode(), digest_size=5).hexdigest()


def _add(table: dict[str, str | tuple[str, ...]], key: str, entity_id: str) -> None:
    found = table.get(key)
    if found is None:
        table[key] = entity_id
    elif isinstance(found, str):
        if found != entity_id:
            table[key] = (found, entity_id)
    elif entity_id not in found:
        table[key] = (*found, entity_id)


def _ids(found: str | tuple[str, ...] | None) -> tuple[str, ...]:
    if found is None:
        return ()
    return (found,) if isinstance(found, str) else found
