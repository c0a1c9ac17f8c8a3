"""An answer as data: what the engine found, before any wording.

The same Answer becomes the JSON of `rasmi ask --json` (documented in docs/answer-json.md),
the plain text of the terminal chat and the HTML of a Telegram message, so the facts are
decided once and only the wording differs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from knowledge.normalize import normalize
from knowledge.registry.handles import Platform, profile_url
from knowledge.registry.schema import (
    Account,
    AccountRef,
    AccountRole,
    AccountStatus,
    Entity,
    Evidence,
    NonOfficial,
    Spokesperson,
)
from knowledge.understand import Intent, Lang

CONTACT_WORDS = frozenset(
    [
        *("رقم", "ارقام", "تواصل", "اتصال", "هاتف", "جوال", "ايميل", "بريد", "عنوان"),
        *("contact", "phone", "telephone", "email", "mail", "number", "reach", "office"),
        *("numero", "courriel", "joindre", "coordonnees", "bureau"),
    ]
)
"""Words of a question that asks for a contact, as `normalize` folds them."""


class Verdict(StrEnum):
    OFFICIAL = "official"
    """Exact match of an active account whose evidence is confirmed (`Account.official`)."""
    UNCONFIRMED = "unconfirmed"
    """On record, but nothing a citizen can open confirms it: an unconfirmed account, or a
    handle listed as not_primary, conflicting or unverified."""
    FORMER = "former"
    """A handle the entity used before."""
    KNOWN_FAKE = "known_fake"
    """Listed as an impersonation, with its evidence: the only verdict that says ⛔."""
    LOOKALIKE = "lookalike"
    """Not on record, but confusable with an official handle."""
    UNKNOWN = "unknown"
    """Not in the registry: not 'fake', just unknown (a handle listed as not a government
    body's, or as not existing, is unknown too, with its `non_official` record)."""


@dataclass(frozen=True)
class EntityMatch:
    entity: Entity
    score: float
    confident: bool
    """False for suggestions: the user has to pick."""
    successors: list[Entity] = field(default_factory=list)

    @property
    def current(self) -> Entity:
        """What the answer is about now: the first successor of a renamed body, else the
        entity itself."""
        return self.successors[0] if self.successors else self.entity


@dataclass(frozen=True)
class Similar:
    handle: str
    platform: Platform
    entity: Entity


@dataclass(frozen=True)
class Verification:
    input: str
    platform: Platform | None
    handle: str
    verdict: Verdict
    entity: Entity | None = None
    account: Account | None = None
    """The matched account (official, former)."""
    official: Account | None = None
    """The account to use instead (former, known_fake, lookalike) or the match itself."""
    official_entity: Entity | None = None
    """Whose `official` is: the successor when a renamed body's old handle is asked about."""
    non_official: NonOfficial | None = None
    spokesperson: Spokesperson | None = None
    """Set when the handle is a spokesperson's own account."""
    similar_to: list[Similar] = field(default_factory=list)
    elsewhere: Account | None = None
    """For a bare @handle found on another platform than X: the entity's account on X,
    so the answer says on which platform the handle is the entity's."""
    also: Verification | None = None
    """For a bare @handle whose X record is not official (a former handle, say): the
    official account with the same handle on another platform, named beside the verdict."""

    @property
    def evidence(self) -> Evidence | None:
        """What the verdict rests on. A ⛔ rests on the impersonation's evidence, even for
        a released handle whose former account is on record too (the takeover)."""
        if self.verdict is Verdict.KNOWN_FAKE and self.non_official is not None:
            return self.non_official.evidence
        if self.account is not None:
            return self.account.evidence
        if self.spokesperson is not None:
            return self.spokesperson.evidence
        if self.non_official is not None:
            return self.non_official.evidence
        return None


@dataclass(frozen=True)
class Answer:
    query: str
    lang: Lang
    intent: Intent
    platform: Platform | None = None
    entities: list[EntityMatch] = field(default_factory=list)
    verifications: list[Verification] = field(default_factory=list)
    spokespeople: list[tuple[Entity, Spokesperson]] = field(default_factory=list)
    kind: str | None = None
    total: int | None = None
    """For a list: how many entities the kind has (`entities` holds the first ones)."""
    nearest: list[EntityMatch] = field(default_factory=list)
    """When nothing in the registry matches: at most one related name to offer."""

    @property
    def asks_for_contact(self) -> bool:
        """A journalist asking how to reach a spokesperson ("ابي رقم تواصل المتحدث",
        "spokesperson's phone", "courriel du porte-parole"): the contact leads the answer."""
        words = normalize(self.query).split()
        return any(w in CONTACT_WORDS or w.removeprefix("ال") in CONTACT_WORDS for w in words)

    @property
    def confident(self) -> EntityMatch | None:
        return self.entities[0] if self.entities and self.entities[0].confident else None

    @property
    def answered(self) -> bool:
        """Whether the question got what it asked for: maintainers read the rest as gaps."""
        if self.intent is Intent.VERIFY:
            return bool(self.verifications)
        if self.intent is Intent.OUT_OF_SCOPE:
            return False
        if self.intent in (Intent.HELP, Intent.GREETING, Intent.LIST_KIND, Intent.REPORT_FAKE):
            return True
        return self.confident is not None

    def as_json(self, text: str) -> dict[str, Any]:
        return {
            "query": self.query,
            "lang": self.lang,
            "intent": self.intent.value,
            "entities": [_entity_json(m, self.platform) for m in self.entities],
            "total": self.total,
            "nearest": [_entity_json(m, self.platform) for m in self.nearest],
            "verification": _verification_json(self.verifications[0])
            if self.verifications
            else None,
            "verifications": [_verification_json(v) for v in self.verifications],
            "spokespeople": [_spokesperson_json(e, p) for e, p in self.spokespeople],
            "text": text,
        }


_NEVER_THE_MAIN = frozenset({AccountRole.CUSTOMER_CARE, AccountRole.SPOKESPERSON})


def body_accounts(entity: Entity, platform: Platform | None = None) -> list[Account]:
    """The body's own active accounts, optionally on one platform (an official's personal
    account, role minister, is not the body's), ranked: confirmed first, role main
    first, X first."""
    active = [
        a
        for a in entity.accounts
        if a.status is AccountStatus.ACTIVE
        and a.role is not AccountRole.MINISTER
        and (platform is None or a.platform is platform)
    ]
    return sorted(active, key=_rank)


def _rank(account: Account) -> tuple[bool, bool, bool, bool]:
    return (
        not account.official,
        account.role is not AccountRole.MAIN,
        account.role in _NEVER_THE_MAIN,
        account.platform is not Platform.X,
    )


def body_account(entity: Entity, platform: Platform | None = None) -> Account | None:
    """THE rule for "the body's account", wherever one account must be named (a list, a
    spokesperson answer, the account to use instead of a fake or a former handle, an
    inline result): the first of `body_accounts` that is not customer care or a
    spokesperson's, so a care desk is never presented as the body's main account."""
    return next((a for a in body_accounts(entity, platform) if a.role not in _NEVER_THE_MAIN), None)


def confirmed_account(entity: Entity, platform: Platform | None = None) -> Account | None:
    """The body's best confirmed account, to name beside a handle that is not confirmed
    or fake: the main one if confirmed, else another confirmed one (a care desk, labelled
    with its role), else none."""
    return next((a for a in body_accounts(entity, platform) if a.official), None)


def names(entity: Entity) -> dict[str, str | None]:
    return {"ar": entity.name.ar, "en": entity.name.en, "fr": entity.name.fr}


def account_json(account: Account) -> dict[str, Any]:
    return {
        "platform": account.platform.value,
        "handle": account.handle,
        "url": profile_url(account.platform, account.handle),
        "role": account.role.value,
        "status": account.status.value,
        "since": account.since,
        "until": account.until,
        "official": account.official,
        "confidence": account.evidence.confidence.value,
        "checked": account.evidence.checked,
        "sources": [s.model_dump(mode="json", exclude_none=True) for s in account.evidence.sources],
    }


def _entity_json(match: EntityMatch, platform: Platform | None) -> dict[str, Any]:
    entity = match.entity
    accounts = [a for a in entity.accounts if platform is None or a.platform is platform]
    return {
        "id": entity.id,
        "name": names(entity),
        "kind": entity.kind.value,
        "status": entity.status.value,
        "status_date": entity.status_date,
        "website": entity.website,
        "score": round(match.score, 1),
        "confident": match.confident,
        "successors": [{"id": s.id, "name": names(s)} for s in match.successors],
        "accounts": [account_json(a) for a in accounts],
    }


def _evidence_json(evidence: Evidence | None) -> dict[str, Any] | None:
    if evidence is None:
        return None
    strongest = evidence.strongest
    return {
        "sources": [s.model_dump(mode="json", exclude_none=True) for s in evidence.sources],
        "checked": evidence.checked,
        "confidence": evidence.confidence.value,
        "confirmed": evidence.confirmed,
        "strongest": strongest.model_dump(mode="json", exclude_none=True) if strongest else None,
        "note": evidence.note,
    }


def _verification_json(v: Verification) -> dict[str, Any]:
    return {
        "input": v.input,
        "platform": v.platform.value if v.platform else None,
        "handle": v.handle,
        "verdict": v.verdict.value,
        "entity_id": v.entity.id if v.entity else None,
        "role": v.account.role.value if v.account else None,
        "until": v.account.until if v.account else None,
        "official_handle": v.official.handle if v.official else None,
        "official_url": profile_url(v.official.platform, v.official.handle) if v.official else None,
        "official_confirmed": v.official.official if v.official else None,
        "reason": v.non_official.reason.value if v.non_official else None,
        "similar_to": [
            {"handle": s.handle, "platform": s.platform.value, "entity_id": s.entity.id}
            for s in v.similar_to
        ],
        "elsewhere": _ref_json(v.elsewhere) if v.elsewhere else None,
        "also": _verification_json(v.also) if v.also else None,
        "evidence": _evidence_json(v.evidence),
    }


def _ref_json(account: Account | AccountRef) -> dict[str, Any]:
    return {
        "platform": account.platform.value,
        "handle": account.handle,
        "url": profile_url(account.platform, account.handle),
    }


def _spokesperson_json(entity: Entity, person: Spokesperson) -> dict[str, Any]:
    return {
        "name": {"ar": person.name.ar, "en": person.name.en, "fr": person.name.fr},
        "title": person.title.model_dump(exclude_none=True) if person.title else None,
        "role": person.role,
        "entity_id": entity.id,
        "since": person.since,
        "until": person.until,
        "as_of": person.as_of or person.since,
        "current": person.current,
        "accounts": [_ref_json(a) for a in person.accounts],
        "contact": person.contact.model_dump(mode="json", exclude_none=True)
        if person.contact
        else None,
        "evidence": _evidence_json(person.evidence),
    }
