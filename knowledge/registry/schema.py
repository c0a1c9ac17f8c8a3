"""The registry of official accounts: what one record may say, checked field by field.

These models are the single definition of the registry. A YAML file is validated against
them, the database stores what they hold, an export writes them back, and the answering
engine reads them. Cross-record rules (unique ids, one owner per handle, known successor
ids) live in `validation`, because a single record cannot see the others.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from functools import lru_cache
from typing import Annotated, Any, ClassVar, Self

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    ValidationInfo,
    field_validator,
    model_validator,
)

from knowledge.registry.handles import FORMATS, Platform, handle_key
from knowledge.registry.sharing import validate_shared

_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
_PARTIAL_DATE = re.compile(r"\d{4}(?:-\d{2}(?:-\d{2})?)?")


def _partial_date(value: Any) -> Any:
    """Accept 2020, "2020-02" or 2020-02-25 (YAML reads the last as a date)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, int) and 1000 <= value <= 9999:
        return str(value)
    return value


@lru_cache(maxsize=4096)
def _check_partial_date(value: str) -> str:
    """Remembered per text: a registry repeats few dates (`checked: "2026-11"` on most
    records); an invalid one raises each time, as the cache keeps only results."""
    if not _PARTIAL_DATE.fullmatch(value):
        raise ValueError("a date must be YYYY, YYYY-MM or YYYY-MM-DD")
    year, month, day = ([int(p) for p in value.split("-")] + [1, 1])[:3]
    try:
        dt.date(year, month, day)
    except ValueError as exc:
        raise ValueError(f"{value} is not a calendar date") from exc
    return value


def _check_slug(value: str) -> str:
    if not _SLUG.fullmatch(value):
        raise ValueError("an id is lower-case letters and digits joined by single hyphens")
    return value


def _number_as_text(value: Any) -> Any:
    """`platform_id: 490074932` unquoted is read by YAML as a number; it is an id."""
    return str(value) if isinstance(value, int) and not isinstance(value, bool) else value


def _strip_at(value: Any) -> Any:
    """A leading @ is how people write a handle, not part of it."""
    return value.strip().removeprefix("@") if isinstance(value, str) else value


PartialDate = Annotated[str, BeforeValidator(_partial_date), AfterValidator(_check_partial_date)]
"""A date known to the year, the month or the day, kept as ISO text so it is never
made more precise than its source."""


def check_handle(handle: str, info: ValidationInfo) -> str:
    """Field validator: the handle must be possible on the record's platform."""
    platform = info.data.get("platform")
    if not isinstance(platform, Platform):
        return handle  # the platform itself was invalid and is reported on its own
    fmt = FORMATS[platform]
    if not fmt.is_valid(handle):
        raise ValueError(f"'{handle}' is not a valid {platform.value} handle: {fmt.description}")
    return handle


def check_until(until: str | None, info: ValidationInfo) -> str | None:
    """Field validator: a period does not end before it starts. Partial ISO dates compare
    correctly as text ("2020" < "2020-02" < "2020-02-25")."""
    since = info.data.get("since")
    if since and until and until < since:
        raise ValueError(f"'until' ({until}) is before 'since' ({since})")
    return until


Slug = Annotated[str, AfterValidator(_check_slug)]
PlatformId = Annotated[str, BeforeValidator(_number_as_text), Field(pattern=r"^[0-9]{1,25}$")]
"""The platform's numeric account id, which survives renames of the handle."""
Text = Annotated[str, Field(min_length=1, max_length=2000)]
"""Free text; surrounding white space is stripped (str_strip_whitespace, in pydantic's
core, so 100,000 records do not pay a Python call per field)."""
Handle = Annotated[
    str,
    BeforeValidator(_strip_at),
    Field(min_length=1, max_length=120),
    AfterValidator(check_handle),
]
"""A handle, checked against the format of the record's platform (declared before it)."""
EndDate = Annotated[PartialDate | None, AfterValidator(check_until)]
"""An 'until' date, checked against the record's 'since' (declared before it)."""


class _Record(BaseModel):
    """Every registry record: unknown fields are errors, not silently dropped."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    _shared_by_value: ClassVar[bool] = False
    """Equal raw mappings give one shared record while a registry is read (`sharing`):
    only for a record whose rules look at nothing outside it (no `info.data` of a parent,
    no context), as a raw mapping seen before is not validated again."""

    @model_validator(mode="wrap")
    @classmethod
    def _shared(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        return validate_shared(cls, data, handler, cls._shared_by_value)


class Confidence(StrEnum):
    CONFIRMED = "confirmed"
    UNCONFIRMED = "unconfirmed"


class EntityKind(StrEnum):
    MINISTRY = "ministry"
    AUTHORITY = "authority"
    COMMISSION = "commission"
    DIRECTORATE = "directorate"
    MUNICIPALITY = "municipality"
    EMIRATE = "emirate"
    GOVERNORATE = "governorate"
    PLATFORM = "platform"
    FUND = "fund"
    BANK = "bank"
    PROGRAMME = "programme"
    CENTER = "center"
    COUNCIL = "council"
    COURT = "court"
    ORGANIZATION = "organization"
    INSTITUTE = "institute"
    UNIVERSITY = "university"
    AGENCY = "agency"
    PRESIDENCY = "presidency"
    EMBASSY = "embassy"
    OTHER = "other"


class EntityStatus(StrEnum):
    ACTIVE = "active"
    RENAMED = "renamed"
    MERGED = "merged"
    DISSOLVED = "dissolved"


class AccountStatus(StrEnum):
    ACTIVE = "active"
    FORMER = "former"


class AccountRole(StrEnum):
    MAIN = "main"
    ENGLISH = "english"
    INTERNATIONAL = "international"
    CUSTOMER_CARE = "customer_care"
    NEWS = "news"
    REGIONAL = "regional"
    MEDIA = "media"
    SPOKESPERSON = "spokesperson"
    BRAND = "brand"
    MINISTER = "minister"
    """The minister's own account: an official's personal account, not the body's."""
    OTHER = "other"


class NonOfficialReason(StrEnum):
    """Why a handle is listed as not official. Only `impersonation` may give the ⛔
    verdict; every other reason is an honest "not confirmed" or "not a government account"."""

    IMPERSONATION = "impersonation"
    """Imitates an official account or portal: the evidence shows it."""
    NOT_PRIMARY = "not_primary"
    """Exists and may be the body's, but is not its primary account."""
    CONFLICTING = "conflicting"
    """Listed somewhere as official, contradicted by other evidence."""
    UNVERIFIED = "unverified"
    """Claimed somewhere, with nothing to corroborate it."""
    NOT_GOVERNMENT = "not_government"
    """A real account, but not a government body's (a person, a company, an event)."""
    INVALID = "invalid"
    """The handle does not exist or no longer exists on the platform."""


class SourceKind(StrEnum):
    """What a source is: it decides whether a citizen can open it, and how strong it is."""

    OFFICIAL_WEBSITE = "official_website"
    """The body's own website links or names the account."""
    GOVERNMENT_ANNOUNCEMENT = "government_announcement"
    """A government announcement (a press release, a decree, an official portal)."""
    NEWS = "news"
    """A news article."""
    PLATFORM_VERIFICATION = "platform_verification"
    """The platform's own verification mark, as seen on the profile."""
    PLATFORM_API = "platform_api"
    """The platform's API (numeric id, verified flag)."""
    DATASET = "dataset"
    """A dataset or repository: provenance for maintainers, not something to show."""
    MAINTAINER = "maintainer"
    """A maintainer's own review (a citizens' report they accepted, a call they made)."""


_NOT_OPENABLE = frozenset({SourceKind.DATASET, SourceKind.MAINTAINER})
_STRENGTH = {
    kind: rank
    for rank, kind in enumerate(
        (
            SourceKind.OFFICIAL_WEBSITE,
            SourceKind.GOVERNMENT_ANNOUNCEMENT,
            SourceKind.PLATFORM_VERIFICATION,
            SourceKind.PLATFORM_API,
            SourceKind.NEWS,
        )
    )
}
"""The order in which openable sources are shown to a citizen, strongest first."""


class LocalizedText(_Record):
    """A text in Arabic, English and French; a record needs at least one of them."""

    _shared_by_value = True

    ar: Text | None = None
    en: Text | None = None
    fr: Text | None = None

    @model_validator(mode="after")
    def _one_language_at_least(self) -> LocalizedText:
        if not (self.ar or self.en or self.fr):
            raise ValueError("give the text in at least one of ar, en, fr")
        return self


def _not_cut(url: str) -> str:
    if url.endswith(("…", "...")):
        raise ValueError("a URL cut with '…' leads nowhere: give the whole address")
    return url


Url = Annotated[
    str,
    Field(pattern=r"^https?://[^\s/$.?#][^\s]*$", max_length=2000),
    AfterValidator(_not_cut),
]
"""A whole http(s) URL, which a person can open."""


class Source(_Record):
    """One place the registry read a fact: a page a citizen can open, or provenance
    (a dataset, a maintainer's review) that stays with the maintainers."""

    _shared_by_value = True

    kind: SourceKind
    url: Url | None = None
    title: LocalizedText | None = None
    """What a citizen sees as the link's label, per language."""
    date: PartialDate | None = None
    """When the source said it: its publication or capture date."""
    note: Text | None = None
    """Provenance for maintainers (dataset, repository...): never in citizens' text."""

    @model_validator(mode="after")
    def _says_where(self) -> Source:
        if self.url is None and self.title is None and self.note is None:
            raise ValueError("a source needs a url, a title or a note")
        return self

    @property
    def openable(self) -> bool:
        """A citizen can open it: an http(s) page, and not a dataset or a maintainer's
        review (which are provenance, not evidence to show)."""
        return self.url is not None and self.kind not in _NOT_OPENABLE


class Evidence(_Record):
    """Why the registry believes a record: where it was read and when.

    The confirmation rule: `confidence: confirmed` needs at least one source a citizen
    can open (`Source.openable`); validation rejects it otherwise."""

    sources: list[Source] = Field(min_length=1)
    checked: PartialDate
    """When this record's sources were last checked."""
    confidence: Confidence
    note: Text | None = None
    """Maintainers' note: never in citizens' text."""

    @model_validator(mode="after")
    def _confirmation_rule(self) -> Evidence:
        if self.confidence is Confidence.CONFIRMED and not any(s.openable for s in self.sources):
            raise ValueError(
                "confidence: confirmed needs a source a person can open: a url of kind "
                "official_website, government_announcement, news, platform_verification "
                "or platform_api"
            )
        return self

    @property
    def confirmed(self) -> bool:
        """Confirmed under the confirmation rule (checked again here, so a record built
        without validation cannot claim it)."""
        return self.confidence is Confidence.CONFIRMED and any(s.openable for s in self.sources)

    @property
    def strongest(self) -> Source | None:
        """The openable source to show a citizen: the strongest kind, newest first
        within a kind; None when no source can be opened."""
        openable = [s for s in self.sources if s.openable]
        if not openable:
            return None
        newest_first = sorted(openable, key=lambda s: s.date or "", reverse=True)
        return min(newest_first, key=lambda s: _STRENGTH[s.kind])


class Account(_Record):
    """One account of an entity on one platform, current or former."""

    platform: Platform
    handle: Handle
    platform_id: PlatformId | None = None
    role: AccountRole = AccountRole.MAIN
    status: AccountStatus = AccountStatus.ACTIVE
    since: PartialDate | None = None
    until: EndDate = None
    evidence: Evidence
    note: Text | None = None

    @field_validator("until")
    @classmethod
    def _active_has_no_end(cls, until: str | None, info: ValidationInfo) -> str | None:
        if until and info.data.get("status") is AccountStatus.ACTIVE:
            raise ValueError("an active account has no 'until' date; set status: former")
        return until

    @property
    def key(self) -> tuple[Platform, str]:
        return handle_key(self.platform, self.handle)

    @property
    def official(self) -> bool:
        """THE rule for ✅: an active account whose evidence is confirmed."""
        return self.status is AccountStatus.ACTIVE and self.evidence.confirmed


class AccountRef(_Record):
    """A spokesperson's account: evidence is the spokesperson's own."""

    platform: Platform
    handle: Handle
    platform_id: PlatformId | None = None

    @property
    def key(self) -> tuple[Platform, str]:
        return handle_key(self.platform, self.handle)


class Contact(_Record):
    """A spokesperson's public office contact, never a private one."""

    email: Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")] | None = None
    phone: Annotated[str, Field(pattern=r"^\+?[0-9 ()-]{5,25}$")] | None = None
    website: Text | None = None
    office: LocalizedText | None = None
    """The office's name or address, per language."""


class Spokesperson(_Record):
    """Who speaks for an entity, and since when the registry knows it."""

    role: Slug = "spokesperson"
    """What the person speaks as: one current person per role and entity."""
    name: LocalizedText
    title: LocalizedText | None = None
    since: PartialDate | None = None
    until: EndDate = None
    as_of: PartialDate | None = None
    """When the information was last reported, for people with no known start date."""
    accounts: list[AccountRef] = Field(default_factory=list)
    contact: Contact | None = None
    evidence: Evidence

    @property
    def current(self) -> bool:
        return self.until is None

    @property
    def official(self) -> bool:
        """THE rule for a spokesperson's own accounts being answered as official: a current
        person whose evidence is confirmed."""
        return self.current and self.evidence.confirmed


class Entity(_Record):
    """A ministry, authority, platform... with its accounts and spokespeople."""

    id: Slug
    name: LocalizedText
    aliases: list[Text] = Field(default_factory=list)
    kind: EntityKind
    parent: Slug | None = None
    website: Url | None = None
    status: EntityStatus = EntityStatus.ACTIVE
    successors: list[Slug] = Field(default_factory=list, validate_default=True)
    status_date: PartialDate | None = None
    evidence: Evidence
    accounts: list[Account] = Field(default_factory=list)
    spokespeople: list[Spokesperson] = Field(default_factory=list)
    note: Text | None = None

    @field_validator("parent")
    @classmethod
    def _not_own_parent(cls, parent: str | None, info: ValidationInfo) -> str | None:
        if parent is not None and parent == info.data.get("id"):
            raise ValueError("an entity cannot be its own parent")
        return parent

    @field_validator("successors")
    @classmethod
    def _successors_fit_status(cls, successors: list[str], info: ValidationInfo) -> list[str]:
        status = info.data.get("status")
        if status is EntityStatus.ACTIVE and successors:
            raise ValueError("an active entity has no successors")
        if status in (EntityStatus.RENAMED, EntityStatus.MERGED) and not successors:
            raise ValueError(f"a {status.value} entity names its successors")
        if info.data.get("id") in successors:
            raise ValueError("an entity cannot succeed itself")
        return successors

    @field_validator("spokespeople")
    @classmethod
    def _one_current_per_role(cls, people: list[Spokesperson]) -> list[Spokesperson]:
        """A newer person does not silently end an older one: the file gives the older
        one its `until` date, or the registry reports both as current."""
        current: dict[str, int] = {}
        for index, person in enumerate(people):
            if not person.current:
                continue
            first = current.setdefault(person.role, index)
            if first != index:
                raise ValueError(
                    f"spokespeople[{first}] and spokespeople[{index}] are both current in "
                    f"the role '{person.role}': give the one who left an 'until' date"
                )
        return people


class NonOfficial(_Record):
    """A handle known NOT to be official, and why (`reason`). Its evidence is what the
    reason rests on: for `impersonation`, the evidence of the impersonation."""

    platform: Platform
    handle: Handle
    platform_id: PlatformId | None = None
    imitates: Slug | None = None
    """The entity the handle claims to be or imitates."""
    reason: NonOfficialReason
    note: Text | None = None
    evidence: Evidence

    @property
    def key(self) -> tuple[Platform, str]:
        return handle_key(self.platform, self.handle)


class Policy(_Record):
    """A policy or standard for government bodies' presence on social media."""

    id: Slug
    title: LocalizedText
    body: LocalizedText
    sources: list[Source] = Field(min_length=1)
    updated: PartialDate
    """When the policy was last updated."""


class Registry(_Record):
    """The whole directory: what one import brings in, what one export writes out."""

    entities: list[Entity] = Field(default_factory=list)
    non_official: list[NonOfficial] = Field(default_factory=list)
    policies: list[Policy] = Field(default_factory=list)
