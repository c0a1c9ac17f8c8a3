"""Answers in words: Telegram HTML or plain text, in Arabic, English or French.

Every sentence comes from the message catalog (`knowledge.i18n`). Every registry or user
string goes through `Style.text`, which escapes it for HTML; handles and links inside
Arabic text are wrapped in Unicode isolates so "@SaudiMOH" is never reordered by the
right-to-left line around it.
"""

from __future__ import annotations

import datetime as dt
import html
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache

from babel.dates import format_date

from knowledge.answer import Answer, EntityMatch, Verdict, Verification
from knowledge.engine import SUGGEST
from knowledge.guides import fakes_guide, personal_accounts
from knowledge.i18n import N_, Messages
from knowledge.registry.handles import Platform, display_handle, profile_url
from knowledge.registry.schema import (
    Account,
    AccountRole,
    AccountStatus,
    Entity,
    EntityKind,
    EntityStatus,
    Evidence,
    LocalizedText,
    NonOfficialReason,
    Spokesperson,
)
from knowledge.understand import Intent, Lang

FSI, PDI = "\u2068", "\u2069"
SOURCE_CHARS = 90
MAX_LISTED = 60

_PLATFORMS: dict[Platform, str] = {
    Platform.X: N_("X (Twitter)"),
    Platform.INSTAGRAM: N_("Instagram"),
    Platform.YOUTUBE: N_("YouTube"),
    Platform.TIKTOK: N_("TikTok"),
    Platform.SNAPCHAT: N_("Snapchat"),
    Platform.FACEBOOK: N_("Facebook"),
    Platform.LINKEDIN: N_("LinkedIn"),
    Platform.TELEGRAM: N_("Telegram"),
    Platform.WHATSAPP: N_("WhatsApp"),
    Platform.THREADS: N_("Threads"),
}
_ROLES: dict[AccountRole, str] = {
    AccountRole.MAIN: N_("main account"),
    AccountRole.ENGLISH: N_("English-language account"),
    AccountRole.INTERNATIONAL: N_("international account"),
    AccountRole.CUSTOMER_CARE: N_("customer care"),
    AccountRole.NEWS: N_("news"),
    AccountRole.REGIONAL: N_("regional account"),
    AccountRole.MEDIA: N_("media account"),
    AccountRole.SPOKESPERSON: N_("spokesperson's account"),
    AccountRole.BRAND: N_("brand account"),
    AccountRole.MINISTER: N_("the minister's personal account"),
    AccountRole.OTHER: N_("other account"),
}
_KINDS: dict[EntityKind, str] = {
    EntityKind.MINISTRY: N_("Ministries"),
    EntityKind.AUTHORITY: N_("Authorities"),
    EntityKind.COMMISSION: N_("Commissions"),
    EntityKind.DIRECTORATE: N_("Directorates"),
    EntityKind.MUNICIPALITY: N_("Municipalities"),
    EntityKind.EMIRATE: N_("Regional emirates"),
    EntityKind.GOVERNORATE: N_("Governorates"),
    EntityKind.PLATFORM: N_("Government platforms"),
    EntityKind.FUND: N_("Funds"),
    EntityKind.BANK: N_("Banks"),
    EntityKind.PROGRAMME: N_("Programmes"),
    EntityKind.CENTER: N_("Centers"),
    EntityKind.COUNCIL: N_("Councils"),
    EntityKind.COURT: N_("Courts"),
    EntityKind.ORGANIZATION: N_("Organizations"),
    EntityKind.INSTITUTE: N_("Institutes and academies"),
    EntityKind.UNIVERSITY: N_("Universities"),
    EntityKind.AGENCY: N_("Agencies"),
    EntityKind.PRESIDENCY: N_("Presidencies"),
    EntityKind.EMBASSY: N_("Embassies"),
    EntityKind.OTHER: N_("Other bodies"),
}
"""What a kind of body is called in a list's title."""
_REASONS: dict[NonOfficialReason, str] = {
    NonOfficialReason.IMPERSONATION: N_("It imitates an official account."),
    NonOfficialReason.CONFLICTING: N_("Stronger evidence points to another account."),
    NonOfficialReason.UNVERIFIED: N_("Nothing confirms that it is official."),
    NonOfficialReason.NOT_GOVERNMENT: N_("It is not a government body's account."),
    NonOfficialReason.INVALID: N_("This account does not exist on the platform."),
    NonOfficialReason.NOT_PRIMARY: N_("It is not the body's primary account."),
}
"""Why an account on the registry's list of non-official handles is there."""


@dataclass(frozen=True)
class Style:
    """How to mark text up: HTML for Telegram, nothing for the terminal and JSON."""

    html: bool
    lang: Lang

    def text(self, value: str) -> str:
        return html.escape(value, quote=False) if self.html else value

    def latin(self, value: str) -> str:
        """A handle, link or other left-to-right run, isolated inside Arabic text."""
        escaped = self.text(value)
        return f"{FSI}{escaped}{PDI}" if self.lang == "ar" else escaped

    def bold(self, value: str) -> str:
        return f"<b>{value}</b>" if self.html else value

    def italic(self, value: str) -> str:
        return f"<i>{value}</i>" if self.html else value

    def link(self, url: str, label: str) -> str:
        if self.html:
            return f'<a href="{html.escape(url, quote=True)}">{self.latin(label)}</a>'
        return f"{self.latin(label)} {self.latin(url)}"


class Renderer:
    def __init__(self, lang: Lang, html_mode: bool):
        self.t = Messages(lang)
        self.s = Style(html_mode, lang)
        self.lang = lang

    def render(self, answer: Answer) -> str:
        intent = answer.intent
        if intent is Intent.VERIFY and answer.verifications:
            return "\n\n".join(self.verification(v) for v in answer.verifications)
        if intent is Intent.VERIFY:
            return self.t("I could not read a handle or a link in that.") + "\n" + self.help()
        if intent is Intent.HELP:
            return self.help()
        if intent is Intent.GREETING:
            return self.t("Hello! I am Rasmi.") + "\n" + self.help()
        if intent is Intent.OUT_OF_SCOPE:
            return (
                self.t(
                    "I can only answer questions about the official accounts of government "
                    "bodies and their spokespeople."
                )
                + "\n"
                + self.help()
            )
        if intent is Intent.LIST_KIND:
            return self.listing(answer)
        if intent is Intent.REPORT_FAKE:
            return fakes_guide(self)
        if intent is Intent.MINISTER and answer.confident is not None:
            return personal_accounts(self, answer)
        if not answer.entities:
            return self.not_found(answer)
        if answer.confident is None:
            if answer.entities[0].score < SUGGEST:
                return self.not_found(answer)
            return self.candidates(answer.entities)
        if intent is Intent.SPOKESPERSON:
            return self.spokespeople(answer)
        return self.cards(answer)

    # Entities

    def cards(self, answer: Answer) -> str:
        first = answer.entities[0]
        parts: list[str] = []
        if first.entity.status is not EntityStatus.ACTIVE:
            parts.append(self.succession(first.entity, first.successors))
            shown = [m for m in answer.entities[1:] if m.confident]
            if not shown:
                parts.append(self.entity_card(first.entity, answer.platform))
        else:
            shown = [first]
        parts.extend(self.entity_card(m.entity, answer.platform) for m in shown)
        return "\n\n".join(parts)

    def entity_card(self, entity: Entity, platform: Platform | None = None) -> str:
        t, s = self.t, self.s
        name = self.name_text(entity)
        active = [
            a
            for a in entity.accounts
            if a.status is AccountStatus.ACTIVE and a.role is not AccountRole.MINISTER
        ]
        personal = [
            a
            for a in entity.accounts
            if a.status is AccountStatus.ACTIVE and a.role is AccountRole.MINISTER
        ]
        former = [a for a in entity.accounts if a.status is AccountStatus.FORMER]
        lines: list[str] = []
        if platform is not None:
            on_platform = [a for a in active if a.platform is platform]
            if on_platform:
                title = t(
                    "Official {platform} account of {entity}",
                    platform=self.platform(platform),
                    entity=name,
                )
                lines.append("✅ " + s.bold(title))
                lines.extend(self.account_line(a) for a in on_platform)
            else:
                lines.append(
                    "ℹ️ "
                    + t(
                        "No {platform} account of {entity} is on record.",
                        platform=self.platform(platform),
                        entity=name,
                    )
                )
                if active:
                    lines.append(t("Its official accounts:"))
                    lines.extend(self.account_line(a) for a in active)
        elif active:
            lines.append("✅ " + s.bold(t("Official accounts of {entity}", entity=name)))
            lines.extend(self.account_line(a) for a in active)
        else:
            lines.append(
                "ℹ️ "
                + t(
                    "{entity} is in the registry, but no official account is on record.",
                    entity=name,
                )
            )
        if personal and platform in (None, *(a.platform for a in personal)):
            handles = ", ".join(self.handle_text(a.platform, a.handle) for a in personal)
            lines.append(
                t("The minister's personal account, not the body's: {handles}", handles=handles)
            )
        if former:
            handles = ", ".join(self.former_handle(a) for a in former)
            lines.append(t("Former handles, no longer in use: {handles}", handles=handles))
        if entity.website:
            lines.append(t("Website: {url}", url=s.latin(entity.website)))
        if not active and entity.status is EntityStatus.ACTIVE:
            lines.append(self.evidence(entity.evidence))
        return "\n".join(lines)

    def account_line(self, account: Account) -> str:
        line = self.profile_line(account.platform, account.handle)
        if account.role is not AccountRole.MAIN:
            line += f" ({self.role(account.role)})"
        return line + "\n  " + self.evidence(account.evidence)

    def former_handle(self, account: Account) -> str:
        label = self.handle_text(account.platform, account.handle)
        if account.until:
            return self.t("{handle} (until {date})", handle=label, date=self.date(account.until))
        return label

    def succession(self, entity: Entity, successors: list[Entity]) -> str:
        date = self.date(entity.status_date) if entity.status_date else None
        successor_names = [self.name_text(e) for e in successors]
        return "ℹ️ " + self.became(self.name_text(entity), successor_names, date)

    def became(self, old: str, successors: Sequence[str], date: str | None) -> str:
        """What became of a body that no longer exists as it was: its name, its successors'
        names (both ready to show) and the date (formatted), when known."""
        t = self.t
        if not successors:
            return t("{old} no longer exists.", old=old)
        new = t(" and ").join(self.s.bold(name) for name in successors)
        if date is not None:
            return t("{old} became {new} on {date}.", old=old, new=new, date=date)
        return t("{old} became {new}.", old=old, new=new)

    def candidates(self, matches: list[EntityMatch]) -> str:
        lines = [self.t("Which one do you mean?")]
        lines.extend(f"{i}. {self.name_text(m.entity)}" for i, m in enumerate(matches, 1))
        if self.s.html:  # in Telegram, the list can be answered with a number
            lines.append(self.t("Send its number, or tap its button."))
        return "\n".join(lines)

    def not_found(self, answer: Answer) -> str:
        text = self.t(
            "I could not find that body in the registry. Try its official name or its "
            "abbreviation, for example: Ministry of Health, MOH."
        )
        if nearest := answer.nearest or answer.entities:
            names = self.comma_join([self.name_text(m.entity) for m in nearest])
            text += "\n" + self.t("Nearest names in the registry: {names}", names=names)
        return text

    def listing(self, answer: Answer) -> str:
        kind = EntityKind(answer.kind or EntityKind.MINISTRY.value)
        count = answer.total if answer.total is not None else len(answer.entities)
        title = self.t.plural(
            "{kind}: {n} in the registry",
            "{kind}: {n} in the registry",
            count,
            kind=self.kind(kind),
        )
        lines = [self.s.bold(title)]
        for match in answer.entities[:MAX_LISTED]:
            main = _first_active(match.entity)
            handle = f" — {self.listed_handle(main)}" if main else ""
            lines.append(f"• {self.name_text(match.entity)}{handle}")
        if count > MAX_LISTED:
            lines.append(self.t("… and {n} more.", n=count - MAX_LISTED))
        return "\n".join(lines)

    def listed_handle(self, account: Account) -> str:
        """An entity's first account in a list: its X handle, or another platform's handle
        with the platform's name, so a LinkedIn page is never read as an X handle."""
        handle = self.handle_text(account.platform, account.handle)
        if account.platform is Platform.X:
            return handle
        return f"{self.platform(account.platform)}: {handle}"

    # Spokespeople

    def spokespeople(self, answer: Answer) -> str:
        entity = answer.spokespeople[0][0] if answer.spokespeople else answer.entities[0].current
        name = self.name_text(entity)
        people = [p for _, p in answer.spokespeople]
        current = [p for p in people if p.current]
        lines: list[str] = []
        if not current:
            lines.append(
                "ℹ️ " + self.t("No current spokesperson of {entity} is on record.", entity=name)
            )
            if people:
                lines.append(self.t("Last known:"))
                lines.append(self.person(people[0], entity))
            main = _first_active(entity)
            if main:
                lines.append(self.t("The entity's main account:") + "\n" + self.account_line(main))
            return "\n".join(lines)
        lines.append(self.s.bold(self.t("Spokesperson of {entity}", entity=name)))
        lines.extend(self.person(p, entity) for p in current)
        return "\n".join(lines)

    def person(self, person: Spokesperson, entity: Entity) -> str:
        t, s = self.t, self.s
        lines = [f"👤 {s.bold(s.text(self.localized(person.name)))}"]
        if person.title:
            lines.append(s.text(self.localized(person.title)))
        if person.since and person.until:
            lines.append(
                t(
                    "From {since} to {until}",
                    since=self.date(person.since),
                    until=self.date(person.until),
                )
            )
        elif person.since:
            lines.append(t("Since {date}", date=self.date(person.since)))
        elif person.as_of:
            lines.append(
                t("As of {date}; this may have changed since.", date=self.date(person.as_of))
            )
        lines.extend(self.profile_line(ref.platform, ref.handle) for ref in person.accounts)
        if person.contact:
            for value in (person.contact.email, person.contact.phone, person.contact.website):
                if value:
                    lines.append(t("Contact: {value}", value=s.latin(value)))
        lines.append(self.evidence(person.evidence))
        return "\n".join(lines)

    # Verification

    def verification(self, v: Verification) -> str:
        t, s = self.t, self.s
        handle = s.latin(display_handle(v.platform, v.handle) if v.platform else f"@{v.handle}")
        entity = self.name_text(v.entity) if v.entity else ""
        if v.verdict is Verdict.OFFICIAL and v.spokesperson is not None:
            title = self.localized(v.spokesperson.title) if v.spokesperson.title else ""
            text = "✅ " + t(
                "{handle} is the account of {person}, {title} ({entity}).",
                handle=handle,
                person=s.text(self.localized(v.spokesperson.name)),
                title=s.text(title),
                entity=entity,
            )
            return text + "\n" + self.evidence(v.spokesperson.evidence)
        if v.verdict is Verdict.OFFICIAL and v.account is not None:
            if v.account.role is AccountRole.MINISTER:
                text = "✅ " + t(
                    "{handle} is the personal account of the minister ({entity}), "
                    "not the body's own account.",
                    handle=handle,
                    entity=entity,
                )
            else:
                text = "✅ " + t(
                    "{handle} is an official {platform} account of {entity} ({role}).",
                    handle=handle,
                    platform=self.platform(v.account.platform),
                    entity=entity,
                    role=self.role(v.account.role),
                )
            return text + "\n" + self.evidence(v.account.evidence)
        if v.verdict is Verdict.FORMER and v.account is not None:
            if v.account.until:
                text = t(
                    "{handle} was an account of {entity} until {date}; "
                    "it is no longer its official account.",
                    handle=handle,
                    entity=entity,
                    date=self.date(v.account.until),
                )
            else:
                text = t(
                    "{handle} was an account of {entity}; it is no longer its official account.",
                    handle=handle,
                    entity=entity,
                )
            return "⚠️ " + text + self.use_instead(v)
        if v.verdict is Verdict.KNOWN_FAKE and v.non_official is not None:
            text = "⛔ " + t("{handle} is NOT an official account.", handle=handle)
            text += " " + self.reason(v.non_official.reason)
            if v.non_official.note:
                text += "\n" + s.italic(s.text(v.non_official.note))
            return text + self.use_instead(v)
        if v.verdict is Verdict.LOOKALIKE:
            text = "⚠️ " + t(
                "{handle} is not in the registry, but it looks like {official}, the official "
                "account of {entity}. Impersonators use look-alike letters: check every character.",
                handle=handle,
                official=self.handle_text(v.official.platform, v.official.handle)
                if v.official
                else "",
                entity=entity,
            )
            return text + self.use_instead(v)
        platform = self.platform(v.platform) if v.platform else ""
        return "ℹ️ " + t(
            "{handle} is not in the registry of official {platform} accounts. "
            "That does not make it fake: check the accounts listed on the body's official website.",
            handle=handle,
            platform=platform,
        )

    def use_instead(self, v: Verification) -> str:
        if v.official is None or v.official_entity is None:
            return ""
        label = self.t("Official account of {entity}:", entity=self.name_text(v.official_entity))
        return "\n" + label + "\n" + self.account_line(v.official)

    def reason(self, reason: NonOfficialReason) -> str:
        return self.t(_REASONS[reason])

    # Pieces

    def evidence(self, evidence: Evidence) -> str:
        shown = evidence.strongest  # only a source a citizen can open, never provenance
        source = shown.url or "" if shown is not None else ""
        if len(source) > SOURCE_CHARS:
            source = source[: SOURCE_CHARS - 1] + "…"
        more = len(evidence.sources) - 1
        text = self.t("Source: {source}", source=self.s.latin(source)) if source else ""
        if more and source:
            text += " " + self.t.plural("(+{n} more)", "(+{n} more)", more)
        text += (" · " if text else "") + self.t("checked {date}", date=self.date(evidence.checked))
        if not evidence.confirmed:
            text += " · " + self.t("unconfirmed")
        return self.s.italic(text)

    def help(self) -> str:
        t = self.t
        return "\n".join(
            [
                t(
                    "Ask me for the official accounts of a ministry or authority: "
                    '"Ministry of Health account".'
                ),
                t('Send me a handle or a link to check it: "is @SaudiMOH official?"'),
                t('Ask who speaks for a body: "Ministry of Education spokesperson".'),
            ]
        )

    def name(self, entity: Entity) -> str:
        return self.localized(entity.name)

    def name_text(self, entity: Entity) -> str:
        """The entity's name, escaped: ready to put in a message."""
        return self.s.text(self.name(entity))

    def localized(self, text: LocalizedText) -> str:
        preferred = {"ar": text.ar, "en": text.en, "fr": text.fr}[self.lang]
        return preferred or text.ar or text.en or text.fr or ""

    def date(self, value: str) -> str:
        return _format_date(value, self.lang)

    def comma_join(self, parts: Sequence[str]) -> str:
        return ("، " if self.lang == "ar" else ", ").join(parts)

    def handle_text(self, platform: Platform, handle: str) -> str:
        """A handle as people write it, isolated in Arabic; not a link."""
        return self.s.latin(display_handle(platform, handle))

    def profile_link(self, platform: Platform, handle: str) -> str:
        """A handle as people write it; in HTML a link to its profile, in plain text
        followed by the profile's address."""
        return self.s.link(profile_url(platform, handle), display_handle(platform, handle))

    def profile_line(self, platform: Platform, handle: str) -> str:
        return f"• {self.platform(platform)}: {self.profile_link(platform, handle)}"

    def platform(self, platform: Platform) -> str:
        return self.t(_PLATFORMS[platform])

    def role(self, role: AccountRole) -> str:
        return self.t(_ROLES[role])

    def kind(self, kind: EntityKind) -> str:
        return self.t(_KINDS[kind])


def _first_active(entity: Entity) -> Account | None:
    return next((a for a in entity.accounts if a.status is AccountStatus.ACTIVE), None)


@lru_cache(maxsize=4096)
def _format_date(value: str, lang: Lang) -> str:
    """A registry date as precise as it is known ("2020", "February 2020", "25 February
    2020"), in the language's words; cached, because Babel's formatting is slow and the
    registry has few distinct dates."""
    parts = [int(p) for p in value.split("-")]
    if len(parts) == 1:
        return value
    day = parts[2] if len(parts) == 3 else 1
    pattern = "d MMMM y" if len(parts) == 3 else "MMMM y"
    return format_date(dt.date(parts[0], parts[1], day), pattern, locale=lang)


def render(answer: Answer, html_mode: bool = False) -> str:
    return Renderer(answer.lang, html_mode).render(answer)
