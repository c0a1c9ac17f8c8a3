"""The words of the pages, in one language: names, kinds, platforms, dates, the mark of an
account and the verdict on a handle. Built from the registry's records and `Answer`s with
the catalogs; Jinja2 escapes everything they return, so nothing here writes HTML.

The names of platforms, roles and kinds and the dates come from the answer renderer's
plain-text pieces (`Renderer(lang, html_mode=False)`), so the web and the bot call things
by the same words.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from urllib.parse import urlsplit

from knowledge.answer import Verdict, Verification
from knowledge.i18n import Messages
from knowledge.registry.handles import Platform, display_handle, profile_url
from knowledge.registry.schema import (
    Account,
    AccountRole,
    AccountStatus,
    Entity,
    EntityKind,
    Evidence,
    LocalizedText,
    NonOfficialReason,
    Source,
)
from knowledge.render import Renderer
from knowledge.understand import Lang

LANGS: tuple[Lang, ...] = ("ar", "en", "fr")
LANGUAGE_NAMES = {"ar": "العربية", "en": "English", "fr": "Français"}
"""Each language by its own name: the language links of every page, the admins' charts."""


@dataclass(frozen=True)
class Link:
    url: str
    label: str


@dataclass(frozen=True)
class Mark:
    symbol: str
    label: str
    css: str
    """official, former or unconfirmed: the page's colour for it."""


@dataclass(frozen=True)
class VerdictView:
    symbol: str
    css: str
    sentence: str
    reason: str | None
    instead: Link | None
    """The account to use instead, or the official account itself."""
    instead_of: str | None
    """Whose account `instead` is."""
    evidence: Evidence | None


class Words:
    def __init__(self, lang: Lang):
        self.lang = lang
        self.t = Messages(lang)
        self.plural = self.t.plural
        self._r = Renderer(lang, html_mode=False)
        self.dir = "rtl" if lang == "ar" else "ltr"
        self.comma = "، " if lang == "ar" else ", "

    def localized(self, text: LocalizedText | None) -> str:
        return self._r.localized(text) if text is not None else ""

    def name(self, entity: Entity) -> str:
        return self._r.name(entity)

    def became(self, entity: Entity, successors: list[Entity]) -> str:
        """What became of a body that no longer exists as it was, in the bot's words."""
        date = self.date(entity.status_date) or None
        return self._r.became(self.name(entity), [self.name(s) for s in successors], date)

    def kinds(self, kind: EntityKind | str) -> str:
        """A kind of body as a list's title ("Ministries")."""
        return self._r.kind(EntityKind(kind))

    def platform(self, platform: Platform) -> str:
        return self._r.platform(platform)

    def role(self, role: AccountRole) -> str:
        return self._r.role(role)

    def date(self, value: str | None) -> str:
        return self._r.date(value) if value else ""

    def handle(self, platform: Platform, handle: str) -> str:
        return display_handle(platform, handle)

    def profile(self, platform: Platform, handle: str) -> str:
        return profile_url(platform, handle)

    def source(self, evidence: Evidence | None) -> Link | None:
        """The source a citizen is shown: the strongest one they can open, labelled by its
        title in their language, else by the site's name. Never a dataset or a note."""
        shown = evidence.strongest if evidence is not None else None
        if shown is None or shown.url is None:
            return None
        return Link(shown.url, self.source_label(shown))

    def source_label(self, source: Source) -> str:
        title = self.localized(source.title)
        return title or urlsplit(source.url or "").hostname or source.url or ""

    def mark(self, account: Account) -> Mark:
        """✓ (official) only under THE rule (`Account.official`); a former handle says so; anything
        else on record is "not confirmed", never "fake"."""
        if account.official:
            return Mark("✓", self.t("Official"), "official")
        if account.status is AccountStatus.FORMER:
            return Mark("↩", self.t("Former handle"), "former")
        return Mark("⚠", self.t("Not confirmed"), "unconfirmed")

    def verdict(self, v: Verification) -> VerdictView:
        """The verdict on one handle, with the look-alike explanation, in words."""
        t = self.t
        handle = display_handle(v.platform, v.handle) if v.platform else f"@{v.handle}"
        entity = self.name(v.entity) if v.entity else ""
        instead = (
            Link(
                profile_url(v.official.platform, v.official.handle),
                self.handle(v.official.platform, v.official.handle),
            )
            if v.official is not None
            else None
        )
        instead_of = self.name(v.official_entity) if v.official_entity is not None else None
        if v.verdict is Verdict.OFFICIAL and v.spokesperson is not None:
            sentence = t(
                "{handle} is the account of {person}, {title} ({entity}).",
                handle=handle,
                person=self.localized(v.spokesperson.name),
                title=self.localized(v.spokesperson.title),
                entity=entity,
            )
            return VerdictView("✓", "official", sentence, None, None, None, v.evidence)
        if v.verdict is Verdict.OFFICIAL and v.account is not None:
            if v.account.role is AccountRole.MINISTER:
                sentence = t(
                    "{handle} is the personal account of the minister ({entity}), "
                    "not the body's own account.",
                    handle=handle,
                    entity=entity,
                )
            else:
                sentence = t(
                    "{handle} is an official {platform} account of {entity} ({role}).",
                    handle=handle,
                    platform=self.platform(v.account.platform),
                    entity=entity,
                    role=self.role(v.account.role),
                )
            return VerdictView("✓", "official", sentence, None, None, None, v.evidence)
        if v.verdict is Verdict.FORMER and v.account is not None:
            if v.account.until:
                sentence = t(
                    "{handle} was an account of {entity} until {date}; "
                    "it is no longer its official account.",
                    handle=handle,
                    entity=entity,
                    date=self.date(v.account.until),
                )
            else:
                sentence = t(
                    "{handle} was an account of {entity}; it is no longer its official account.",
                    handle=handle,
                    entity=entity,
                )
            return VerdictView("⚠", "former", sentence, None, instead, instead_of, v.evidence)
        if v.verdict is Verdict.KNOWN_FAKE and v.non_official is not None:
            reason = self._r.reason(v.non_official.reason)
            if v.non_official.reason is NonOfficialReason.IMPERSONATION:
                sentence = t("{handle} is NOT an official account.", handle=handle)
                if v.account is not None and v.entity is not None:  # a released handle
                    sentence += " " + self._r.released(v.account, v.entity, handle)
                return VerdictView("✕", "fake", sentence, reason, instead, instead_of, v.evidence)
            # ✕ is only for evidence of impersonation: anything else is "not confirmed".
            sentence = t("{handle} is not confirmed as an official account.", handle=handle)
            return VerdictView(
                "⚠", "unconfirmed", sentence, reason, instead, instead_of, v.evidence
            )
        if v.verdict is Verdict.LOOKALIKE:
            sentence = t(
                "{handle} is not in the registry, but it looks like {official}, the official "
                "account of {entity}. Impersonators use look-alike letters: check every character.",
                handle=handle,
                official=instead.label if instead else "",
                entity=entity,
            )
            return VerdictView("⚠", "lookalike", sentence, None, instead, instead_of, None)
        sentence = t(
            "{handle} is not in the registry of official {platform} accounts. "
            "That does not make it fake: check the accounts listed on the body's official website.",
            handle=handle,
            platform=self.platform(v.platform) if v.platform else "",
        )
        return VerdictView("ℹ", "unknown", sentence, None, None, None, None)


@cache
def words(lang: Lang) -> Words:
    return Words(lang)
