"""The answering engine: a question in, an Answer out, over one RegistryIndex.

Pure and synchronous: no Telegram, no database, no I/O. The bot and the terminal call it
with the text they received; the index they pass is rebuilt by `db/` when the registry
changes.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Literal

from knowledge.answer import (
    Answer,
    EntityMatch,
    Similar,
    Verdict,
    Verification,
    body_account,
    confirmed_account,
)
from knowledge.fuzzy import shares_a_word
from knowledge.index import RegistryIndex, name_forms
from knowledge.links import HandleRef, parse_handle
from knowledge.registry.handles import Platform
from knowledge.registry.schema import (
    Account,
    AccountStatus,
    Entity,
    EntityKind,
    EntityStatus,
    NonOfficialReason,
    Spokesperson,
)
from knowledge.understand import Intent, Lang, Understanding, understand
from knowledge.vocabulary import COMPATIBLE_KINDS, TYPE_WORDS

ACCEPT = 85.0
"""A fuzzy match this good, clear of the runner-up by MARGIN, is the answer."""
MARGIN = 6.0
CLEAR_ACCEPT = 75.0
"""A weaker match is still the answer when nothing else comes close (a typo in a long
name): CLEAR_MARGIN ahead of the runner-up."""
CLEAR_MARGIN = 20.0
SUGGEST = 65.0
"""Below ACCEPT but above this, matches are offered as candidates."""
KIND_PENALTY = 15.0
"""'هيئة الصحة' must not land on 'وزارة الصحة' when a health authority exists."""
MAX_CANDIDATES = 3
SHORTEST_GUESS = 5
"""A name core shorter than this is never guessed confidently, only offered: 'ساند' is
one letter from 'مساند', which is another body."""
LOOKALIKE_CANDIDATES = 10
"""Resemblances asked of the all-platform look-alike index before keeping the asked
platform's: the same skeleton on other platforms must not crowd the right one out."""
LIST_LIMIT = 100
"""Entities a list answer carries; `Answer.total` says how many the kind has."""
SUGGESTION_FLOOR = 30.0
"""When nothing matches, names scoring above this are still shown as 'nearest'."""


@dataclass(frozen=True)
class MatchResult:
    matches: list[EntityMatch]
    how: Literal["exact", "fuzzy"] | None
    covered: int
    """How many of the question's words the matched name accounts for."""


class Engine:
    def __init__(self, index: RegistryIndex, default_lang: Lang = "ar"):
        self.index = index
        self.default_lang = default_lang

    def answer(
        self,
        question: str,
        lang: Lang | None = None,
        intent: Intent | None = None,
        fallback_lang: Lang | None = None,
        subject: str | None = None,
    ) -> Answer:
        """`lang` is the user's chosen language; otherwise the question's, else
        `fallback_lang` (the user's app language, for a bare handle), else the default.
        `intent` is set by commands that say what they ask (/verify, /spokesperson).
        `subject` is the id of the entity the conversation is about (the card the
        question replies to, or the last one): a follow-up that names no body ("and the
        spokesperson?", "وانستقرام؟") is about it."""
        found = understand(question, self.index.known_words, self.index.known_handles)
        reply_lang: Lang = lang or found.lang or fallback_lang or self.default_lang
        if intent is Intent.VERIFY and not found.handles:
            ref = parse_handle(question)
            found = replace(found, intent=Intent.VERIFY, handles=[ref] if ref else [])
        elif intent is not None:
            found = replace(found, intent=intent)
        intent = found.intent
        if intent is Intent.VERIFY:
            verifications = [self.verify(ref) for ref in found.handles]
            return Answer(question, reply_lang, intent, verifications=verifications)
        if intent is Intent.LIST_KIND:
            return self._list(found, reply_lang)
        if intent in (Intent.HELP, Intent.GREETING, Intent.OUT_OF_SCOPE, Intent.REPORT_FAKE):
            return Answer(question, reply_lang, intent)
        if subject is not None and subject in self.index.entities and _follows_up(found):
            matches = self._with_successors(
                [EntityMatch(self.index.entities[subject], 100.0, True)]
            )
            return self._about(found, reply_lang, matches)
        cue = found.asks_for_account or intent in (Intent.SPOKESPERSON, Intent.MINISTER)
        # Without an account word, fuzzy matching is for one distinctive word (a typo in a
        # name said alone); a longer question would only find names that look alike.
        fuzzy = cue or len(name_forms(" ".join(found.strong)).core.split()) <= 1
        result = self.match(found.mention, found.kind, found.weak, fuzzy)
        matches = result.matches if self._believable(found, result) else []
        if found.about_fakes and not (matches and matches[0].confident):
            return Answer(question, reply_lang, Intent.REPORT_FAKE)
        if not matches:
            if found.greeting or found.help:
                intent = Intent.GREETING if found.greeting else Intent.HELP
                return Answer(question, reply_lang, intent)
            if not found.asks_for_account and intent is not Intent.SPOKESPERSON:
                return Answer(question, reply_lang, Intent.OUT_OF_SCOPE)
            nearest = self.nearest(found.strong, found.kind)
            return Answer(question, reply_lang, intent, found.platform, nearest=nearest)
        return self._about(found, reply_lang, matches)

    def _about(self, found: Understanding, lang: Lang, matches: list[EntityMatch]) -> Answer:
        """The answer about the entities matched (a spokesperson's question brings the
        people of the body it found)."""
        people: list[tuple[Entity, Spokesperson]] = []
        if found.intent is Intent.SPOKESPERSON and matches and matches[0].confident:
            target = self._current(matches[0].entity)
            people = [(target, p) for p in spokespeople(target)]
        return Answer(found.text, lang, found.intent, found.platform, matches, spokespeople=people)

    @staticmethod
    def _believable(found: Understanding, result: MatchResult) -> bool:
        """A question with no account word, platform or kind of body ('best shawarma in
        Jeddah') is about the registry only if the name it matched is most of it."""
        if found.asks_for_account or found.intent is Intent.SPOKESPERSON or not result.matches:
            return True
        words = len(found.strong) or len(found.mention)
        if result.how == "fuzzy":
            confident = result.matches[0].confident
            return words <= 2 and confident and not (found.greeting or found.help)
        return result.covered * 2 >= words

    def card(self, entity_id: str, lang: Lang, intent: Intent = Intent.OFFICIAL_ACCOUNTS) -> Answer:
        """An entity's card, for buttons and deep links that name an entity by id."""
        entity = self.index.entities[entity_id]
        match = EntityMatch(entity, 100.0, True, self.index.successors(entity))
        people = (
            [(entity, p) for p in spokespeople(entity)] if intent is Intent.SPOKESPERSON else []
        )
        return Answer(entity_id, lang, intent, entities=[match], spokespeople=people)

    # Matching

    def match(
        self,
        mention: tuple[str, ...],
        kind: EntityKind | None,
        weak: frozenset[str] = frozenset(),
        fuzzy: bool = True,
    ) -> MatchResult:
        """Entities named by `mention`, best first; renamed bodies bring their successors.
        Without `fuzzy` only exact names count (a long question that is not about accounts
        would only find look-alike names)."""
        strong = tuple(w for w in mention if w not in weak)
        result = self._exact(mention, kind, weak)
        if not result.matches:
            result = self._contained(strong, kind)
        if not result.matches and fuzzy:
            result = self._fuzzy_windows(strong, kind)
        return replace(result, matches=self._with_successors(result.matches))

    def _exact(
        self, mention: tuple[str, ...], kind: EntityKind | None, weak: frozenset[str]
    ) -> MatchResult:
        """The longest run of the mention's words that is exactly a name or an alias, or
        exactly the core of one ('الدفاع المدني'); a run of weak words only counts when
        no other run matches. Of two runs as long, one that starts with a kind word is
        the name ('ministère du Commerce', not 'information ministère')."""
        fallback = MatchResult([], None, 0)
        for size in range(len(mention), 0, -1):
            starts = range(len(mention) - size + 1)
            for start in sorted(starts, key=lambda i: mention[i] not in TYPE_WORDS):
                window = mention[start : start + size]
                found = self._window(window, kind)
                if found and not set(window) <= weak:
                    return MatchResult(found, "exact", size)
                if found and not fallback.matches:
                    fallback = MatchResult(found, "exact", size)
        return fallback

    def _window(self, window: tuple[str, ...], kind: EntityKind | None) -> list[EntityMatch]:
        hits = self.index.exact(" ".join(sorted(set(window))))
        if hits:
            return _ranked(hits, kind)
        forms = name_forms(" ".join(window))
        if not forms.core:
            return []
        wanted = kind or forms.kind
        hits = [e for e in self.index.core(forms.core) if wanted is None or _fits(wanted, e.kind)]
        return self._with_alternatives(_ranked(hits, wanted), forms.core, wanted)

    def _with_alternatives(
        self, matches: list[EntityMatch], core: str, kind: EntityKind | None
    ) -> list[EntityMatch]:
        """A short name ('الدفاع') that is all of one body's name and part of others'
        ('الدفاع المدني') is answered with the first, and the others offered beside it."""
        if len(matches) != 1:
            return matches
        words = set(core.split())
        chosen = matches[0].entity.id
        others: dict[str, EntityMatch] = {}
        for hit in self.index.containing(words):
            fits = kind is None or _fits(kind, hit.kind or hit.entity.kind)
            if hit.entity.id != chosen and fits and words < set(hit.core.split()):
                others.setdefault(hit.entity.id, EntityMatch(hit.entity, hit.score, False))
        return matches + list(others.values())[: MAX_CANDIDATES - 1]

    def _contained(self, strong: tuple[str, ...], kind: EntityKind | None) -> MatchResult:
        """The distinctive words of a name, said alone ('هيئة الزكاة' for هيئة الزكاة
        والضريبة والجمارك): one body whose name holds them all is the answer; a few are
        candidates; many mean the words are not distinctive."""
        words = set(name_forms(" ".join(strong)).core.split())
        if not words:
            return MatchResult([], None, 0)
        found: dict[str, EntityMatch] = {}
        for hit in self.index.containing(words):
            if kind is None or _fits(kind, hit.kind or hit.entity.kind):
                found.setdefault(hit.entity.id, EntityMatch(hit.entity, hit.score, False))
        if len(found) == 1:
            [only] = found.values()
            return MatchResult([replace(only, confident=True)], "exact", len(strong))
        if 1 < len(found) <= MAX_CANDIDATES:
            return MatchResult(list(found.values()), "exact", len(strong))
        return MatchResult([], None, 0)

    def _fuzzy_windows(self, strong: tuple[str, ...], kind: EntityKind | None) -> MatchResult:
        """Fuzzy matching of the whole mention, then of the runs that start at a kind word
        ('وزارة الموارد البشرية' in a question that goes on about something else)."""
        best = MatchResult(self._fuzzy(" ".join(strong), kind), "fuzzy", len(strong))
        if best.matches and best.matches[0].confident:
            return best
        starts = [i for i, w in enumerate(strong) if w in TYPE_WORDS]
        for start in starts:
            for end in range(len(strong), start + 1, -1):
                window = strong[start:end]
                found = self._fuzzy(" ".join(window), kind)
                if found and found[0].confident:
                    return MatchResult(found, "fuzzy", len(window))
        return best

    def _fuzzy(self, mention: str, kind: EntityKind | None) -> list[EntityMatch]:
        core = name_forms(mention).core
        if len(core) < 3:  # abbreviations are exact aliases, never fuzzy
            return []
        best: dict[str, tuple[Entity, float]] = {}
        cores: dict[str, str] = {}
        kinds: dict[str, EntityKind] = {}
        for hit in self.index.fuzzy_search(core, limit=20):
            score = hit.score
            if kind is not None and not _fits(kind, hit.kind or hit.entity.kind):
                score -= KIND_PENALTY
            if hit.entity.id not in best or best[hit.entity.id][1] < score:
                best[hit.entity.id] = (hit.entity, score)
                cores[hit.entity.id] = hit.core
                kinds[hit.entity.id] = hit.kind or hit.entity.kind
        # The kind the question names comes first: 'وزارة الصحی' should offer the
        # ministry before a council whose name happens to score higher.
        ranked = sorted(
            best.values(),
            key=lambda pair: (kind is not None and not _fits(kind, pair[0].kind), -pair[1]),
        )
        ranked = [pair for pair in ranked if pair[1] >= SUGGEST]
        if not ranked:
            return []
        top, top_score = ranked[0]
        runner_up = ranked[1][1] if len(ranked) > 1 else 0.0
        kind_fits = kind is None or _fits(kind, top.kind)
        clear = (top_score >= ACCEPT and top_score - runner_up >= MARGIN) or (
            top_score >= CLEAR_ACCEPT and top_score - runner_up >= CLEAR_MARGIN
        )
        if clear and kind_fits and len(core) >= SHORTEST_GUESS:
            return [EntityMatch(top, top_score, True)]
        words = set(core.split())
        related = [(e, s) for e, s in ranked if _related(words, kind, cores[e.id], kinds[e.id])]
        return [EntityMatch(e, s, False) for e, s in related[:MAX_CANDIDATES]]

    def nearest(self, mention: tuple[str, ...], kind: EntityKind | None) -> list[EntityMatch]:
        """At most one name to offer when nothing matched (never confident): one that
        shares a distinctive word with the question, or the kind of body it names.
        'حساب المواطن' is a programme the registry does not hold; names that merely
        look alike (الموانئ, حفر الباطن) are unrelated bodies, not a nearest name."""
        core = name_forms(" ".join(mention)).core
        words = set(core.split())
        for hit in self.index.fuzzy_search(core, limit=10, cutoff=SUGGESTION_FLOOR):
            if _related(words, kind, hit.core, hit.kind or hit.entity.kind):
                return [EntityMatch(hit.entity, hit.score, False)]
        return []

    def _with_successors(self, matches: list[EntityMatch]) -> list[EntityMatch]:
        result: list[EntityMatch] = []
        for match in matches:
            if match.entity.status is EntityStatus.ACTIVE:
                result.append(match)
                continue
            successors = self.index.current(match.entity)
            result.append(EntityMatch(match.entity, match.score, match.confident, successors))
            if match.confident:
                known = {m.entity.id for m in result}
                result.extend(
                    EntityMatch(s, match.score, True) for s in successors if s.id not in known
                )
        return result

    def _current(self, entity: Entity) -> Entity:
        current = self.index.current(entity)
        return current[0] if current else entity

    def _list(self, found: Understanding, lang: Lang) -> Answer:
        """The first LIST_LIMIT active entities of the kind asked for, and how many
        there are: a big registry has thousands of municipalities, and nobody reads them
        in a chat."""
        kind = found.kind or EntityKind.MINISTRY
        extra = COMPATIBLE_KINDS.get(kind, frozenset()) if kind is EntityKind.MUNICIPALITY else ()
        kinds = [kind, *sorted(extra)]
        ids = [i for k in kinds for i in self.index.active_by_kind.get(k, [])]
        entities = [EntityMatch(self.index.entities[i], 100.0, True) for i in ids[:LIST_LIMIT]]
        return Answer(
            found.text,
            lang,
            Intent.LIST_KIND,
            found.platform,
            entities,
            kind=kind.value,
            total=len(ids),
        )

    # Verification

    def verify(self, ref: HandleRef) -> Verification:
        """'official' only on an exact match of a confirmed account. A link or a named
        platform is checked on that platform only. A bare @handle is checked on X first
        (where @names live): a record there decides, so an X handle retired on X is never
        called official because another platform's account has the same name; only when X
        has no record of it do the other platforms' records answer, naming the platform.
        When X's record is not official but another platform's official account has the
        handle, the answer names that account too (`also`), never as X's."""
        if ref.platform is not None:
            return self._verify_on(ref, ref.platform)
        on_x = self._record_on(ref, Platform.X)
        if on_x is not None:
            if on_x.verdict is Verdict.OFFICIAL:
                return on_x
            return replace(on_x, also=self._official_elsewhere(ref))
        for platform in _bare_handle_platforms(self.index, ref.handle):
            found = self._record_on(ref, platform)
            if found is not None:
                return replace(found, elsewhere=self._official_account(found, Platform.X))
        return self._resemblance(ref, Platform.X)

    def verify_platform_id(
        self, platform: Platform, platform_id: str, raw: str
    ) -> Verification | None:
        """A forwarded post's origin may carry only a numeric id: match it exactly."""
        hit = self.index.account_by_platform_id(platform, platform_id)
        if hit is None:
            return None
        return self._account_verdict(raw, platform, hit.account.handle, hit.entity, hit.account)

    def _verify_on(self, ref: HandleRef, platform: Platform) -> Verification:
        return self._record_on(ref, platform) or self._resemblance(ref, platform)

    def _record_on(self, ref: HandleRef, platform: Platform) -> Verification | None:
        """The verdict of a record of this exact handle on `platform`, if there is one."""
        index = self.index
        hit = index.account(platform, ref.handle)
        if hit is not None:
            found = self._account_verdict(ref.raw, platform, ref.handle, hit.entity, hit.account)
            return self._taken_over(found) or found
        person_hit = index.spokesperson_account(platform, ref.handle)
        if person_hit is not None:
            person = person_hit.person
            confirmed = person.official
            return Verification(
                ref.raw,
                platform,
                ref.handle,
                Verdict.OFFICIAL if confirmed else Verdict.UNCONFIRMED,
                person_hit.entity,
                spokesperson=person,
            )
        listed = index.non_official_handle(platform, ref.handle)
        if listed is None:
            return None
        verdict = _LISTED_VERDICTS[listed.reason]
        imitated = index.entities.get(listed.imitates) if listed.imitates else None
        if imitated is None or verdict is Verdict.UNKNOWN:
            return Verification(ref.raw, platform, ref.handle, verdict, non_official=listed)
        imitated = self._current(imitated)
        return Verification(
            ref.raw,
            platform,
            ref.handle,
            verdict,
            imitated,
            official=confirmed_account(imitated, platform) or confirmed_account(imitated),
            official_entity=imitated,
            non_official=listed,
        )

    def _taken_over(self, found: Verification) -> Verification | None:
        """A former account whose released handle is on record as an impersonation: ⛔,
        with the history kept (whose it was, until when, the account now in use)."""
        if found.verdict is not Verdict.FORMER or found.platform is None:
            return None
        listed = self.index.non_official_handle(found.platform, found.handle)
        if listed is None or listed.reason is not NonOfficialReason.IMPERSONATION:
            return None
        return replace(found, verdict=Verdict.KNOWN_FAKE, non_official=listed)

    def _resemblance(self, ref: HandleRef, platform: Platform) -> Verification:
        """No record of the handle: a look-alike of an official handle, or unknown."""
        found = {
            hit.account.key: hit
            for r in self.index.lookalikes.find(ref.handle, limit=LOOKALIKE_CANDIDATES)
            if (hit := self.index.account(platform, r.official)) is not None
            and hit.account.platform is platform
        }
        resembled = list(found.values())  # one entry per account, best resemblance first
        if resembled:
            return Verification(
                ref.raw,
                platform,
                ref.handle,
                Verdict.LOOKALIKE,
                resembled[0].entity,
                official=resembled[0].account,
                official_entity=resembled[0].entity,
                similar_to=[Similar(h.account.handle, platform, h.entity) for h in resembled],
            )
        return Verification(ref.raw, platform, ref.handle, Verdict.UNKNOWN)

    def _account_verdict(
        self, raw: str, platform: Platform, handle: str, entity: Entity, account: Account
    ) -> Verification:
        """An account on record: official only when `Account.official`; an active
        account nothing confirms is unconfirmed (with the body's confirmed account, if
        any); a former one names the account now in use."""
        if account.official:
            return Verification(
                raw, platform, handle, Verdict.OFFICIAL, entity, account, account, entity
            )
        if account.status is AccountStatus.ACTIVE:
            confirmed = confirmed_account(entity, platform) or confirmed_account(entity)
            return Verification(
                raw, platform, handle, Verdict.UNCONFIRMED, entity, account, confirmed, entity
            )
        now = self._current(entity)
        replacement = body_account(now, platform) or body_account(now)
        return Verification(
            raw, platform, handle, Verdict.FORMER, entity, account, replacement, now
        )

    def _official_elsewhere(self, ref: HandleRef) -> Verification | None:
        """The official account with this bare handle on a platform other than X."""
        for platform in _bare_handle_platforms(self.index, ref.handle):
            hit = self.index.account(platform, ref.handle)
            if hit is not None and hit.account.official:
                return self._account_verdict(ref.raw, platform, ref.handle, hit.entity, hit.account)
        return None

    def _official_account(self, found: Verification, platform: Platform) -> Account | None:
        """The entity's account on `platform`, named beside a bare handle found elsewhere."""
        entity = found.official_entity or found.entity
        if entity is None or found.platform is platform:
            return None
        return body_account(entity, platform)


_LISTED_VERDICTS: dict[NonOfficialReason, Verdict] = {
    NonOfficialReason.IMPERSONATION: Verdict.KNOWN_FAKE,
    NonOfficialReason.NOT_PRIMARY: Verdict.UNCONFIRMED,
    NonOfficialReason.CONFLICTING: Verdict.UNCONFIRMED,
    NonOfficialReason.UNVERIFIED: Verdict.UNCONFIRMED,
    NonOfficialReason.NOT_GOVERNMENT: Verdict.UNKNOWN,
    NonOfficialReason.INVALID: Verdict.UNKNOWN,
}
"""What a handle on the registry's non-official list is told: ⛔ only for an impersonation
(its record must carry evidence); the others are not confirmed, or not in the registry
(a real account that is not a government body's, or a handle that does not exist)."""


def spokespeople(entity: Entity) -> list[Spokesperson]:
    """Current spokespeople first, most recent first; former ones after them."""

    def recency(person: Spokesperson) -> str:
        return person.since or person.as_of or ""

    current = sorted((p for p in entity.spokespeople if p.current), key=recency, reverse=True)
    former = sorted((p for p in entity.spokespeople if not p.current), key=recency, reverse=True)
    return current + former


def _related(words: set[str], kind: EntityKind | None, core: str, actual: EntityKind) -> bool:
    """Whether a name that did not match is still worth offering: it has one of the
    question's words (or the word with a slip), or it is of the kind the question names."""
    return shares_a_word(words, core) or (kind is not None and _fits(kind, actual))


def _follows_up(found: Understanding) -> bool:
    """A question that names no body but asks for something a body has: a platform, its
    spokesperson, its minister."""
    asks_for_more = found.intent in (Intent.PLATFORM_ACCOUNT, Intent.SPOKESPERSON, Intent.MINISTER)
    return asks_for_more and not found.handles and not found.strong


def _bare_handle_platforms(index: RegistryIndex, handle: str) -> list[Platform]:
    """The platforms other than X where the registry holds a record of this handle."""
    return [
        p
        for p in Platform
        if p is not Platform.X
        and (
            index.account(p, handle)
            or index.non_official_handle(p, handle)
            or index.spokesperson_account(p, handle)
        )
    ]


def _fits(wanted: EntityKind, actual: EntityKind) -> bool:
    return wanted is actual or actual in COMPATIBLE_KINDS.get(wanted, frozenset())


def _ranked(entities: list[Entity], kind: EntityKind | None) -> list[EntityMatch]:
    """Several exact hits are a real ambiguity ('Jeddah'), unless the kind decides it."""
    if kind is not None:
        fitting = [e for e in entities if _fits(kind, e.kind)]
        entities = fitting or entities
    confident = len(entities) == 1
    return [EntityMatch(e, 100.0, confident) for e in entities[:MAX_CANDIDATES]]
