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
from typing import Annotated, Any

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationInfo,
    field_validator,
    model_validator,
)

from knowledge.registry.handles import FORMATS, Platform, handle_key

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


def _check_partial_date(value: str) -> str:
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
    IMPERSONATION = "impersonation"
    """Imitates an official account or portal."""
    CONFLICTING = "conflicting"
    """Listed somewhere as official, contradicted by stronger evidence."""
    UNVERIFIED = "unverified"
    """Claimed somewhere, with nothing to corroborate it."""
    AMBIGUOUS = "ambiguous"
    """One of several candidates; none may be presented as official yet."""
    FLAGGED = "flagged"
    """Flagged as misleading, personal or dead by a source."""
    NOT_PRIMARY = "not_primary"
    """Exists, but is not the body's primary account."""


class Evidence(_Record):
    """Why the registry believes a record: where it was read and when."""

    sources: list[Text] = Field(min_length=1)
    checked: PartialDate
    confidence: Confidence
    note: Text | None = None


class LocalizedText(_Record):
    """A text in Arabic, English and French; a record needs at least one of them."""

    ar: Text | None = None
    en: Text | None = None
    fr: Text | None = None

    @model_validator(mode="after")
    def _one_language_at_least(self) -> LocalizedText:
        if not (self.ar or self.en or self.fr):
            raise ValueError("give the text in at least one of ar, en, fr")
        return self


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


class Spokesperson(_Record):
    """Who speaks for an entity, and since when the registry knows it."""

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


class Entity(_Record):
    """A ministry, authority, platform... with its accounts and spokespeople."""

    id: Slug
    name: LocalizedText
    aliases: list[Text] = Field(default_factory=list)
    kind: EntityKind
    parent: Slug | None = None
    website: Annotated[str, Field(pattern=r"^https?://[^\s/$.?#][^\s]*$")] | None = None
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


class NonOfficial(_Record):
    """A handle known NOT to be official: a fake, a conflicting or an unverified one."""

    platform: Platform
    handle: Handle
    imitates: Slug | None = None
    """The entity the handle claims to be or imitates."""
    reason: NonOfficialReason
    note: Text | None = None
    evidence: Evidence

    @property
    def key(self) -> tuple[Platform, str]:
        return handle_key(self.platform, self.handle)


class Registry(_Record):
    """The whole directory: what one import brings in, what one export writes out."""

    entities: list[Entity] = Field(default_factory=list)
    non_official: list[NonOfficial] = Field(default_factory=list)
