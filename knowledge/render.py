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
from dataclasses import dataclass, replace
from functools import lru_cache
from urllib.parse import urlsplit

from babel.dates import format_date

from knowledge import grammar
from knowledge.answer import (
    Answer,
    EntityMatch,
    Verdict,
    Verification,
    body_account,
    body_accounts,
)
from knowledge.engine import SUGGEST
from knowledge.grammar import ordinal
from knowledge.guides import fakes_guide, personal_accounts
from knowledge.i18n import N_, Messages
from knowledge.links import has_arabic_letter
from knowledge.lookalike import differences, script
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
    Source,
    SourceKind,
    Spokesperson,
)
from knowledge.understand import Intent, Lang

FSI, PDI = "\u2068", "\u2069"
STALE_YEARS = 2
"""A spokesperson's record older than this says plainly that it may have changed."""
MAX_DIFFERENCES = 4
"""Differing characters of a look-alike named one by one; more would be a list, not help."""
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
_ACCOUNT_SOURCES: dict[SourceKind, str] = {
    SourceKind.OFFICIAL_WEBSITE: N_("{site} links to this account"),
    SourceKind.GOVERNMENT_ANNOUNCEMENT: N_("announced on {site}"),
    SourceKind.PLATFORM_VERIFICATION: N_("verified by the platform ({site})"),
    SourceKind.PLATFORM_API: N_("the platform's own data ({site})"),
    SourceKind.NEWS: N_("reported by {site}"),
}
"""How the strongest source of an account is labelled when it has no title in the
answer's language (only openable kinds: datasets and maintainers' reviews are never shown)."""
_SOURCE_KINDS: dict[SourceKind, str] = {
    SourceKind.OFFICIAL_WEBSITE: N_("official website"),
    SourceKind.GOVERNMENT_ANNOUNCEMENT: N_("government announcement"),
    SourceKind.NEWS: N_("news"),
    SourceKind.PLATFORM_VERIFICATION: N_("platform verification"),
    SourceKind.PLATFORM_API: N_("platform data"),
    SourceKind.DATASET: N_("dataset"),
    SourceKind.MAINTAINER: N_("maintainers' review"),
}
"""What each kind of source is called in the Details view."""
_SCRIPTS: dict[str, str] = {
    "CYRILLIC": N_("the Cyrillic letter {char}"),
    "GREEK": N_("the Greek letter {char}"),
    "ARMENIAN": N_("the Armenian letter {char}"),
    "CHEROKEE": N_("the Cherokee letter {char}"),
}
"""Scripts whose letters are drawn like Latin ones, named when a look-alike uses them."""


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

    def code(self, value: str) -> str:
        """Text Telegram must leave inert: inside <code> it detects no mention and no
        link. Isolated in Arabic like any left-to-right run."""
        escaped = self.text(value)
        inner = f"<code>{escaped}</code>" if self.html else escaped
        return f"{FSI}{inner}{PDI}" if self.lang == "ar" else inner

    def bold(self, value: str) -> str:
        return f"<b>{value}</b>" if self.html else value

    def italic(self, value: str) -> str:
        return f"<i>{value}</i>" if self.html else value

    def address(self, url: str) -> str:
        """A whole web address shown as itself: in HTML a link whose target is the address
        exactly (Telegram's own detection would take the isolate around it into the URL)."""
        if self.html and url.startswith(("http://", "https://")):
            return f'<a href="{html.escape(url, quote=True)}">{self.latin(url)}</a>'
        return self.latin(url)

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
        """The body's accounts: confirmed ones under ✅ as links, the ones nothing confirms
        in their own labelled section as inert text, officials' personal accounts and
        former handles apart."""
        t, s = self.t, self.s
        of_entity = self.of_text(entity)
        accounts = body_accounts(entity, platform)
        confirmed = [a for a in accounts if a.official]
        listed = [a for a in accounts if not a.official]
        lines: list[str] = []
        if platform is not None and not accounts:
            notice = t(
                "No {platform} account {of_entity} is on record.",
                platform=self.platform(platform),
                of_entity=of_entity,
            )
            return "ℹ️ " + notice + "\n" + self.entity_card(entity)
        if confirmed:
            if platform is not None:
                title = t(
                    "Official {platform} accounts {of_entity}",
                    platform=self.platform(platform),
                    of_entity=of_entity,
                )
            else:
                title = t("Official accounts {of_entity}", of_entity=of_entity)
            lines.append("✅ " + s.bold(title))
            lines.extend(self.account_line(a) for a in confirmed)
        else:
            lines.append(
                "ℹ️ " + t("No confirmed account {of_entity} is on record.", of_entity=of_entity)
            )
        if listed:
            lines.append("⚠️ " + s.bold(t("Listed, not confirmed:")))
            lines.extend(self.account_line(a) for a in listed)
        personal = [
            a
            for a in entity.accounts
            if a.status is AccountStatus.ACTIVE
            and a.role is AccountRole.MINISTER
            and (platform is None or a.platform is platform)
        ]
        if personal:
            handles = ", ".join(self.account_handle(a) for a in personal)
            lines.append(
                t("The minister's personal account, not the body's: {handles}", handles=handles)
            )
        former = [
            a
            for a in entity.accounts
            if a.status is AccountStatus.FORMER and (platform is None or a.platform is platform)
        ]
        if former:
            handles = ", ".join(self.former_handle(a) for a in former)
            lines.append(t("Former handles, no longer in use: {handles}", handles=handles))
        if entity.website:
            lines.append(t("Website: {url}", url=s.address(entity.website)))
        if not accounts and entity.status is EntityStatus.ACTIVE:
            lines.append(self.evidence(entity.evidence, of_account=False))
        return "\n".join(lines)

    def account_line(self, account: Account) -> str:
        """An account of the body with its role and its evidence line: a link when it is
        official, inert text otherwise."""
        line = "• " + self.on(account.platform, self.account_handle(account))
        if account.role is not AccountRole.MAIN:
            line += f" ({self.role(account.role)})"
        return line + "\n  " + self.evidence(account.evidence)

    def account_handle(self, account: Account) -> str:
        """An account's handle: a link to its profile only when the account is official."""
        if account.official:
            return self.profile_link(account.platform, account.handle)
        return self.handle_text(account.platform, account.handle)

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
            main = body_account(match.entity)
            handle = f" — {self.listed_handle(main)}" if main else ""
            lines.append(f"• {self.name_text(match.entity)}{handle}")
        if count > MAX_LISTED:
            lines.append(self.t("… and {n} more.", n=count - MAX_LISTED))
        return "\n".join(lines)

    def listed_handle(self, account: Account) -> str:
        """An entity's account in a list: its X handle, or another platform's handle
        with the platform's name, so a LinkedIn page is never read as an X handle."""
        handle = self.account_handle(account)
        if not account.official:
            handle += " " + self.t("(not confirmed)")
        if account.platform is Platform.X:
            return handle
        return self.on(account.platform, handle)

    # Spokespeople

    def spokespeople(self, answer: Answer) -> str:
        entity = answer.spokespeople[0][0] if answer.spokespeople else answer.entities[0].current
        of_entity = self.of_text(entity)
        people = [p for _, p in answer.spokespeople]
        current = [p for p in people if p.current]
        contact_first = answer.asks_for_contact
        lines: list[str] = []
        if not current:
            lines.append(
                "ℹ️ "
                + self.t("No current spokesperson {of_entity} is on record.", of_entity=of_entity)
            )
            if people:
                lines.append(self.t("Last known:"))
                lines.append(self.person(people[0], contact_first))
            main = body_account(entity)
            if main:
                lines.append(self.t("The body's own account:") + "\n" + self.account_line(main))
            return "\n".join(lines)
        lines.append(self.s.bold(self.t("Spokesperson {of_entity}", of_entity=of_entity)))
        lines.extend(self.person(p, contact_first) for p in current)
        # The office's own account (role spokesperson), which speaks for whoever holds it.
        own = {(ref.platform, ref.handle.casefold()) for p in current for ref in p.accounts}
        office = [
            a
            for a in body_accounts(entity)
            if a.role is AccountRole.SPOKESPERSON and (a.platform, a.handle.casefold()) not in own
        ]
        lines.extend(self.account_line(a) for a in office)
        return "\n".join(lines)

    def person(self, person: Spokesperson, contact_first: bool = False) -> str:
        """A spokesperson for a journalist: name, title, since when (and a plain warning
        when the information is over two years old), their own accounts, and the
        contact, which comes first when the question asked for it."""
        t, s = self.t, self.s
        lines = [f"👤 {s.bold(self.form(self.localized(person.name)))}"]
        contact = self.contact(person)
        if contact_first:
            lines.extend(contact)
        lines.append(s.text(self.title(person)))
        dated = person.as_of or person.evidence.checked
        stale = _older_than(dated, STALE_YEARS)
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
        if stale:
            lines.append(
                "⚠️ "
                + t(
                    "This information dates from {date}, more than two years ago: "
                    "it may have changed.",
                    date=self.date(dated),
                )
            )
        elif person.as_of:
            lines.append(t("As of {date}", date=self.date(person.as_of)))
        confirmed = person.official
        for ref in person.accounts:
            handle = (
                self.profile_link(ref.platform, ref.handle)
                if confirmed
                else self.handle_text(ref.platform, ref.handle)
            )
            lines.append("• " + self.on(ref.platform, handle))
        if not contact_first:
            lines.extend(contact)
        lines.append(self.evidence(person.evidence, of_account=False))
        return "\n".join(lines)

    def title(self, person: Spokesperson) -> str:
        """The person's title in the answer's language; a title the registry has only in
        another language is not mixed into the sentence: the role's name stands for it."""
        if person.title is not None:
            own = {"ar": person.title.ar, "en": person.title.en, "fr": person.title.fr}[self.lang]
            if own:
                return own
        return self.t("Official spokesperson")

    def contact(self, person: Spokesperson) -> list[str]:
        t, s = self.t, self.s
        found = person.contact
        lines: list[str] = []
        if found is not None:
            if found.phone:
                lines.append("📞 " + t("Phone: {value}", value=s.latin(found.phone)))
            if found.email:
                lines.append("✉️ " + t("E-mail: {value}", value=s.latin(found.email)))
            if found.office:
                lines.append(
                    "🏢 " + t("Office: {value}", value=self.form(self.localized(found.office)))
                )
            if found.website:
                lines.append("🌐 " + t("Website: {url}", url=s.address(found.website)))
        return lines or [t("No contact on record.")]

    # Verification

    def verification(self, v: Verification) -> str:
        """The verdict in words. Only an official handle is a link; every other handle is
        inert text (no link, no Telegram mention), because it may belong to anyone."""
        if v.also is not None:  # a bare handle: X's verdict, then the other platform's
            return self.verification(replace(v, also=None)) + "\n" + self.official_elsewhere(v.also)
        t = self.t
        platform = v.platform or Platform.X
        if v.verdict is Verdict.OFFICIAL:
            return self.official_verdict(v, platform)
        handle = self.handle_text(platform, v.handle)
        entity = v.official_entity or v.entity
        if v.verdict is Verdict.FORMER and v.account is not None and v.entity is not None:
            return self.former_verdict(v, handle)
        if v.verdict is Verdict.UNCONFIRMED:
            return self.unconfirmed_verdict(v, handle)
        if v.verdict is Verdict.KNOWN_FAKE and v.non_official is not None:
            text = "⛔ " + t("{handle} is NOT an official account.", handle=handle)
            if entity is not None:
                text += " " + t("It imitates {entity}.", entity=self.subject_text(entity))
            if v.account is not None and v.entity is not None:
                text += "\n" + self.released(v.account, v.entity, handle)
            text += "\n" + self.evidence(v.non_official.evidence, of_account=False)
            return text + self.use_instead(v)
        if v.verdict is Verdict.LOOKALIKE and v.official is not None and entity is not None:
            if v.official.official:
                text = "⚠️ " + t(
                    "{handle} is not in the registry, but it looks like {official}, the "
                    "official account {of_entity}. Impersonators use look-alike letters: "
                    "check every character.",
                    handle=handle,
                    official=self.account_handle(v.official),
                    of_entity=self.of_text(entity),
                )
            else:
                text = "⚠️ " + t(
                    "{handle} is not in the registry, but it looks like {listed}, listed as "
                    "an account {of_entity} (not confirmed). Impersonators use look-alike "
                    "letters: check every character.",
                    handle=handle,
                    listed=self.account_handle(v.official),
                    of_entity=self.of_text(entity),
                )
            explained = self.differences(v.handle, v.official.handle)
            return text + ("\n" + explained if explained else "") + self.use_instead(v)
        listed = v.non_official.reason if v.non_official is not None else None
        if listed is NonOfficialReason.INVALID:
            return "ℹ️ " + t(
                "{handle} is not in the registry: as far as the registry knows, no such "
                "account exists on {platform}.",
                handle=handle,
                platform=self.platform(platform),
            )
        if listed is NonOfficialReason.NOT_GOVERNMENT:
            return "ℹ️ " + t(
                "{handle} is not in the registry of official accounts: it is not a "
                "government body's account.",
                handle=handle,
            )
        return "ℹ️ " + t(
            "{handle} is not in the registry of official {platform} accounts. "
            "That does not make it fake: check the accounts listed on the body's official website.",
            handle=handle,
            platform=self.platform(platform),
        )

    def official_verdict(self, v: Verification, platform: Platform) -> str:
        t = self.t
        handle = self.profile_link(platform, v.handle)
        entity = v.entity
        if entity is None:  # an official verdict always has its owner
            return ""
        if v.spokesperson is not None:
            text = "✅ " + t(
                "{handle} is the account of {person}, {title} ({entity}).",
                handle=handle,
                person=self.form(self.localized(v.spokesperson.name)),
                title=self.s.text(self.title(v.spokesperson)),
                entity=self.name_text(entity),
            )
            return text + "\n" + self.evidence(v.spokesperson.evidence, of_account=False)
        if v.account is None:
            return ""
        if v.account.role is AccountRole.MINISTER:
            text = "✅ " + t(
                "{handle} is the personal account of the minister ({entity}), "
                "not the body's own account.",
                handle=handle,
                entity=self.name_text(entity),
            )
        else:
            text = "✅ " + t(
                "{handle} is the official {platform} account {of_entity}.",
                handle=handle,
                platform=self.platform(platform),
                of_entity=self.of_text(entity),
            )
            if v.account.role is not AccountRole.MAIN:
                text += f" ({self.role(v.account.role)})"
        if v.elsewhere is not None:
            text += "\n" + t(
                "On {platform}, its account is {handle}.",
                platform=self.platform(v.elsewhere.platform),
                handle=self.account_handle(v.elsewhere),
            )
        return text + "\n" + self.evidence(v.account.evidence)

    def official_elsewhere(self, v: Verification) -> str:
        """The official account another platform has under a bare handle whose X record
        is not official: its own line, its platform named first and its profile linked,
        with no ✅ so that the mark never reads as the X handle's."""
        if v.account is None or v.entity is None or v.platform is None:
            return ""
        text = "ℹ️ " + self.t(
            "On {platform}, {handle} is the official account {of_entity}.",
            platform=self.platform(v.platform),
            handle=self.profile_link(v.platform, v.handle),
            of_entity=self.of_text(v.entity),
        )
        return text + "\n" + self.evidence(v.account.evidence)

    def former_verdict(self, v: Verification, handle: str) -> str:
        """A handle the body used before: when it stopped, the account now in use, and
        that a released handle may belong to anyone since."""
        t = self.t
        assert v.account is not None and v.entity is not None
        account, now = v.account, v.official_entity or v.entity
        values = self._former_values(account, v.entity, handle)
        if account.until:
            text = t(
                "{handle} was the {platform} account {of_entity} until {date}.",
                date=self.date(account.until),
                **values,
            )
        else:
            text = t(
                "{handle} was an account {of_entity} on {platform}; it is no longer in use.",
                **values,
            )
        if v.official is not None:
            replacement = self.account_handle(v.official)
            if not v.official.official:
                replacement += " " + t("(not confirmed)")
            text += " " + t(
                "Its {platform} account is now {new}.",
                platform=self.platform(v.official.platform),
                new=replacement,
            )
        if account.until:
            text += "\n" + t(
                "A released handle can be taken by anyone: posts from it after that date "
                "are not those {of_entity}.",
                of_entity=self.of_text(now),
            )
        else:
            text += "\n" + t(
                "A released handle can be taken by anyone: what it posts now does not "
                "speak for {entity}.",
                entity=self.subject_text(now),
            )
        return "⚠️ " + text

    def released(self, account: Account, entity: Entity, handle: str) -> str:
        """The history of a handle the body released and someone else took since."""
        values = self._former_values(account, entity, handle)
        if account.until:
            return self.t(
                "{handle} was the {platform} account {of_entity} until {date}; the handle "
                "was released, and someone else uses it now.",
                date=self.date(account.until),
                **values,
            )
        return self.t(
            "{handle} was once an account {of_entity} on {platform}; the handle was released, "
            "and someone else uses it now.",
            **values,
        )

    def _former_values(self, account: Account, entity: Entity, handle: str) -> dict[str, str]:
        """The words of a former account's history: its handle, platform and body."""
        return {
            "handle": handle,
            "platform": self.platform(account.platform),
            "of_entity": self.of_text(entity),
        }

    def unconfirmed_verdict(self, v: Verification, handle: str) -> str:
        """On record, but nothing a citizen can open confirms it: said plainly, with the
        confirmed account where there is one."""
        t = self.t
        entity = v.official_entity or v.entity
        if v.spokesperson is not None and v.entity is not None:
            text = t(
                "{handle} is listed as the account of {person} ({entity}), but it is not "
                "confirmed.",
                handle=handle,
                person=self.form(self.localized(v.spokesperson.name)),
                entity=self.name_text(v.entity),
            )
        elif v.account is not None and entity is not None:
            text = t(
                "{handle} is listed as an account {of_entity} on {platform}, but nothing "
                "confirms it yet.",
                handle=handle,
                platform=self.platform(v.account.platform),
                of_entity=self.of_text(entity),
            )
        elif entity is not None:
            text = t(
                "{handle} is not confirmed as an account {of_entity}.",
                handle=handle,
                of_entity=self.of_text(entity),
            )
        else:
            text = t("{handle} is not confirmed as an official account.", handle=handle)
        if v.non_official is not None:
            text += " " + self.reason(v.non_official.reason)
        evidence = v.evidence
        if evidence is not None:
            text += "\n" + self.evidence(evidence, of_account=v.account is not None)
        return "⚠️ " + text + self.use_instead(v)

    def use_instead(self, v: Verification) -> str:
        """The confirmed account of the body the handle is about, if there is one."""
        if v.official is None or v.official_entity is None or not v.official.official:
            return ""
        if v.account is not None and v.official.key == v.account.key:
            return ""
        label = self.t("Official account {of_entity}:", of_entity=self.of_text(v.official_entity))
        return "\n" + label + "\n" + self.account_line(v.official)

    def differences(self, asked: str, official: str) -> str:
        """Each character that tells a look-alike from the official handle, named."""
        t = self.t
        lines: list[str] = []
        for diff in differences(asked, official)[:MAX_DIFFERENCES]:
            if len(diff.asked) == 1 and len(diff.official) == 1:
                lines.append(
                    t(
                        "The {ordinal} character is {asked}, not {official}.",
                        ordinal=ordinal(diff.position, self.lang),
                        asked=self.character(diff.asked),
                        official=self.character(diff.official),
                    )
                )
            elif not diff.official:
                lines.append(t("{chars} is added.", chars=self.s.code(diff.asked)))
            elif not diff.asked:
                lines.append(t("{chars} is missing.", chars=self.s.code(diff.official)))
            else:
                lines.append(
                    t(
                        "{asked} stands where the official handle has {official}.",
                        asked=self.s.code(diff.asked),
                        official=self.s.code(diff.official),
                    )
                )
        return "\n".join("• " + line for line in lines)

    def character(self, char: str) -> str:
        """ "the digit 0", "the letter O", "the Cyrillic letter М", "an underscore"."""
        shown = self.s.code(char)
        if char.isdigit() and char.isascii():
            return self.t("the digit {char}", char=shown)
        if char == "_":
            return self.t("an underscore")
        if char == ".":
            return self.t("a dot")
        written_in = script(char)
        if written_in in _SCRIPTS:
            return self.t(_SCRIPTS[written_in], char=shown)
        if written_in == "LATIN":
            return self.t("the letter {char}", char=shown)
        return self.t("the character {char}", char=shown)

    def reason(self, reason: NonOfficialReason) -> str:
        return self.t(_REASONS[reason])

    # Pieces

    def evidence(self, evidence: Evidence, of_account: bool = True) -> str:
        """One line: the strongest source a citizen can open, as a labelled link, and the
        date the record was checked. Provenance (datasets, repositories, maintainers'
        notes) is never shown here: it is behind the Details button and in the JSON."""
        parts: list[str] = []
        source = evidence.strongest
        if source is not None:
            parts.append(self.source_link(source, of_account))
        elif (review := self.review(evidence)) is not None:
            parts.append(review)
        parts.append(self.t("checked {date}", date=self.date(evidence.checked)))
        if not evidence.confirmed:
            parts.append(self.t("unconfirmed"))
        return self.s.italic(" · ".join(parts))

    def review(self, evidence: Evidence) -> str | None:
        """A maintainers' review that a citizen may read though not open ("reported by 3
        people, reviewed on 3 December 2026"), by its title in this language."""
        for source in evidence.sources:
            title = source.title if source.kind is SourceKind.MAINTAINER else None
            text = {"ar": title.ar, "en": title.en, "fr": title.fr}[self.lang] if title else None
            if text:
                return self.form(text)
        return None

    def source_link(self, source: Source, of_account: bool = True) -> str:
        """A source's label (its title in this language, else what kind of source it is
        and its site), linked in HTML; in plain text followed by the whole address."""
        assert source.url is not None
        own_title = (
            {"ar": source.title.ar, "en": source.title.en, "fr": source.title.fr}[self.lang]
            if source.title
            else None
        )
        site = self.s.latin(_site(source.url))
        if own_title:
            label = self.form(own_title)
        elif of_account:
            label = self.t(_ACCOUNT_SOURCES[source.kind], site=site)
        else:
            label = self.t("source: {site}", site=site)
        if self.s.html:
            return f'<a href="{html.escape(source.url, quote=True)}">{label}</a>'
        return f"{label} ({self.s.latin(source.url)})"

    def details(self, entity: Entity | None, verification: Verification | None) -> str:
        """Every source behind an answer, provenance included (datasets, repositories,
        maintainers' notes): what the Details button shows to whoever asks for it."""
        t, s = self.t, self.s
        lines = ["📄 " + s.bold(t("Sources of this answer"))]
        if verification is not None:
            platform = verification.platform or Platform.X
            evidence = verification.evidence
            lines.append(self.handle_text(platform, verification.handle))
            lines.extend(self.sources(evidence) if evidence else [t("No source on record.")])
        if entity is not None:
            lines.append(s.bold(self.name_text(entity)))
            lines.extend(self.sources(entity.evidence))
            for account in entity.accounts:
                lines.append(
                    self.on(account.platform, self.handle_text(account.platform, account.handle))
                )
                lines.extend(self.sources(account.evidence))
        return "\n".join(lines)

    def sources(self, evidence: Evidence) -> list[str]:
        t, s = self.t, self.s
        lines: list[str] = []
        for source in evidence.sources:
            parts = [self.t(_SOURCE_KINDS[source.kind])]
            if source.title:
                parts.append(s.text(self.localized(source.title)))
            if source.url:
                parts.append(s.latin(source.url))
            if source.date:
                parts.append(self.date(source.date))
            if source.note:
                parts.append(s.text(source.note))
            lines.append("  • " + " · ".join(parts))
        summary = t("checked {date}", date=self.date(evidence.checked))
        if not evidence.confirmed:
            summary += " · " + t("unconfirmed")
        lines.append("  " + s.italic(summary))
        if evidence.note:
            lines.append("  " + s.italic(t("Note: {note}", note=s.text(evidence.note))))
        return lines

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
        """The entity's name, escaped (and isolated when it is Latin inside Arabic): ready
        to put in a message."""
        return self.form(self.name(entity))

    def subject_text(self, entity: Entity) -> str:
        """The name with its article: "the Ministry of Health", "le ministère de la Santé"."""
        return self.form(grammar.subject(self.name(entity), self.lang))

    def of_text(self, entity: Entity) -> str:
        """The name after "of": "of the Ministry of Health", "du ministère de la Santé",
        "لوزارة الصحة"."""
        name = self.name(entity)
        if self.lang == "ar" and not has_arabic_letter(name):
            return "لـ" + self.form(name)
        return self.form(grammar.of(name, self.lang))

    def form(self, text: str) -> str:
        escaped = self.s.text(text)
        if self.lang == "ar" and not has_arabic_letter(text):
            return f"{FSI}{escaped}{PDI}"
        return escaped

    def localized(self, text: LocalizedText) -> str:
        """The text in the answer's language; a name missing in it is given in another
        language as a name (Latin-script languages first for English and French)."""
        order = {"ar": (text.ar, text.en, text.fr), "en": (text.en, text.fr, text.ar)}
        preferred = order.get(self.lang, (text.fr, text.en, text.ar))
        return next((value for value in preferred if value), "")

    def date(self, value: str) -> str:
        return _format_date(value, self.lang)

    def comma_join(self, parts: Sequence[str]) -> str:
        return ("، " if self.lang == "ar" else ", ").join(parts)

    def handle_text(self, platform: Platform, handle: str) -> str:
        """A handle as people write it, inert: no link and, in Telegram, no mention (a
        look-alike of @SaudiMOH may be someone's Telegram username)."""
        return self.s.code(display_handle(platform, handle))

    def profile_link(self, platform: Platform, handle: str) -> str:
        """A handle as people write it; in HTML a link to its profile, in plain text
        followed by the profile's address."""
        return self.s.link(profile_url(platform, handle), display_handle(platform, handle))

    def profile_line(self, platform: Platform, handle: str) -> str:
        return "• " + self.on(platform, self.profile_link(platform, handle))

    def on(self, platform: Platform, value: str) -> str:
        """ "X (Twitter): @handle"; French typography puts a space before the colon, as
        the catalog's French sentences do ("X (Twitter) : @handle")."""
        colon = " :" if self.lang == "fr" else ":"
        return f"{self.platform(platform)}{colon} {value}"

    def platform(self, platform: Platform) -> str:
        return self.t(_PLATFORMS[platform])

    def role(self, role: AccountRole) -> str:
        return self.t(_ROLES[role])

    def kind(self, kind: EntityKind) -> str:
        return self.t(_KINDS[kind])


def _site(url: str) -> str:
    """The host a citizen recognises: "moh.gov.sa" for https://www.moh.gov.sa/ar/..."""
    host = urlsplit(url).hostname or url
    return host.removeprefix("www.")


def _older_than(date: str, years: int) -> bool:
    """Whether a registry date (year, month or day precision) is more than `years` ago;
    a partial date counts from its last possible day, so "2024" is not called old early."""
    parts = [int(p) for p in date.split("-")]
    year, month = parts[0], parts[1] if len(parts) > 1 else 12
    today = dt.date.today()
    return (today.year - year) * 12 + today.month - month > years * 12


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
