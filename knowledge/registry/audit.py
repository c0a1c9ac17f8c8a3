"""The registry's health: what a maintainer should look at next.

A registry goes stale quietly: evidence checked years ago, accounts nobody confirmed,
spokespeople who left. The audit reads the registry (pure: records in, findings out, no
database, no network) and lists each weakness with where it is, so that `rasmi registry
audit` can print a summary table for a maintainer's CI and `/audit` can give admins the
counts.

Dates in the registry may be partial ("2025", "2025-06"): a partial date is read as the
LAST day it may mean (2025 -> 2025-12-31), so a record is called old only when it surely
is.

The audit is built to stream: `Audit.add_entity` takes one entity at a time, so the
database's pages or a 100,000-entity file never have to be held twice. The cyclic garbage
collector is paused during a pass (`paused_gc`): with a large registry alive, its scans
took 90% of the audit's time.
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from knowledge.registry.handles import Platform, display_handle
from knowledge.registry.schema import (
    Account,
    AccountStatus,
    Entity,
    EntityStatus,
    Evidence,
    NonOfficial,
    NonOfficialReason,
    Policy,
    Registry,
    Spokesperson,
)
from knowledge.registry.validation import paused_gc

DEFAULT_MAX_AGE_DAYS = 365
"""Evidence checked longer ago than this is stale."""
SPOKESPERSON_MAX_AGE_DAYS = 2 * 365
"""Spokespeople change often: a current one last reported two years ago needs a check."""

NUMERIC_ID_PLATFORMS = frozenset(Platform) - {Platform.YOUTUBE, Platform.WHATSAPP}
"""Platforms whose accounts have a numeric id that survives a rename. A YouTube channel's
id is a UC... string (its handle already holds it when known) and a WhatsApp account is
its phone number."""


class Check(StrEnum):
    """One kind of weakness; the order is the order of the summary table."""

    STALE_EVIDENCE = "stale_evidence"
    ALL_UNCONFIRMED = "all_unconfirmed"
    NO_NUMERIC_ID = "no_numeric_id"
    NO_ACCOUNTS = "no_accounts"
    TWO_CURRENT_SPOKESPEOPLE = "two_current_spokespeople"
    OLD_SPOKESPERSON = "old_spokesperson"
    CONFLICTING_CANDIDATE = "conflicting_candidate"
    SOURCE_WITHOUT_URL = "source_without_url"


DESCRIPTIONS: dict[Check, str] = {
    Check.STALE_EVIDENCE: "evidence checked more than {max_age} days ago",
    Check.ALL_UNCONFIRMED: "entities whose active accounts are all unconfirmed",
    Check.NO_NUMERIC_ID: "active accounts without a numeric id",
    Check.NO_ACCOUNTS: "active entities without an active account",
    Check.TWO_CURRENT_SPOKESPEOPLE: "two current spokespeople in one role",
    Check.OLD_SPOKESPERSON: "current spokespeople last reported over two years ago",
    Check.CONFLICTING_CANDIDATE: "handles in conflict (listed as official, contradicted)",
    Check.SOURCE_WITHOUT_URL: "sources without a URL",
}
"""What each check counts, for the maintainers' summary table (English, like the CLI)."""


@dataclass(frozen=True, slots=True)
class Finding:
    """One weakness, and where it is: `entity_id` (None for a non-official record or a
    policy) and `subject` (the account, the person, the record within it)."""

    check: Check
    entity_id: str | None
    subject: str
    detail: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "check": self.check.value,
            "entity_id": self.entity_id,
            "subject": self.subject,
            "detail": self.detail,
        }


@dataclass
class AuditReport:
    """Every finding, the count per check, and the size of what was audited."""

    today: str
    max_age_days: int
    findings: list[Finding] = field(default_factory=list)
    counts: Counter[Check] = field(default_factory=Counter)
    no_accounts_by_kind: Counter[str] = field(default_factory=Counter)
    entities: int = 0
    accounts: int = 0

    @property
    def clean(self) -> bool:
        return not self.findings

    def as_dict(self) -> dict[str, Any]:
        return {
            "today": self.today,
            "max_age_days": self.max_age_days,
            "entities": self.entities,
            "accounts": self.accounts,
            "counts": {check.value: self.counts[check] for check in Check},
            "no_accounts_by_kind": dict(self.no_accounts_by_kind.most_common()),
            "findings": [f.as_dict() for f in self.findings],
        }


def period_end(date: str) -> dt.date:
    """The last day a partial date may mean: "2025" -> 2025-12-31, "2025-02" -> 2025-02-28."""
    parts = [int(p) for p in date.split("-")]
    year = parts[0]
    month = parts[1] if len(parts) > 1 else 12
    day = parts[2] if len(parts) > 2 else calendar.monthrange(year, month)[1]
    return dt.date(year, month, day)


class Audit:
    """Collects findings record by record; `report` is the result so far."""

    def __init__(self, today: dt.date, max_age_days: int = DEFAULT_MAX_AGE_DAYS) -> None:
        self._today = today
        self._stale_before = today - dt.timedelta(days=max_age_days)
        self._spokesperson_before = today - dt.timedelta(days=SPOKESPERSON_MAX_AGE_DAYS)
        self.report = AuditReport(today.isoformat(), max_age_days)
        self._dates: dict[str, dt.date] = {}  # a registry has few distinct dates

    def add_registry(self, registry: Registry) -> AuditReport:
        self.add_entities(registry.entities)
        for record in registry.non_official:
            self.add_non_official(record)
        for policy in registry.policies:
            self.add_policy(policy)
        return self.report

    def add_entities(self, entities: Iterable[Entity]) -> None:
        for entity in entities:
            self.add_entity(entity)

    def add_entity(self, entity: Entity) -> None:
        self.report.entities += 1
        self.report.accounts += len(entity.accounts)
        self._evidence(entity.id, "entity", entity.evidence)
        active = [a for a in entity.accounts if a.status is AccountStatus.ACTIVE]
        for account in entity.accounts:
            self._account(entity.id, account)
        if entity.status is EntityStatus.ACTIVE and not active:
            self._find(Check.NO_ACCOUNTS, entity.id, "entity", f"kind {entity.kind.value}")
            self.report.no_accounts_by_kind[entity.kind.value] += 1
        if active and not any(a.evidence.confirmed for a in active):
            self._find(
                Check.ALL_UNCONFIRMED, entity.id, "entity", f"{len(active)} active account(s)"
            )
        self._spokespeople(entity.id, entity.spokespeople)

    def add_non_official(self, record: NonOfficial) -> None:
        subject = f"non_official {_account_name(record.platform, record.handle)}"
        self._evidence(record.imitates, subject, record.evidence)
        if record.reason is NonOfficialReason.CONFLICTING:
            imitates = f"claims to be {record.imitates}" if record.imitates else "claims no entity"
            self._find(Check.CONFLICTING_CANDIDATE, record.imitates, subject, imitates)

    def add_policy(self, policy: Policy) -> None:
        for index, source in enumerate(policy.sources):
            if source.url is None:
                self._find(
                    Check.SOURCE_WITHOUT_URL,
                    None,
                    f"policy {policy.id}",
                    f"sources[{index}] ({source.kind.value})",
                )

    def _account(self, entity_id: str, account: Account) -> None:
        subject = f"account {_account_name(account.platform, account.handle)}"
        self._evidence(entity_id, subject, account.evidence)
        if (
            account.status is AccountStatus.ACTIVE
            and account.platform_id is None
            and account.platform in NUMERIC_ID_PLATFORMS
        ):
            self._find(Check.NO_NUMERIC_ID, entity_id, subject, account.platform.value)

    def _spokespeople(self, entity_id: str, people: list[Spokesperson]) -> None:
        current_in_role: dict[str, Spokesperson] = {}
        for person in people:
            subject = f"spokesperson {_person_name(person)}"
            self._evidence(entity_id, subject, person.evidence)
            if not person.current:
                continue
            other = current_in_role.setdefault(person.role, person)
            if other is not person:
                self._find(
                    Check.TWO_CURRENT_SPOKESPEOPLE,
                    entity_id,
                    subject,
                    f"also current in the role '{person.role}': {_person_name(other)}",
                )
            reported = max(d for d in (person.as_of, person.since, person.evidence.checked) if d)
            if self._date(reported) < self._spokesperson_before:
                self._find(Check.OLD_SPOKESPERSON, entity_id, subject, f"last reported {reported}")

    def _evidence(self, entity_id: str | None, subject: str, evidence: Evidence) -> None:
        if self._date(evidence.checked) < self._stale_before:
            self._find(Check.STALE_EVIDENCE, entity_id, subject, f"checked {evidence.checked}")
        for index, source in enumerate(evidence.sources):
            if source.url is None:
                self._find(
                    Check.SOURCE_WITHOUT_URL,
                    entity_id,
                    subject,
                    f"sources[{index}] ({source.kind.value})",
                )

    def _date(self, text: str) -> dt.date:
        found = self._dates.get(text)
        if found is None:
            found = self._dates[text] = period_end(text)
        return found

    def _find(self, check: Check, entity_id: str | None, subject: str, detail: str) -> None:
        self.report.findings.append(Finding(check, entity_id, subject, detail))
        self.report.counts[check] += 1


def audit_registry(
    registry: Registry, today: dt.date, max_age_days: int = DEFAULT_MAX_AGE_DAYS
) -> AuditReport:
    """The findings of a whole registry."""
    with paused_gc():  # a bulk pass over objects that all stay alive: see `paused_gc`
        return Audit(today, max_age_days).add_registry(registry)


def _person_name(person: Spokesperson) -> str:
    return person.name.en or person.name.ar or person.name.fr or "?"


def _account_name(platform: Platform, handle: str) -> str:
    return f"{platform.value} {display_handle(platform, handle)}"
