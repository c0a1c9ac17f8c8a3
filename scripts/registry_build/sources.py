"""Typed sources: the seed data's free-text source cells read as registry `Source` records.

A source a citizen can open keeps its whole URL, its kind (the body's own site, a news
report...), a title in each language that can be said truthfully (the site's host, or the
newspaper's name from ``decisions/source_sites.csv``) and its date where the data gives
one. Everything else a cell says about where a fact was read (a dataset, a repository, a
crawl) is provenance for maintainers: it goes into a dataset source's ``note``, never into
a title, and such a source has no URL, so it can never confirm a record on its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from urllib.parse import urlsplit

from knowledge.registry.schema import LocalizedText, Source, SourceKind

from .decisions import Decisions, Site
from .seed import Seed
from .text import URL, squash

_DIRECTORY = re.compile(
    r"my\.gov\.sa directory (https://www\.my\.gov\.sa/en/agencies/\d+) \((as crawled by [^)]*)\)"
    r"\s*(.*)"
)
_OFFICIAL_PAGE = re.compile(
    r"(repo \S+ \S+ @\w+) \(author says handle verified on official page (https?://[^\s)]+)\)"
)
_PROVENANCE = re.compile(r"GitHub code|^repo |AuRED dataset|EVENTME|find_repos|code search")
_PATH_DATE = (
    re.compile(r"/(20\d\d)/(\d{1,2})/(\d{1,2})/"),
    re.compile(r"(20\d\d)-(\d\d)-(\d\d)"),
    re.compile(r"/(20\d\d)/(\d\d)/"),
)
_TEXT_DATES = (
    re.compile(r"\bdated (\d{4}-\d\d-\d\d)"),
    re.compile(r"\bgenerated (\d{4}-\d\d-\d\d)"),
    re.compile(r"^rename (\d{4}-\d\d-\d\d)"),
    re.compile(r"tweets \d{4}-(\d{4})"),
    re.compile(r"\bc\.(\d{4})\b"),
    re.compile(r"\bold ~(\d{4})\b"),
    re.compile(r"^\((\d{4})[,:]"),
)
_GOVERNMENT_NEWS = re.compile(r"/news|mediacenter", re.IGNORECASE)


def host_of(url: str) -> str:
    return (urlsplit(url).hostname or "").lower().removeprefix("www.")


def text_date(text: str) -> str | None:
    """A date the text states (a crawl's, a listing's, a dataset's span), or None."""
    for pattern in _TEXT_DATES:
        match = pattern.search(text)
        if match:
            return match.group(1)
    return None


def url_date(url: str) -> str | None:
    """The publication date a news or government URL carries in its path, or None."""
    path = urlsplit(url).path
    for pattern in _PATH_DATE:
        match = pattern.search(path)
        if match:
            parts = [match.group(1), *(f"{int(p):02d}" for p in match.groups()[1:])]
            return "-".join(parts)
    return None


@dataclass(frozen=True)
class SourceReader:
    """Reads source cells; knows the directory crawl's date and the news sites' names."""

    directory_date: str | None
    sites: dict[str, Site]

    def title(self, url: str) -> LocalizedText:
        """The site's name where the editors know it, else its host (the same in every
        language: a host is not translated)."""
        host = host_of(url)
        site = self.sites.get(host)
        if site is None:
            return LocalizedText(ar=host, en=host, fr=host)
        return LocalizedText(ar=site.ar, en=site.en, fr=site.fr)

    def web(
        self, url: str, *, date: str | None = None, note: str | None = None, kind: str = ""
    ) -> Source:
        """A page a person can open: the body's own site, a government announcement on it,
        or a news report."""
        host = host_of(url)
        if kind:
            source_kind = SourceKind(kind)
        elif host.endswith(".gov.sa"):
            government_news = _GOVERNMENT_NEWS.search(urlsplit(url).path)
            source_kind = (
                SourceKind.GOVERNMENT_ANNOUNCEMENT
                if government_news
                else SourceKind.OFFICIAL_WEBSITE
            )
        else:
            source_kind = SourceKind.NEWS
        return Source(
            kind=source_kind,
            url=url,
            title=self.title(url),
            date=date or url_date(url),
            note=note or None,
        )

    def dataset(self, text: str, date: str | None = None) -> Source:
        """Provenance only: no URL, the description in the note."""
        return Source(kind=SourceKind.DATASET, date=date or text_date(text), note=squash(text))

    def read(self, fragment: str) -> list[Source]:
        """One fragment of a source cell as its sources (a fragment may list several URLs)."""
        directory = _DIRECTORY.fullmatch(fragment)
        if directory:
            url, crawl, remark = directory.groups()
            note = squash(f"{crawl} {remark}")
            return [self.web(url, date=self.directory_date, note=note, kind="official_website")]
        page = _OFFICIAL_PAGE.search(fragment)
        if page:
            repo, url = page.groups()
            note = f"Reported by {repo}: its author says the handle is verified on this page."
            return [self.web(url, note=note, kind="official_website")]
        urls = [u.rstrip(".,;") for u in URL.findall(fragment)]
        if not urls or _PROVENANCE.search(fragment):
            return [self.dataset(fragment)]
        remark = squash(URL.sub(" ", fragment)).strip(" ;:")
        date = text_date(remark)
        prefix = re.match(r"^(?:news|website|rename \S+)\s*:?\s*", remark)
        if prefix:
            remark = remark[prefix.end() :]
        date = date or text_date(remark)
        remark = re.sub(r"^\(\d{4}[,:]?\s*|\)$|^\(", "", remark).strip()
        return [self.web(url, date=date, note=remark) for url in urls]

    def read_all(self, items: Iterable[str | Source]) -> list[Source]:
        """Fragments and ready sources as one list of sources, without repeats."""
        sources: list[Source] = []
        for item in items:
            for source in self.read(item) if isinstance(item, str) else [item]:
                if source not in sources:
                    sources.append(source)
        return sources


def is_directory_page(source: Source) -> bool:
    """The national directory's page of a body: evidence of its name and website, never of
    a social account."""
    return source.url is not None and host_of(source.url) == "my.gov.sa"


def reader_for(seed: Seed, decisions: Decisions) -> SourceReader:
    return SourceReader(seed.directory_date, decisions.sites)
