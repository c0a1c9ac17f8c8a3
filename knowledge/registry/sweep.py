"""The website sweep, without the network: pages in, findings and proposals out.

A body's own website is the strongest evidence the registry can show a citizen: when
moh.gov.sa links x.com/SaudiMOH in its footer, that account is the ministry's. The sweep
(`bot/sweep.py` fetches the pages) reads every profile link of a page with the same
reader as the citizens' messages (`knowledge.links.parse_handle`), so twitter.com and
x.com, mobile hosts, "Follow" intent links (intent/follow?screen_name=NAME) and links to
posts (x.com/NAME/status/1) give their account, and share links (twitter.com/share,
facebook.com/sharer.php) give nothing.

Per entity, the links are compared with the registry:

- confirmed: the site links an active account of the entity;
- new: a profile link on a platform where the entity has no active account (proposed
  only when no other record has the handle and no other entity's site links it);
- missing: an active account the site does not link;
- mismatch: the site links another handle on a platform where the entity has one (or
  a handle the registry lists as former);
- unreachable: no page could be read, and why.

Proposals are made only where the site is evidence enough: a confirmed account gains an
`official_website` source; a new link becomes an account, unless the registry already
gives that handle to another entity or lists it as non-official. Mismatches, missing
accounts and unreachable sites are for a maintainer to judge, and are listed in the
review file's header, never changed.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field, replace
from html import unescape
from html.parser import HTMLParser
from typing import Any
from urllib.parse import urljoin, urlsplit

from knowledge.links import parse_handle
from knowledge.registry.handles import FORMATS, Platform, display_handle, handle_key
from knowledge.registry.schema import (
    Account,
    AccountRole,
    AccountStatus,
    Confidence,
    Entity,
    Evidence,
    LocalizedText,
    Registry,
    Source,
    SourceKind,
)

HandleKey = tuple[Platform, str]

_CONTACT = re.compile(r"contact|اتصل|تواصل|اتصال|nous-joindre|joindre", re.IGNORECASE)
"""Words of a contact page's link or address, in the three languages."""


@dataclass(frozen=True, slots=True)
class ProfileLink:
    """A profile link found on a page, in the registry's spelling."""

    platform: Platform
    handle: str
    page: str
    """The page it was found on (after redirects)."""

    @property
    def key(self) -> HandleKey:
        return handle_key(self.platform, self.handle)


@dataclass
class PageLinks:
    """What a page links to: profile links, and the site's own contact page if any."""

    profiles: list[ProfileLink] = field(default_factory=list)
    contact: str | None = None


class _Anchors(HTMLParser):
    """Collects the href of every a, area and link tag, with an anchor's text."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.links: list[tuple[str, str]] = []
        self._open: list[str] | None = None
        self._href = ""

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in ("a", "area", "link"):
            return
        href = next((v for k, v in attrs if k == "href" and v), None)
        if href is None:
            return
        if tag == "a":
            self._close()
            self._open, self._href = [], href
        else:
            self.links.append((href, ""))

    def handle_data(self, data: str) -> None:
        if self._open is not None and len(self._open) < 20:
            self._open.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "a":
            self._close()

    def close(self) -> None:
        super().close()
        self._close()

    def _close(self) -> None:
        if self._open is not None:
            self.links.append((self._href, " ".join(self._open).strip()))
        self._open = None


def read_page(html: str, page_url: str) -> PageLinks:
    """The profile links of a page (first occurrence of each account, in page order) and
    the first link to a contact page on the same host."""
    found = PageLinks()
    seen: set[HandleKey] = set()
    host = urlsplit(page_url).netloc.casefold()
    for href, text in _links(html):
        url = urljoin(page_url, href.strip())
        if not url.startswith(("http://", "https://")):
            continue  # mailto:, tel:, javascript:
        link = profile_link(url, page_url)
        if link is not None:
            if link.key not in seen:
                seen.add(link.key)
                found.profiles.append(link)
            continue
        if (
            found.contact is None
            and urlsplit(url).netloc.casefold() == host
            and url.split("#")[0] != page_url.split("#")[0]
            and (_CONTACT.search(text) or _CONTACT.search(urlsplit(url).path))
        ):
            found.contact = url.split("#")[0]
    return found


_HREF = re.compile(r"""href\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""", re.IGNORECASE)


def _links(html: str) -> list[tuple[str, str]]:
    """(href, anchor text) of every link. html.parser gives up on some broken markup
    (a "<![" it cannot read raises); then every href attribute is taken by a pattern,
    without anchor texts, so the links after the fault are still read."""
    parser = _Anchors()
    try:
        parser.feed(html)
        parser.close()
    except AssertionError:
        return [
            (unescape(next(g for g in m.groups() if g is not None)), "")
            for m in _HREF.finditer(html)
        ]
    return parser.links


def profile_link(url: str, page_url: str) -> ProfileLink | None:
    """The account a link names, when it is a profile, intent or post link to a known
    platform and the handle can exist there (an imitation in other letters is a citizen's
    question, not a site's footer)."""
    ref = parse_handle(url)
    if ref is None or ref.platform is None or not ref.from_link:
        return None
    if not (ref.handle.isascii() and FORMATS[ref.platform].is_valid(ref.handle)):
        return None
    return ProfileLink(ref.platform, ref.handle, page_url)


@dataclass(frozen=True, slots=True)
class Finding:
    """One line of an entity's sweep report."""

    platform: Platform
    handle: str
    page: str | None = None
    """Where the site links it (None for a missing account)."""
    registry_handle: str | None = None
    """For a mismatch: the registry's handle on that platform."""
    owner: str | None = None
    """Why a new link is not proposed: the registry gives it elsewhere ("entity:ID",
    "non_official:REASON") or several sites link it ("linked by N sites"); "former"
    for a mismatch with a former account."""

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"platform": self.platform.value, "handle": self.handle}
        for name in ("page", "registry_handle", "owner"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        return data

    def describe(self) -> str:
        shown = f"{self.platform.value} {display_handle(self.platform, self.handle)}"
        if self.registry_handle is not None:
            shown += f" (registry: {display_handle(self.platform, self.registry_handle)})"
        if self.owner is not None:
            shown += f" [{self.owner}]"
        return shown


@dataclass
class EntitySweep:
    """The sweep of one entity's website."""

    entity_id: str
    website: str
    pages: list[str] = field(default_factory=list)
    """The pages read (after redirects)."""
    unreachable: str | None = None
    """Why no page could be read; None when one was."""
    notes: list[str] = field(default_factory=list)
    """Pages that failed while another was read, and pages cut at the size limit."""
    confirmed: list[Finding] = field(default_factory=list)
    new: list[Finding] = field(default_factory=list)
    missing: list[Finding] = field(default_factory=list)
    mismatch: list[Finding] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "entity_id": self.entity_id,
            "website": self.website,
            "pages": self.pages,
            "unreachable": self.unreachable,
            "notes": self.notes,
            **{
                name: [f.as_dict() for f in getattr(self, name)]
                for name in ("confirmed", "new", "missing", "mismatch")
            },
        }


Owners = dict[HandleKey, str]
"""Who the registry gives each handle to: "entity:ID", "spokesperson:ID" (a spokesperson
of entity ID) or "non_official:REASON"."""


def handle_owners(registry: Registry) -> Owners:
    owners: Owners = {}
    for entity in registry.entities:
        for account in entity.accounts:
            owners.setdefault(account.key, f"entity:{entity.id}")
        for person in entity.spokespeople:
            for ref in person.accounts:
                owners.setdefault(ref.key, f"spokesperson:{entity.id}")
    for record in registry.non_official:
        owners.setdefault(record.key, f"non_official:{record.reason.value}")
    return owners


def compare(entity: Entity, links: list[ProfileLink], owners: Owners, sweep: EntitySweep) -> None:
    """Fills `sweep` with what the site's links say about the entity's accounts."""
    active = {a.key: a for a in entity.accounts if a.status is AccountStatus.ACTIVE}
    former = {a.key for a in entity.accounts if a.status is AccountStatus.FORMER}
    by_platform: dict[Platform, list[Account]] = {}
    for account in active.values():
        by_platform.setdefault(account.platform, []).append(account)
    linked: dict[HandleKey, ProfileLink] = {}
    for link in links:
        linked.setdefault(link.key, link)  # the first page that links it
    for key, account in active.items():
        on_site = linked.get(key)
        if on_site is not None:
            sweep.confirmed.append(Finding(account.platform, account.handle, on_site.page))
        else:
            sweep.missing.append(Finding(account.platform, account.handle))
    for key, link in linked.items():
        if key in active:
            continue
        registry_accounts = by_platform.get(link.platform)
        if key in former or registry_accounts:
            registry_handle = (
                ", ".join(a.handle for a in registry_accounts) if registry_accounts else None
            )
            owner = "former" if key in former else owners.get(key)
            sweep.mismatch.append(
                Finding(link.platform, link.handle, link.page, registry_handle, owner)
            )
        else:
            sweep.new.append(Finding(link.platform, link.handle, link.page, owner=owners.get(key)))


def settle_shared_links(sweeps: list[EntitySweep]) -> None:
    """A new link found on several entities' sites (a government-wide account in every
    ministry's footer) is no one entity's account: it is marked, for each of them,
    "linked by N sites" and proposed for none (one handle has one owner)."""
    sites: dict[HandleKey, int] = {}
    for sweep in sweeps:
        for finding in sweep.new:
            if finding.owner is None:
                key = handle_key(finding.platform, finding.handle)
                sites[key] = sites.get(key, 0) + 1
    for sweep in sweeps:
        sweep.new = [
            replace(f, owner=f"linked by {count} sites")
            if f.owner is None and (count := sites[handle_key(f.platform, f.handle)]) > 1
            else f
            for f in sweep.new
        ]


# --- the review file ----------------------------------------------------------------------


def site_source(page: str, today: dt.date) -> Source:
    """The evidence a page gives: "linked from <site>, <date>"."""
    host = urlsplit(page).netloc
    return Source(
        kind=SourceKind.OFFICIAL_WEBSITE,
        url=page,
        title=LocalizedText(
            ar=f"الموقع الرسمي {host}",
            en=f"The official website {host}",
            fr=f"Le site officiel {host}",
        ),
        date=today.isoformat(),
        note=f"linked from {page}, {today.isoformat()} (rasmi registry sweep)",
    )


def _confirmed_by(account: Account, page: str, today: dt.date) -> Account:
    kept = [s for s in account.evidence.sources if s.url != page]
    evidence = Evidence(
        sources=[site_source(page, today), *kept],
        checked=today.isoformat(),
        confidence=Confidence.CONFIRMED,
        note=account.evidence.note,
    )
    return account.model_copy(update={"evidence": evidence})


def _new_account(entity: Entity, finding: Finding, today: dt.date) -> Account:
    assert finding.page is not None
    has_platform = any(
        a.platform is finding.platform and a.status is AccountStatus.ACTIVE for a in entity.accounts
    )
    return Account(
        platform=finding.platform,
        handle=finding.handle,
        role=AccountRole.OTHER if has_platform else AccountRole.MAIN,
        evidence=Evidence(
            sources=[site_source(finding.page, today)],
            checked=today.isoformat(),
            confidence=Confidence.CONFIRMED,
        ),
        note="proposed by the website sweep: check the role",
    )


def propose(entity: Entity, sweep: EntitySweep, today: dt.date) -> Entity:
    """The entity with what its site confirms: new sources on confirmed accounts, and new
    accounts no other record claims."""
    pages = {handle_key(f.platform, f.handle): f.page for f in sweep.confirmed}
    accounts = [
        _confirmed_by(a, page, today)
        if a.status is AccountStatus.ACTIVE and (page := pages.get(a.key))
        else a
        for a in entity.accounts
    ]
    accounts += [_new_account(entity, f, today) for f in sweep.new if f.owner is None]
    return entity.model_copy(update={"accounts": accounts})


def review_registry(registry: Registry, sweeps: list[EntitySweep], today: dt.date) -> Registry:
    """The whole registry with the sweep's proposals applied: imported as it is (or after a
    maintainer's edits), it changes only what the sweep proposed."""
    by_id = {s.entity_id: s for s in sweeps}
    entities = [propose(e, by_id[e.id], today) if e.id in by_id else e for e in registry.entities]
    return registry.model_copy(update={"entities": entities})


def review_header(sweeps: list[EntitySweep], today: dt.date) -> str:
    """YAML comments that open the review file: what was proposed, and what a maintainer
    must look at by hand."""
    proposed_new = sum(1 for s in sweeps for f in s.new if f.owner is None)
    lines = [
        f"Review file written by `rasmi registry sweep` on {today.isoformat()}.",
        "It is the whole registry with the sweep's proposals applied:",
        f"  {sum(len(s.confirmed) for s in sweeps)} account(s) confirmed by their body's "
        f"website (a new official_website source), {proposed_new} new account(s).",
        "`rasmi registry import --dry-run FILE` lists exactly these changes; edit, then import.",
        "Not changed, to judge by hand:",
    ]
    for sweep in sweeps:
        for label, items in (
            ("mismatch", sweep.mismatch),
            ("missing", sweep.missing),
            ("new, not proposed", [f for f in sweep.new if f.owner is not None]),
        ):
            for finding in items:
                lines.append(f"  {sweep.entity_id}: {label}: {finding.describe()}")
        if sweep.unreachable:
            lines.append(f"  {sweep.entity_id}: unreachable: {sweep.unreachable}")
    return "".join(f"# {line}\n" for line in lines)
